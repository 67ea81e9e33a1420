"""The scheduled jobs: each a plain function ``job(session, now, period=None) -> JobResult`` that
does its work in the caller's transaction (the runner commits) and is safe to run twice for the
same period; with ``period`` left out it works on the period its schedule gives for ``now``.

| job | schedule | does |
| --- | --- | --- |
| overdue_scan | every working day | complaint stages near or past their deadline → handlers (and the platform for its answer); rectification notices and the problem ledger (``services.notices.scan_overdue``); platforms without an accepted ledger for the latest month due → the platform's users and inspectors |
| led_checks | the day after each month's ledger due date | the rule checks (LED rules included) of every supervised platform for that month |
| score_recompute | every day | the stored scores of this month and the last (``services.scores.recompute_period``) |
| monthly_bulletin_draft | the working day after each month's ledger due date | the month's bulletin draft (``services.bulletins.draft_monthly``) |
| pii_erasure | every day | complainants' personal data past complaint_pii_retention_months |
"""
from __future__ import annotations

import importlib.util
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from supervision.jobs import schedule as sch
from supervision.roles import COMPLAINT_HANDLER, INSPECTOR

SCHEDULER_NAME = "scheduler"  # the actor of scheduled runs in check runs and the audit log


@dataclass
class JobResult:
    counts: dict[str, int] = field(default_factory=dict)
    skipped: str = ""  # the reason when the job had nothing it could do (outcome "skipped")


@dataclass(frozen=True)
class Job:
    name: str
    label: str
    description: str
    func: Callable[..., JobResult]
    schedule: sch.Schedule


# Count names on the admin page.
COUNT_LABELS = {
    "notifications": "新提醒",
    "complaint_stages_warning": "临期投诉环节",
    "complaint_stages_overdue": "超期投诉环节",
    "missing_ledgers": "未报送台账的平台",
    "overdue_notices": "逾期整改通知书",
    "notices_notices": "转为逾期的整改通知书",
    "notices_problems": "转为逾期未整改的问题",
    "platforms": "平台",
    "platforms_checked": "已检查平台",
    "platforms_already_checked": "此前已检查",
    "findings": "规则问题",
    "led_findings": "台账报送问题（LED）",
    "scores": "评分",
    "drafted": "通报草稿",
    "erased": "删除个人信息的投诉",
}


def count_label(key: str) -> str:
    """A count's Chinese name; the notices module's counts are shown under 整改通知书."""
    if key in COUNT_LABELS:
        return COUNT_LABELS[key]
    if key.startswith("notices_"):
        return f"整改通知书·{key[len('notices_'):]}"
    return key


def job_context(session: Session):
    from supervision.services.checks import current_parameters, load_calendar

    return load_calendar(session), current_parameters(session)[1]


def _period(job_name: str, session: Session, now: datetime, period: str | None) -> str:
    return period if period is not None else current_period(job_name, session, now)


def current_period(job_name: str, session: Session, now: datetime) -> str:
    """The period a run of ``job_name`` at ``now`` is for: today, or the latest month due."""
    calendar, params = job_context(session)
    return JOBS[job_name].schedule.current_period(now, calendar, params.ledger_due_working_day)


def supervised_platforms(session: Session, period: str):
    """The platforms whose ledgers are due for ``period``: local, active, onboarded by then."""
    from supervision.models import Platform

    return session.scalars(select(Platform).where(Platform.is_local, Platform.active, Platform.onboarded <= period)
                           .order_by(Platform.code)).all()


# overdue_scan ---------------------------------------------------------------------------------

def overdue_scan(session: Session, now: datetime, period: str | None = None) -> JobResult:
    """The morning's reminders of due and overdue work."""
    from supervision.services.notices import scan_overdue

    counts = _complaint_reminders(session, now)
    notices = scan_overdue(session, now)
    if isinstance(notices, dict):
        counts.update({f"notices_{k}": int(v) for k, v in notices.items()})
    elif notices is not None:
        counts["notices_overdue"] = int(notices)
    for reminders in (_notice_reminders, _missing_ledger_reminders):
        for k, v in reminders(session, now).items():
            counts[k] = counts.get(k, 0) + v
    return JobResult(counts)


STAGE_WORDS = {"warning": "临近期限", "overdue": "已超期"}


