"""complaint problems: CMP-01 / CMP-02 findings of complaints enter the problem ledger

Revision ID: 0010
Revises: 0009
"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('problems', schema=None) as batch_op:
        batch_op.alter_column('audit_id', existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column('source', existing_type=sa.String(length=8), type_=sa.String(length=9),
                              existing_nullable=False)
        batch_op.add_column(sa.Column('complaint_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_problems_complaint_id_complaints'), 'complaints',
                                    ['complaint_id'], ['id'])
        batch_op.create_unique_constraint('uq_problems_complaint_rule', ['complaint_id', 'rule_code'])


def downgrade() -> None:
    op.execute("DELETE FROM problems WHERE complaint_id IS NOT NULL")
    with op.batch_alter_table('problems', schema=None) as batch_op:
        batch_op.drop_constraint('uq_problems_complaint_rule', type_='unique')
        batch_op.drop_constraint(batch_op.f('fk_problems_complaint_id_complaints'), type_='foreignkey')
        batch_op.drop_column('complaint_id')
        batch_op.alter_column('source', existing_type=sa.String(length=9), type_=sa.String(length=8),
                              existing_nullable=False)
        batch_op.alter_column('audit_id', existing_type=sa.Integer(), nullable=False)
