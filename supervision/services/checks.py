"""Use cases of the executed standard: the calendar and parameters in force, running the rule
checks for a platform-month and keeping the findings (opened, closed, never deleted)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
import pandas as pd
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from supervision import auditlog, clock
from supervision.models import (CalendarDay, CalendarVersion, CalendarYear, CheckRun, Disclosure, Finding,
                                LedgerSubmission, ParameterSet, Platform)
from supervision.services import ValidationError
from supervision.services.ledger_store import bulk_insert, load_frame
from supervision.standard.parameters import ParameterError, Parameters
from supervision.standard.rules import run_rules
from supervision.standard.workdays import UnknownYearError, WorkCalendar

FACTS = ("received_at", "deadline", "observed_at", "limit", "state", "overdue_working_days", "overdue_hours",
         "elapsed_hours")


class CheckError(RuntimeError):
    """A check cannot run (e.g. the calendar lacks a year); the message is Chinese."""


def month_bounds(period: str) -> tuple[datetime, datetime]:
    start = datetime.strptime(period + "-01", "%Y-%m-%d")
    nxt = datetime(start.year + (start.month == 12), start.month % 12 + 1, 1)
    return start, nxt


# Calendar ------------------------------------------------------------------------------------

def load_calendar(session: Session) -> WorkCalendar:
    overrides = {d.day: d.is_workday for d in session.scalars(select(CalendarDay))}
    years = [y.year for y in session.scalars(select(CalendarYear))]
    return WorkCalendar(overrides, known_years=years)


def remember_calendar(session: Session, calendar: WorkCalendar) -> str:
    if session.get(CalendarVersion, calendar.version) is None:
        session.add(CalendarVersion(
            version=calendar.version,
            overrides=json.dumps({str(k): v for k, v in sorted(calendar.overrides.items())}),
            known_years=json.dumps(sorted(calendar.declared_years)), created_at=clock.now()))
        session.flush()
    return calendar.version


def set_calendar_day(session: Session, day: date, is_workday: bool, note: str, actor_name: str) -> None:
    row = session.get(CalendarDay, day)
    before = None if row is None else {"is_workday": row.is_workday, "note": row.note}
    if row is None:
        row = CalendarDay(day=day, is_workday=is_workday, note=note[:200], updated_by=actor_name, updated_at=clock.now())
        session.add(row)
    else:
        row.is_workday, row.note, row.updated_by, row.updated_at = is_workday, note[:200], actor_name, clock.now()
    session.flush()
    auditlog.record(session, "calendar.set_day", "calendar_day", day.isoformat(), before,
                    {"is_workday": is_workday, "note": note[:200]})


def remove_calendar_day(session: Session, day: date) -> None:
    row = session.get(CalendarDay, day)
    if row is not None:
        auditlog.record(session, "calendar.remove_day", "calendar_day", day.isoformat(),
                        {"is_workday": row.is_workday, "note": row.note}, None)
        session.delete(row)


def declare_year(session: Session, year: int, actor_name: str) -> None:
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": f"年份 {year} 不在 2000–2100 之间。"})
    if session.get(CalendarYear, year) is None:
        session.add(CalendarYear(year=year, declared_by=actor_name, declared_at=clock.now()))
        auditlog.record(session, "calendar.declare_year", "calendar_year", year, None, {"year": year})


# Parameters ----------------------------------------------------------------------------------

def current_parameters(session: Session) -> tuple[int, Parameters]:
    row = session.scalar(select(ParameterSet).order_by(ParameterSet.version.desc()).limit(1))
    return row.version, Parameters.from_json(row.values)


def parameters_of_version(session: Session, version: int) -> Parameters:
    row = session.get(ParameterSet, version)
    if row is None:
        raise CheckError(f"参数版本 {version} 不存在。")
    return Parameters.from_json(row.values)


def save_parameters(session: Session, values: dict, note: str, actor_name: str) -> ParameterSet:
    version, current = current_parameters(session)
    try:
        new = Parameters.from_dict(values, base=current)
    except ParameterError as e:
        raise ValidationError(dict(e.errors)) from e
    if new == current:
        raise ValidationError({"_": "参数没有变化，未生成新版本。"})
    row = ParameterSet(version=version + 1, values=new.to_json(), note=(note or "")[:200], created_by=actor_name,
                       created_at=clock.now())
    session.add(row)
    session.flush()
    auditlog.record(session, "parameters.update", "parameter_set", row.version, current.to_dict(), new.to_dict())
    return row


# Disclosures ---------------------------------------------------------------------------------

def record_disclosure(session: Session, platform: Platform, period: str, url: str, published_on: date,
                      actor_name: str) -> Disclosure:
    from supervision.services.ledger_import import PERIOD_RE

    errors = {}
    if not PERIOD_RE.match(period or ""):
        errors["period"] = f"月份应为 YYYY-MM 格式；填写的是“{period}”。"
    url = (url or "").strip()
    if not (url.startswith("http://") or url.startswith("https://")) or len(url) > 1000 or " " in url:
        errors["url"] = f"公开链接应为 http:// 或 https:// 开头的网址（不超过 1000 个字符）；填写的是“{url[:80]}”。"
    if published_on > clock.now().date():
        errors["published_on"] = "公开日期不能晚于今天。"
    if errors:
        raise ValidationError(errors)
    row = session.scalar(select(Disclosure).where(Disclosure.platform_id == platform.id, Disclosure.period == period))
    before = None if row is None else {"url": row.url, "published_on": row.published_on}
    if row is None:
        row = Disclosure(platform_id=platform.id, period=period, url=url, published_on=published_on,
                         recorded_by=actor_name, recorded_at=clock.now())
        session.add(row)
    else:
        row.url, row.published_on, row.recorded_by, row.recorded_at = url, published_on, actor_name, clock.now()
    session.flush()
    auditlog.record(session, "disclosure.record", "disclosure", row.id, before,
                    {"period": period, "url": url, "published_on": published_on}, platform_id=platform.id)
    return row


# Running checks ------------------------------------------------------------------------------

@dataclass
class CheckResult:
    run: CheckRun
    findings: pd.DataFrame  # the findings that hold, columns of supervision.standard FINDING_COLUMNS


def run_check(session: Session, platform: Platform, period: str, *, trigger: str, actor_name: str = "",
              now: datetime | None = None, parameter_version: int | None = None) -> CheckResult:
    """Check ``platform``'s reports received in ``period`` and the LED rules for ``period``."""
    now = now or clock.now()
    calendar = load_calendar(session)
    if parameter_version is None:
        parameter_version, params = current_parameters(session)
    else:
        params = parameters_of_version(session, parameter_version)
    start, end = month_bounds(period)
    frame = load_frame(session, platform.id, "AND received_at >= :start AND received_at < :end",
                       {"start": start, "end": end})
    subs = session.execute(select(LedgerSubmission.period, LedgerSubmission.submitted_at).where(
        LedgerSubmission.platform_id == platform.id, LedgerSubmission.status == "accepted")).all()
    discs = session.scalars(select(Disclosure.period).where(Disclosure.platform_id == platform.id)).all()
    try:
        findings = run_rules(frame, period, calendar, params, now, submissions=[tuple(s) for s in subs],
                             disclosures=list(discs), onboarding_month=platform.onboarded)
    except UnknownYearError as e:
        raise CheckError(f"{platform.name} {period} 的检查无法进行：{e}") from e
    run = CheckRun(platform_id=platform.id, period=period, trigger=trigger, actor=actor_name[:64], ran_at=now,
                   parameter_version=parameter_version, calendar_version=remember_calendar(session, calendar),
                   report_count=len(frame), finding_count=len(findings))
    latest = max((s.period for s in subs if s.submitted_at <= now), default=None)
    if latest is not None:
        run.cutoff = month_bounds(latest)[1] - pd.Timedelta(seconds=1)
    session.add(run)
    session.flush()
    run.opened_count, run.closed_count = _reconcile(session, platform.id, period, findings, run, now)
    auditlog.record(session, "check.run", "check_run", run.id, None,
                    {"platform": platform.code, "period": period, "findings": run.finding_count,
                     "opened": run.opened_count, "closed": run.closed_count, "parameter_version": parameter_version,
                     "calendar_version": run.calendar_version, "trigger": trigger}, platform_id=platform.id)
    return CheckResult(run, findings)


