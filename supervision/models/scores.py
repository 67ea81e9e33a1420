"""Stored scorecards (scoring.md): versioned weights, one run per computation of a period, one
score row per platform and run. Stored scores are never changed: a recomputation that gives
different numbers (new data, new weights) is a new run; the newest run of a period is shown."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from supervision.db import Base


class ScoreWeightSet(Base):
    """One version of the scorecard's weights and constants; the newest is in force."""

    __tablename__ = "score_weight_sets"

    version: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    values: Mapped[str] = mapped_column(Text)  # JSON of scoring.ScoringModel.parameters()
    fingerprint: Mapped[str] = mapped_column(String(64))  # SHA-256 of the canonical parameters
    note: Mapped[str] = mapped_column(String(200), default="")
    created_by: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime]


class ScoreRun(Base):
    """One computation of a period's league table (month YYYY-MM, quarter YYYY-Qn, year YYYY)."""

    __tablename__ = "score_runs"
    __table_args__ = (Index("ix_score_runs_period_id", "period", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(String(7))
    kind: Mapped[str] = mapped_column(String(8))  # month | quarter | year
    computed_at: Mapped[datetime]
    trigger: Mapped[str] = mapped_column(String(16))  # submission | job | cli | manual
    actor: Mapped[str] = mapped_column(String(64), default="")
    model_version: Mapped[str] = mapped_column(String(32))
    weight_version: Mapped[int] = mapped_column(ForeignKey("score_weight_sets.version"))
    provisional: Mapped[bool]
    platform_count: Mapped[int] = mapped_column(default=0)
    province: Mapped[str] = mapped_column(Text)  # JSON: the province's value per indicator
    digest: Mapped[str] = mapped_column(String(64))  # of inputs, facts, versions and provisional flag


class Score(Base):
    """A platform's scorecard in one run."""

    __tablename__ = "scores"
    __table_args__ = (
        UniqueConstraint("run_id", "platform_id", name="uq_scores_run_platform"),
        Index("ix_scores_platform_period", "platform_id", "period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("score_runs.id"))
    period: Mapped[str] = mapped_column(String(7))
    platform_id: Mapped[int] = mapped_column(ForeignKey("platforms.id"))
    platform_code: Mapped[str] = mapped_column(String(32))
    not_reported: Mapped[bool]  # 未报送: no accepted ledger for the period
    score: Mapped[float | None] = mapped_column(Float)  # unrounded; None when 未报送
    grade: Mapped[str] = mapped_column(String(8))
    rank: Mapped[int | None]
    rank_low: Mapped[int | None]  # 5th percentile rank under weight perturbation
    rank_high: Mapped[int | None]  # 95th percentile rank
    weighted_total: Mapped[float] = mapped_column(Float)
    deduction_total: Mapped[float] = mapped_column(Float)
    card: Mapped[str] = mapped_column(Text)  # JSON of scoring.card_to_dict: every indicator's numbers
    inputs: Mapped[str] = mapped_column(Text)  # JSON of scoring.input_to_dict: the counts behind it
    facts: Mapped[str] = mapped_column(Text, default="{}")  # JSON: reports by category, findings by family…
