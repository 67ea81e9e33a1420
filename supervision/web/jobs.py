"""Scheduled jobs for admins: the scheduler's state, each job's schedule and latest run, recent
attempts with their counts and errors, and a button to run a job now."""
from __future__ import annotations

import json
from datetime import timedelta

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from sqlalchemy import select

from supervision import auditlog, clock, db
from supervision.jobs import runner
from supervision.jobs.registry import JOBS, count_label, job_context
from supervision.models import JobAttempt, JobRun, SchedulerState
from supervision.models.jobs import RUN_STATUS_LABELS
from supervision.permissions import JOBS_MANAGE, requires
from supervision.services import complaint_intake
from supervision.web.forms import ActionForm

bp = Blueprint("jobs", __name__, url_prefix="/admin/jobs")

TRIGGER_LABELS = {"schedule": "定时", "manual": "手动", "cli": "命令行"}
STATUS_TAGS = {"running": "tag-amber", "succeeded": "tag-green", "skipped": "tag-grey", "failed": "tag-red"}
HEARTBEAT_STALE = timedelta(minutes=3)


@bp.record_once
def _labels(_state) -> None:
    auditlog.ACTION_LABELS.update({"job.run": "定时任务运行", "job.fail": "定时任务失败", "job.trigger": "手动运行定时任务",
                                   "backup.create": "数据库备份", "backup.restore": "数据库恢复"})
    auditlog.OBJECT_LABELS.update({"job_run": "定时任务", "database": "数据库"})


@bp.app_template_filter("job_counts")
def job_counts(counts_json: str) -> str:
    try:
        counts = json.loads(counts_json or "{}")
    except ValueError:
        return ""
    return "，".join(f"{count_label(k)} {v}" for k, v in counts.items())


def _job_or_404(name: str):
    job = JOBS.get(name)
    if job is None:
        abort(404)
    return job


def _scheduler_state(s, now):
    row = s.get(SchedulerState, "scheduler")
    running = bool(row and row.heartbeat_at and row.stopped_at is None and now - row.heartbeat_at <= HEARTBEAT_STALE)
    return row, running


def _schedule_rows(s, now):
    calendar, params = job_context(s)
    rows = []
    for job in JOBS.values():
        latest = s.scalar(select(JobRun).where(JobRun.job == job.name)
                          .order_by(JobRun.started_at.desc(), JobRun.id.desc()).limit(1))
        try:
            next_period, next_at = job.schedule.next_due(now, calendar, params.ledger_due_working_day)
            problem = ""
        except Exception as e:  # noqa: BLE001 - the calendar may lack a year: shown, not raised
            next_period, next_at, problem = None, None, str(e)
        attention = s.scalars(select(JobRun).where(JobRun.job == job.name, JobRun.status == "failed")
                              .order_by(JobRun.period.desc()).limit(5)).all()
        rows.append({"job": job, "schedule": job.schedule.describe(params.ledger_due_working_day),
                     "next_period": next_period, "next_at": next_at, "problem": problem, "latest": latest,
                     "failed": attention})
    return rows


@bp.route("/")
@requires(JOBS_MANAGE)
def index():
    s = db.session()
    now = clock.now()
    state, running = _scheduler_state(s, now)
    attempts = s.execute(select(JobAttempt, JobRun).join(JobRun, JobRun.id == JobAttempt.run_id)
                         .order_by(JobAttempt.started_at.desc(), JobAttempt.id.desc()).limit(50)).all()
    return render_template("jobs/index.html", rows=_schedule_rows(s, now), attempts=attempts, state=state,
                           running=running, enabled=current_app.config["SCHEDULER_ENABLED"], now=now,
                           form=ActionForm(), labels=RUN_STATUS_LABELS, tags=STATUS_TAGS, triggers=TRIGGER_LABELS,
                           jobs=JOBS, intake=_intake())


def _intake() -> dict | None:
    """SQLite: complaint filings journalled while the database was busy, not yet entered."""
    engine = db.engine()
    if complaint_intake.journal_path(engine) is None:
        return None
    waiting, stuck = complaint_intake.counts(engine)
    return {"waiting": waiting, "stuck": stuck, "every": complaint_intake.ADMIT_EVERY_SECONDS,
            "path": complaint_intake.journal_path(engine)}


@bp.route("/<name>")
@requires(JOBS_MANAGE)
def detail(name: str):
    job = _job_or_404(name)
    s = db.session()
    runs = s.scalars(select(JobRun).where(JobRun.job == job.name).order_by(JobRun.period.desc()).limit(60)).all()
    attempts = {}
    if runs:
        for att in s.scalars(select(JobAttempt).where(JobAttempt.run_id.in_([r.id for r in runs]))
                             .order_by(JobAttempt.number)):
            attempts.setdefault(att.run_id, []).append(att)
    return render_template("jobs/detail.html", job=job, runs=runs, attempts=attempts, form=ActionForm(),
                           labels=RUN_STATUS_LABELS, tags=STATUS_TAGS, triggers=TRIGGER_LABELS,
                           max_attempts=runner.MAX_ATTEMPTS)


@bp.route("/<name>/run", methods=["POST"])
@requires(JOBS_MANAGE)
def run(name: str):
    job = _job_or_404(name)
    if not ActionForm().validate_on_submit():
        abort(400)
    s = db.session()
    now = clock.now()
    try:
        calendar, params = job_context(s)
        period = job.schedule.current_period(now, calendar, params.ledger_due_working_day)
    except Exception as e:  # noqa: BLE001 - e.g. the calendar lacks a year
        flash(f"无法确定“{job.label}”的运行期间：{e}", "error")
        return redirect(url_for("jobs.index"))
    s.rollback()  # end this request's read transaction before the runner writes
    outcome = runner.run_job(current_app.extensions["db_sessionmaker"], job, period, now, trigger="manual",
                             actor=auditlog.current_actor(), force=True)
    flash(outcome.describe(), "success" if outcome.status in ("succeeded", "skipped") else "error")
    return redirect(url_for("jobs.index"))
