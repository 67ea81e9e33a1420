"""The mainland China working-day calendar and the deadline arithmetic of rules.md.

A working day is a date that is a working day on the statutory calendar: Monday–Friday except
public holidays, plus the weekend days declared working days (调休上班). The days come from the
`chinese_calendar` package for the years it covers, corrected and extended by the office's own
overrides (a mapping date -> is_workday) for the years the office declares known. A date in a
year that is neither covered by the package nor declared known raises `UnknownYearError`; the
calendar never falls back to a weekends-only guess.

``deadline(t, n)`` is 23:59:59 on the n-th working day strictly after the calendar date of t:
the day of receipt never counts, whatever the hour, and a time on a holiday starts counting on
the next working day.

The vectorised functions precompute, once per calendar, a day-indexed table over the whole
known range (a few thousand days) and answer any number of queries with numpy indexing.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta
from functools import lru_cache

import numpy as np
import pandas as pd

__all__ = [
    "UnknownYearError",
    "WorkCalendar",
    "default_calendar",
    "package_years",
    "END_OF_DAY",
]

END_OF_DAY = time(23, 59, 59)
_EOD = np.timedelta64(86399, "s")


class UnknownYearError(LookupError):
    """A date needed by a check lies in a year the working-day calendar does not know."""

    def __init__(self, year: int, detail: str | None = None):
        self.year = int(year)
        self.detail = detail
        message = f"工作日历未包含{self.year}年的节假日安排，请管理员先录入"
        if detail:
            message += f"（{detail}）"
        super().__init__(message)

    def __str__(self) -> str:  # LookupError would repr() a single argument
        return self.args[0]


@lru_cache(maxsize=1)
def package_years() -> frozenset[int]:
    """Years the installed `chinese_calendar` package has data for (it raises for others)."""
    import chinese_calendar

    first = min(chinese_calendar.holidays).year
    last = max(chinese_calendar.holidays).year
    return frozenset(range(first, last + 1))


def _package_version() -> str:
    import chinese_calendar

    return getattr(chinese_calendar, "__version__", "unknown")


def _to_date(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, np.datetime64):
        return pd.Timestamp(value).date()
    if isinstance(value, str):
        return date.fromisoformat(value.strip()[:10])
    raise TypeError(f"not a date: {value!r}")


def _to_datetime(value) -> datetime:
    if isinstance(value, pd.Timestamp):
        if value.tzinfo is not None:
            value = value.tz_convert("Asia/Shanghai").tz_localize(None)
        return value.to_pydatetime()
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = pd.Timestamp(value).tz_convert("Asia/Shanghai").tz_localize(None).to_pydatetime()
        return value
    if isinstance(value, date):
        return datetime.combine(value, time())
    if isinstance(value, np.datetime64):
        return pd.Timestamp(value).to_pydatetime()
    if isinstance(value, str):
        return pd.Timestamp(value).to_pydatetime()
    raise TypeError(f"not a date-time: {value!r}")


def as_datetime64(values) -> np.ndarray:
    """Naive date-times (scalar, Series, Index, list, ndarray) as a datetime64[ns] array.

    Time-zone aware values are converted to Beijing time first.
    """
    if isinstance(values, np.ndarray) and values.dtype.kind == "M":
        return values.astype("datetime64[ns]")
    if values is None or isinstance(values, (str, date, datetime, np.datetime64, pd.Timestamp)):
        values = [values]
    if not isinstance(values, (pd.Series, pd.Index)):
        values = pd.Series(np.asarray(values, dtype=object) if not isinstance(values, np.ndarray) else values)
    if values.dtype.kind != "M" and not isinstance(values.dtype, pd.DatetimeTZDtype):
        values = pd.to_datetime(values)
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        values = pd.Series(values).dt.tz_convert("Asia/Shanghai").dt.tz_localize(None)
    return np.asarray(values.to_numpy(dtype="datetime64[ns]"))


class WorkCalendar:
    """The working-day calendar: package data + office overrides, over the known years.

    ``overrides`` maps a date to True (working day) or False (rest day); it wins over the
    package. ``known_years`` are years the office declares complete (e.g. 2027 once its
    holidays are entered): in such a year a date without an override follows the weekday rule
    (Monday–Friday work), so the office must enter every holiday and 调休 day of it first.
    """

    def __init__(
        self,
        overrides: Mapping | None = None,
        known_years: Iterable[int] = (),
        *,
        use_package: bool = True,
    ):
        self._overrides: dict[date, bool] = {
            _to_date(k): bool(v) for k, v in (overrides or {}).items()
        }
        self._package_years = package_years() if use_package else frozenset()
        self._declared_years = frozenset(int(y) for y in known_years)
        self.known_years: frozenset[int] = self._package_years | self._declared_years
        if not self.known_years:
            raise ValueError("工作日历没有任何已知年份")
        self._build()

    # -- construction ------------------------------------------------------------------
    def _build(self) -> None:
        first, last = min(self.known_years), max(self.known_years)
        start = np.datetime64(f"{first:04d}-01-01", "D")
        end = np.datetime64(f"{last:04d}-12-31", "D")
        days = np.arange(start, end + 1, dtype="datetime64[D]")
        n = len(days)
        years = days.astype("datetime64[Y]").astype(np.int64) + 1970
        known = np.isin(years, np.fromiter(sorted(self.known_years), dtype=np.int64))
        weekday = (days.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0
        work = weekday < 5
        if self._package_years:
            import chinese_calendar

            for table, value in ((chinese_calendar.holidays, False), (chinese_calendar.workdays, True)):
                for d in table:
                    if d.year in self._package_years:
                        work[(np.datetime64(d, "D") - start).astype(np.int64)] = value
        for d, value in self._overrides.items():
            i = (np.datetime64(d, "D") - start).astype(np.int64)
            if 0 <= i < n:
                work[i] = value
        work &= known

        # Last index of the contiguous known run containing each known day (-1 if unknown).
        idx = np.arange(n)
        run_ends = idx[known & np.append(~known[1:], True)]
        run_end = np.full(n, -1, dtype=np.int64)
        run_end[known] = run_ends[np.searchsorted(run_ends, idx[known])]

        self._start = start
        self._end = end
        self._n = n
        self._known = known
        self._work = work
        self._run_end = run_end
        self._cum_before = np.concatenate(([0], np.cumsum(work, dtype=np.int64)))
        self._work_pos = np.flatnonzero(work)
        digest = hashlib.sha256()
        digest.update(str(start).encode())
        digest.update(np.packbits(known).tobytes())
        digest.update(np.packbits(work).tobytes())
        self._digest = digest.hexdigest()
        for table in (known, work, run_end, self._cum_before, self._work_pos):
            table.flags.writeable = False  # one built calendar is shared (services.checks)

    @property
    def version(self) -> str:
        """A short hash of the calendar's content (which days are known and which work)."""
        return f"wc-{self._digest[:16]}"

    @property
    def overrides(self) -> dict[date, bool]:
        return dict(self._overrides)

    @property
    def declared_years(self) -> frozenset[int]:
        return self._declared_years

    @property
    def first_day(self) -> date:
        return pd.Timestamp(self._start).date()

    @property
    def last_day(self) -> date:
        return pd.Timestamp(self._end).date()

    def __repr__(self) -> str:
        years = sorted(self.known_years)
        return f"WorkCalendar({years[0]}–{years[-1]}, {len(self._overrides)} overrides, {self.version})"

    # -- scalar ------------------------------------------------------------------------
    def _check_known(self, d: date) -> None:
        if d.year not in self.known_years:
            raise UnknownYearError(d.year)

    def is_workday(self, d) -> bool:
        """Whether the date (or the date of a date-time) is a working day."""
        d = _to_date(d)
        self._check_known(d)
        if d in self._overrides:
            return self._overrides[d]
        if d.year in self._package_years:
            import chinese_calendar

            return bool(chinese_calendar.is_workday(d))
        return d.weekday() < 5

    def deadline(self, t, n: int) -> datetime:
        """23:59:59 on the n-th working day strictly after the calendar date of t."""
        n = _check_n(n)
        d = _to_datetime(t).date()
        count = 0
        while True:
            d += timedelta(days=1)
            if self.is_workday(d):
                count += 1
                if count == n:
                    return datetime.combine(d, END_OF_DAY)

    def ledger_due(self, month: str, n: int) -> datetime:
        """deadline(last day of the month, n): when a month's ledger (and disclosure) is due."""
        return self.deadline(month_last_day(month), n)

    def special_days(self, year: int) -> list[tuple[date, bool]]:
        """Dates of a known year whose status differs from the weekday rule (holidays on
        weekdays, working weekend days), for the admin screens."""
        self._check_known(date(year, 1, 1))
        out = []
        d = date(year, 1, 1)
        while d.year == year:
            w = self.is_workday(d)
            if w != (d.weekday() < 5):
                out.append((d, w))
            d += timedelta(days=1)
        return out

    # -- vectorised --------------------------------------------------------------------
    def _day_index(self, days: np.ndarray) -> np.ndarray:
        return (days - self._start).astype(np.int64)

    def _year_of_index(self, i: int) -> int:
        return int(str(self._start + np.timedelta64(int(i), "D"))[:4])

    def is_workdays(self, dates) -> np.ndarray:
        """Vectorised is_workday; NaT gives False. Raises for a date in an unknown year."""
        t = as_datetime64(dates)
        nat = np.isnat(t)
        days = t.astype("datetime64[D]")
        i = self._day_index(days)
        inside = (i >= 0) & (i < self._n)
        known = np.zeros(len(i), dtype=bool)
        known[inside] = self._known[i[inside]]
        bad = ~nat & ~known
        if bad.any():
            raise UnknownYearError(int(str(days[np.flatnonzero(bad)[0]])[:4]))
        out = np.zeros(len(i), dtype=bool)
        ok = ~nat
        out[ok] = self._work[i[ok]]
        return out

    def _deadline_days(self, t: np.ndarray, n, where: np.ndarray):
        """Day index of each deadline, and the status of the computation.

        status 0: computed; 1: the deadline lies after the end of the known run of days that
        follows t (so it is later than that run's last day, whose index is in ``bound``);
        2: the day after t is itself unknown. Rows outside ``where`` get status -1.
        """
        size = len(t)
        n = np.broadcast_to(np.asarray(n, dtype=np.int64), (size,))
        if size and where.any() and (n[where] < 1).any():
            raise ValueError("工作日数必须为正整数")
        s = self._day_index(t.astype("datetime64[D]")) + 1
        status = np.full(size, -1, dtype=np.int8)
        j = np.zeros(size, dtype=np.int64)
        bound = np.full(size, -1, dtype=np.int64)
        rows = np.flatnonzero(where)
        if len(rows) == 0:
            return j, status, bound, s
        sr = s[rows]
        inside = (sr >= 0) & (sr < self._n)
        run_end = np.full(len(rows), -1, dtype=np.int64)
        run_end[inside] = self._run_end[sr[inside]]
        start_known = run_end >= 0
        pos = np.full(len(rows), -1, dtype=np.int64)
        pos[start_known] = self._cum_before[sr[start_known]] + n[rows][start_known] - 1
        in_table = start_known & (pos < len(self._work_pos))
        jr = np.full(len(rows), np.iinfo(np.int64).max, dtype=np.int64)
        jr[in_table] = self._work_pos[pos[in_table]]
        ok = start_known & (jr <= run_end)
        st = np.where(ok, 0, np.where(start_known, 1, 2)).astype(np.int8)
        status[rows] = st
        j[rows] = np.where(ok, jr, 0)
        bound[rows] = run_end
        return j, status, bound, s

    def _raise_for(self, status, bound, s, rows, labels=None) -> None:
        k = rows[0]
        year = self._year_of_index(bound[k] + 1 if status[k] == 1 else s[k])
        detail = None
        if labels is not None:
            shown = [str(labels[r]) for r in rows[:3]]
            detail = "涉及：" + "、".join(shown) + (" 等" if len(rows) > 3 else "")
        raise UnknownYearError(year, detail)

    def _day_to_deadline(self, j: np.ndarray) -> np.ndarray:
        return (self._start + j.astype("timedelta64[D]")).astype("datetime64[ns]") + _EOD

    def deadlines(self, times, n, where=None, *, labels=None) -> np.ndarray:
        """Vectorised ``deadline``: datetime64[ns], NaT where t is NaT or ``where`` is False.

        ``n`` is an int or an array of ints (one per row). Raises `UnknownYearError` if any
        needed deadline runs into an unknown year.
        """
        out, status, bound, s = self._deadlines(times, n, where)
        bad = np.flatnonzero(status > 0)
        if len(bad):
            self._raise_for(status, bound, s, bad, labels)
        return out

    def _deadlines(self, times, n, where):
        """The deadlines (NaT where not computed) and ``_deadline_days``' status, bound, start."""
        t = as_datetime64(times)
        mask = ~np.isnat(t)
        if where is not None:
            mask &= np.asarray(where, dtype=bool)
        j, status, bound, s = self._deadline_days(t, n, mask)
        out = np.full(len(t), np.datetime64("NaT"), dtype="datetime64[ns]")
        good = status == 0
        out[good] = self._day_to_deadline(j[good])
        return out, status, bound, s

    def known_deadlines(self, times, n, where=None) -> np.ndarray:
        """``deadlines``, with NaT instead of an error where a deadline runs into a year the
        calendar does not know (as ``deadline`` per row is shown "日历缺年份")."""
        return self._deadlines(times, n, where)[0]

    def exceeds(self, x, times, n, where=None, *, labels=None) -> tuple[np.ndarray, np.ndarray]:
        """Vectorised ``x > deadline(t, n)``, and the deadlines computed (NaT elsewhere).

        False where x or t is NaT or ``where`` is False. A deadline running past the known
        calendar is only an error when it matters: if x is no later than the end of the known
        run of days (the deadline lies beyond it) the answer is False for certain; otherwise
        `UnknownYearError` names the first unknown year.
        """
        x = as_datetime64(x)
        t = as_datetime64(times)
        x = np.broadcast_to(x, t.shape) if x.shape != t.shape else x
        mask = ~np.isnat(t) & ~np.isnat(x)
        if where is not None:
            mask &= np.asarray(where, dtype=bool)
        # Cheap exclusion first: every deadline is later than t's day, so x <= t means no.
        mask &= x > t.astype("datetime64[D]").astype("datetime64[ns]") + _EOD
        j, status, bound, s = self._deadline_days(t, n, mask)
        dl = np.full(len(t), np.datetime64("NaT"), dtype="datetime64[ns]")
        good = status == 0
        dl[good] = self._day_to_deadline(j[good])
        result = good & (x > dl)
        beyond = np.flatnonzero(status == 1)
        if len(beyond):
            run_end_time = self._day_to_deadline(bound[beyond])
            undecided = beyond[x[beyond] > run_end_time]
            if len(undecided):
                self._raise_for(status, bound, s, undecided, labels)
        unknown_start = np.flatnonzero(status == 2)
        if len(unknown_start):
            self._raise_for(status, bound, s, unknown_start, labels)
        return result, dl

    def count_workdays(self, after, until, *, strict: bool = False) -> np.ndarray:
        """Working days d with date(after) < d <= date(until), per row (int64).

        Rows with NaT, until <= after, or (unless ``strict``) days outside the known calendar
        give -1; with ``strict`` an unknown day raises.
        """
        a = as_datetime64(after).astype("datetime64[D]")
        b = as_datetime64(until).astype("datetime64[D]")
        a, b = np.broadcast_arrays(a, b)
        out = np.full(len(a), -1, dtype=np.int64)
        ok = ~np.isnat(a) & ~np.isnat(b) & (b > a)
        ia = self._day_index(a) + 1
        ib = self._day_index(b)
        inside = ok & (ia >= 0) & (ib < self._n) & (ia < self._n)
        run_end = np.full(len(a), -1, dtype=np.int64)
        run_end[inside] = self._run_end[ia[inside]]
        known = inside & (run_end >= ib)
        if strict and (ok & ~known).any():
            k = np.flatnonzero(ok & ~known)[0]
            raise UnknownYearError(self._year_of_index(ia[k] if run_end[k] < 0 else run_end[k] + 1))
        out[known] = self._cum_before[ib[known] + 1] - self._cum_before[ia[known]]
        return out


def _check_n(n) -> int:
    if isinstance(n, bool) or int(n) != n or int(n) < 1:
        raise ValueError("工作日数必须为正整数")
    return int(n)


def month_last_day(month: str) -> date:
    """Last calendar day of a 'YYYY-MM' month."""
    p = pd.Period(month, freq="M")
    return p.end_time.date()


@lru_cache(maxsize=1)
def default_calendar() -> WorkCalendar:
    """The package calendar without office overrides (cached)."""
    return WorkCalendar()
