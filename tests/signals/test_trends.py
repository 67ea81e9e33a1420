"""monthly_profile and the trend signals SIG-VOL, SIG-REJ and SIG-REM."""
from __future__ import annotations

import math

import pandas as pd
import pytest

from supervision.standard.signals import (PROFILE_COLUMNS, Signal, SignalParams, all_signals,
                                          monthly_profile, trend_signals)


def codes(signals):
    return [s.code for s in signals]


# -- monthly_profile -------------------------------------------------------------------------
def test_profile_counts_shares_and_fills_gap_months(make_frame):
    july = make_frame(10, "2026-07", acceptance=["不予受理"] * 3 + ["受理"] * 7,
                      status=["已办结"] * 9 + ["办理中"],
                      measures=["", "", "", "删除", "屏蔽；澄清回应", "断开链接", "争议标记",
                                "无需处置", "谣言标签", "删除"])
    september = make_frame(4, "2026-09", start=100, acceptance="待补充材料", status="办理中",
                           measures="")
    p = monthly_profile(pd.concat([july, september], ignore_index=True))
    assert list(p.columns) == list(PROFILE_COLUMNS)
    assert list(p.index) == ["2026-07", "2026-08", "2026-09"]
    assert p.loc["2026-07", "reports"] == 10
    assert p.loc["2026-07", "rejected"] == 3
    assert p.loc["2026-07", "rejected_share"] == pytest.approx(0.3)
    # accepted and concluded: rows 3..8 (row 9 is still open)
    assert p.loc["2026-07", "concluded_accepted"] == 6
    assert p.loc["2026-07", "removals"] == 3
    assert p.loc["2026-07", "removal_share"] == pytest.approx(0.5)
    assert p.loc["2026-08", "reports"] == 0
    assert math.isnan(p.loc["2026-08", "rejected_share"])
    assert p.loc["2026-09", "reports"] == 4
    assert p.loc["2026-09", "concluded_accepted"] == 0
    assert math.isnan(p.loc["2026-09", "removal_share"])


def test_profile_of_empty_frame(make_frame):
    p = monthly_profile(make_frame(0))
    assert len(p) == 0 and list(p.columns) == list(PROFILE_COLUMNS)
    assert trend_signals(p, "2026-09") == []


# -- SIG-VOL ---------------------------------------------------------------------------------
@pytest.mark.parametrize("volume, fires", [(131, True), (130, False), (69, True), (70, False)])
def test_volume_poisson_floor(make_profile, trailing_months, volume, fires):
    # trailing sd 0: the band is 100 ± 3·√100 = [70, 130]; 30 % of 100 is 30 too
    p = make_profile(trailing_months + ["2026-09"], [100] * 6 + [volume])
    got = [s for s in trend_signals(p, "2026-09") if s.code == "SIG-VOL"]
    assert bool(got) is fires
    if fires:
        assert got[0].value == volume and got[0].baseline == 100
        assert got[0].title == ("受理量骤增" if volume > 100 else "受理量骤降")


@pytest.mark.parametrize("volume, fires", [(208, True), (207, False)])
def test_volume_trailing_sd(make_profile, trailing_months, volume, fires):
    # mean 100, sd √(6400/5) = 35.78: band 100 ± 107.3
    p = make_profile(trailing_months + ["2026-09"], [100, 140, 60, 100, 140, 60, volume])
    assert ("SIG-VOL" in codes(trend_signals(p, "2026-09"))) is fires


@pytest.mark.parametrize("volume, fires", [(13000, True), (12999, False), (7000, True), (7001, False)])
def test_volume_relative_floor_on_steady_large_platform(make_profile, trailing_months, volume, fires):
    # 3·√10000 = 300 would flag a 3 % change; the 30 % floor keeps 2,999 quiet
    p = make_profile(trailing_months + ["2026-09"], [10000] * 6 + [volume])
    assert ("SIG-VOL" in codes(trend_signals(p, "2026-09"))) is fires


