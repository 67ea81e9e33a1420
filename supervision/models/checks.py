"""The executed standard: calendar corrections, parameter versions, check runs, findings,
and platforms' monthly disclosures (shared/spec/rules.md)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (BigInteger, Date, DateTime, Float, ForeignKey, ForeignKeyConstraint, Index, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column

from supervision.db import Base


class CalendarDay(Base):
    """A day the office adds or corrects on top of the statutory calendar package."""

    __tablename__ = "calendar_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    is_workday: Mapped[bool]
    note: Mapped[str] = mapped_column(String(200), default="")
    updated_by: Mapped[str] = mapped_column(String(64), default="")
    updated_at: Mapped[datetime]


class CalendarYear(Base):
    """A year the office declares complete (its holidays entered as CalendarDay rows)."""

    __tablename__ = "calendar_years"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    declared_by: Mapped[str] = mapped_column(String(64), default="")
    declared_at: Mapped[datetime]


class CalendarVersion(Base):
    """The content of a calendar a check used (its office corrections), keyed by its hash."""

    __tablename__ = "calendar_versions"

    version: Mapped[str] = mapped_column(String(32), primary_key=True)
    overrides: Mapped[str] = mapped_column(Text)  # JSON {"YYYY-MM-DD": true|false}
    known_years: Mapped[str] = mapped_column(Text)  # JSON [years]
    created_at: Mapped[datetime]


class ParameterSet(Base):
    """One version of the provincial parameters; the newest is in force."""

    __tablename__ = "parameter_sets"

    version: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    values: Mapped[str] = mapped_column(Text)  # JSON of supervision.standard.parameters.Parameters
    note: Mapped[str] = mapped_column(String(200), default="")
    created_by: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime]


class CheckRun(Base):
    __tablename__ = "check_runs"
    __table_args__ = (
        Index("ix_check_runs_platform_period", "platform_id", "period"),
        # the target of findings' (opened_run_id, platform_id) foreign key
        UniqueConstraint("id", "platform_id", name="uq_check_runs_id_platform"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("platforms.id"))
    period: Mapped[str] = mapped_column(String(7))
    trigger: Mapped[str] = mapped_column(String(16))  # submission | manual | cli | audit | job
    actor: Mapped[str] = mapped_column(String(64), default="")
    ran_at: Mapped[datetime]
    cutoff: Mapped[datetime | None]
    parameter_version: Mapped[int] = mapped_column(ForeignKey("parameter_sets.version"))
    calendar_version: Mapped[str] = mapped_column(ForeignKey("calendar_versions.version"))
    report_count: Mapped[int] = mapped_column(default=0)
    finding_count: Mapped[int] = mapped_column(default=0)
    opened_count: Mapped[int] = mapped_column(default=0)
    closed_count: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(Text)  # e.g. the calendar lacks a year


class Finding(Base):
    """A (report, rule) pair that fired; closed, never deleted, when it stops holding."""

    __tablename__ = "findings"
    __table_args__ = (
        UniqueConstraint("platform_id", "period", "report_id", "rule_code", name="uq_findings_key"),
        Index("ix_findings_platform_status", "platform_id", "status", "period"),
        # the office's list across platforms, a month at a time in page order (findings.page)
        Index("ix_findings_period_order", "period", "report_id", "rule_code", "platform_id", "status", "severity"),
        # One foreign key guards both the opening run and the platform (the run's platform is
        # the finding's): PostgreSQL checks a foreign key with one query per inserted row, and
        # a month of a large platform opens a million findings at once.
        ForeignKeyConstraint(["opened_run_id", "platform_id"], ["check_runs.id", "check_runs.platform_id"],
                             name="fk_findings_opened_run_platform_check_runs"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int]
    period: Mapped[str] = mapped_column(String(7))  # cohort month (LED: the month checked)
    report_id: Mapped[str] = mapped_column(String(64))  # 举报编号, or YYYY-MM for LED findings
    rule_code: Mapped[str] = mapped_column(String(8))
    severity: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(8))  # open | closed
    received_at: Mapped[datetime | None] = mapped_column(DateTime)
    deadline: Mapped[datetime | None] = mapped_column(DateTime)
    observed_at: Mapped[datetime | None] = mapped_column(DateTime)
    limit_value: Mapped[float | None] = mapped_column(Float)
    state: Mapped[str | None] = mapped_column(String(16))
    overdue_working_days: Mapped[float | None] = mapped_column(Float)
    overdue_hours: Mapped[float | None] = mapped_column(Float)
    elapsed_hours: Mapped[float | None] = mapped_column(Float)
    # hash of the facts above as last written by a check (services/checks.py); NULL before 0011
    facts_hash: Mapped[int | None] = mapped_column(BigInteger)
    # The run that opened the finding. Which run saw it last follows from the runs: the newest
    # run of its cohort while it is open (every run of a cohort reconciles all its findings),
    # closed_run_id once closed.
    opened_run_id: Mapped[int]
    closed_run_id: Mapped[int | None] = mapped_column(ForeignKey("check_runs.id"))
    opened_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]

    def as_finding(self) -> dict:
        """The finding in the shape of supervision.standard (for explanations)."""
        return {
            "report_id": self.report_id, "rule_code": self.rule_code, "severity": self.severity,
            "period": self.period, "received_at": self.received_at, "deadline": self.deadline,
            "observed_at": self.observed_at, "limit": self.limit_value, "state": self.state or "",
            "overdue_working_days": self.overdue_working_days, "overdue_hours": self.overdue_hours,
            "elapsed_hours": self.elapsed_hours,
        }


class Disclosure(Base):
    """A platform's public monthly statistics for a month (rule LED-03)."""

    __tablename__ = "disclosures"
    __table_args__ = (UniqueConstraint("platform_id", "period", name="uq_disclosures_platform_period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("platforms.id"))
    period: Mapped[str] = mapped_column(String(7))
    url: Mapped[str] = mapped_column(String(1000))
    published_on: Mapped[date] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(64), default="")
    recorded_at: Mapped[datetime]
