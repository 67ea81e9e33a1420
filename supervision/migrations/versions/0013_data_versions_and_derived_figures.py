"""data versions per platform, and derived figures stored with the version they came from

Revision ID: 0013
Revises: 0012

Pages that aggregate a whole month of reports or findings (异常信号, the scorecard's lost
points, the findings list's counts) read the stored figure while the platform's data version
is unchanged, instead of aggregating a million rows per request.
"""
from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'data_versions',
        sa.Column('platform_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('version', sa.BigInteger(), nullable=False),
        sa.Column('changed_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['platform_id'], ['platforms.id'],
                                name=op.f('fk_data_versions_platform_id_platforms')),
        sa.PrimaryKeyConstraint('platform_id', name=op.f('pk_data_versions')),
    )
    op.create_table(
        'derived_figures',
        sa.Column('key', sa.String(length=255), nullable=False),
        sa.Column('version', sa.String(length=255), nullable=False),
        sa.Column('payload', sa.Text(), nullable=False),
        sa.Column('computed_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_derived_figures')),
    )


def downgrade() -> None:
    op.drop_table('derived_figures')
    op.drop_table('data_versions')
