"""Running a job for a period exactly once.

The ``job_runs`` table has one row per (job, period) under a unique key. To run, a process
first *claims* the period in a short transaction of its own: it inserts the row (a second
process's insert fails on the unique key) or, for a failed run whose retry is due, moves it back
to ``running`` with a compare-and-set on (status, attempts). Only the claimant executes the job,
in one transaction together with the row's outcome, so the job's changes and "succeeded" land
together or not at all. A failure is recorded in a transaction of its own with the traceback,
and retried after 5 minutes, 30 minutes and 2 hours; after the fourth failure the run is
flagged (admins are notified) and waits for an admin to run it by hand.

Every attempt is kept in ``job_attempts`` and every outcome written to the audit log.
"""
from __future__ import annotations

import json
import logging
import os
import socket
import time as _time
import traceback
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from supervision import auditlog, clock
from supervision.jobs.registry import JOBS, SCHEDULER_NAME, Job, count_label, job_context
from supervision.models import JobAttempt, JobRun
from supervision.standard.workdays import UnknownYearError

log = logging.getLogger(__name__)

BACKOFF = (timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2))
MAX_ATTEMPTS = len(BACKOFF) + 1
STALE_AFTER = timedelta(hours=6)  # a run "running" this long was abandoned by a dead process
SCHEDULER = auditlog.Actor(None, SCHEDULER_NAME, "system")

OUTCOME_LABELS = {"succeeded": "成功", "skipped": "已跳过", "failed": "失败", "done": "本期已完成，未重复运行",
                  "busy": "正在其他进程中运行", "waiting": "等待重试", "calendar": "工作日历缺少年份"}


@dataclass
class Outcome:
    job: str
    period: str
    status: str  # succeeded | skipped | failed (ran now) | done | busy | waiting (did not run) | calendar
    attempt: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    message: str = ""

    @property
    def ran(self) -> bool:
        return self.status in ("succeeded", "skipped", "failed")

    def describe(self) -> str:
        label = JOBS[self.job].label if self.job in JOBS else self.job
        text = f"{label} {self.period}：{OUTCOME_LABELS.get(self.status, self.status)}"
        if self.counts:
            text += "（" + "，".join(f"{count_label(k)} {v}" for k, v in self.counts.items()) + "）"
        if self.message:
            text += f"：{self.message}"
        return text


def host_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:128]


def _dump(counts: dict) -> str:
    return json.dumps(counts, ensure_ascii=False)  # in the job's own order


# Claiming -------------------------------------------------------------------------------------

def _why_not(run: JobRun, now: datetime, force: bool) -> str | None:
    """Why this run may not start now (None: it may)."""
    if run.status == "running":
        return None if run.started_at <= now - STALE_AFTER else "busy"
    if force:
        return None
    if run.status in ("succeeded", "skipped"):
        return "done"
    if run.flagged or (run.next_retry_at is not None and run.next_retry_at > now):
        return "waiting"
    return None


def _start_attempt(s: Session, run: JobRun, number: int, trigger: str, actor: auditlog.Actor,
                   now: datetime) -> JobAttempt:
    att = JobAttempt(run_id=run.id, number=number, trigger=trigger, actor=actor.name[:64], host=host_id(),
                     started_at=now, outcome="running", counts="{}", error="")
    s.add(att)
    s.flush()
    if trigger != "schedule":
        auditlog.record(s, "job.trigger", "job_run", run.id, None,
                        {"job": run.job, "period": run.period, "attempt": number, "trigger": trigger}, actor=actor)
    return att


