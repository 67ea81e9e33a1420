"""Use cases of the executed standard: the calendar and parameters in force, running the rule
checks for a platform-month and keeping the findings (opened, closed, never deleted)."""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

import numpy as np
import pandas as pd
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from supervision import auditlog, clock
from supervision.models import (CalendarDay, CalendarVersion, CalendarYear, CheckRun, Disclosure,
                                LedgerSubmission, ParameterSet, Platform)
from supervision.services import ValidationError
from supervision.services.ledger_store import bulk_insert, load_frame
from supervision.standard.parameters import ParameterError, Parameters
from supervision.standard.rules import run_rules
from supervision.standard.workdays import UnknownYearError, WorkCalendar

FACTS = ("received_at", "deadline", "observed_at", "limit", "state", "overdue_working_days", "overdue_hours",
         "elapsed_hours")


# Ledger columns no rule reads (long free text): not loaded for checks.
UNUSED_BY_RULES = ("reported_account", "content_url", "note")


class CheckError(RuntimeError):
    """A check cannot run (e.g. the calendar lacks a year); the message is Chinese."""


log = logging.getLogger(__name__)


def month_bounds(period: str) -> tuple[datetime, datetime]:
    start = datetime.strptime(period + "-01", "%Y-%m-%d")
    nxt = datetime(start.year + (start.month == 12), start.month % 12 + 1, 1)
    return start, nxt


# Calendar ------------------------------------------------------------------------------------

def load_calendar(session: Session) -> WorkCalendar:
    """The calendar in force: the office's overrides and declared years as stored now."""
    overrides = tuple(sorted(session.execute(select(CalendarDay.day, CalendarDay.is_workday)).tuples()))
    years = tuple(sorted(session.scalars(select(CalendarYear.year))))
    return _calendar_of(overrides, years)


@lru_cache(maxsize=8)
def _calendar_of(overrides: tuple, years: tuple) -> WorkCalendar:
    """One built calendar per content (building one takes about 10 ms, and the complaint
    queue, notices and scores ask for it on every page); a changed override is another key."""
    return WorkCalendar(dict(overrides), known_years=years)


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
                       {"start": start, "end": end}, skip=UNUSED_BY_RULES)
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
    from supervision.services import derived

    derived.bump(session, platform.id, now)  # the pages' stored figures of this platform are out of date
    auditlog.record(session, "check.run", "check_run", run.id, None,
                    {"platform": platform.code, "period": period, "findings": run.finding_count,
                     "opened": run.opened_count, "closed": run.closed_count, "parameter_version": parameter_version,
                     "calendar_version": run.calendar_version, "trigger": trigger}, platform_id=platform.id)
    return CheckResult(run, findings)


def _facts_frame(findings: pd.DataFrame) -> pd.DataFrame:
    out = findings[["report_id", "rule_code", "severity", *FACTS]].rename(columns={"limit": "limit_value"}).copy()
    out["report_id"] = out["report_id"].astype(object)
    out["rule_code"] = out["rule_code"].astype(object)
    out["state"] = out["state"].replace("", None)
    for col in ("limit_value", "overdue_working_days", "overdue_hours", "elapsed_hours"):
        out[col] = pd.to_numeric(out[col], errors="coerce").astype(float)
    return out


FACT_COLUMNS = ("severity", "received_at", "deadline", "observed_at", "limit_value", "state",
                "overdue_working_days", "overdue_hours", "elapsed_hours")


def _norm_facts(df: pd.DataFrame) -> pd.DataFrame:
    """Facts in one canonical dtype per column, so stored and fresh facts hash alike."""
    out = pd.DataFrame(index=df.index)
    out["severity"] = df["severity"].astype(object)
    for col in ("received_at", "deadline", "observed_at"):
        out[col] = pd.to_datetime(df[col], format="ISO8601").astype("datetime64[ns]")
    for col in ("limit_value", "overdue_working_days", "overdue_hours", "elapsed_hours"):
        out[col] = pd.to_numeric(df[col], errors="coerce").astype(float).round(6)
    out["state"] = df["state"].astype(object).where(df["state"].notna() & (df["state"] != ""), None)
    return out


