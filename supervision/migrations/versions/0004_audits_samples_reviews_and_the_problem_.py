"""audits, samples, reviews and the problem ledger

Revision ID: 0004
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('period_from', sa.String(length=7), nullable=False),
    sa.Column('period_to', sa.String(length=7), nullable=False),
    sa.Column('focus', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('confidence', sa.Float(), nullable=False),
    sa.Column('tolerable_rate', sa.Float(), nullable=False),
    sa.Column('expected_deviations', sa.Integer(), nullable=False),
    sa.Column('seed', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=True),
    sa.Column('completed_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_audits_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audits'))
    )
    op.create_table('audit_inspectors',
    sa.Column('audit_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['audit_id'], ['audits.id'], name=op.f('fk_audit_inspectors_audit_id_audits'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_audit_inspectors_user_id_users')),
    sa.PrimaryKeyConstraint('audit_id', 'user_id', name=op.f('pk_audit_inspectors'))
    )
    op.create_table('audit_platforms',
    sa.Column('audit_id', sa.Integer(), nullable=False),
    sa.Column('platform_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['audit_id'], ['audits.id'], name=op.f('fk_audit_platforms_audit_id_audits'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['platform_id'], ['platforms.id'], name=op.f('fk_audit_platforms_platform_id_platforms')),
    sa.PrimaryKeyConstraint('audit_id', 'platform_id', name=op.f('pk_audit_platforms'))
    )
    op.create_table('audit_samples',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('audit_id', sa.Integer(), nullable=False),
    sa.Column('platform_id', sa.Integer(), nullable=False),
    sa.Column('population_size', sa.Integer(), nullable=False),
    sa.Column('population_hash', sa.String(length=64), nullable=False),
    sa.Column('seed', sa.Integer(), nullable=False),
    sa.Column('sample_size', sa.Integer(), nullable=False),
    sa.Column('allocation', sa.Text(), nullable=False),
    sa.Column('drawn_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['audit_id'], ['audits.id'], name=op.f('fk_audit_samples_audit_id_audits'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['platform_id'], ['platforms.id'], name=op.f('fk_audit_samples_platform_id_platforms')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_samples')),
    sa.UniqueConstraint('audit_id', 'platform_id', name='uq_audit_samples_audit_platform')
    )
    op.create_table('sample_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sample_id', sa.Integer(), nullable=False),
    sa.Column('audit_id', sa.Integer(), nullable=False),
    sa.Column('platform_id', sa.Integer(), nullable=False),
    sa.Column('report_pk', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.String(length=64), nullable=False),
    sa.Column('stratum', sa.String(length=32), nullable=False),
    sa.Column('judgmental', sa.Boolean(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('verdict', sa.String(length=8), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('reviewed_by', sa.String(length=64), nullable=False),
    sa.Column('reviewed_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['audit_id'], ['audits.id'], name=op.f('fk_sample_items_audit_id_audits'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['platform_id'], ['platforms.id'], name=op.f('fk_sample_items_platform_id_platforms')),
    sa.ForeignKeyConstraint(['report_pk'], ['reports.id'], name=op.f('fk_sample_items_report_pk_reports')),
    sa.ForeignKeyConstraint(['sample_id'], ['audit_samples.id'], name=op.f('fk_sample_items_sample_id_audit_samples'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sample_items'))
    )
    with op.batch_alter_table('sample_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sample_items_audit_id'), ['audit_id'], unique=False)
        batch_op.create_index('ix_sample_items_sample', ['sample_id'], unique=False)

    op.create_table('finding_reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('finding_id', sa.Integer(), nullable=False),
    sa.Column('decision', sa.String(length=12), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('decided_by', sa.String(length=64), nullable=False),
    sa.Column('decided_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['finding_id'], ['findings.id'], name=op.f('fk_finding_reviews_finding_id_findings')),
    sa.ForeignKeyConstraint(['item_id'], ['sample_items.id'], name=op.f('fk_finding_reviews_item_id_sample_items'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_finding_reviews')),
    sa.UniqueConstraint('item_id', 'finding_id', name='uq_finding_reviews_item_finding')
    )
    op.create_table('item_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=8), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('added_by', sa.String(length=64), nullable=False),
    sa.Column('added_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['sample_items.id'], name=op.f('fk_item_codes_item_id_sample_items'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_item_codes'))
    )
    with op.batch_alter_table('item_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_item_codes_item_id'), ['item_id'], unique=False)

    op.create_table('item_evidence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('stored_name', sa.String(length=128), nullable=False),
    sa.Column('content_type', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_by', sa.String(length=64), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['sample_items.id'], name=op.f('fk_item_evidence_item_id_sample_items'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_item_evidence'))
    )
    with op.batch_alter_table('item_evidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_item_evidence_item_id'), ['item_id'], unique=False)

    op.create_table('problems',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('audit_id', sa.Integer(), nullable=False),
    sa.Column('platform_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=8), nullable=False),
    sa.Column('finding_id', sa.Integer(), nullable=True),
    sa.Column('item_code_id', sa.Integer(), nullable=True),
    sa.Column('rule_code', sa.String(length=8), nullable=False),
    sa.Column('severity', sa.String(length=8), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('report_id', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('excluded', sa.Boolean(), nullable=False),
    sa.Column('excluded_reason', sa.Text(), nullable=False),
    sa.Column('notice_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['audit_id'], ['audits.id'], name=op.f('fk_problems_audit_id_audits'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['finding_id'], ['findings.id'], name=op.f('fk_problems_finding_id_findings')),
    sa.ForeignKeyConstraint(['item_code_id'], ['item_codes.id'], name=op.f('fk_problems_item_code_id_item_codes')),
    sa.ForeignKeyConstraint(['platform_id'], ['platforms.id'], name=op.f('fk_problems_platform_id_platforms')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_problems')),
    sa.UniqueConstraint('audit_id', 'finding_id', name='uq_problems_audit_finding')
    )
    with op.batch_alter_table('problems', schema=None) as batch_op:
        batch_op.create_index('ix_problems_platform_status', ['platform_id', 'status'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('problems', schema=None) as batch_op:
        batch_op.drop_index('ix_problems_platform_status')

    op.drop_table('problems')
    with op.batch_alter_table('item_evidence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_item_evidence_item_id'))

    op.drop_table('item_evidence')
    with op.batch_alter_table('item_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_item_codes_item_id'))

    op.drop_table('item_codes')
    op.drop_table('finding_reviews')
    with op.batch_alter_table('sample_items', schema=None) as batch_op:
        batch_op.drop_index('ix_sample_items_sample')
        batch_op.drop_index(batch_op.f('ix_sample_items_audit_id'))

    op.drop_table('sample_items')
    op.drop_table('audit_samples')
    op.drop_table('audit_platforms')
    op.drop_table('audit_inspectors')
    op.drop_table('audits')