def _facts_frame(findings: pd.DataFrame) -> pd.DataFrame:
    out = findings[["report_id", "rule_code", "severity", *FACTS]].rename(columns={"limit": "limit_value"}).copy()
    out["state"] = out["state"].replace("", None)
    for col in ("limit_value", "overdue_working_days", "overdue_hours", "elapsed_hours"):
        out[col] = pd.to_numeric(out[col], errors="coerce").astype(float)
    return out


def _reconcile(session: Session, platform_id: int, period: str, findings: pd.DataFrame, run: CheckRun,
               now: datetime) -> tuple[int, int]:
    rows = session.execute(select(Finding.id, Finding.report_id, Finding.rule_code, Finding.status).where(
        Finding.platform_id == platform_id, Finding.period == period)).all()
    existing = pd.DataFrame(rows, columns=["id", "report_id", "rule_code", "status"])
    current = _facts_frame(findings)
    merged = current.merge(existing, on=["report_id", "rule_code"], how="outer", indicator=True)
    new = merged[merged["_merge"] == "left_only"]
    kept = merged[merged["_merge"] == "both"]
    gone = merged[(merged["_merge"] == "right_only") & (merged["status"] == "open")]
    reopened = kept[kept["status"] == "closed"]

    if len(new):
        ins = new[["report_id", "rule_code", "severity", *[c if c != "limit" else "limit_value" for c in FACTS]]].copy()
        ins.insert(0, "period", period)
        ins.insert(0, "platform_id", platform_id)
        ins["status"] = "open"
        ins["opened_run_id"] = run.id
        ins["last_run_id"] = run.id
        ins["opened_at"] = pd.Timestamp(now)
        bulk_insert(session, "findings", ins)
    conn = session.connection()
    if len(kept):
        params = [
            (r.severity, _py(r.received_at), _py(r.deadline), _py(r.observed_at), _py(r.limit_value), _py(r.state),
             _py(r.overdue_working_days), _py(r.overdue_hours), _py(r.elapsed_hours), run.id, int(r.id))
            for r in kept.itertuples(index=False)
        ]
        conn.execute(text(
            "UPDATE findings SET status = 'open', closed_run_id = NULL, closed_at = NULL, severity = :s, "
            "received_at = :ra, deadline = :d, observed_at = :o, limit_value = :l, state = :st, "
            "overdue_working_days = :ow, overdue_hours = :oh, elapsed_hours = :eh, last_run_id = :run WHERE id = :id"),
            [dict(zip(("s", "ra", "d", "o", "l", "st", "ow", "oh", "eh", "run", "id"), p)) for p in params])
    if len(gone):
        conn.execute(text("UPDATE findings SET status = 'closed', closed_run_id = :run, closed_at = :now, "
                          "last_run_id = :run WHERE id = :id"),
                     [{"run": run.id, "now": now, "id": int(i)} for i in gone["id"]])
    return len(new) + len(reopened), len(gone)