def test_volume_message_has_the_figures(make_profile, trailing_months):
    p = make_profile(trailing_months + ["2026-09"], [3210] * 6 + [1234])
    (s,) = [s for s in trend_signals(p, "2026-09") if s.code == "SIG-VOL"]
    assert isinstance(s, Signal) and s.month == "2026-09"
    assert s.message.startswith("本月受理量 1,234 件，较前 6 个月均值 3,210 件下降 62%")
    assert s.examples == ()


def test_volume_after_empty_trailing_months(make_profile, trailing_months):
    p = make_profile(trailing_months + ["2026-09"], [0] * 6 + [4])
    (s,) = trend_signals(p, "2026-09")
    assert s.code == "SIG-VOL" and "前 6 个月均无举报" in s.message
    p = make_profile(trailing_months + ["2026-09"], [0] * 6 + [3])
    assert trend_signals(p, "2026-09") == []


def test_no_trend_signal_with_short_history(make_profile):
    # two trailing months: nothing, however extreme
    p = make_profile(["2026-07", "2026-08", "2026-09"], [100, 100, 5000],
                     rejected=[0, 0, 5000], removals=[100, 100, 0])
    assert trend_signals(p, "2026-09") == []
    # three trailing months: every signal
    p = make_profile(["2026-06", "2026-07", "2026-08", "2026-09"], [100, 100, 100, 5000],
                     rejected=[0, 0, 0, 4000], concluded_accepted=[100, 100, 100, 1000],
                     removals=[100, 100, 100, 0])
    assert sorted(codes(trend_signals(p, "2026-09"))) == ["SIG-REJ", "SIG-REM", "SIG-VOL"]
    # the platform's first month, or a month before it
    assert trend_signals(p, "2026-06") == []
    assert trend_signals(p, "2026-01") == []


def test_min_trailing_is_a_parameter(make_profile):
    p = make_profile(["2026-07", "2026-08", "2026-09"], [100, 100, 5000])
    assert codes(trend_signals(p, "2026-09", params=SignalParams(min_trailing=2))) == ["SIG-VOL"]


def test_trailing_window_length(make_profile, trailing_months):
    # a huge month long ago inflates the 6-month sd; with trailing=3 it is out of the window
    p = make_profile(trailing_months + ["2026-09"], [1000, 100, 100, 100, 100, 100, 200])
    assert "SIG-VOL" not in codes(trend_signals(p, "2026-09", trailing=6))
    (s,) = trend_signals(p, "2026-09", trailing=3)
    assert "前 3 个月" in s.message


def test_months_without_reports_count_as_zero(make_profile):
    # reports stop after June: a July with no reports is a drop against Apr–Jun
    p = make_profile(["2026-04", "2026-05", "2026-06"], [100, 100, 100])
    (s,) = trend_signals(p, "2026-07", trailing=3)
    assert s.code == "SIG-VOL" and s.title == "受理量骤降" and s.value == 0 and s.baseline == 100
    # a month missing inside the profile counts as 0 reports in the trailing mean
    p = make_profile(["2026-04", "2026-05", "2026-06", "2026-08", "2026-09"], [100, 100, 100, 100, 1000])
    (s,) = trend_signals(p, "2026-09", trailing=4)
    assert s.baseline == 75 and "较前 4 个月均值 75 件上升 1233%" in s.message


# -- SIG-REJ / SIG-REM ----------------------------------------------------------------------
@pytest.mark.parametrize("rejected, fires", [(21, True), (20, False)])
def test_rejection_share_floor(make_profile, trailing_months, rejected, fires):
    # 10 % in 600 trailing reports; n = 100: binomial band ±8.8 points < the 10-point floor
    p = make_profile(trailing_months + ["2026-09"], [100] * 7, rejected=[10] * 6 + [rejected])
    got = [s for s in trend_signals(p, "2026-09") if s.code == "SIG-REJ"]
    assert bool(got) is fires
    if fires:
        assert got[0].value == pytest.approx(0.21) and got[0].baseline == pytest.approx(0.1)
        assert got[0].title == "不予受理占比异常升高"
        assert "21.0%（21/100 件举报），前 6 个月合计为 10.0%（60/600），上升 11.0 个百分点" in got[0].message


