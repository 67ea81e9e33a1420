"""Running the rules: a check of one platform for one or more months.

``run_rules`` evaluates every report rule over the cohort (the reports whose 受理时间 falls in
the checked month(s)), vectorised over the whole frame, and the LED rules for each checked
month when the ledger facts are passed in. It is pure: the calendar, the parameters, the time
of the check and the platform's submissions come in as plain values.

Times are judged as follows (rules.md "as-of time"):
- open reports and missing feedback are judged at the cutoff, the as-of time of the
  platform's data (23:59:59 on the last day of the latest declared period among its accepted
  submissions), never at ``now``; a report whose deadline falls after the cutoff gets no
  finding yet and is judged when its cohort is checked again on newer data;
- ``now`` (the time of the check) only decides whether a month's ledger and disclosure due
  date has passed (LED-01, LED-03) and which submissions exist at that time.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime

import numpy as np
import pandas as pd

from ..workdays import WorkCalendar, _to_datetime, as_datetime64, month_last_day
from .catalogue import LEDGER, REGISTRY, REPORT
from ._frame import RuleContext, clean
from .ledger import LedgerMonth

FINDING_COLUMNS = (
    "report_id",  # the report's 举报编号; for LED findings the month YYYY-MM
    "rule_code",
    "severity",
    "period",  # the cohort month (YYYY-MM of 受理时间) or, for LED, the month checked
    "received_at",  # 受理时间 (NaT for LED)
    "deadline",  # the deadline that was missed (23:59:59 of a working day; TIM-05: 受理时间+时限)
    "observed_at",  # the time compared with it: 处置完成时间, 反馈时间, the cutoff, a submission time or now
    "limit",  # the limit applied: working days (TIM), hours (TIM-05), ledger_due_working_day (LED)
    "state",  # concluded / open for rules that judge both; otherwise empty
    "overdue_working_days",  # working days after the deadline's day up to observed_at's day
    "overdue_hours",  # observed_at - deadline, in hours
    "elapsed_hours",  # observed_at - received_at, in hours
)

_MONTH = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")


def normalise_month(value) -> str:
    """'YYYY-MM' from 'YYYY-MM', 'YYYY-M', a pandas Period, a date or a date-time."""
    if isinstance(value, pd.Period):
        value = value.asfreq("M")
        return f"{value.year:04d}-{value.month:02d}"
    if isinstance(value, (date, datetime)):
        return f"{value.year:04d}-{value.month:02d}"
    m = _MONTH.match(str(value))
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise ValueError(f"月份格式应为YYYY-MM：{value!r}")
    return f"{int(m.group(1)):04d}-{int(m.group(2)):02d}"


def as_of_time(period) -> datetime:
    """23:59:59 on the last day of a declared period: the as-of time of its ledger."""
    return datetime.combine(month_last_day(normalise_month(period)), datetime.max.time().replace(microsecond=0))


def _whole_seconds(t) -> datetime:
    return pd.Timestamp(_to_datetime(t)).floor("s").to_pydatetime()


def _submission(item) -> tuple[str, datetime]:
    if isinstance(item, Mapping):
        period, accepted = item["period"], item["accepted_at"]
    elif isinstance(item, (tuple, list)):
        period, accepted = item[0], item[1]
    else:
        period, accepted = item.period, item.accepted_at
    return normalise_month(period), _whole_seconds(accepted)


def accepted_submissions(submissions: Iterable, now) -> list[tuple[str, datetime]]:
    """(period, accepted_at) of the accepted submissions that exist at ``now``."""
    now = _whole_seconds(now)
    return sorted(s for s in map(_submission, submissions) if s[1] <= now)


def latest_cutoff(submissions: Iterable, now) -> datetime | None:
    """The as-of time of a platform's data: end of its latest declared period (None if it
    has no accepted submission at ``now``)."""
    subs = accepted_submissions(submissions, now)
    if not subs:
        return None
    return as_of_time(max(p for p, _ in subs))


def _disclosed_months(disclosures: Iterable) -> set[str]:
    out = set()
    for d in disclosures:
        if isinstance(d, Mapping):
            d = d["period"]
        elif isinstance(d, (tuple, list)):
            d = d[0]
        elif hasattr(d, "period"):
            d = d.period
        out.add(normalise_month(d))
    return out


def _select_codes(codes, kind) -> list:
    rules = [r for r in REGISTRY.values() if r.kind == kind]
    if codes is None:
        return rules
    wanted = set(codes)
    unknown = wanted - {r.code for r in REGISTRY.values() if r.automatic}
    if unknown:
        raise ValueError(f"未知的自动检查规则：{'、'.join(sorted(unknown))}")
    return [r for r in rules if r.code in wanted]


def _empty_findings(carry: Sequence[str] = ()) -> pd.DataFrame:
    cols = {
        "report_id": pd.Series([], dtype=object), "rule_code": pd.Series([], dtype=object),
        "severity": pd.Series([], dtype=object), "period": pd.Series([], dtype=object),
        "received_at": pd.Series([], dtype="datetime64[ns]"),
        "deadline": pd.Series([], dtype="datetime64[ns]"),
        "observed_at": pd.Series([], dtype="datetime64[ns]"),
        "limit": pd.Series([], dtype="Int64"), "state": pd.Series([], dtype=object),
        "overdue_working_days": pd.Series([], dtype="Int64"),
        "overdue_hours": pd.Series([], dtype="float64"),
        "elapsed_hours": pd.Series([], dtype="float64"),
    }
    for c in carry:
        cols[c] = pd.Series([], dtype=object)
    return pd.DataFrame(cols)


def _cutoff_array(cutoff, frame: pd.DataFrame, size: int) -> np.ndarray:
    if isinstance(cutoff, pd.Series):
        return as_datetime64(cutoff.reindex(frame.index))
    if isinstance(cutoff, (np.ndarray, list, tuple, pd.Index)):
        arr = as_datetime64(cutoff)
        if len(arr) != len(frame):
            raise ValueError("cutoff 数组长度与举报数不一致")
        return arr
    return np.full(size, np.datetime64(_whole_seconds(cutoff), "ns"), dtype="datetime64[ns]")


def evaluate_reports(frame: pd.DataFrame, calendar: WorkCalendar, params, cutoff, *,
                     codes=None, carry: Sequence[str] = ()) -> pd.DataFrame:
    """Every report rule over every row of ``frame`` (no cohort filter); unsorted findings."""
    size = len(frame)
    rules = _select_codes(codes, REPORT)
    if size == 0 or not rules:
        return _empty_findings(carry)
    cut = _cutoff_array(cutoff, frame, size)
    ctx = RuleContext(frame, calendar, params, cut)
    parts: dict[str, list] = {k: [] for k in ("row", "rule_code", "deadline", "observed_at", "limit", "state")}
    for r in rules:
        result = r.evaluate(ctx)
        mask, details = (result if isinstance(result, tuple) else (result, {}))
        rows = np.flatnonzero(np.asarray(mask, dtype=bool))
        if len(rows) == 0:
            continue
        parts["row"].append(rows)
        parts["rule_code"].append(np.full(len(rows), r.code, dtype=object))
        for key, default, dtype in (("deadline", np.datetime64("NaT"), "datetime64[ns]"),
                                    ("observed_at", np.datetime64("NaT"), "datetime64[ns]"),
                                    ("limit", -1, np.int64), ("state", None, object)):
            value = details.get(key, default)
            if isinstance(value, np.ndarray) and value.ndim == 1 and len(value) == size:
                parts[key].append(np.asarray(value[rows], dtype=dtype))
            else:
                parts[key].append(np.full(len(rows), value, dtype=dtype))
    if not parts["row"]:
        return _empty_findings(carry)
    rows = np.concatenate(parts["row"])
    received = ctx.received[rows]
    months = received.astype("datetime64[M]")
    uniq, inverse = np.unique(months, return_inverse=True)
    labels = np.array([None if np.isnat(m) else str(m) for m in uniq], dtype=object)
    limit = np.concatenate(parts["limit"])
    out = {
        "report_id": ctx.report_ids[rows],
        "rule_code": np.concatenate(parts["rule_code"]),
        "period": labels[inverse.ravel()] if len(uniq) else np.array([], dtype=object),
        "received_at": received,
        "deadline": np.concatenate(parts["deadline"]),
        "observed_at": np.concatenate(parts["observed_at"]),
        "limit": pd.array(np.where(limit >= 0, limit, 0), dtype="Int64"),
        "state": np.concatenate(parts["state"]),
    }
    out["limit"][limit < 0] = pd.NA
    for c in carry:
        out[c] = frame[c].to_numpy()[rows] if c in frame.columns else np.full(len(rows), None, dtype=object)
    return pd.DataFrame(out)


def evaluate_ledger(months: Iterable, calendar: WorkCalendar, params, now, *, submissions: Iterable,
                    disclosures: Iterable, onboarding_month=None, codes=None) -> pd.DataFrame:
    """The LED rules for each month (months before the onboarding month are never checked)."""
    rules = _select_codes(codes, LEDGER)
    now = _whole_seconds(now)
    subs = accepted_submissions(submissions, now)
    first: dict[str, datetime] = {}
    for period, accepted in subs:
        if period not in first or accepted < first[period]:
            first[period] = accepted
    disclosed = _disclosed_months(disclosures)
    onboard = normalise_month(onboarding_month) if onboarding_month is not None else None
    records = []
    for month in sorted({normalise_month(m) for m in months}):
        if onboard is not None and month < onboard:
            continue
        m = LedgerMonth(month, now, first.get(month), month in disclosed, calendar, params)
        for r in rules:
            hit, details = r.evaluate(m)
            if hit:
                records.append({
                    "report_id": month, "rule_code": r.code, "period": month,
                    "received_at": pd.NaT,
                    "deadline": details.get("deadline", pd.NaT),
                    "observed_at": details.get("observed_at", pd.NaT),
                    "limit": params.ledger_due_working_day, "state": None,
                })
    if not records:
        return _empty_findings()
    df = pd.DataFrame.from_records(records)
    df["received_at"] = pd.Series(pd.NaT, index=df.index, dtype="datetime64[ns]")
    for c in ("deadline", "observed_at"):
        df[c] = pd.to_datetime(df[c]).astype("datetime64[ns]")
    df["limit"] = df["limit"].astype("Int64")
    return df


def _finish(df: pd.DataFrame, calendar: WorkCalendar, carry: Sequence[str]) -> pd.DataFrame:
    if len(df) == 0:
        return _empty_findings(carry)
    df = df.copy()
    df["severity"] = df["rule_code"].map({c: r.severity for c, r in REGISTRY.items()})
    deadline = df["deadline"].to_numpy(dtype="datetime64[ns]")
    observed = df["observed_at"].to_numpy(dtype="datetime64[ns]")
    received = df["received_at"].to_numpy(dtype="datetime64[ns]")
    hour = np.timedelta64(1, "h")
    df["overdue_hours"] = (observed - deadline) / hour
    df["elapsed_hours"] = (observed - received) / hour
    days = calendar.count_workdays(deadline, observed)
    by_days = (df["rule_code"] != "TIM-05").to_numpy() & (days >= 0)
    overdue = pd.array(np.where(by_days, days, 0), dtype="Int64")
    overdue[~by_days] = pd.NA
    df["overdue_working_days"] = overdue
    df = df[list(FINDING_COLUMNS) + [c for c in carry if c not in FINDING_COLUMNS]]
    sort_cols = [c for c in carry if c not in FINDING_COLUMNS] + ["report_id", "rule_code"]
    return df.sort_values(sort_cols, kind="stable", ignore_index=True)


def run_rules(frame: pd.DataFrame, period, calendar: WorkCalendar, params, now, *,
              cutoff=None, latest_period=None, submissions: Iterable | None = None,
              disclosures: Iterable | None = None, onboarding_month=None,
              codes: Iterable[str] | None = None, carry: Sequence[str] = ()) -> pd.DataFrame:
    """Check one platform's reports for ``period`` and return the findings that hold.

    frame: the platform's reports (latest stored version of each) in the normalised frame of
        docs/architecture.md; rows outside the cohort are ignored.
    period: 'YYYY-MM', or a list of months (an audit over several months), or None for every
        row of the frame and no LED rules.
    calendar, params: the WorkCalendar and Parameters to use (their versions are recorded by
        the caller).
    now: time of the check (naive Beijing; aware values are converted).
    cutoff: the as-of time of the platform's data (a date-time, or one per row of ``frame`` as
        an array or an index-aligned Series for a frame holding several platforms). Default:
        from ``latest_period``, else from the latest declared period among ``submissions``.
    submissions: the platform's accepted submissions as (period, accepted_at) pairs (or
        mappings/objects with those fields); disclosures: the months with a recorded
        disclosure; onboarding_month: 'YYYY-MM'. Pass submissions and disclosures (possibly
        empty) to evaluate the LED rules; leave both None to skip them.
    codes: restrict to these rule codes; carry: frame columns copied into the findings (e.g.
        'platform_code'), which then also lead the sort order.

    Returns one row per (report, rule) finding with the columns of FINDING_COLUMNS (+ carry),
    sorted by report_id then rule_code.
    """
    if (submissions is None) != (disclosures is None):
        raise TypeError("检查台账报送规则（LED）需要同时提供 submissions 和 disclosures")
    months = None
    if period is not None:
        months = [normalise_month(period)] if isinstance(period, (str, pd.Period, date)) else sorted(
            {normalise_month(p) for p in period})
    submissions = list(submissions) if submissions is not None else None

    if months is not None and len(frame):
        received = as_datetime64(frame["received_at"]).astype("datetime64[M]")
        wanted = np.array(months, dtype="datetime64[M]")
        in_cohort = np.isin(received, wanted)
        cohort = frame[in_cohort]
        if isinstance(cutoff, (np.ndarray, list, tuple, pd.Index)):
            cutoff = as_datetime64(cutoff)[in_cohort]
    else:
        cohort = frame

    if cutoff is None and len(cohort):
        if latest_period is not None:
            cutoff = as_of_time(latest_period)
        elif submissions is not None:
            cutoff = latest_cutoff(submissions, now)
        if cutoff is None:
            raise ValueError("无法确定数据截止时间：请提供 cutoff、latest_period 或已接收的台账报送记录")

    parts = [evaluate_reports(cohort, calendar, params, cutoff, codes=codes, carry=carry)]
    if submissions is not None and months is not None:
        led = evaluate_ledger(months, calendar, params, now, submissions=submissions,
                              disclosures=disclosures, onboarding_month=onboarding_month, codes=codes)
        for c in carry:
            led[c] = None
        parts.append(led)
    parts = [p for p in parts if len(p)]
    if not parts:
        return _empty_findings(carry)
    return _finish(pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0], calendar, carry)


def run_ledger_rules(months, calendar: WorkCalendar, params, now, *, submissions: Iterable,
                     disclosures: Iterable, onboarding_month=None) -> pd.DataFrame:
    """Only the LED rules, for one month or several (e.g. a platform's last retention_months)."""
    if isinstance(months, (str, pd.Period, date)):
        months = [months]
    led = evaluate_ledger(months, calendar, params, now, submissions=submissions,
                          disclosures=disclosures, onboarding_month=onboarding_month)
    return _finish(led, calendar, ())


def retention_window(as_of_month, params) -> list[str]:
    """The retention_months months ending with ``as_of_month`` (oldest first): the months a
    platform must be able to show, each checked by the LED rules in a full audit."""
    end = pd.Period(normalise_month(as_of_month), freq="M")
    return [str(end - k) for k in range(params.retention_months - 1, -1, -1)]


def finding_keys(findings: pd.DataFrame) -> set[tuple[str, str]]:
    return set(zip(findings["report_id"].map(clean), findings["rule_code"]))


def reconcile(previous: Iterable[tuple[str, str]], findings: pd.DataFrame) -> dict[str, set]:
    """Compare a new check of a cohort with the findings recorded by the previous one:
    ``new`` to open, ``kept`` still holding, ``closed`` no longer holding (to be closed, not
    deleted)."""
    prev = set(previous)
    now = finding_keys(findings)
    return {"new": now - prev, "kept": now & prev, "closed": prev - now}