def _fact_hash(df: pd.DataFrame) -> np.ndarray:
    return pd.util.hash_pandas_object(_norm_facts(df), index=False).to_numpy()


# Findings of complaints (CMP codes) are opened by complaint handlers, not by the rule engine:
# a check run leaves them alone.
NOT_COMPLAINT = " AND substr(rule_code, 1, 4) <> 'CMP-'"


def _reconcile(session: Session, platform_id: int, period: str, findings: pd.DataFrame, run: CheckRun,
               now: datetime) -> tuple[int, int]:
    """Open new findings, refresh the facts of those that changed, close those that no longer
    hold; set-based (bulk insert, a staging table, a handful of UPDATEs).

    Each stored finding keeps the hash of its facts (``facts_hash``), so a re-check reads only
    keys, status and hashes; findings stored before that column existed are hashed from their
    stored facts, once."""
    from supervision.services.ledger_store import fetch_frame

    names = ["id", "report_id", "rule_code", "status", "facts_hash", "unhashed"]
    existing = fetch_frame(session, "SELECT id, report_id, rule_code, status, coalesce(facts_hash, 0), "
                           "CASE WHEN facts_hash IS NULL THEN 1 ELSE 0 END FROM findings WHERE platform_id = :p "
                           "AND period = :period" + NOT_COMPLAINT, {"p": platform_id, "period": period}, names)
    current = _facts_frame(findings)
    fresh_hash = _fact_hash(current[list(FACT_COLUMNS)]).view(np.int64)
    current["facts_hash"] = fresh_hash
    conn = session.connection()
    if existing.empty:  # the cohort's first check: every finding is new
        new = current
        kept_c = kept_o = gone_o = np.zeros(0, dtype=np.int64)
    else:
        # join on the keys carrying row positions (hashes are 64-bit: no float columns)
        keys = ["report_id", "rule_code"]
        merged = current[keys].assign(_c=np.arange(len(current))).merge(
            existing[keys].assign(_o=np.arange(len(existing))), on=keys, how="outer")
        c = merged["_c"].fillna(-1).to_numpy().astype(np.int64)
        o = merged["_o"].fillna(-1).to_numpy().astype(np.int64)
        new = current.iloc[c[o < 0]]
        both = (c >= 0) & (o >= 0)
        kept_c, kept_o = c[both], o[both]
        gone_o = o[c < 0]
        gone_o = gone_o[existing["status"].to_numpy()[gone_o] == "open"]
    status = existing["status"].to_numpy()[kept_o]
    reopened = status == "closed"
    unhashed = existing["unhashed"].to_numpy()[kept_o] == 1
    old_hash = existing["facts_hash"].to_numpy().astype(np.int64)[kept_o]
    if unhashed.any():
        old_hash[unhashed] = _hash_stored(session, existing["id"].to_numpy().astype(np.int64)[kept_o[unhashed]])
    changed = reopened | (fresh_hash[kept_c] != old_hash)
    if len(new):
        ins = new[["report_id", "rule_code", *FACT_COLUMNS, "facts_hash"]].copy()
        ins.insert(0, "period", period)
        ins.insert(0, "platform_id", platform_id)
        ins["status"] = "open"
        ins["opened_run_id"] = run.id
        ins["opened_at"] = pd.Timestamp(now)
        bulk_insert(session, "findings", ins)
    ids = existing["id"].to_numpy().astype(np.int64)
    if changed.any():
        upd = current.iloc[kept_c[changed]][[*FACT_COLUMNS, "facts_hash"]].copy()
        upd.insert(0, "id", ids[kept_o[changed]])
        _update_findings(session, upd)
    if (unhashed & ~changed).any():  # stored before facts_hash existed, unchanged: record the hash
        keep = unhashed & ~changed
        _record_hashes(session, pd.DataFrame({"id": ids[kept_o[keep]], "facts_hash": fresh_hash[kept_c[keep]]}))
    gone_ids = ids[gone_o]
    for start in range(0, len(gone_ids), 50_000):  # integer ids: safe to write into the statement
        chunk = ",".join(map(str, gone_ids[start:start + 50_000].tolist()))
        conn.execute(text("UPDATE findings SET status = 'closed', closed_run_id = :run, closed_at = :now "
                          f"WHERE id IN ({chunk})"), {"run": run.id, "now": now})
    return len(new) + int(reopened.sum()), len(gone_o)


