"""one foreign key per bulk-inserted row; findings.last_run_id goes

Revision ID: 0012
Revises: 0011

PostgreSQL checks a foreign key with one query per inserted row. A large platform's month
inserts a million reports and opens a million findings at once, and each carried two or three
keys. Now:

- reports and report_versions: (submission_id, platform_id) references ledger_submissions
  (id, platform_id): one key guards both, and the platform must be the submission's.
- findings: (opened_run_id, platform_id) references check_runs (id, platform_id).
- findings.last_run_id is dropped: nothing read it, and stamping it on every open finding of
  a cohort at each re-check rewrote a million rows. The run that saw a finding last follows
  from the runs: the one that closed it, else the newest run of its cohort.
"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('ledger_submissions', schema=None) as batch_op:
        batch_op.create_unique_constraint('uq_ledger_submissions_id_platform', ['id', 'platform_id'])
    with op.batch_alter_table('check_runs', schema=None) as batch_op:
        batch_op.create_unique_constraint('uq_check_runs_id_platform', ['id', 'platform_id'])
    for table in ('reports', 'report_versions'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(f'fk_{table}_platform_id_platforms', type_='foreignkey')
            batch_op.drop_constraint(f'fk_{table}_submission_id_ledger_submissions', type_='foreignkey')
            batch_op.create_foreign_key(f'fk_{table}_submission_platform_ledger_submissions', 'ledger_submissions',
                                        ['submission_id', 'platform_id'], ['id', 'platform_id'])
    with op.batch_alter_table('findings', schema=None) as batch_op:
        batch_op.drop_constraint('fk_findings_platform_id_platforms', type_='foreignkey')
        batch_op.drop_constraint('fk_findings_opened_run_id_check_runs', type_='foreignkey')
        batch_op.drop_constraint('fk_findings_last_run_id_check_runs', type_='foreignkey')
        batch_op.drop_column('last_run_id')
        batch_op.create_foreign_key('fk_findings_opened_run_platform_check_runs', 'check_runs',
                                    ['opened_run_id', 'platform_id'], ['id', 'platform_id'])


def downgrade() -> None:
    with op.batch_alter_table('findings', schema=None) as batch_op:
        batch_op.drop_constraint('fk_findings_opened_run_platform_check_runs', type_='foreignkey')
        batch_op.add_column(sa.Column('last_run_id', sa.Integer(), nullable=True))
    # the best reconstruction: the run that closed it, else the newest run of its cohort
    op.execute("UPDATE findings SET last_run_id = coalesce(closed_run_id, (SELECT max(r.id) FROM check_runs AS r "
               "WHERE r.platform_id = findings.platform_id AND r.period = findings.period), opened_run_id)")
    with op.batch_alter_table('findings', schema=None) as batch_op:
        batch_op.alter_column('last_run_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key('fk_findings_last_run_id_check_runs', 'check_runs', ['last_run_id'], ['id'])
        batch_op.create_foreign_key('fk_findings_opened_run_id_check_runs', 'check_runs', ['opened_run_id'], ['id'])
        batch_op.create_foreign_key('fk_findings_platform_id_platforms', 'platforms', ['platform_id'], ['id'])
    for table in ('reports', 'report_versions'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(f'fk_{table}_submission_platform_ledger_submissions', type_='foreignkey')
            batch_op.create_foreign_key(f'fk_{table}_submission_id_ledger_submissions', 'ledger_submissions',
                                        ['submission_id'], ['id'])
            batch_op.create_foreign_key(f'fk_{table}_platform_id_platforms', 'platforms', ['platform_id'], ['id'])
    with op.batch_alter_table('check_runs', schema=None) as batch_op:
        batch_op.drop_constraint('uq_check_runs_id_platform', type_='unique')
    with op.batch_alter_table('ledger_submissions', schema=None) as batch_op:
        batch_op.drop_constraint('uq_ledger_submissions_id_platform', type_='unique')
