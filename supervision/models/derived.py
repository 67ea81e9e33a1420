"""Versions of each platform's data, and figures derived from that data kept with the version
they were computed from (services/derived.py)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from supervision.db import Base


class DataVersion(Base):
    """Counters raised in the same transaction as a change of a platform's data: ``version`` by
    every change of its reports or findings (an accepted ledger, a check run, a complaint's CMP
    finding), ``reports_version`` by a change of its reports (an accepted ledger) only."""

    __tablename__ = "data_versions"

    platform_id: Mapped[int] = mapped_column(ForeignKey("platforms.id"), primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(BigInteger, default=0)
    reports_version: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    changed_at: Mapped[datetime]


class DerivedFigure(Base):
    """A figure computed from reports or findings (a month's plausibility signals, the findings
    behind a scorecard's lost points, the findings list's counts), stored with the data
    version it was computed from; a different version means it is computed again."""

    __tablename__ = "derived_figures"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)  # kind|platform|arguments
    version: Mapped[str] = mapped_column(String(255))
    payload: Mapped[str] = mapped_column(Text)  # JSON
    computed_at: Mapped[datetime]