def _hash_stored(session: Session, ids: np.ndarray) -> np.ndarray:
    """The facts hash of findings stored before ``facts_hash`` existed, from their stored facts."""
    from supervision.services.ledger_store import fetch_frame

    names = ["id", *FACT_COLUMNS]
    parts = [fetch_frame(session, "SELECT " + ", ".join(names) + " FROM findings WHERE id IN ("
                         + ",".join(map(str, chunk.tolist())) + ")", {}, names)
             for chunk in np.array_split(ids, len(ids) // 50_000 + 1) if len(chunk)]
    rows = pd.concat(parts).set_index("id").loc[ids].reset_index(drop=True)
    return _fact_hash(rows[list(FACT_COLUMNS)]).view(np.int64)


def _record_hashes(session: Session, frame: pd.DataFrame) -> None:
    conn = session.connection()
    frame = frame.astype({"id": np.int64, "facts_hash": np.int64})
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("CREATE TEMP TABLE staging_hashes (id bigint, facts_hash bigint) ON COMMIT DROP")
    else:
        conn.exec_driver_sql("DROP TABLE IF EXISTS temp.staging_hashes")
        conn.exec_driver_sql("CREATE TEMP TABLE staging_hashes (id INTEGER, facts_hash INTEGER)")
    bulk_insert(session, "staging_hashes", frame)
    conn.exec_driver_sql("UPDATE findings SET facts_hash = s.facts_hash FROM staging_hashes AS s "
                         "WHERE findings.id = s.id")
    conn.exec_driver_sql("DROP TABLE IF EXISTS staging_hashes" if conn.dialect.name == "postgresql"
                         else "DROP TABLE IF EXISTS temp.staging_hashes")


def _update_findings(session: Session, frame: pd.DataFrame) -> None:
    conn = session.connection()
    cols = ", ".join(["id", *FACT_COLUMNS, "facts_hash"])
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"CREATE TEMP TABLE staging_findings ON COMMIT DROP AS SELECT {cols} FROM findings "
                             "WITH NO DATA")
    else:
        conn.exec_driver_sql("DROP TABLE IF EXISTS temp.staging_findings")
        conn.exec_driver_sql(f"CREATE TEMP TABLE staging_findings AS SELECT {cols} FROM findings WHERE 0")
    bulk_insert(session, "staging_findings", frame)
    sets = ", ".join(f"{c} = s.{c}" for c in (*FACT_COLUMNS, "facts_hash"))
    conn.execute(text(f"UPDATE findings SET status = 'open', closed_run_id = NULL, closed_at = NULL, "
                      f"{sets} FROM staging_findings AS s WHERE findings.id = s.id"))
    conn.exec_driver_sql("DROP TABLE IF EXISTS staging_findings" if conn.dialect.name == "postgresql"
                         else "DROP TABLE IF EXISTS temp.staging_findings")


def _py(value):
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, np.generic):
        return value.item()
    return value


def touched_periods(session: Session, submission: LedgerSubmission) -> list[str]:
    """The cohorts a submission calls to be (re-)judged: the months of receipt of the reports
    whose state it set, the months holding reports judged at the cutoff (open, or concluded
    without feedback: the cutoff moves with a later period), and its own period (LED rules)."""
    conn = session.connection()
    month = ("to_char(received_at, 'YYYY-MM')" if conn.dialect.name == "postgresql"
             else "substr(received_at, 1, 7)")
    q = text(f"SELECT DISTINCT {month} FROM reports WHERE platform_id = :p AND (submission_id = :s "
             "OR status = '办理中' OR (status = '已办结' AND feedback_at IS NULL))")
    months = {m for (m,) in session.execute(q, {"s": submission.id, "p": submission.platform_id}) if m}
    months.add(submission.period)
    return sorted(months)


