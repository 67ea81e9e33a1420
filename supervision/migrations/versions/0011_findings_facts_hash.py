"""findings: a hash of each finding's facts, so a re-check compares keys and hashes only

Revision ID: 0011
Revises: 0010

Rows stored before this revision keep NULL; the next check of their cohort hashes their
stored facts (as before) and records the hash.
"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('findings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('facts_hash', sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('findings', schema=None) as batch_op:
        batch_op.drop_column('facts_hash')