def _complaint_reminders(session: Session, now: datetime) -> dict[str, int]:
    """Open complaint stages past ``complaint_warning_percent`` of their time or past their
    deadline: the complaint handlers are reminded of every one, the platform of its answer."""
    from supervision.models import Complaint
    from supervision.services import complaints as csvc
    from supervision.services.notifications import app_path, notify_all, platform_users, users_with_roles
    from supervision.standard import complaints as cstd

    calendar, _params = job_context(session)
    params = csvc.workflow_params(session)
    handlers = users_with_roles(session, (COMPLAINT_HANDLER,))
    counts = {"complaint_stages_warning": 0, "complaint_stages_overdue": 0, "notifications": 0}
    for c in session.scalars(select(Complaint).where(Complaint.status.in_(cstd.OPEN_STATES)).order_by(Complaint.id)):
        for stage in csvc.queue_row(c, calendar, params, now).stages:
            if stage.end is not None:
                continue
            status = stage.status(now, params.warning_share)
            if status not in STAGE_WORDS:
                continue
            counts[f"complaint_stages_{status}"] += 1
            # Tracking number, platform, type and deadline only: never the complainant's identity.
            what = f"投诉 {c.tracking_no}（{csvc.masked_text(c, c.platform_name)}，{c.complaint_type}）"
            due = f"期限 {stage.due:%Y-%m-%d %H:%M}"
            kind = f"complaint_{stage.key}_{status}"
            counts["notifications"] += notify_all(
                session, handlers, kind, f"{what}{stage.label}环节{STAGE_WORDS[status]}",
                object_type="complaint", object_id=c.id, body=f"{stage.label}环节{due}。",
                link=app_path("complaints.detail", complaint_id=c.id), platform_id=c.platform_id, now=now)
            if stage.key == "respond" and c.platform_id is not None:
                counts["notifications"] += notify_all(
                    session, platform_users(session, c.platform_id), kind,
                    f"转办投诉 {c.tracking_no} 的答复{STAGE_WORDS[status]}",
                    object_type="complaint", object_id=c.id, body=f"请在期限内答复：{due}。",
                    link=app_path("complaints.portal_detail", complaint_id=c.id), platform_id=c.platform_id,
                    now=now)
    return counts


def _notice_reminders(session: Session, now: datetime) -> dict[str, int]:
    """Issued rectification notices past their deadline with items still owed: the platform's
    users and the inspectors (``services.notices.overdue_notices``, the notices' own query)."""
    from supervision.models import Platform
    from supervision.services.notices import overdue_notices
    from supervision.services.notifications import app_path, notify_all, platform_users, users_with_roles

    inspectors = users_with_roles(session, (INSPECTOR,))
    counts = {"overdue_notices": 0, "notifications": 0}
    for row in overdue_notices(session, now):
        counts["overdue_notices"] += 1
        body = f"整改期限 {row.deadline:%Y-%m-%d %H:%M} 已过，尚有 {row.open_items} 项未完成整改。"
        platform = session.get(Platform, row.platform_id)
        counts["notifications"] += notify_all(
            session, platform_users(session, row.platform_id), "notice_overdue", f"整改通知书 {row.number} 已逾期",
            object_type="notice", object_id=row.notice_id, body=body + "请尽快报告整改情况。",
            link=app_path("notices.portal_detail", notice_id=row.notice_id), platform_id=row.platform_id, now=now)
        counts["notifications"] += notify_all(
            session, inspectors, "notice_overdue", f"{platform.name} 整改通知书 {row.number} 已逾期",
            object_type="notice", object_id=row.notice_id, body=body,
            link=app_path("notices.detail", notice_id=row.notice_id), platform_id=row.platform_id, now=now)
    return counts


def _missing_ledger_reminders(session: Session, now: datetime) -> dict[str, int]:
    """Platforms without an accepted ledger for the latest month whose due date has passed."""
    from supervision.models import LedgerSubmission
    from supervision.services.notifications import app_path, notify_all, platform_users, users_with_roles

    calendar, params = job_context(session)
    n = params.ledger_due_working_day
    month = sch.add_months(sch.month_of(now), -1)
    if now <= calendar.ledger_due(month, n):
        month = sch.add_months(month, -1)
    due = calendar.ledger_due(month, n)
    reported = set(session.scalars(select(LedgerSubmission.platform_id).where(
        LedgerSubmission.period == month, LedgerSubmission.status == "accepted")))
    inspectors = users_with_roles(session, (INSPECTOR,))
    counts = {"missing_ledgers": 0, "notifications": 0}
    for p in supervised_platforms(session, month):
        if p.id in reported:
            continue
        counts["missing_ledgers"] += 1
        body = f"{month} 月台账的报送期限为 {due:%Y-%m-%d %H:%M}，至今未收到通过校验的台账。"
        counts["notifications"] += notify_all(
            session, platform_users(session, p.id), "ledger_missing", f"{month} 月台账逾期未报送",
            object_type="ledger_month", object_id=f"{p.id}:{month}", body=body + "请尽快报送。",
            link=app_path("ledgers.upload"), platform_id=p.id, now=now)
        counts["notifications"] += notify_all(
            session, inspectors, "ledger_missing", f"{p.name} {month} 月台账逾期未报送",
            object_type="ledger_month", object_id=f"{p.id}:{month}", body=body,
            link=app_path("platforms.detail", platform_id=p.id), platform_id=p.id, now=now)
    return counts