@pytest.mark.parametrize("rejected, fires", [(6, True), (5, False)])
def test_rejection_share_binomial_band_on_small_month(make_profile, trailing_months, rejected, fires):
    # n = 20: the 99 % band is about ±18 points, wider than the floor: 5/20 (+15) is noise
    p = make_profile(trailing_months + ["2026-09"], [100] * 6 + [20], rejected=[10] * 6 + [rejected])
    assert ("SIG-REJ" in codes(trend_signals(p, "2026-09"))) is fires


def test_share_needs_a_month_base(make_profile, trailing_months):
    p = make_profile(trailing_months + ["2026-09"], [100] * 6 + [19], rejected=[10] * 6 + [19])
    assert "SIG-REJ" not in codes(trend_signals(p, "2026-09"))
    p = make_profile(trailing_months + ["2026-09"], [100] * 6 + [19], rejected=[10] * 6 + [19])
    assert "SIG-REJ" in codes(trend_signals(p, "2026-09", params=SignalParams(share_min_base=19)))


def test_share_from_a_zero_baseline(make_profile, trailing_months):
    p = make_profile(trailing_months + ["2026-09"], [100] * 7, rejected=[0] * 6 + [11])
    (s,) = [s for s in trend_signals(p, "2026-09") if s.code == "SIG-REJ"]
    assert s.baseline == 0 and s.value == pytest.approx(0.11)
    p = make_profile(trailing_months + ["2026-09"], [100] * 7, rejected=[0] * 6 + [10])
    assert "SIG-REJ" not in codes(trend_signals(p, "2026-09"))


def test_removal_share_drop(make_profile, trailing_months):
    p = make_profile(trailing_months + ["2026-09"], [100] * 7, concluded_accepted=[50] * 7,
                     removals=[40] * 6 + [15])
    (s,) = trend_signals(p, "2026-09")
    assert s.code == "SIG-REM" and s.title == "删除类处置占比异常降低"
    assert s.value == pytest.approx(0.3) and s.baseline == pytest.approx(0.8)
    assert "下降 50.0 个百分点" in s.message
    p = make_profile(trailing_months + ["2026-09"], [100] * 7, concluded_accepted=[50] * 7,
                     removals=[40] * 6 + [36])
    assert trend_signals(p, "2026-09") == []


def test_trailing_months_without_a_denominator_do_not_count(make_profile, trailing_months):
    # only two trailing months had accepted and concluded reports
    p = make_profile(trailing_months + ["2026-09"], [100] * 7,
                     concluded_accepted=[0, 0, 0, 0, 50, 50, 50], removals=[0, 0, 0, 0, 40, 40, 0])
    assert "SIG-REM" not in codes(trend_signals(p, "2026-09"))
    p = make_profile(trailing_months + ["2026-09"], [100] * 7,
                     concluded_accepted=[0, 0, 0, 50, 50, 50, 50], removals=[0, 0, 0, 40, 40, 40, 0])
    assert "SIG-REM" in codes(trend_signals(p, "2026-09"))


def test_trends_from_a_frame(make_frame):
    months = ["2026-04", "2026-05", "2026-06", "2026-07", "2026-08"]
    parts = [make_frame(60, m, start=100 * i, acceptance=["不予受理"] * 6 + ["受理"] * 54)
             for i, m in enumerate(months)]
    parts.append(make_frame(60, "2026-09", start=900, acceptance=["不予受理"] * 30 + ["受理"] * 30,
                            measures=["删除"] * 40 + ["争议标记"] * 20))
    frame = pd.concat(parts, ignore_index=True)
    got = {s.code: s for s in all_signals(frame, "2026-09")}
    assert set(got) == {"SIG-REJ", "SIG-REM"}
    assert got["SIG-REJ"].value == pytest.approx(0.5) and got["SIG-REJ"].baseline == pytest.approx(0.1)
    # among the 30 accepted September reports, rows 30..39 are removals
    assert got["SIG-REM"].value == pytest.approx(10 / 30) and got["SIG-REM"].baseline == 1.0
    assert all_signals(frame, "2026-08") == []
    # month given as a Period or with one digit
    assert [s.code for s in all_signals(frame, pd.Period("2026-09", "M"))] == list(got)
    assert [s.code for s in all_signals(frame, "2026-9")] == list(got)
