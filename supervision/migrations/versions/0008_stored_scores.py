"""stored scores: stored, versioned scores and score weight versions

Revision ID: 0008
Revises: 0007
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('score_weight_sets',
    sa.Column('version', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('values', sa.Text(), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('version', name=op.f('pk_score_weight_sets'))
    )
    op.create_table('score_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('computed_at', sa.DateTime(), nullable=False),
    sa.Column('trigger', sa.String(length=16), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('model_version', sa.String(length=32), nullable=False),
    sa.Column('weight_version', sa.Integer(), nullable=False),
    sa.Column('provisional', sa.Boolean(), nullable=False),
    sa.Column('platform_count', sa.Integer(), nullable=False),
    sa.Column('province', sa.Text(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['weight_version'], ['score_weight_sets.version'], name=op.f('fk_score_runs_weight_version_score_weight_sets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_score_runs'))
    )
    op.create_index('ix_score_runs_period_id', 'score_runs', ['period', 'id'], unique=False)
    op.create_table('scores',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('platform_id', sa.Integer(), nullable=False),
    sa.Column('platform_code', sa.String(length=32), nullable=False),
    sa.Column('not_reported', sa.Boolean(), nullable=False),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('grade', sa.String(length=8), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=True),
    sa.Column('rank_low', sa.Integer(), nullable=True),
    sa.Column('rank_high', sa.Integer(), nullable=True),
    sa.Column('weighted_total', sa.Float(), nullable=False),
    sa.Column('deduction_total', sa.Float(), nullable=False),
    sa.Column('card', sa.Text(), nullable=False),
    sa.Column('inputs', sa.Text(), nullable=False),
    sa.Column('facts', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['platform_id'], ['platforms.id'], name=op.f('fk_scores_platform_id_platforms')),
    sa.ForeignKeyConstraint(['run_id'], ['score_runs.id'], name=op.f('fk_scores_run_id_score_runs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scores')),
    sa.UniqueConstraint('run_id', 'platform_id', name='uq_scores_run_platform')
    )
    op.create_index('ix_scores_platform_period', 'scores', ['platform_id', 'period'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_scores_platform_period', table_name='scores')
    op.drop_table('scores')
    op.drop_index('ix_score_runs_period_id', table_name='score_runs')
    op.drop_table('score_runs')
    op.drop_table('score_weight_sets')
