"""ledger submissions, reports and API tokens

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('prefix', sa.String(length=12), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_used_at', sa.DateTime(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_api_tokens_created_by_id_users')),
    sa.ForeignKeyConstraint(['platform_id'], ['platforms.id'], name=op.f('fk_api_tokens_platform_id_platforms')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash'))
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_platform_id'), ['platform_id'], unique=False)

    op.create_table('ledger_submissions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('channel', sa.String(length=8), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('file_sha256', sa.String(length=64), nullable=False),
    sa.Column('file_size', sa.BigInteger(), nullable=False),
    sa.Column('archive_name', sa.String(length=128), nullable=False),
    sa.Column('error_report_name', sa.String(length=128), nullable=True),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('submitted_by_name', sa.String(length=64), nullable=False),
    sa.Column('submitted_at', sa.DateTime(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.Column('backdated', sa.Boolean(), nullable=False),
    sa.Column('row_count', sa.Integer(), nullable=False),
    sa.Column('created_count', sa.Integer(), nullable=False),
    sa.Column('updated_count', sa.Integer(), nullable=False),
    sa.Column('unchanged_count', sa.Integer(), nullable=False),
    sa.Column('warning_count', sa.Integer(), nullable=False),
    sa.Column('error_count', sa.Integer(), nullable=False),
    sa.Column('warnings', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['platform_id'], ['platforms.id'], name=op.f('fk_ledger_submissions_platform_id_platforms')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_ledger_submissions_submitted_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_submissions'))
    )
    with op.batch_alter_table('ledger_submissions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ledger_submissions_file_sha256'), ['file_sha256'], unique=False)
        batch_op.create_index('ix_ledger_submissions_platform_period', ['platform_id', 'period'], unique=False)

    op.create_table('ledger_errors',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('row', sa.Integer(), nullable=True),
    sa.Column('column', sa.String(length=64), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['submission_id'], ['ledger_submissions.id'], name=op.f('fk_ledger_errors_submission_id_ledger_submissions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_errors'))
    )
    with op.batch_alter_table('ledger_errors', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ledger_errors_submission_id'), ['submission_id'], unique=False)

    op.create_table('report_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('row_hash', sa.BigInteger(), nullable=False),
    sa.Column('report_id', sa.String(length=64), nullable=False),
    sa.Column('subject_type', sa.String(length=16), nullable=True),
    sa.Column('category', sa.String(length=16), nullable=True),
    sa.Column('received_at', sa.DateTime(), nullable=True),
    sa.Column('reporter_role', sa.String(length=16), nullable=True),
    sa.Column('enterprise_tier', sa.String(length=16), nullable=True),
    sa.Column('has_statement', sa.Boolean(), nullable=True),
    sa.Column('has_identity_proof', sa.Boolean(), nullable=True),
    sa.Column('has_contact', sa.Boolean(), nullable=True),
    sa.Column('has_locator', sa.Boolean(), nullable=True),
    sa.Column('has_evidence', sa.Boolean(), nullable=True),
    sa.Column('has_guarantee', sa.Boolean(), nullable=True),
    sa.Column('evidence_types', sa.String(length=512), nullable=True),
    sa.Column('acceptance', sa.String(length=16), nullable=True),
    sa.Column('rejection_reason', sa.String(length=16), nullable=True),
    sa.Column('rejection_note', sa.String(length=500), nullable=True),
    sa.Column('supplement_requested_at', sa.DateTime(), nullable=True),
    sa.Column('supplement_reason', sa.String(length=16), nullable=True),
    sa.Column('facts_clear', sa.Boolean(), nullable=True),
    sa.Column('circumstances', sa.String(length=512), nullable=True),
    sa.Column('interim_measure', sa.String(length=16), nullable=True),
    sa.Column('interim_measure_at', sa.DateTime(), nullable=True),
    sa.Column('measures', sa.String(length=512), nullable=True),
    sa.Column('account_action', sa.String(length=16), nullable=True),
    sa.Column('reported_account', sa.String(length=200), nullable=True),
    sa.Column('content_url', sa.String(length=2000), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=True),
    sa.Column('disposed_at', sa.DateTime(), nullable=True),
    sa.Column('extended', sa.Boolean(), nullable=True),
    sa.Column('extension_note', sa.String(length=500), nullable=True),
    sa.Column('feedback_at', sa.DateTime(), nullable=True),
    sa.Column('feedback_channel', sa.String(length=16), nullable=True),
    sa.Column('stakeholder_report', sa.Boolean(), nullable=True),
    sa.Column('provincial_approval_ref', sa.String(length=100), nullable=True),
    sa.Column('publisher_notified', sa.Boolean(), nullable=True),
    sa.Column('reporter_redacted', sa.Boolean(), nullable=True),
    sa.Column('objection', sa.Boolean(), nullable=True),
    sa.Column('handler_id', sa.String(length=64), nullable=True),
    sa.Column('reviewer_id', sa.String(length=64), nullable=True),
    sa.Column('note', sa.String(length=1000), nullable=True),
    sa.ForeignKeyConstraint(['platform_id'], ['platforms.id'], name=op.f('fk_report_versions_platform_id_platforms')),
    sa.ForeignKeyConstraint(['submission_id'], ['ledger_submissions.id'], name=op.f('fk_report_versions_submission_id_ledger_submissions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_versions')),
    sa.UniqueConstraint('platform_id', 'report_id', 'version', name='uq_report_versions_platform_report_version')
    )
    with op.batch_alter_table('report_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_versions_submission_id'), ['submission_id'], unique=False)

    op.create_table('reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('row_hash', sa.BigInteger(), nullable=False),
    sa.Column('report_id', sa.String(length=64), nullable=False),
    sa.Column('subject_type', sa.String(length=16), nullable=True),
    sa.Column('category', sa.String(length=16), nullable=True),
    sa.Column('received_at', sa.DateTime(), nullable=True),
    sa.Column('reporter_role', sa.String(length=16), nullable=True),
    sa.Column('enterprise_tier', sa.String(length=16), nullable=True),
    sa.Column('has_statement', sa.Boolean(), nullable=True),
    sa.Column('has_identity_proof', sa.Boolean(), nullable=True),
    sa.Column('has_contact', sa.Boolean(), nullable=True),
    sa.Column('has_locator', sa.Boolean(), nullable=True),
    sa.Column('has_evidence', sa.Boolean(), nullable=True),
    sa.Column('has_guarantee', sa.Boolean(), nullable=True),
    sa.Column('evidence_types', sa.String(length=512), nullable=True),
    sa.Column('acceptance', sa.String(length=16), nullable=True),
    sa.Column('rejection_reason', sa.String(length=16), nullable=True),
    sa.Column('rejection_note', sa.String(length=500), nullable=True),
    sa.Column('supplement_requested_at', sa.DateTime(), nullable=True),
    sa.Column('supplement_reason', sa.String(length=16), nullable=True),
    sa.Column('facts_clear', sa.Boolean(), nullable=True),
    sa.Column('circumstances', sa.String(length=512), nullable=True),
    sa.Column('interim_measure', sa.String(length=16), nullable=True),
    sa.Column('interim_measure_at', sa.DateTime(), nullable=True),
    sa.Column('measures', sa.String(length=512), nullable=True),
    sa.Column('account_action', sa.String(length=16), nullable=True),
    sa.Column('reported_account', sa.String(length=200), nullable=True),
    sa.Column('content_url', sa.String(length=2000), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=True),
    sa.Column('disposed_at', sa.DateTime(), nullable=True),
    sa.Column('extended', sa.Boolean(), nullable=True),
    sa.Column('extension_note', sa.String(length=500), nullable=True),
    sa.Column('feedback_at', sa.DateTime(), nullable=True),
    sa.Column('feedback_channel', sa.String(length=16), nullable=True),
    sa.Column('stakeholder_report', sa.Boolean(), nullable=True),
    sa.Column('provincial_approval_ref', sa.String(length=100), nullable=True),
    sa.Column('publisher_notified', sa.Boolean(), nullable=True),
    sa.Column('reporter_redacted', sa.Boolean(), nullable=True),
    sa.Column('objection', sa.Boolean(), nullable=True),
    sa.Column('handler_id', sa.String(length=64), nullable=True),
    sa.Column('reviewer_id', sa.String(length=64), nullable=True),
    sa.Column('note', sa.String(length=1000), nullable=True),
    sa.ForeignKeyConstraint(['platform_id'], ['platforms.id'], name=op.f('fk_reports_platform_id_platforms')),
    sa.ForeignKeyConstraint(['submission_id'], ['ledger_submissions.id'], name=op.f('fk_reports_submission_id_ledger_submissions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reports')),
    sa.UniqueConstraint('platform_id', 'report_id', name='uq_reports_platform_report')
    )
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.create_index('ix_reports_platform_received', ['platform_id', 'received_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_reports_submission_id'), ['submission_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reports_submission_id'))
        batch_op.drop_index('ix_reports_platform_received')

    op.drop_table('reports')
    with op.batch_alter_table('report_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_versions_submission_id'))

    op.drop_table('report_versions')
    with op.batch_alter_table('ledger_errors', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ledger_errors_submission_id'))

    op.drop_table('ledger_errors')
    with op.batch_alter_table('ledger_submissions', schema=None) as batch_op:
        batch_op.drop_index('ix_ledger_submissions_platform_period')
        batch_op.drop_index(batch_op.f('ix_ledger_submissions_file_sha256'))

    op.drop_table('ledger_submissions')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_tokens_platform_id'))

    op.drop_table('api_tokens')