def _py(value):
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, np.generic):
        return value.item()
    return value


def touched_periods(session: Session, submission: LedgerSubmission) -> list[str]:
    """The cohorts a submission touched (months of receipt of the reports whose current state it
    set) and its own period (for the LED rules)."""
    conn = session.connection()
    month = ("to_char(received_at, 'YYYY-MM')" if conn.dialect.name == "postgresql"
             else "substr(received_at, 1, 7)")
    q = text(f"SELECT DISTINCT {month} FROM reports WHERE submission_id = :s")
    months = {m for (m,) in session.execute(q, {"s": submission.id}) if m}
    months.add(submission.period)
    return sorted(months)


def check_after_submission(session: Session, submission: LedgerSubmission, actor_name: str) -> list[CheckResult]:
    platform = session.get(Platform, submission.platform_id)
    return [run_check(session, platform, p, trigger="submission", actor_name=actor_name)
            for p in touched_periods(session, submission)]


def check_after_submission_and_commit(session: Session, submission: LedgerSubmission, actor_name: str) -> str | None:
    """Run the checks an accepted submission calls for, in their own transaction.

    The submission is already committed; a check that cannot run (e.g. the calendar lacks a
    year) does not undo it. Returns the Chinese error message, or None.
    """
    try:
        check_after_submission(session, submission, actor_name)
        session.commit()
        return None
    except CheckError as e:
        session.rollback()
        return str(e)
