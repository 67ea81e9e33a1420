"""notices: rectification notices, their items, answers, escalations and the yearly number counter

Revision ID: 0006
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('notice_counters',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_notice_counters'))
    )
    op.create_table('office_settings',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_office_settings'))
    )
    op.create_table('notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform_id', sa.Integer(), nullable=False),
    sa.Column('audit_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('addressee', sa.String(length=128), nullable=False),
    sa.Column('preamble', sa.Text(), nullable=False),
    sa.Column('contact_name', sa.String(length=64), nullable=False),
    sa.Column('contact_phone', sa.String(length=64), nullable=False),
    sa.Column('working_days', sa.Integer(), nullable=False),
    sa.Column('drafted_by_id', sa.Integer(), nullable=False),
    sa.Column('drafted_at', sa.DateTime(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(), nullable=True),
    sa.Column('returned_at', sa.DateTime(), nullable=True),
    sa.Column('returned_by', sa.String(length=64), nullable=False),
    sa.Column('returned_reason', sa.Text(), nullable=False),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.Column('issued_at', sa.DateTime(), nullable=True),
    sa.Column('issue_date', sa.Date(), nullable=True),
    sa.Column('deadline', sa.DateTime(), nullable=True),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('seq', sa.Integer(), nullable=True),
    sa.Column('number', sa.String(length=64), nullable=True),
    sa.Column('authority', sa.String(length=128), nullable=False),
    sa.Column('pdf', sa.LargeBinary(), nullable=True),
    sa.Column('pdf_sha256', sa.String(length=64), nullable=True),
    sa.Column('pdf_size', sa.Integer(), nullable=True),
    sa.Column('delivered_at', sa.DateTime(), nullable=True),
    sa.Column('delivered_by', sa.String(length=64), nullable=False),
    sa.Column('answer_round', sa.Integer(), nullable=False),
    sa.Column('overdue_at', sa.DateTime(), nullable=True),
    sa.Column('completed_at', sa.DateTime(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['audit_id'], ['audits.id'], name=op.f('fk_notices_audit_id_audits')),
    sa.ForeignKeyConstraint(['drafted_by_id'], ['users.id'], name=op.f('fk_notices_drafted_by_id_users')),
    sa.ForeignKeyConstraint(['issued_by_id'], ['users.id'], name=op.f('fk_notices_issued_by_id_users')),
    sa.ForeignKeyConstraint(['platform_id'], ['platforms.id'], name=op.f('fk_notices_platform_id_platforms')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notices')),
    sa.UniqueConstraint('number', name=op.f('uq_notices_number')),
    sa.UniqueConstraint('year', 'seq', name='uq_notices_year_seq')
    )
    op.create_index(op.f('ix_notices_platform_id'), 'notices', ['platform_id'], unique=False)
    op.create_index('ix_notices_status_deadline', 'notices', ['status', 'deadline'], unique=False)
    op.create_table('notice_escalations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('notice_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('number', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('addressee', sa.String(length=128), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('pdf', sa.LargeBinary(), nullable=False),
    sa.Column('pdf_sha256', sa.String(length=64), nullable=False),
    sa.Column('pdf_size', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['notice_id'], ['notices.id'], name=op.f('fk_notice_escalations_notice_id_notices'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notice_escalations'))
    )
    op.create_index(op.f('ix_notice_escalations_notice_id'), 'notice_escalations', ['notice_id'], unique=False)
    op.create_table('notice_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('notice_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('rule_code', sa.String(length=8), nullable=False),
    sa.Column('rule_name', sa.String(length=64), nullable=False),
    sa.Column('severity', sa.String(length=8), nullable=False),
    sa.Column('problem_count', sa.Integer(), nullable=False),
    sa.Column('examples', sa.Text(), nullable=False),
    sa.Column('requirement', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('answered_at', sa.DateTime(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decided_by', sa.String(length=64), nullable=False),
    sa.Column('decision_reason', sa.Text(), nullable=False),
    sa.Column('accepted_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['notice_id'], ['notices.id'], name=op.f('fk_notice_items_notice_id_notices'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notice_items')),
    sa.UniqueConstraint('notice_id', 'rule_code', name='uq_notice_items_notice_rule')
    )
    op.create_index(op.f('ix_notice_items_notice_id'), 'notice_items', ['notice_id'], unique=False)
    op.create_table('notice_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('notice_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('submitted_by', sa.String(length=64), nullable=False),
    sa.Column('submitted_at', sa.DateTime(), nullable=False),
    sa.Column('decision', sa.String(length=8), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('decided_by', sa.String(length=64), nullable=False),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['item_id'], ['notice_items.id'], name=op.f('fk_notice_answers_item_id_notice_items'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['notice_id'], ['notices.id'], name=op.f('fk_notice_answers_notice_id_notices'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notice_answers')),
    sa.UniqueConstraint('item_id', 'round', name='uq_notice_answers_item_round')
    )
    op.create_index(op.f('ix_notice_answers_notice_id'), 'notice_answers', ['notice_id'], unique=False)
    op.create_table('notice_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('answer_id', sa.Integer(), nullable=False),
    sa.Column('stored_name', sa.String(length=128), nullable=False),
    sa.Column('original_name', sa.String(length=255), nullable=False),
    sa.Column('mime', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['answer_id'], ['notice_answers.id'], name=op.f('fk_notice_files_answer_id_notice_answers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notice_files')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_notice_files_stored_name'))
    )
    op.create_index(op.f('ix_notice_files_answer_id'), 'notice_files', ['answer_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_notice_files_answer_id'), table_name='notice_files')
    op.drop_table('notice_files')
    op.drop_index(op.f('ix_notice_answers_notice_id'), table_name='notice_answers')
    op.drop_table('notice_answers')
    op.drop_index(op.f('ix_notice_items_notice_id'), table_name='notice_items')
    op.drop_table('notice_items')
    op.drop_index(op.f('ix_notice_escalations_notice_id'), table_name='notice_escalations')
    op.drop_table('notice_escalations')
    op.drop_index('ix_notices_status_deadline', table_name='notices')
    op.drop_index(op.f('ix_notices_platform_id'), table_name='notices')
    op.drop_table('notices')
    op.drop_table('office_settings')
    op.drop_table('notice_counters')
