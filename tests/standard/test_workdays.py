"""The working-day calendar and deadline(t, n) of rules.md."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from supervision.standard.workdays import UnknownYearError, WorkCalendar, default_calendar

D = date
T = datetime


def days(start: date, end: date):
    d = start
    while d <= end:
        yield d
        d += timedelta(days=1)


# Published State Council arrangements (国务院办公厅关于节假日安排的通知), typed in by hand.
HOLIDAY_SPANS = [
    (D(2024, 1, 1), D(2024, 1, 1)),  # 元旦
    (D(2024, 2, 10), D(2024, 2, 17)),  # 春节
    (D(2024, 4, 4), D(2024, 4, 6)),  # 清明
    (D(2024, 5, 1), D(2024, 5, 5)),  # 劳动节
    (D(2024, 6, 8), D(2024, 6, 10)),  # 端午
    (D(2024, 9, 15), D(2024, 9, 17)),  # 中秋
    (D(2024, 10, 1), D(2024, 10, 7)),  # 国庆
    (D(2025, 1, 1), D(2025, 1, 1)),
    (D(2025, 1, 28), D(2025, 2, 4)),
    (D(2025, 4, 4), D(2025, 4, 6)),
    (D(2025, 5, 1), D(2025, 5, 5)),
    (D(2025, 5, 31), D(2025, 6, 2)),
    (D(2025, 10, 1), D(2025, 10, 8)),  # 国庆 + 中秋
    (D(2026, 1, 1), D(2026, 1, 3)),
    (D(2026, 2, 15), D(2026, 2, 23)),
    (D(2026, 4, 4), D(2026, 4, 6)),
    (D(2026, 5, 1), D(2026, 5, 5)),
    (D(2026, 6, 19), D(2026, 6, 21)),
    (D(2026, 9, 25), D(2026, 9, 27)),  # 中秋
    (D(2026, 10, 1), D(2026, 10, 7)),  # 国庆
]
MAKEUP_DAYS = [  # weekend days that are working days (调休上班)
    D(2024, 2, 4), D(2024, 2, 18), D(2024, 4, 7), D(2024, 4, 28), D(2024, 5, 11),
    D(2024, 9, 14), D(2024, 9, 29), D(2024, 10, 12),
    D(2025, 1, 26), D(2025, 2, 8), D(2025, 4, 27), D(2025, 9, 28), D(2025, 10, 11),
    D(2026, 1, 4), D(2026, 2, 14), D(2026, 2, 28), D(2026, 5, 9), D(2026, 9, 20), D(2026, 10, 10),
]


@pytest.mark.parametrize("span", HOLIDAY_SPANS, ids=lambda s: str(s[0]))
def test_holidays_are_rest_days(span):
    cal = default_calendar()
    for d in days(*span):
        assert cal.is_workday(d) is False, d


@pytest.mark.parametrize("d", MAKEUP_DAYS, ids=str)
def test_makeup_weekend_days_are_working_days(d):
    assert d.weekday() >= 5
    assert default_calendar().is_workday(d) is True


def test_national_day_2025_and_its_makeup_days():
    cal = default_calendar()
    assert [cal.is_workday(D(2025, 10, i)) for i in range(1, 13)] == [
        False] * 8 + [True, True, True, False]  # 10-09 Thu, 10-10 Fri, 10-11 Sat work; 10-12 Sun
    assert cal.is_workday(D(2025, 9, 28)) and D(2025, 9, 28).weekday() == 6  # a Sunday
    assert cal.is_workday(D(2025, 10, 11)) and D(2025, 10, 11).weekday() == 5  # a Saturday


def test_ordinary_weekdays_and_weekends():
    cal = default_calendar()
    assert cal.is_workday(D(2026, 11, 20))  # Friday
    assert not cal.is_workday(D(2026, 11, 21))  # Saturday
    assert not cal.is_workday(D(2026, 11, 22))  # Sunday
    assert cal.is_workday(T(2026, 11, 23, 23, 59))  # a date-time counts by its date


@pytest.mark.parametrize("year", [2024, 2025, 2026])
def test_whole_years_match_the_published_arrangements(year):
    cal = default_calendar()
    rest = {d for span in HOLIDAY_SPANS for d in days(*span)}
    makeup = set(MAKEUP_DAYS)
    for d in days(D(year, 1, 1), D(year, 12, 31)):
        expected = d in makeup or (d.weekday() < 5 and d not in rest)
        assert cal.is_workday(d) is expected, d
    vec = cal.is_workdays(list(days(D(year, 1, 1), D(year, 12, 31))))
    assert vec.sum() == sum(cal.is_workday(d) for d in days(D(year, 1, 1), D(year, 12, 31)))


# -- deadline ---------------------------------------------------------------------------

@pytest.mark.parametrize("t, n, expected", [
    # rules.md examples: just before the 2026 Mid-Autumn break, and past National Day
    (T(2026, 9, 24, 10, 0), 3, T(2026, 9, 30, 23, 59, 59)),
    (T(2026, 9, 24, 10, 0), 7, T(2026, 10, 12, 23, 59, 59)),
    # the day of receipt never counts, whatever the hour
    (T(2026, 9, 1, 0, 0, 0), 1, T(2026, 9, 2, 23, 59, 59)),
    (T(2026, 9, 1, 23, 59, 59), 1, T(2026, 9, 2, 23, 59, 59)),
    (T(2026, 9, 4, 18, 0), 1, T(2026, 9, 7, 23, 59, 59)),  # Friday -> Monday
    # received on a holiday or a weekend: counting starts on the next working day
    (T(2026, 9, 25, 10, 0), 3, T(2026, 9, 30, 23, 59, 59)),
    (T(2026, 10, 3, 10, 0), 1, T(2026, 10, 8, 23, 59, 59)),
    (T(2025, 10, 1, 8, 0), 3, T(2025, 10, 11, 23, 59, 59)),  # 10-09, 10-10, Saturday 10-11
    # a make-up working Sunday/Saturday counts as a working day
    (T(2026, 9, 19, 10, 0), 1, T(2026, 9, 20, 23, 59, 59)),  # Sunday 09-20 is a working day
    (T(2026, 9, 19, 10, 0), 3, T(2026, 9, 22, 23, 59, 59)),
    (T(2025, 9, 26, 10, 0), 1, T(2025, 9, 28, 23, 59, 59)),  # Sunday 2025-09-28
    (T(2026, 10, 9, 10, 0), 1, T(2026, 10, 10, 23, 59, 59)),  # Saturday 2026-10-10
    # received on a make-up working day: that day still does not count
    (T(2026, 10, 10, 9, 0), 1, T(2026, 10, 12, 23, 59, 59)),
    # spans over National Day
    (T(2024, 9, 30, 9, 0), 3, T(2024, 10, 10, 23, 59, 59)),  # 10-08, 10-09, 10-10
    (T(2025, 9, 30, 9, 0), 1, T(2025, 10, 9, 23, 59, 59)),
    (T(2025, 9, 30, 9, 0), 7, T(2025, 10, 16, 23, 59, 59)),  # 10-09 10 11 13 14 15 16
    # a year boundary
    (T(2025, 12, 31, 9, 0), 1, T(2026, 1, 4, 23, 59, 59)),  # 01-01..03 off, 01-04 (Sun) works
    (T(2025, 12, 31, 9, 0), 2, T(2026, 1, 5, 23, 59, 59)),
])
def test_deadline_examples(t, n, expected):
    cal = default_calendar()
    assert cal.deadline(t, n) == expected
    assert cal.deadlines(pd.Series([t]), n)[0] == np.datetime64(expected, "ns")


def test_deadline_accepts_dates_timestamps_and_rejects_bad_n():
    cal = default_calendar()
    assert cal.deadline(D(2026, 9, 24), 3) == T(2026, 9, 30, 23, 59, 59)
    assert cal.deadline(pd.Timestamp("2026-09-24 10:00"), 3) == T(2026, 9, 30, 23, 59, 59)
    for bad in (0, -1, 1.5, True):
        with pytest.raises(ValueError):
            cal.deadline(T(2026, 9, 24), bad)
    with pytest.raises(ValueError):
        cal.deadlines([T(2026, 9, 24)], 0)


def test_vectorised_deadlines_handle_nat_where_and_per_row_n():
    cal = default_calendar()
    t = pd.Series([T(2026, 9, 24, 10), None, T(2026, 9, 24, 10), T(2026, 9, 1)], dtype="datetime64[ns]")
    out = cal.deadlines(t, np.array([3, 3, 7, 1]))
    assert list(pd.to_datetime(out)) == [pd.Timestamp("2026-09-30 23:59:59"), pd.NaT,
                                         pd.Timestamp("2026-10-12 23:59:59"), pd.Timestamp("2026-09-02 23:59:59")]
    masked = cal.deadlines(t, 3, where=[True, True, False, True])
    assert np.isnat(masked[2]) and not np.isnat(masked[0])


def test_exceeds_boundary_is_strict():
    cal = default_calendar()
    t = [T(2026, 9, 24, 10)] * 3
    x = [T(2026, 9, 30, 23, 59, 59), T(2026, 10, 1, 0, 0, 0), T(2026, 9, 30, 23, 59, 58)]
    hit, dl = cal.exceeds(x, t, 3)
    assert hit.tolist() == [False, True, False]
    assert dl[1] == np.datetime64("2026-09-30T23:59:59", "ns")


def test_count_workdays():
    cal = default_calendar()
    got = cal.count_workdays([T(2026, 9, 30, 23, 59, 59), T(2026, 9, 30), T(2026, 9, 1)],
                             [T(2026, 10, 12, 8), T(2026, 10, 7), T(2026, 9, 1)])
    assert got.tolist() == [4, 0, -1]


# -- unknown years ------------------------------------------------------------------------

def test_unknown_year_raises_with_chinese_message_naming_the_year():
    cal = default_calendar()
    with pytest.raises(UnknownYearError) as e:
        cal.is_workday(D(2027, 1, 4))
    assert e.value.year == 2027
    assert str(e.value) == "工作日历未包含2027年的节假日安排，请管理员先录入"
    with pytest.raises(UnknownYearError, match="2027年"):
        cal.deadline(T(2026, 12, 30, 10), 3)  # would need 2027-01 days
    with pytest.raises(UnknownYearError, match="2027年"):
        cal.deadlines([T(2026, 12, 30, 10)], 3)
    with pytest.raises(UnknownYearError, match="2003年"):
        cal.deadline(T(2003, 6, 1), 1)
    with pytest.raises(UnknownYearError, match="2027年"):
        cal.is_workdays([T(2026, 1, 5), T(2027, 1, 5)])


def test_never_guesses_weekends_only():
    cal = default_calendar()
    # A Monday of 2027 would be a working day under a weekends-only guess: it must raise instead.
    with pytest.raises(UnknownYearError):
        cal.is_workday(D(2027, 3, 1))


def test_exceeds_raises_only_when_the_unknown_year_matters():
    cal = default_calendar()
    # deadline(2026-12-30, 3) lies in 2027, so it is certainly later than 2026-12-31 23:59:59
    hit, dl = cal.exceeds([T(2026, 12, 31, 23, 59, 59)], [T(2026, 12, 30, 10)], 3)
    assert hit.tolist() == [False] and np.isnat(dl[0])
    with pytest.raises(UnknownYearError, match="2027年.*R9"):
        cal.exceeds([T(2027, 1, 8)], [T(2026, 12, 30, 10)], 3, labels=["R9"])


# -- overrides and declared years ------------------------------------------------------------

def test_declared_year_with_overrides():
    overrides = {D(2027, 1, 1): False, "2027-02-06": True}  # New Year; a made-up working Saturday
    cal = WorkCalendar(overrides, known_years=[2027])
    assert 2027 in cal.known_years and 2026 in cal.known_years
    assert cal.is_workday(D(2027, 1, 1)) is False
    assert cal.is_workday(D(2027, 2, 6)) is True
    assert cal.is_workday(D(2027, 1, 4)) is True  # weekday rule within a declared year
    assert cal.deadline(T(2026, 12, 30, 10), 3) == T(2027, 1, 5, 23, 59, 59)
    with pytest.raises(UnknownYearError, match="2028年"):
        cal.deadline(T(2027, 12, 30), 3)


def test_overrides_for_an_undeclared_year_do_not_make_it_known():
    cal = WorkCalendar({D(2027, 1, 1): False})
    with pytest.raises(UnknownYearError):
        cal.is_workday(D(2027, 1, 1))


def test_override_corrects_a_package_year_and_changes_the_version():
    base = default_calendar()
    corrected = WorkCalendar({D(2026, 9, 29): False})  # the office closes a day
    assert base.is_workday(D(2026, 9, 29)) and not corrected.is_workday(D(2026, 9, 29))
    assert corrected.deadline(T(2026, 9, 24, 10), 3) == T(2026, 10, 8, 23, 59, 59)
    assert corrected.deadlines([T(2026, 9, 24, 10)], 3)[0] == np.datetime64("2026-10-08T23:59:59", "ns")
    assert base.version != corrected.version
    assert WorkCalendar().version == base.version  # same content, same version
    # an override that restates the package changes nothing
    assert WorkCalendar({D(2026, 9, 25): False}).version == base.version
    assert base.version.startswith("wc-")


def test_gap_between_known_years_raises():
    cal = WorkCalendar(known_years=[2028])  # 2027 unknown between 2026 and 2028
    with pytest.raises(UnknownYearError, match="2027年"):
        cal.deadlines([T(2026, 12, 30)], 3)
    assert cal.deadline(T(2028, 3, 1), 1) == T(2028, 3, 2, 23, 59, 59)


def test_special_days_lists_holidays_and_makeup_days():
    cal = default_calendar()
    special = dict(cal.special_days(2026))
    assert special[D(2026, 9, 25)] is False and special[D(2026, 10, 10)] is True
    assert D(2026, 9, 26) not in special  # an ordinary Saturday


# -- vectorised == scalar ------------------------------------------------------------------

_dt = st.datetimes(min_value=T(2004, 1, 1), max_value=T(2026, 12, 10))


@settings(max_examples=150, deadline=None)
@given(times=st.lists(_dt, min_size=1, max_size=30), n=st.integers(1, 10))
def test_vectorised_deadline_equals_scalar(times, n):
    cal = default_calendar()
    vec = cal.deadlines(pd.Series(times, dtype="datetime64[ns]"), n)
    assert [pd.Timestamp(v).to_pydatetime() for v in vec] == [cal.deadline(t, n) for t in times]


@settings(max_examples=100, deadline=None)
@given(pairs=st.lists(st.tuples(_dt, st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=25)),
                                st.integers(1, 8)), min_size=1, max_size=30))
def test_vectorised_exceeds_equals_scalar(pairs):
    cal = default_calendar()
    t = [p[0] for p in pairs]
    x = [p[0] + p[1] for p in pairs]
    n = np.array([p[2] for p in pairs])
    hit, _ = cal.exceeds(pd.Series(x, dtype="datetime64[ns]"), pd.Series(t, dtype="datetime64[ns]"), n)
    assert hit.tolist() == [xi > cal.deadline(ti, ni) for xi, ti, ni in zip(x, t, n)]


@settings(max_examples=50, deadline=None)
@given(ds=st.lists(st.dates(min_value=D(2004, 1, 1), max_value=D(2027, 12, 31)), min_size=1, max_size=40),
       n=st.integers(1, 6))
def test_vectorised_equals_scalar_with_office_overrides(ds, n):
    cal = WorkCalendar({D(2027, 1, 1): False, D(2027, 2, 6): True, D(2026, 9, 29): False},
                       known_years=[2027])
    ds = [d for d in ds if d <= D(2027, 12, 15)]
    if not ds:
        return
    times = [T(d.year, d.month, d.day, 12) for d in ds]
    assert cal.is_workdays(times).tolist() == [cal.is_workday(d) for d in ds]
    vec = cal.deadlines(times, n)
    assert [pd.Timestamp(v).to_pydatetime() for v in vec] == [cal.deadline(t, n) for t in times]
