"""When each scheduled job is due: pure functions of (now, working-day calendar, ledger due day).

A job's *period* is the key of one run: a day ``YYYY-MM-DD`` for daily jobs, a month
``YYYY-MM`` for monthly ones. Everything of a day is due from ``RUN_FROM`` (06:00 Beijing time)
so that reminders are there when the office opens.

- ``daily``: every calendar day.
- ``workday``: every working day (not on weekends, holidays; on 调休 working weekend days).
- ``after_ledger_due``: month M once its ledgers are overdue, i.e. the day after
  deadline(last day of M, ledger_due_working_day) (workflows.md: LED checks).
- ``workday_after_ledger_due``: month M on the first working day after that deadline
  (workflows.md: the monthly bulletin draft).

A monthly job is due for the latest ``MONTHLY_LOOKBACK`` months whose moment has passed, so a
month missed while the scheduler was down is caught up; the runner skips months already done.
The calendar raises ``UnknownYearError`` when a moment falls in a year it does not know.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from supervision.standard.workdays import WorkCalendar

RUN_FROM = time(6, 0)
MONTHLY_LOOKBACK = 2
KINDS = ("daily", "workday", "after_ledger_due", "workday_after_ledger_due")


def month_of(d: date | datetime) -> str:
    return f"{d.year:04d}-{d.month:02d}"


def add_months(period: str, n: int) -> str:
    y, m = map(int, period.split("-"))
    y, m = divmod(y * 12 + (m - 1) + n, 12)
    return f"{y:04d}-{m + 1:02d}"


def morning(d: date) -> datetime:
    return datetime.combine(d, RUN_FROM)


@dataclass(frozen=True)
class Schedule:
    kind: str

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown schedule kind {self.kind!r}")

    @property
    def monthly(self) -> bool:
        return self.kind not in ("daily", "workday")

    def describe(self, ledger_day: int) -> str:
        """The schedule in Chinese, for the admin page."""
        return {
            "daily": "每天 06:00",
            "workday": "每个工作日 06:00",
            "after_ledger_due": f"每月台账报送期限（次月第 {ledger_day} 个工作日）过后的次日 06:00，检查上月",
            "workday_after_ledger_due": f"每月台账报送期限（次月第 {ledger_day} 个工作日）后的第一个工作日 06:00，"
                                        "起草上月通报",
        }[self.kind]

    def valid_period(self, period: str) -> bool:
        try:
            if self.monthly:
                datetime.strptime(period, "%Y-%m")
                return len(period) == 7
            datetime.strptime(period, "%Y-%m-%d")
            return len(period) == 10
        except (TypeError, ValueError):
            return False

    def due_at(self, period: str, calendar: WorkCalendar, ledger_day: int) -> datetime | None:
        """When the run for ``period`` falls due (None: a day on which a workday job does not run)."""
        if self.kind == "daily":
            return morning(date.fromisoformat(period))
        if self.kind == "workday":
            d = date.fromisoformat(period)
            return morning(d) if calendar.is_workday(d) else None
        due = calendar.ledger_due(period, ledger_day)
        if self.kind == "after_ledger_due":
            return morning(due.date() + timedelta(days=1))
        return morning(calendar.deadline(due, 1).date())

    def periods_due(self, now: datetime, calendar: WorkCalendar, ledger_day: int) -> list[str]:
        """The periods whose run is due at ``now`` (oldest first)."""
        if not self.monthly:
            today = now.date().isoformat()
            at = self.due_at(today, calendar, ledger_day)
            return [today] if at is not None and now >= at else []
        out: list[str] = []
        month = month_of(now)
        for back in range(1, MONTHLY_LOOKBACK + 3):
            period = add_months(month, -back)
            if now >= self.due_at(period, calendar, ledger_day):
                out.append(period)
                if len(out) == MONTHLY_LOOKBACK:
                    break
        return sorted(out)

    def current_period(self, now: datetime, calendar: WorkCalendar, ledger_day: int) -> str:
        """The period a run started by hand at ``now`` is for: today, or the latest month due."""
        if not self.monthly:
            return now.date().isoformat()
        due = self.periods_due(now, calendar, ledger_day)
        return due[-1] if due else add_months(month_of(now), -MONTHLY_LOOKBACK - 2)

    def next_due(self, now: datetime, calendar: WorkCalendar, ledger_day: int) -> tuple[str, datetime]:
        """The next period to fall due after ``now`` and when."""
        if not self.monthly:
            d = now.date()
            for _ in range(400):
                at = self.due_at(d.isoformat(), calendar, ledger_day)
                if at is not None and at > now:
                    return d.isoformat(), at
                d += timedelta(days=1)
            raise ValueError("no working day within 400 days")
        period = add_months(month_of(now), -1)
        while True:
            at = self.due_at(period, calendar, ledger_day)
            if at > now:
                return period, at
            period = add_months(period, 1)


DAILY = Schedule("daily")
WORKDAY = Schedule("workday")
AFTER_LEDGER_DUE = Schedule("after_ledger_due")
WORKDAY_AFTER_LEDGER_DUE = Schedule("workday_after_ledger_due")