# led_checks -----------------------------------------------------------------------------------

def led_checks(session: Session, now: datetime, period: str | None = None) -> JobResult:
    """The rule checks of month M for every supervised platform once M's ledgers are due, so
    that LED-01/02/03 are recorded without anyone asking. A platform already checked by the
    scheduler for M is left alone (a second run changes nothing)."""
    from supervision.models import CheckRun
    from supervision.services.checks import run_check

    period = _period("led_checks", session, now, period)
    done = set(session.scalars(select(CheckRun.platform_id).where(CheckRun.period == period,
                                                                  CheckRun.trigger == "scheduled")))
    counts = {"platforms": 0, "platforms_checked": 0, "platforms_already_checked": 0, "findings": 0,
              "led_findings": 0}
    for p in supervised_platforms(session, period):
        counts["platforms"] += 1
        if p.id in done:
            counts["platforms_already_checked"] += 1
            continue
        result = run_check(session, p, period, trigger="scheduled", actor_name=SCHEDULER_NAME, now=now)
        counts["platforms_checked"] += 1
        counts["findings"] += int(result.run.finding_count)
        counts["led_findings"] += int(result.findings["rule_code"].astype(str).str.startswith("LED-").sum())
    return JobResult(counts)


# score_recompute ------------------------------------------------------------------------------

def score_recompute(session: Session, now: datetime, period: str | None = None) -> JobResult:
    """The stored scores of the current and the previous month."""
    from supervision.services.scores import recompute_period

    month = sch.month_of(now)
    total = 0
    for p in (sch.add_months(month, -1), month):
        total += int(recompute_period(session, p, now) or 0)
    return JobResult({"scores": total})


# monthly_bulletin_draft -----------------------------------------------------------------------

BULLETINS_MODULE = "supervision.services.bulletins"


def monthly_bulletin_draft(session: Session, now: datetime, period: str | None = None) -> JobResult:
    """The draft of month M's public bulletin, on the working day after M's ledgers are due."""
    period = _period("monthly_bulletin_draft", session, now, period)
    if importlib.util.find_spec(BULLETINS_MODULE) is None:
        return JobResult(skipped="通报模块未启用")
    from supervision.services.bulletins import draft_monthly

    drafted = draft_monthly(session, period, now)
    return JobResult({"drafted": 1 if drafted else 0})


# pii_erasure ----------------------------------------------------------------------------------

def pii_erasure(session: Session, now: datetime, period: str | None = None) -> JobResult:
    """Complainants' personal data complaint_pii_retention_months after closing."""
    from flask import current_app

    from supervision.services.complaints import erase_expired_pii

    return JobResult({"erased": erase_expired_pii(session, current_app.config["UPLOAD_DIR"], now)})


JOBS: dict[str, Job] = {j.name: j for j in (
    Job("overdue_scan", "逾期扫描与提醒",
        "投诉各环节临期、超期提醒；整改通知书与问题台账逾期；平台逾期未报送台账提醒。", overdue_scan, sch.WORKDAY),
    Job("led_checks", "台账报送检查（LED）",
        "台账报送期限过后，对每个属地平台检查上月（含 LED 台账报送规则）。", led_checks, sch.AFTER_LEDGER_DUE),
    Job("score_recompute", "评分重算", "重新计算本月和上月的评分。", score_recompute, sch.DAILY),
    Job("monthly_bulletin_draft", "月度通报草稿", "起草上月的月度公开通报，等待编辑。", monthly_bulletin_draft,
        sch.WORKDAY_AFTER_LEDGER_DUE),
    Job("pii_erasure", "删除到期个人信息", "投诉办结满保存期限后删除投诉人个人信息（保留匿名统计）。", pii_erasure,
        sch.DAILY),
)}
