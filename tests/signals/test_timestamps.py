"""Timestamp signals: SIG-SAMESEC, SIG-NIGHT and SIG-DATEONLY."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from supervision.standard.signals import SignalParams, timestamp_signals


def codes(signals):
    return sorted(s.code for s in signals)


def with_disposed(frame, rows, stamps):
    frame = frame.copy()
    col = frame["disposed_at"].to_numpy().copy()
    col[rows] = pd.to_datetime(pd.Series(stamps)).to_numpy(dtype="datetime64[ns]")
    frame["disposed_at"] = col
    return frame


def test_default_frame_has_no_timestamp_signal(make_frame):
    assert timestamp_signals(make_frame(500), "2026-09") == []


# -- SIG-SAMESEC -----------------------------------------------------------------------------
@pytest.mark.parametrize("k, fires", [(20, True), (19, False)])
def test_same_second_threshold(make_frame, k, fires):
    frame = with_disposed(make_frame(100), np.arange(30, 30 + k), ["2026-09-10 15:00:00"] * k)
    got = timestamp_signals(frame, "2026-09")
    assert codes(got) == (["SIG-SAMESEC"] if fires else [])
    if fires:
        (s,) = got
        assert s.value == 20 and s.baseline == 20 and s.title == "大量举报同一秒办结"
        assert s.examples == tuple(f"R{i:06d}" for i in range(31, 51))
        assert "最多的一次为 2026-09-10 15:00:00，同一秒办结 20 件" in s.message
        assert "零点整" not in s.message


def test_same_second_threshold_is_a_parameter_and_groups_are_counted(make_frame):
    frame = with_disposed(make_frame(100), np.arange(0, 12),
                          ["2026-09-10 15:00:00"] * 5 + ["2026-09-11 09:30:00"] * 7)
    assert timestamp_signals(frame, "2026-09") == []
    (s,) = timestamp_signals(frame, "2026-09", SignalParams(same_second_min=5))
    assert s.value == 7 and "本月有 2 个时刻各有 5 件以上举报在同一秒办结，共 12 件" in s.message
    assert s.examples == tuple(f"R{i:06d}" for i in range(6, 13))
    (s,) = timestamp_signals(frame, "2026-09", SignalParams(same_second_min=5, max_examples=3))
    assert s.examples == ("R000006", "R000007", "R000008")


def test_same_second_belongs_to_the_month_of_disposal(make_frame):
    frame = with_disposed(make_frame(100), np.arange(20), ["2026-10-02 15:00:00"] * 20)
    assert timestamp_signals(frame, "2026-09") == []
    assert codes(timestamp_signals(frame, "2026-10")) == ["SIG-SAMESEC"]


def test_same_second_at_midnight_is_noted(make_frame):
    frame = with_disposed(make_frame(200), np.arange(25), ["2026-09-10 00:00:00"] * 25)
    (s,) = timestamp_signals(frame, "2026-09")
    assert s.code == "SIG-SAMESEC" and "零点整，可能只填报了日期" in s.message


# -- SIG-DATEONLY ----------------------------------------------------------------------------
def test_date_only_disposals_signal_once_not_as_same_second(make_frame):
    frame = with_disposed(make_frame(40), np.arange(40), ["2026-09-10"] * 40)
    (s,) = timestamp_signals(frame, "2026-09")
    assert s.code == "SIG-DATEONLY" and s.title == "处置完成时间仅填报到日"
    assert s.value == 1.0 and "本月 100.0% 的处置完成时间（40/40 件）为零点整" in s.message


@pytest.mark.parametrize("midnight, total, fires", [(27, 30, True), (26, 30, False), (29, 29, False)])
def test_date_only_received_threshold(make_frame, midnight, total, fires):
    received = [f"2026-09-{1 + i % 28:02d}" for i in range(midnight)]
    received += [f"2026-09-{1 + i % 28:02d} 10:{i % 60:02d}:13" for i in range(total - midnight)]
    frame = make_frame(total, received_at=received,
                       disposed_at=[f"2026-09-29 1{i % 10}:{i % 60:02d}:05" for i in range(total)])
    got = timestamp_signals(frame, "2026-09")
    assert codes(got) == (["SIG-DATEONLY"] if fires else [])
    if fires:
        assert got[0].title == "受理时间仅填报到日" and got[0].value == pytest.approx(0.9)


# -- SIG-NIGHT -------------------------------------------------------------------------------
def night_frame(make_frame, night: int, total: int, clock: str = "03:{m:02d}:{s:02d}"):
    stamps = [f"2026-09-{5 + i // 60:02d} " + clock.format(m=i % 60, s=i % 7) for i in range(night)]
    return with_disposed(make_frame(total), np.arange(night), stamps)


@pytest.mark.parametrize("night, total, fires", [(50, 166, True), (50, 167, False), (49, 100, False)])
def test_night_thresholds(make_frame, night, total, fires):
    got = timestamp_signals(night_frame(make_frame, night, total), "2026-09")
    assert codes(got) == (["SIG-NIGHT"] if fires else [])
    if fires:
        (s,) = got
        assert s.value == pytest.approx(50 / 166) and s.baseline == 0.3
        assert "本月 50 件举报在 0 时至 6 时之间办结，占本月办结量（166 件）的 30.1%" in s.message
        assert len(s.examples) == 20 and s.examples[0] == "R000001"


def test_night_parameters(make_frame):
    frame = night_frame(make_frame, 30, 60)
    assert timestamp_signals(frame, "2026-09") == []
    (s,) = timestamp_signals(frame, "2026-09", SignalParams(night_min=30, night_share=0.5))
    assert s.code == "SIG-NIGHT"


@pytest.mark.parametrize("clock, fires", [("05:59:{s:02d}", True), ("06:00:{s:02d}", False),
                                          ("00:00:0{s}", True)])
def test_night_window_edges(make_frame, clock, fires):
    # 05:59:xx is night, 06:00:xx is not; 00:00:01–00:00:06 is night
    frame = night_frame(make_frame, 60, 100, clock)
    assert (codes(timestamp_signals(frame, "2026-09")) == ["SIG-NIGHT"]) is fires


def test_exact_midnight_is_not_night(make_frame):
    # 60 disposals at 00:00:00 on different days (two per day): not night, not date-only (60 %)
    stamps = [f"2026-09-{2 + i % 28:02d} 00:00:00" for i in range(60)]
    frame = with_disposed(make_frame(100), np.arange(60), stamps)
    assert timestamp_signals(frame, "2026-09") == []
