"""Scheduled jobs (workflows.md Scheduled jobs): one run per job and period, its attempts, and
the scheduler process's heartbeat."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from supervision.db import Base

RUN_STATUSES = ("running", "succeeded", "skipped", "failed")
RUN_STATUS_LABELS = {"running": "运行中", "succeeded": "成功", "skipped": "已跳过", "failed": "失败"}


class JobRun(Base):
    """A job for one period (a day ``YYYY-MM-DD`` or a month ``YYYY-MM``): the unique key makes
    every period run once, however many processes try."""

    __tablename__ = "job_runs"
    __table_args__ = (
        UniqueConstraint("job", "period", name="uq_job_runs_job_period"),
        Index("ix_job_runs_started", "started_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(40))
    period: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10))  # RUN_STATUSES
    attempts: Mapped[int] = mapped_column(default=0)
    trigger: Mapped[str] = mapped_column(String(10))  # schedule | manual | cli (of the latest attempt)
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    counts: Mapped[str] = mapped_column(Text, default="{}")  # JSON {name: number}
    message: Mapped[str] = mapped_column(Text, default="")  # why it was skipped
    error: Mapped[str] = mapped_column(Text, default="")  # the latest failure, one line
    next_retry_at: Mapped[datetime | None]
    flagged: Mapped[bool] = mapped_column(default=False)  # retries exhausted: needs an admin
    updated_at: Mapped[datetime]


class JobAttempt(Base):
    """One execution of a run (the first, a retry, or a manual re-run)."""

    __tablename__ = "job_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("job_runs.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    trigger: Mapped[str] = mapped_column(String(10))
    actor: Mapped[str] = mapped_column(String(64), default="")
    host: Mapped[str] = mapped_column(String(128), default="")  # host:pid of the process
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    outcome: Mapped[str] = mapped_column(String(10))  # RUN_STATUSES
    counts: Mapped[str] = mapped_column(Text, default="{}")
    error: Mapped[str] = mapped_column(Text, default="")  # the traceback of a failure


class SchedulerState(Base):
    """What the admin page shows about the scheduler process. The lock itself is a PostgreSQL
    advisory lock or a file lock (supervision.jobs.scheduler); this row only reports it."""

    __tablename__ = "scheduler_state"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    holder: Mapped[str] = mapped_column(String(128), default="")  # host:pid
    lock_kind: Mapped[str] = mapped_column(String(16), default="")  # advisory | flock
    started_at: Mapped[datetime | None]
    heartbeat_at: Mapped[datetime | None]
    stopped_at: Mapped[datetime | None]
