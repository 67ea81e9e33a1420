"""calendar, parameters, check runs, findings and disclosures

Revision ID: 0003
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa
from datetime import datetime


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('calendar_days',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('is_workday', sa.Boolean(), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_calendar_days'))
    )
    op.create_table('calendar_versions',
    sa.Column('version', sa.String(length=32), nullable=False),
    sa.Column('overrides', sa.Text(), nullable=False),
    sa.Column('known_years', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('version', name=op.f('pk_calendar_versions'))
    )
    op.create_table('calendar_years',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('declared_by', sa.String(length=64), nullable=False),
    sa.Column('declared_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_calendar_years'))
    )
    op.create_table('parameter_sets',
    sa.Column('version', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('values', sa.Text(), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('version', name=op.f('pk_parameter_sets'))
    )
    # Version 1 of the provincial parameters: the defaults of rules.md.
    op.bulk_insert(
        sa.table('parameter_sets', sa.column('version', sa.Integer), sa.column('values', sa.Text),
                 sa.column('note', sa.String), sa.column('created_by', sa.String), sa.column('created_at', sa.DateTime)),
        [{'version': 1, 'values': '{"complex_case_working_days": 7, "fast_channel_hours": 24, "feedback_working_days": 1, "ledger_due_working_day": 5, "retention_months": 6, "simple_case_working_days": 3}', 'note': '规则目录 v1 默认值',
          'created_by': 'system', 'created_at': datetime(2026, 1, 1)}],
    )
    op.create_table('check_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('trigger', sa.String(length=16), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('ran_at', sa.DateTime(), nullable=False),
    sa.Column('cutoff', sa.DateTime(), nullable=True),
    sa.Column('parameter_version', sa.Integer(), nullable=False),
    sa.Column('calendar_version', sa.String(length=32), nullable=False),
    sa.Column('report_count', sa.Integer(), nullable=False),
    sa.Column('finding_count', sa.Integer(), nullable=False),
    sa.Column('opened_count', sa.Integer(), nullable=False),
    sa.Column('closed_count', sa.Integer(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['calendar_version'], ['calendar_versions.version'], name=op.f('fk_check_runs_calendar_version_calendar_versions')),
    sa.ForeignKeyConstraint(['parameter_version'], ['parameter_sets.version'], name=op.f('fk_check_runs_parameter_version_parameter_sets')),
    sa.ForeignKeyConstraint(['platform_id'], ['platforms.id'], name=op.f('fk_check_runs_platform_id_platforms')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_check_runs'))
    )
    with op.batch_alter_table('check_runs', schema=None) as batch_op:
        batch_op.create_index('ix_check_runs_platform_period', ['platform_id', 'period'], unique=False)

    op.create_table('disclosures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('url', sa.String(length=1000), nullable=False),
    sa.Column('published_on', sa.Date(), nullable=False),
    sa.Column('recorded_by', sa.String(length=64), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['platform_id'], ['platforms.id'], name=op.f('fk_disclosures_platform_id_platforms')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_disclosures')),
    sa.UniqueConstraint('platform_id', 'period', name='uq_disclosures_platform_period')
    )
    op.create_table('findings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('report_id', sa.String(length=64), nullable=False),
    sa.Column('rule_code', sa.String(length=8), nullable=False),
    sa.Column('severity', sa.String(length=8), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=True),
    sa.Column('deadline', sa.DateTime(), nullable=True),
    sa.Column('observed_at', sa.DateTime(), nullable=True),
    sa.Column('limit_value', sa.Float(), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=True),
    sa.Column('overdue_working_days', sa.Float(), nullable=True),
    sa.Column('overdue_hours', sa.Float(), nullable=True),
    sa.Column('elapsed_hours', sa.Float(), nullable=True),
    sa.Column('opened_run_id', sa.Integer(), nullable=False),
    sa.Column('last_run_id', sa.Integer(), nullable=False),
    sa.Column('closed_run_id', sa.Integer(), nullable=True),
    sa.Column('opened_at', sa.DateTime(), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['closed_run_id'], ['check_runs.id'], name=op.f('fk_findings_closed_run_id_check_runs')),
    sa.ForeignKeyConstraint(['last_run_id'], ['check_runs.id'], name=op.f('fk_findings_last_run_id_check_runs')),
    sa.ForeignKeyConstraint(['opened_run_id'], ['check_runs.id'], name=op.f('fk_findings_opened_run_id_check_runs')),
    sa.ForeignKeyConstraint(['platform_id'], ['platforms.id'], name=op.f('fk_findings_platform_id_platforms')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_findings')),
    sa.UniqueConstraint('platform_id', 'period', 'report_id', 'rule_code', name='uq_findings_key')
    )
    with op.batch_alter_table('findings', schema=None) as batch_op:
        batch_op.create_index('ix_findings_platform_status', ['platform_id', 'status', 'period'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('findings', schema=None) as batch_op:
        batch_op.drop_index('ix_findings_platform_status')

    op.drop_table('findings')
    op.drop_table('disclosures')
    with op.batch_alter_table('check_runs', schema=None) as batch_op:
        batch_op.drop_index('ix_check_runs_platform_period')

    op.drop_table('check_runs')
    op.drop_table('parameter_sets')
    op.drop_table('calendar_years')
    op.drop_table('calendar_versions')
    op.drop_table('calendar_days')
