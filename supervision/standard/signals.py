"""Plausibility signals on one platform's ledger, per month: hints for inspectors, not findings.

A signal says "this month looks unusual, have a look"; it breaks no rule of rules.md, is never
exported as a finding and never enters a score. Every function here is pure and vectorised
over the normalised report frame of docs/architecture.md (one platform's reports; a
``platform_code`` column, if present, is compared like any other column).

    from supervision.standard.signals import all_signals
    for s in all_signals(frame, "2026-09"):
        print(s.code, s.title, s.message)

Signals and the rules behind them (defaults in ``SignalParams``):

Trend signals (``trend_signals``) compare the checked month of ``monthly_profile`` with the
platform's trailing months (the ``trailing`` calendar months just before it, counting only
months from the platform's first month with reports on; a month without reports in that range
counts as 0 reports). Fewer than ``min_trailing`` (3) usable trailing months: no signal.

- SIG-VOL, volume (reports by 受理时间): with trailing mean m and sample sd s, fires when the
  month's count v lies outside m ± ``volume_sigmas`` (3) · max(s, √max(m, 1)) — √m is the
  Poisson floor, so a platform whose trailing months happen to be almost equal is not flagged
  for ordinary counting noise — and also differs from m by at least ``volume_min_change`` (30 %)
  of m, so that a large, very steady platform is not flagged for a few per cent.
- SIG-REJ, share of 不予受理 among all reports received in the month; SIG-REM, share of
  removals (处置措施 has 删除, 屏蔽 or 断开链接) among the month's accepted and concluded
  reports. With the trailing months pooled (x0 of n0) and the month (x of n), fires when
  |x/n − x0/n0| exceeds max(z · √(p̄(1 − p̄)(1/n + 1/n0)), ``share_min_change``), with z =
  2.576 (a two-sided 99 % binomial band for the difference of two proportions, p̄ the pooled
  share, kept off 0 and 1 by half a report so that a baseline of exactly 0 % still has a band)
  and a floor of 10 percentage points: at 100,000 reports a month the binomial band alone is
  ±0.5 points, narrower than ordinary month-to-month drift. The month needs a denominator of at
  least ``share_min_base`` (20) reports; trailing months with a denominator of 0 do not count.

Timestamp signals (``timestamp_signals``) look at the month's disposals (处置完成时间 in the
month, whatever the month of receipt) and the month's reports (受理时间 in the month):

- SIG-DATEONLY: at least ``date_only_share`` (90 %) of at least ``date_only_min`` (30)
  受理时间 or 处置完成时间 values are exactly 00:00:00 — the platform seems to record dates
  only, so hour-based limits (TIM-05) cannot be verified. Whole-minute times are not signalled:
  ledger.md accepts ``2026-10-08 14:03`` as a valid time, so minute precision is normal.
- SIG-SAMESEC: at least ``same_second_min`` (20) reports share one 处置完成时间 second (a batch
  closure or back-filled times). Exact-midnight stamps are left out when SIG-DATEONLY fires for
  处置完成时间 (there every day would form such a group for a reason already signalled).
- SIG-NIGHT: at least ``night_min`` (50) disposals, and at least ``night_share`` (30 %) of the
  month's disposals, fall between 00:00:00 (exclusive) and 06:00:00 Beijing time. Exactly
  00:00:00 is left out: it is what a date without a time becomes (SIG-DATEONLY), and a batch
  stamped exactly at midnight is caught by SIG-SAMESEC.

SIG-DUP (``duplicate_row_signals``): reports received in the month whose every column except
举报编号 is equal (missing equals missing) — the same report entered twice under new numbers,
or padded volume. One signal per month with the number of groups and rows; the examples list
the groups' 举报编号, largest groups first, up to ``max_examples``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
import numpy as np
import pandas as pd

from importers import columns as C

from .rules.engine import normalise_month
from .workdays import as_datetime64

__all__ = [
    "Signal", "SignalParams", "DEFAULT_PARAMS", "PROFILE_COLUMNS", "SIGNAL_CODES",
    "monthly_profile", "trend_signals", "timestamp_signals", "duplicate_row_signals",
    "all_signals",
]

SIGNAL_CODES = {
    "SIG-VOL": "受理量异常波动",
    "SIG-REJ": "不予受理占比异常",
    "SIG-REM": "删除类处置占比异常",
    "SIG-DATEONLY": "时间仅填报到日",
    "SIG-SAMESEC": "大量举报同一秒办结",
    "SIG-NIGHT": "夜间集中办结",
    "SIG-DUP": "除编号外完全相同的记录",
}

PROFILE_COLUMNS = ("reports", "rejected", "rejected_share", "concluded_accepted", "removals",
                   "removal_share")

_NS_PER_SECOND = 1_000_000_000
_NS_PER_DAY = 86_400 * _NS_PER_SECOND


@dataclass(frozen=True)
class Signal:
    code: str  # one of SIGNAL_CODES
    month: str  # YYYY-MM
    title: str  # Chinese, short
    message: str  # Chinese, with the figures
    value: float  # the month's figure (a count or a share in [0, 1])
    baseline: float | None  # what it was compared with: trailing mean or share, or the threshold
    examples: tuple[str, ...] = ()  # 举报编号 to look at first (capped)


@dataclass(frozen=True)
class SignalParams:
    """Thresholds of the signals (module doc); change one with ``dataclasses.replace``."""

    min_trailing: int = 3  # usable trailing months needed (SIG-VOL needs at least 2 for an sd)
    volume_sigmas: float = 3.0  # SIG-VOL band: mean ± this · max(sd, √mean)
    volume_min_change: float = 0.30  # SIG-VOL also needs |change| ≥ this share of the mean
    share_z: float = 2.576  # SIG-REJ/SIG-REM: z of the two-sided 99 % binomial band
    share_min_change: float = 0.10  # SIG-REJ/SIG-REM: floor of the band (10 points)
    share_min_base: int = 20  # SIG-REJ/SIG-REM: least denominator in the checked month
    date_only_min: int = 30  # SIG-DATEONLY: least timestamps in the month
    date_only_share: float = 0.90  # SIG-DATEONLY: least share exactly at 00:00:00
    same_second_min: int = 20  # SIG-SAMESEC: least reports disposed in one second
    night_min: int = 50  # SIG-NIGHT: least night disposals
    night_share: float = 0.30  # SIG-NIGHT: least share of the month's disposals
    night_end_hour: int = 6  # SIG-NIGHT: night is (00:00:00, this hour)
    duplicate_min_group: int = 2  # SIG-DUP: least rows in a group of equal rows
    max_examples: int = 20  # cap of Signal.examples


DEFAULT_PARAMS = SignalParams()


# -- frame access ----------------------------------------------------------------------------
def _times(frame: pd.DataFrame, key: str) -> np.ndarray:
    """A date-time column as int64 nanoseconds (NaT → iNaT); all NaT when absent."""
    if key not in frame.columns:
        return np.full(len(frame), np.iinfo(np.int64).min, dtype=np.int64)
    return as_datetime64(frame[key]).view(np.int64)


def _nat(values: np.ndarray) -> np.ndarray:
    return values == np.iinfo(np.int64).min


def _month_index(ns: np.ndarray) -> np.ndarray:
    """Months since 1970-01 of each time; -1 for NaT (no real ledger predates 1970)."""
    months = ns.view("datetime64[ns]").astype("datetime64[M]").astype(np.int64)
    return np.where(_nat(ns), -1, months)


def _month_number(month: str) -> int:
    return int(np.datetime64(month, "M").astype(np.int64))


def _month_label(number: int) -> str:
    return str(np.datetime64(int(number), "M"))


def _clean(value) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value).strip()


def _map_distinct(frame: pd.DataFrame, key: str, fn) -> np.ndarray:
    """fn over the distinct values of a column (None for missing), broadcast to the rows."""
    if key not in frame.columns:
        return np.full(len(frame), bool(fn(None)), dtype=bool)
    codes, uniques = pd.factorize(frame[key], use_na_sentinel=True)
    table = np.array([bool(fn(u)) for u in uniques] + [bool(fn(None))], dtype=bool)
    return table[np.asarray(codes)]


def _is(frame: pd.DataFrame, key: str, value: str) -> np.ndarray:
    return _map_distinct(frame, key, lambda u: _clean(u) == value)


def _has_removal(frame: pd.DataFrame) -> np.ndarray:
    removal = frozenset(C.REMOVAL_MEASURES)

    def test(u):
        text = _clean(u)
        return bool(text) and any(t.strip() in removal for t in _split(text))

    return _map_distinct(frame, "measures", test)


def _split(text: str) -> list[str]:
    for sep in (";", "，", ",", "、", "\r", "\n"):
        text = text.replace(sep, C.MULTI_SEP)
    return text.split(C.MULTI_SEP)


def _ids(frame: pd.DataFrame, rows: np.ndarray) -> np.ndarray:
    """举报编号 (trimmed) of the given row positions; the index label when there is none."""
    if "report_id" in frame.columns:
        values = pd.Series(frame["report_id"].to_numpy(dtype=object)[rows], dtype=object)
        return values.fillna("").astype(str).str.strip().to_numpy(dtype=object)
    return np.asarray([str(i) for i in frame.index[rows]], dtype=object)


# -- formatting ----------------------------------------------------------------------------
def _n(x: float) -> str:
    return f"{int(round(x)):,}"


def _pct(x: float) -> str:
    return f"{x * 100:.1f}%"


def _join_ids(ids) -> str:
    return "、".join(ids)


# -- monthly profile -------------------------------------------------------------------------
def monthly_profile(frame: pd.DataFrame) -> pd.DataFrame:
    """Per month of 受理时间 (index ``month``, 'YYYY-MM', every month from the first to the last
    with reports): ``reports``; ``rejected`` (受理结果 = 不予受理) and ``rejected_share`` of
    reports; ``concluded_accepted`` (受理 and 已办结), ``removals`` among them (删除, 屏蔽 or
    断开链接) and ``removal_share``. Shares are NaN when their denominator is 0. Reports
    without 受理时间 are left out."""
    received = _month_index(_times(frame, "received_at"))
    known = received >= 0
    if not known.any():
        empty = pd.DataFrame({c: pd.Series(dtype=float if c.endswith("share") else np.int64)
                              for c in PROFILE_COLUMNS})
        empty.index = pd.Index([], name="month", dtype=object)
        return empty
    first, last = int(received[known].min()), int(received[known].max())
    slot = received[known] - first
    size = last - first + 1
    rejected = _is(frame, "acceptance", "不予受理")[known]
    concluded_accepted = (_is(frame, "acceptance", "受理") & _is(frame, "status", "已办结"))[known]
    removal = _has_removal(frame)[known] & concluded_accepted

    def count(mask=None):
        return np.bincount(slot, weights=None if mask is None else mask.astype(np.int64),
                           minlength=size).astype(np.int64)

    reports, rej, ca, rem = count(), count(rejected), count(concluded_accepted), count(removal)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = pd.DataFrame({
            "reports": reports,
            "rejected": rej,
            "rejected_share": np.where(reports > 0, rej / np.maximum(reports, 1), np.nan),
            "concluded_accepted": ca,
            "removals": rem,
            "removal_share": np.where(ca > 0, rem / np.maximum(ca, 1), np.nan),
        })
    out.index = pd.Index([_month_label(first + i) for i in range(size)], name="month", dtype=object)
    return out


# -- trend signals ---------------------------------------------------------------------------
def trend_signals(profile: pd.DataFrame, month, trailing: int = 6,
                  params: SignalParams = DEFAULT_PARAMS) -> list[Signal]:
    """SIG-VOL, SIG-REJ and SIG-REM for ``month`` against its trailing months (module doc)."""
    month = normalise_month(month)
    if len(profile) == 0 or trailing < 1:
        return []
    numbers = np.array([_month_number(normalise_month(m)) for m in profile.index], dtype=np.int64)
    target = _month_number(month)
    first = int(numbers.min())
    if target <= first:
        return []
    span = np.arange(max(first, target - trailing), target + 1, dtype=np.int64)
    table = pd.DataFrame(0, index=span, columns=["reports", "rejected", "concluded_accepted",
                                                  "removals"], dtype=np.int64)
    present = np.isin(numbers, span)
    for col in table.columns:
        values = profile[col].to_numpy() if col in profile.columns else np.zeros(len(profile))
        table.loc[numbers[present], col] = np.nan_to_num(values[present].astype(float)).astype(np.int64)
    past, now = table.iloc[:-1], table.iloc[-1]
    out: list[Signal] = []
    vol = _volume_signal(month, past["reports"].to_numpy(), int(now["reports"]), params)
    if vol:
        out.append(vol)
    rej = _share_signal("SIG-REJ", month, past["rejected"].to_numpy(), past["reports"].to_numpy(),
                        int(now["rejected"]), int(now["reports"]), params,
                        what="不予受理占比", unit="件举报")
    if rej:
        out.append(rej)
    rem = _share_signal("SIG-REM", month, past["removals"].to_numpy(),
                        past["concluded_accepted"].to_numpy(), int(now["removals"]),
                        int(now["concluded_accepted"]), params,
                        what="已受理并办结的举报中删除、屏蔽或断开链接的占比", unit="件已办结")
    if rem:
        out.append(rem)
    return out


def _volume_signal(month: str, past: np.ndarray, v: int, p: SignalParams) -> Signal | None:
    k = len(past)
    if k < max(p.min_trailing, 2):
        return None
    m = float(past.mean())
    s = float(past.std(ddof=1))
    half = p.volume_sigmas * max(s, math.sqrt(max(m, 1.0)))
    diff = v - m
    if abs(diff) <= half or abs(diff) < p.volume_min_change * m:
        return None
    lo, hi = max(m - half, 0.0), m + half
    up = diff > 0
    if m > 0:
        message = (f"本月受理量 {_n(v)} 件，较前 {k} 个月均值 {_n(m)} 件"
                   f"{'上升' if up else '下降'} {abs(diff) / m * 100:.0f}%"
                   f"（正常波动范围约 {_n(lo)}–{_n(hi)} 件）")
    else:
        message = f"本月受理量 {_n(v)} 件，前 {k} 个月均无举报"
    title = "受理量骤增" if up else "受理量骤降"
    return Signal("SIG-VOL", month, title, message, float(v), m)


def _share_signal(code: str, month: str, past_x: np.ndarray, past_n: np.ndarray, x: int, n: int,
                  p: SignalParams, *, what: str, unit: str) -> Signal | None:
    usable = past_n > 0
    k = int(usable.sum())
    if k < p.min_trailing or n < max(p.share_min_base, 1):
        return None
    x0, n0 = int(past_x[usable].sum()), int(past_n[usable].sum())
    p0, p1 = x0 / n0, x / n
    total = n0 + n
    pooled = min(max((x0 + x) / total, 0.5 / total), 1 - 0.5 / total)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n + 1 / n0))
    half = max(p.share_z * se, p.share_min_change)
    diff = p1 - p0
    if abs(diff) <= half + 1e-12:
        return None
    up = diff > 0
    direction = "上升" if up else "下降"
    message = (f"本月{what} {_pct(p1)}（{_n(x)}/{_n(n)} {unit}），前 {k} 个月合计为 {_pct(p0)}"
               f"（{_n(x0)}/{_n(n0)}），{direction} {abs(diff) * 100:.1f} 个百分点"
               f"（正常波动范围约 {_pct(max(p0 - half, 0.0))}–{_pct(min(p0 + half, 1.0))}）")
    base = "不予受理占比" if code == "SIG-REJ" else "删除类处置占比"
    title = f"{base}异常{'升高' if up else '降低'}"
    return Signal(code, month, title, message, p1, p0)


# -- timestamp signals ------------------------------------------------------------------------
def timestamp_signals(frame: pd.DataFrame, month, params: SignalParams = DEFAULT_PARAMS) -> list[Signal]:
    """SIG-DATEONLY, SIG-SAMESEC and SIG-NIGHT for ``month`` (module doc)."""
    month = normalise_month(month)
    target = _month_number(month)
    p = params
    out: list[Signal] = []

    received = _times(frame, "received_at")
    disposed = _times(frame, "disposed_at")
    in_month_r = _month_index(received) == target
    in_month_d = _month_index(disposed) == target
    # time of day in ns; NaT rows are masked out by the month tests above
    tod_r = np.mod(received, _NS_PER_DAY)
    tod_d = np.mod(disposed, _NS_PER_DAY)

    date_only_disposed = False
    for label, in_month, tod in (("受理时间", in_month_r, tod_r), ("处置完成时间", in_month_d, tod_d)):
        total = int(in_month.sum())
        midnight = int((in_month & (tod == 0)).sum())
        if total >= p.date_only_min and total > 0 and midnight / total >= p.date_only_share:
            if label == "处置完成时间":
                date_only_disposed = True
            out.append(Signal(
                "SIG-DATEONLY", month, f"{label}仅填报到日",
                f"本月 {_pct(midnight / total)} 的{label}（{_n(midnight)}/{_n(total)} 件）为零点整，"
                f"疑似只填报了日期，按小时计算的时限（如快速通道 24 小时）无法核对",
                midnight / total, p.date_only_share))

    # SIG-SAMESEC
    rows = np.flatnonzero(in_month_d & ~((tod_d == 0) & date_only_disposed))
    if len(rows):
        seconds = disposed[rows] // _NS_PER_SECOND
        uniq, inverse, counts = np.unique(seconds, return_inverse=True, return_counts=True)
        big = counts >= max(p.same_second_min, 2)
        if big.any():
            top = int(np.argmax(counts))  # the largest group; on a tie the earliest second
            top_rows = rows[inverse.ravel() == top]
            top_ids = _ids(frame, top_rows)
            top_ids = np.sort(top_ids.astype(str))
            stamp = pd.Timestamp(int(uniq[top]) * _NS_PER_SECOND)
            n_groups, n_rows = int(big.sum()), int(counts[big].sum())
            note = "（零点整，可能只填报了日期）" if stamp == stamp.normalize() else ""
            out.append(Signal(
                "SIG-SAMESEC", month, SIGNAL_CODES["SIG-SAMESEC"],
                f"本月有 {_n(n_groups)} 个时刻各有 {p.same_second_min} 件以上举报在同一秒办结，"
                f"共 {_n(n_rows)} 件；最多的一次为 {stamp:%Y-%m-%d %H:%M:%S}{note}，"
                f"同一秒办结 {_n(counts[top])} 件",
                float(counts[top]), float(p.same_second_min),
                tuple(str(i) for i in top_ids[: p.max_examples])))

    # SIG-NIGHT
    total = int(in_month_d.sum())
    night = in_month_d & (tod_d > 0) & (tod_d < p.night_end_hour * 3600 * _NS_PER_SECOND)
    count = int(night.sum())
    if total > 0 and count >= p.night_min and count / total >= p.night_share:
        night_rows = np.flatnonzero(night)
        first = night_rows[np.argsort(disposed[night_rows], kind="stable")[: p.max_examples]]
        out.append(Signal(
            "SIG-NIGHT", month, SIGNAL_CODES["SIG-NIGHT"],
            f"本月 {_n(count)} 件举报在 0 时至 {p.night_end_hour} 时之间办结，"
            f"占本月办结量（{_n(total)} 件）的 {_pct(count / total)}",
            count / total, p.night_share, tuple(_ids(frame, first))))
    return out


# -- duplicate rows --------------------------------------------------------------------------
def _duplicate_groups(frame: pd.DataFrame, columns: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(rows, group): the positions of rows that equal at least one other row in every column
    (missing equals missing), and an integer group per such row. Column by column, rows left
    alone in their group are dropped, so later columns only look at the remaining candidates."""
    rows = np.arange(len(frame))
    group = np.zeros(len(frame), dtype=np.int64)
    # high-cardinality columns first: they leave the fewest candidates
    first = ("received_at", "content_url", "disposed_at", "feedback_at", "reported_account")
    order = [c for c in first if c in columns] + [c for c in columns if c not in first]
    for col in order:
        if len(rows) == 0:
            break
        codes, uniques = pd.factorize(frame[col].iloc[rows], use_na_sentinel=True)
        combined = group * (len(uniques) + 1) + (np.asarray(codes, dtype=np.int64) + 1)
        group = np.asarray(pd.factorize(combined)[0], dtype=np.int64)
        shared = np.bincount(group)[group] >= 2
        rows, group = rows[shared], group[shared]
        group = np.asarray(pd.factorize(group)[0], dtype=np.int64)
    return rows, group


