"""complaints: the complaint window, its events, files and tracking-number counters

Revision ID: 0005
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('complaint_counters',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_complaint_counters'))
    )
    op.create_table('complaints',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tracking_no', sa.String(length=20), nullable=False),
    sa.Column('query_code_hash', sa.String(length=128), nullable=False),
    sa.Column('filed_at', sa.DateTime(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('contact', sa.String(length=128), nullable=False),
    sa.Column('contact_kind', sa.String(length=8), nullable=False),
    sa.Column('platform_id', sa.Integer(), nullable=True),
    sa.Column('platform_name', sa.String(length=128), nullable=False),
    sa.Column('report_number', sa.String(length=64), nullable=False),
    sa.Column('report_date', sa.Date(), nullable=False),
    sa.Column('complaint_type', sa.String(length=16), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('duplicate_of_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('accepted_at', sa.DateTime(), nullable=True),
    sa.Column('reject_reason', sa.String(length=16), nullable=True),
    sa.Column('forward_to', sa.String(length=128), nullable=False),
    sa.Column('decision_text', sa.Text(), nullable=False),
    sa.Column('transferred_at', sa.DateTime(), nullable=True),
    sa.Column('transfer_note', sa.Text(), nullable=False),
    sa.Column('answered_at', sa.DateTime(), nullable=True),
    sa.Column('response_text', sa.Text(), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('conclusion', sa.String(length=8), nullable=True),
    sa.Column('reply', sa.Text(), nullable=False),
    sa.Column('reopened_at', sa.DateTime(), nullable=True),
    sa.Column('reexam_used', sa.Boolean(), nullable=False),
    sa.Column('rating', sa.Integer(), nullable=True),
    sa.Column('rating_comment', sa.Text(), nullable=False),
    sa.Column('rated_at', sa.DateTime(), nullable=True),
    sa.Column('ledger_report_id', sa.Integer(), nullable=True),
    sa.Column('cmp01_finding_id', sa.Integer(), nullable=True),
    sa.Column('cmp02_finding_id', sa.Integer(), nullable=True),
    sa.Column('pii_erased_at', sa.DateTime(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['cmp01_finding_id'], ['findings.id'], name=op.f('fk_complaints_cmp01_finding_id_findings')),
    sa.ForeignKeyConstraint(['cmp02_finding_id'], ['findings.id'], name=op.f('fk_complaints_cmp02_finding_id_findings')),
    sa.ForeignKeyConstraint(['duplicate_of_id'], ['complaints.id'], name=op.f('fk_complaints_duplicate_of_id_complaints')),
    sa.ForeignKeyConstraint(['ledger_report_id'], ['reports.id'], name=op.f('fk_complaints_ledger_report_id_reports')),
    sa.ForeignKeyConstraint(['platform_id'], ['platforms.id'], name=op.f('fk_complaints_platform_id_platforms')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_complaints')),
    sa.UniqueConstraint('tracking_no', name=op.f('uq_complaints_tracking_no'))
    )
    op.create_index(op.f('ix_complaints_platform_id'), 'complaints', ['platform_id'], unique=False)
    op.create_index('ix_complaints_platform_report', 'complaints', ['platform_id', 'report_number'], unique=False)
    op.create_index('ix_complaints_status_filed', 'complaints', ['status', 'filed_at'], unique=False)
    op.create_table('complaint_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('complaint_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('public', sa.Boolean(), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaints.id'], name=op.f('fk_complaint_events_complaint_id_complaints'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_complaint_events'))
    )
    op.create_index(op.f('ix_complaint_events_complaint_id'), 'complaint_events', ['complaint_id'], unique=False)
    op.create_table('complaint_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('complaint_id', sa.Integer(), nullable=False),
    sa.Column('owner', sa.String(length=12), nullable=False),
    sa.Column('stored_name', sa.String(length=128), nullable=False),
    sa.Column('original_name', sa.String(length=255), nullable=False),
    sa.Column('mime', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaints.id'], name=op.f('fk_complaint_files_complaint_id_complaints'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_complaint_files')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_complaint_files_stored_name'))
    )
    op.create_index(op.f('ix_complaint_files_complaint_id'), 'complaint_files', ['complaint_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_complaint_files_complaint_id'), table_name='complaint_files')
    op.drop_table('complaint_files')
    op.drop_index(op.f('ix_complaint_events_complaint_id'), table_name='complaint_events')
    op.drop_table('complaint_events')
    op.drop_index('ix_complaints_status_filed', table_name='complaints')
    op.drop_index('ix_complaints_platform_report', table_name='complaints')
    op.drop_index(op.f('ix_complaints_platform_id'), table_name='complaints')
    op.drop_table('complaints')
    op.drop_table('complaint_counters')