def check_after_submission(session: Session, submission: LedgerSubmission, actor_name: str) -> list[CheckResult]:
    platform = session.get(Platform, submission.platform_id)
    results = [run_check(session, platform, p, trigger="submission", actor_name=actor_name)
               for p in touched_periods(session, submission)]
    # -- scorecards (issue 8): store the touched months' scores again --
    from supervision.services.scores import recompute_after_check

    recompute_after_check(session, platform.id, [r.run.period for r in results])
    return results


def check_after_submission_and_commit(session: Session, submission: LedgerSubmission, actor_name: str) -> str | None:
    """Run the checks an accepted submission calls for, in their own transaction.

    The submission is already committed; a check that cannot run (e.g. the calendar lacks a
    year) does not undo it. Returns the Chinese error message, or None.
    """
    large = (submission.created_count or 0) + (submission.updated_count or 0) >= LARGE_WRITE_ROWS
    if large:
        refresh_statistics(session, "reports", "report_versions")
    try:
        results = check_after_submission(session, submission, actor_name)
        session.commit()
    except CheckError as e:
        session.rollback()
        return str(e)
    if sum(r.run.opened_count + r.run.closed_count for r in results) >= LARGE_WRITE_ROWS:
        refresh_statistics(session, "findings")
    if large:
        warm_page_figures(session, submission.platform_id, [r.run.period for r in results])
    return None


def warm_page_figures(session: Session, platform_id: int, periods: list[str]) -> None:
    """Compute and store, right after a large change of a platform's data, the figures the
    pages ask for first (services/derived.py): the signals of the months checked and of last
    month, the platform's scorecard drill-down of last month, and the open findings' counts.
    Done here (for a large upload: in the import's own process), the first
    page views after the change read them instead of each web process computing them at once
    (found by the load test). A failure only leaves them to be computed on demand."""
    from supervision.services import findings as finding_svc
    from supervision.services.scores import default_period, lost_point_findings
    from supervision.services.signals import month_signals

    try:
        platform = session.get(Platform, platform_id)
        last = default_period(clock.now())
        for month in sorted({*periods, last.last_month}):
            month_signals(session, platform_id, month)
        lost_point_findings(session, platform, last)
        for flt in (finding_svc.FindingFilter(), finding_svc.FindingFilter(platform_id=platform_id)):
            finding_svc.period_rule_counts(session, flt)
    except Exception:  # noqa: BLE001 - a cache: the pages compute what is missing
        log.warning("figures of platform %s not stored after its check", platform_id, exc_info=True)
    session.rollback()


# PostgreSQL plans its queries from table statistics, which autovacuum refreshes only some
# time after a bulk write (never, where it is switched off). Until then a month of a million
# new reports or findings looks like a few rows to the planner, and the pages reading them
# chose plans that took seconds (found by the load test). After a write this large the
# statistics are refreshed at once, each in a short transaction of its own (ANALYZE holds a
# lock on the table until its transaction ends), and the pages' figures computed.
LARGE_WRITE_ROWS = 50_000


def refresh_statistics(session: Session, *tables: str) -> None:
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in tables:
        session.execute(text(f"ANALYZE {table}"))
        session.commit()


def checked_since_stored(session: Session, submission: LedgerSubmission) -> bool:
    """Whether the checks of an accepted submission ran after it was stored. They run in their
    own transaction after the submission's, so a process killed in between leaves a stored
    submission without them; sending the same file again must then run them, not answer
    "nothing changed"."""
    return session.scalar(select(func.count()).select_from(CheckRun).where(
        CheckRun.platform_id == submission.platform_id, CheckRun.period == submission.period,
        CheckRun.ran_at >= submission.recorded_at)) > 0


def needs_check(session: Session, outcome) -> bool:
    """An import outcome whose submission is to be checked now: newly accepted, or an identical
    re-submission of an accepted file whose checks never ran."""
    if not outcome.accepted:
        return False
    return not outcome.duplicate or not checked_since_stored(session, outcome.submission)