def duplicate_row_signals(frame: pd.DataFrame, month, params: SignalParams = DEFAULT_PARAMS) -> list[Signal]:
    """SIG-DUP: reports received in ``month`` equal in every column except 举报编号."""
    month = normalise_month(month)
    p = params
    in_month = _month_index(_times(frame, "received_at")) == _month_number(month)
    rows = np.flatnonzero(in_month)
    columns = [c for c in frame.columns if c != "report_id"]
    if len(rows) < 2 or not columns:
        return []
    sub = frame.iloc[rows]
    dup_rows, group = _duplicate_groups(sub, columns)
    if len(dup_rows) == 0:
        return []
    counts = np.bincount(group)
    big = counts[group] >= max(p.duplicate_min_group, 2)
    if not big.any():
        return []
    g, r = group[big], dup_rows[big]
    table = pd.DataFrame({"group": g, "size": counts[g], "id": _ids(sub, r).astype(str)})
    # groups by size, then by their smallest 举报编号; ids ascending within a group
    first_id = table.groupby("group", sort=False)["id"].transform("min")
    table = table.assign(first=first_id).sort_values(["size", "first", "group", "id"],
                                                     ascending=[False, True, True, True], kind="stable")
    n_groups, n_rows = int(table["group"].nunique()), len(table)
    shown = []
    for number in table["group"].drop_duplicates().head(3):
        part = table[table["group"] == number]
        shown.append(_join_ids(part["id"].head(5)) + (" 等" if len(part) > 5 else ""))
    largest = int(table["size"].iloc[0])
    message = (f"本月有 {_n(n_groups)} 组、共 {_n(n_rows)} 条记录除举报编号外各列完全相同"
               f"（多出 {_n(n_rows - n_groups)} 条，最大一组 {_n(largest)} 条），"
               f"如：{'；'.join(shown)}")
    examples = tuple(table["id"].head(p.max_examples))
    return [Signal("SIG-DUP", month, SIGNAL_CODES["SIG-DUP"], message, float(n_rows), None, examples)]


# -- everything ------------------------------------------------------------------------------
def all_signals(frame: pd.DataFrame, month, trailing: int = 6,
                params: SignalParams = DEFAULT_PARAMS) -> list[Signal]:
    """Every signal of ``month``: trend, timestamp and duplicate-row signals, in that order."""
    return (trend_signals(monthly_profile(frame), month, trailing, params)
            + timestamp_signals(frame, month, params)
            + duplicate_row_signals(frame, month, params))