def _claim(sm: sessionmaker, job: Job, period: str, now: datetime, trigger: str, actor: auditlog.Actor,
           force: bool) -> tuple[int, int, int] | Outcome:
    """(run id, attempt id, attempt number) when this process may run the period now."""
    with sm() as s:
        run = JobRun(job=job.name, period=period, status="running", attempts=1, trigger=trigger, started_at=now,
                     counts="{}", message="", error="", flagged=False, updated_at=now)
        s.add(run)
        try:
            s.flush()
        except IntegrityError:
            s.rollback()
        except OperationalError as e:  # SQLite: the database stayed locked beyond the busy timeout
            s.rollback()
            return Outcome(job.name, period, "busy", message=str(e.orig))
        else:
            att = _start_attempt(s, run, 1, trigger, actor, now)
            s.commit()
            return run.id, att.id, 1
    with sm() as s:
        try:
            run = s.scalar(select(JobRun).where(JobRun.job == job.name, JobRun.period == period))
            if run is None:
                return Outcome(job.name, period, "busy")
            why = _why_not(run, now, force)
            if why is not None:
                return Outcome(job.name, period, why, run.attempts)
            number = run.attempts + 1
            claimed = s.execute(update(JobRun).where(
                JobRun.id == run.id, JobRun.status == run.status, JobRun.attempts == run.attempts).values(
                status="running", attempts=number, trigger=trigger, started_at=now, finished_at=None,
                next_retry_at=None, updated_at=now).execution_options(synchronize_session=False)).rowcount
            if claimed != 1:
                s.rollback()
                return Outcome(job.name, period, "busy")
            s.expire(run)
            att = _start_attempt(s, run, number, trigger, actor, now)
            s.commit()
            return run.id, att.id, number
        except OperationalError as e:  # SQLite: another process wrote in between (busy snapshot)
            s.rollback()
            return Outcome(job.name, period, "busy", message=str(e.orig))


# Executing ------------------------------------------------------------------------------------

def run_job(sm: sessionmaker, job: Job, period: str, now: datetime | None = None, *, trigger: str = "schedule",
            actor: auditlog.Actor | None = None, force: bool = False) -> Outcome:
    """Run ``job`` for ``period`` unless it is done, running elsewhere or waiting for its retry.
    ``force`` (a run by hand) runs a done or flagged period again; the jobs are idempotent."""
    now = now or clock.now()
    actor = actor or (SCHEDULER if trigger == "schedule" else auditlog.current_actor())
    claim = _claim(sm, job, period, now, trigger, actor, force)
    if isinstance(claim, Outcome):
        return claim
    run_id, attempt_id, number = claim
    t0 = _time.monotonic()
    s = sm()
    try:
        result = job.func(s, now, period)
        status = "skipped" if result.skipped else "succeeded"
        finished = now + timedelta(seconds=round(_time.monotonic() - t0))
        counts = {k: int(v) for k, v in result.counts.items()}
        run = s.get(JobRun, run_id)
        run.status, run.counts, run.message, run.error = status, _dump(counts), result.skipped, ""
        run.finished_at, run.next_retry_at, run.flagged, run.updated_at = finished, None, False, finished
        att = s.get(JobAttempt, attempt_id)
        att.outcome, att.counts, att.finished_at = status, _dump(counts), finished
        auditlog.record(s, "job.run", "job_run", run_id, None,
                        {"job": job.name, "period": period, "outcome": status, "attempt": number, "counts": counts,
                         "message": result.skipped}, actor=actor)
        s.commit()
        outcome = Outcome(job.name, period, status, number, counts, result.skipped)
    except Exception as e:  # noqa: BLE001 - any failure is recorded and retried
        s.rollback()
        log.exception("job %s for %s failed (attempt %s)", job.name, period, number)
        finished = now + timedelta(seconds=round(_time.monotonic() - t0))
        outcome = _record_failure(sm, job, run_id, attempt_id, number, period, now, finished, e,
                                  traceback.format_exc(), actor)
    finally:
        s.close()
    _deliver_email(sm, now)
    return outcome


