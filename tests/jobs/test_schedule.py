"""When the scheduled jobs fall due: pure functions of the time, the working-day calendar and the
ledger due day, driven across a month end and the 2026 National Day holiday (Oct 1–7 off,
Saturday Oct 10 a working day)."""
from datetime import date, datetime, timedelta

import pytest

from supervision.jobs.schedule import (AFTER_LEDGER_DUE, DAILY, MONTHLY_LOOKBACK, WORKDAY, WORKDAY_AFTER_LEDGER_DUE,
                                       Schedule, add_months, month_of)
from supervision.standard.workdays import UnknownYearError, WorkCalendar, default_calendar

CAL = default_calendar()
N = 5  # ledger_due_working_day (default)


def mornings(first: date, last: date, hour: int = 7):
    d = first
    while d <= last:
        yield datetime.combine(d, datetime.min.time()).replace(hour=hour)
        d += timedelta(days=1)


def due_days(schedule: Schedule, first: date, last: date, period: str) -> list[date]:
    """The mornings on which ``period`` is among the periods due."""
    return [t.date() for t in mornings(first, last) if period in schedule.periods_due(t, CAL, N)]


def test_month_arithmetic():
    assert add_months("2026-12", 1) == "2027-01"
    assert add_months("2026-01", -1) == "2025-12"
    assert add_months("2026-10", -14) == "2025-08"
    assert month_of(date(2026, 10, 31)) == "2026-10"


def test_daily_jobs_are_due_every_morning_from_six():
    assert DAILY.periods_due(datetime(2026, 10, 3, 5, 59), CAL, N) == []
    assert DAILY.periods_due(datetime(2026, 10, 3, 6, 0), CAL, N) == ["2026-10-03"]
    assert DAILY.periods_due(datetime(2026, 10, 31, 23, 59), CAL, N) == ["2026-10-31"]
    assert DAILY.periods_due(datetime(2026, 11, 1, 6, 1), CAL, N) == ["2026-11-01"]  # across the month end


def test_workday_jobs_skip_the_national_day_holiday_and_run_on_the_makeup_saturday():
    ran = [t.date() for t in mornings(date(2026, 9, 28), date(2026, 10, 13)) if WORKDAY.periods_due(t, CAL, N)]
    assert ran == [date(2026, 9, 28), date(2026, 9, 29), date(2026, 9, 30), date(2026, 10, 8), date(2026, 10, 9),
                   date(2026, 10, 10), date(2026, 10, 12), date(2026, 10, 13)]
    assert WORKDAY.next_due(datetime(2026, 9, 30, 8, 0), CAL, N) == ("2026-10-08", datetime(2026, 10, 8, 6, 0))


def test_led_checks_for_september_wait_for_the_fifth_working_day_after_the_holiday():
    # Working days of October 2026 after the holiday: 8, 9, 10 (Saturday), 12, 13 → due Oct 13 23:59:59.
    assert CAL.ledger_due("2026-09", N) == datetime(2026, 10, 13, 23, 59, 59)
    assert AFTER_LEDGER_DUE.due_at("2026-09", CAL, N) == datetime(2026, 10, 14, 6, 0)
    days = due_days(AFTER_LEDGER_DUE, date(2026, 10, 1), date(2026, 10, 31), "2026-09")
    assert days[0] == date(2026, 10, 14) and days[-1] == date(2026, 10, 31)
    assert "2026-09" not in AFTER_LEDGER_DUE.periods_due(datetime(2026, 10, 13, 23, 59, 59), CAL, N)


def test_bulletin_draft_falls_on_the_working_day_after_the_due_day():
    # October's ledgers are due Friday Nov 6 (Nov 2–6 are the first five working days):
    # LED checks on Saturday Nov 7, the bulletin draft on Monday Nov 9.
    assert CAL.ledger_due("2026-10", N) == datetime(2026, 11, 6, 23, 59, 59)
    assert due_days(AFTER_LEDGER_DUE, date(2026, 11, 1), date(2026, 11, 10), "2026-10")[0] == date(2026, 11, 7)
    assert due_days(WORKDAY_AFTER_LEDGER_DUE, date(2026, 11, 1), date(2026, 11, 10), "2026-10")[0] == date(2026, 11, 9)
    # September's draft: due Tuesday Oct 13 → Wednesday Oct 14.
    assert WORKDAY_AFTER_LEDGER_DUE.due_at("2026-09", CAL, N) == datetime(2026, 10, 14, 6, 0)


def test_the_due_day_follows_the_parameter():
    assert AFTER_LEDGER_DUE.due_at("2026-10", CAL, 1) == datetime(2026, 11, 3, 6, 0)  # due Monday Nov 2
    assert WORKDAY_AFTER_LEDGER_DUE.due_at("2026-10", CAL, 10) == datetime(2026, 11, 16, 6, 0)  # due Nov 13 (Fri)


def test_monthly_jobs_catch_up_a_missed_month_but_not_more():
    now = datetime(2026, 11, 20, 9, 0)
    assert AFTER_LEDGER_DUE.periods_due(now, CAL, N) == ["2026-09", "2026-10"]
    assert len(AFTER_LEDGER_DUE.periods_due(now, CAL, N)) == MONTHLY_LOOKBACK
    # Before October's due date only September and August are due.
    assert AFTER_LEDGER_DUE.periods_due(datetime(2026, 11, 6, 12, 0), CAL, N) == ["2026-08", "2026-09"]
    assert AFTER_LEDGER_DUE.current_period(datetime(2026, 11, 6, 12, 0), CAL, N) == "2026-09"
    assert AFTER_LEDGER_DUE.current_period(now, CAL, N) == "2026-10"
    assert AFTER_LEDGER_DUE.next_due(now, CAL, N) == ("2026-11", datetime(2026, 12, 8, 6, 0))


def test_across_the_year_end_the_office_calendar_is_needed():
    package_last = max(default_calendar().known_years)
    jan = datetime(package_last + 1, 1, 20, 9, 0)
    with pytest.raises(UnknownYearError):
        AFTER_LEDGER_DUE.periods_due(jan, CAL, N)
    declared = WorkCalendar(known_years=[package_last + 1])  # weekdays only, as declared by the office
    assert f"{package_last}-12" in AFTER_LEDGER_DUE.periods_due(jan, declared, N)


@pytest.mark.parametrize("schedule, good, bad", [
    (DAILY, "2026-10-01", "2026-10"), (WORKDAY, "2026-10-08", "2026-13-01"),
    (AFTER_LEDGER_DUE, "2026-09", "2026-09-01"), (WORKDAY_AFTER_LEDGER_DUE, "2026-10", "26-10"),
])
def test_period_formats(schedule, good, bad):
    assert schedule.valid_period(good) and not schedule.valid_period(bad)


def test_schedules_describe_themselves_in_chinese():
    assert "第 5 个工作日" in AFTER_LEDGER_DUE.describe(5)
    assert WORKDAY.describe(5) == "每个工作日 06:00"
    with pytest.raises(ValueError):
        Schedule("hourly")
