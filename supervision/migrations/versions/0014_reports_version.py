"""a version of each platform's reports alone, beside the version of its reports and findings

Revision ID: 0014
Revises: 0013

异常信号 and the cross-platform account watch read reports only: a check run or a complaint's
finding no longer outdates them (a check's commit made every web process recompute eight months
of a million-row platform).
"""
from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('data_versions') as batch:
        batch.add_column(sa.Column('reports_version', sa.BigInteger(), nullable=False, server_default='0'))


def downgrade() -> None:
    with op.batch_alter_table('data_versions') as batch:
        batch.drop_column('reports_version')