def _record_failure(sm: sessionmaker, job: Job, run_id: int, attempt_id: int, number: int, period: str,
                    now: datetime, finished: datetime, exc: BaseException, tb: str,
                    actor: auditlog.Actor) -> Outcome:
    error = f"{type(exc).__name__}: {exc}"[:2000]
    flagged = number >= MAX_ATTEMPTS
    retry_at = None if flagged else now + BACKOFF[number - 1]
    try:
        with sm() as s:
            run = s.get(JobRun, run_id)
            run.status, run.error, run.finished_at, run.updated_at = "failed", error, finished, finished
            run.next_retry_at, run.flagged = retry_at, flagged
            att = s.get(JobAttempt, attempt_id)
            att.outcome, att.error, att.finished_at = "failed", tb[-8000:], finished
            auditlog.record(s, "job.fail", "job_run", run_id, None,
                            {"job": job.name, "period": period, "attempt": number, "error": error,
                             "retry_at": retry_at, "flagged": flagged}, actor=actor)
            if flagged:
                from supervision.roles import ADMIN
                from supervision.services.notifications import app_path, notify_all, users_with_roles

                notify_all(s, users_with_roles(s, (ADMIN,)), "job_failed",
                           f"定时任务“{job.label}”（{period}）连续 {number} 次失败，已停止自动重试",
                           object_type="job_run", object_id=run_id, body=error[:500],
                           link=app_path("jobs.detail", name=job.name), now=now)
            s.commit()
    except Exception:  # noqa: BLE001 - the database itself may be what failed
        log.exception("could not record the failure of job %s for %s", job.name, period)
    message = error + ("" if flagged else f"；将于 {retry_at:%Y-%m-%d %H:%M} 重试")
    return Outcome(job.name, period, "failed", number, message=message)


def _deliver_email(sm: sessionmaker, now: datetime) -> None:
    from flask import current_app

    from supervision.services.notifications import deliver_email, smtp_configured

    if not smtp_configured(current_app.config):
        return
    try:
        with sm() as s:
            deliver_email(s, current_app.config, now)
            s.commit()
    except Exception:  # noqa: BLE001 - mail never breaks a job
        log.exception("e-mail delivery failed")


# The scheduler's tick -------------------------------------------------------------------------

def run_due(sm: sessionmaker, now: datetime | None = None, jobs: Iterable[Job] | None = None) -> list[Outcome]:
    """Run every job for every period due at ``now`` that is not done yet (and failed runs whose
    retry is due). Safe to call from any number of processes at once."""
    now = now or clock.now()
    jobs = list(JOBS.values()) if jobs is None else list(jobs)
    with sm() as s:
        calendar, params = job_context(s)
    outcomes: list[Outcome] = []
    for job in jobs:
        try:
            periods = job.schedule.periods_due(now, calendar, params.ledger_due_working_day)
        except UnknownYearError as e:
            log.error("job %s: %s", job.name, e)
            _calendar_missing(sm, job, e, now)
            outcomes.append(Outcome(job.name, "", "calendar", message=str(e)))
            continue
        for period in periods:
            outcomes.append(run_job(sm, job, period, now, trigger="schedule", actor=SCHEDULER))
    return outcomes


def _calendar_missing(sm: sessionmaker, job: Job, e: UnknownYearError, now: datetime) -> None:
    from supervision.roles import ADMIN
    from supervision.services.notifications import app_path, notify_all, users_with_roles

    with sm() as s:
        notify_all(s, users_with_roles(s, (ADMIN,)), "calendar_missing",
                   f"工作日历缺少 {e.year} 年：定时任务无法确定到期时间", object_type="calendar_year",
                   object_id=e.year, body=f"“{job.label}”等任务暂停。{e}", link=app_path("standard.calendar"),
                   now=now)
        s.commit()


def recover_interrupted(sm: sessionmaker, now: datetime | None = None) -> int:
    """Scheduled runs left ``running`` by a scheduler process that died: failed, retry at once.
    Called by the scheduler holding the lock, so no other scheduler is running them."""
    now = now or clock.now()
    with sm() as s:
        runs = s.scalars(select(JobRun).where(JobRun.status == "running", JobRun.trigger == "schedule")).all()
        for run in runs:
            run.status, run.error, run.next_retry_at, run.updated_at = "failed", "调度进程中断", now, now
            for att in s.scalars(select(JobAttempt).where(JobAttempt.run_id == run.id,
                                                          JobAttempt.outcome == "running")):
                att.outcome, att.error, att.finished_at = "failed", "调度进程中断", now
            auditlog.record(s, "job.fail", "job_run", run.id, None,
                            {"job": run.job, "period": run.period, "attempt": run.attempts, "error": "调度进程中断"},
                            actor=SCHEDULER)
        s.commit()
        return len(runs)
