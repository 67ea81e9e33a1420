"""bulletins: bulletins, typical cases and their published PDFs

Revision ID: 0009
Revises: 0008
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('bulletins',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('audit_id', sa.Integer(), nullable=True),
    sa.Column('draft_key', sa.String(length=32), nullable=True),
    sa.Column('corrects_id', sa.Integer(), nullable=True),
    sa.Column('correction_note', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('intro', sa.Text(), nullable=False),
    sa.Column('analysis', sa.Text(), nullable=False),
    sa.Column('closing', sa.Text(), nullable=False),
    sa.Column('figures', sa.Text(), nullable=False),
    sa.Column('figures_at', sa.DateTime(), nullable=False),
    sa.Column('drafted_by', sa.String(length=64), nullable=False),
    sa.Column('drafted_at', sa.DateTime(), nullable=False),
    sa.Column('editor_id', sa.Integer(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(), nullable=True),
    sa.Column('returned_at', sa.DateTime(), nullable=True),
    sa.Column('returned_by', sa.String(length=64), nullable=False),
    sa.Column('returned_reason', sa.Text(), nullable=False),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.Column('html', sa.Text(), nullable=True),
    sa.Column('pdf', sa.LargeBinary(), nullable=True),
    sa.Column('pdf_sha256', sa.String(length=64), nullable=True),
    sa.Column('pdf_size', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['audit_id'], ['audits.id'], name=op.f('fk_bulletins_audit_id_audits')),
    sa.ForeignKeyConstraint(['corrects_id'], ['bulletins.id'], name=op.f('fk_bulletins_corrects_id_bulletins')),
    sa.ForeignKeyConstraint(['editor_id'], ['users.id'], name=op.f('fk_bulletins_editor_id_users')),
    sa.ForeignKeyConstraint(['published_by_id'], ['users.id'], name=op.f('fk_bulletins_published_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bulletins')),
    sa.UniqueConstraint('draft_key', name=op.f('uq_bulletins_draft_key'))
    )
    op.create_index(op.f('ix_bulletins_corrects_id'), 'bulletins', ['corrects_id'], unique=False)
    op.create_index('ix_bulletins_status_published', 'bulletins', ['status', 'published_at'], unique=False)
    op.create_table('bulletin_cases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bulletin_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('platform_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['bulletin_id'], ['bulletins.id'], name=op.f('fk_bulletin_cases_bulletin_id_bulletins'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['platform_id'], ['platforms.id'], name=op.f('fk_bulletin_cases_platform_id_platforms')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bulletin_cases'))
    )
    op.create_index(op.f('ix_bulletin_cases_bulletin_id'), 'bulletin_cases', ['bulletin_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_bulletin_cases_bulletin_id'), table_name='bulletin_cases')
    op.drop_table('bulletin_cases')
    op.drop_index('ix_bulletins_status_published', table_name='bulletins')
    op.drop_index(op.f('ix_bulletins_corrects_id'), table_name='bulletins')
    op.drop_table('bulletins')
