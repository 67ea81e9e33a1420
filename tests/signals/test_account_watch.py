"""The cross-platform account watch."""
from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest

from supervision.standard.account_watch import (ACCOUNT_WATCH_COLUMNS, account_watch,
                                                normalise_account)


@pytest.mark.parametrize("raw, key", [
    ("ＡＢＣ１２３", "abc123"), ("  Abc123\u3000", "abc123"), ("\u3000ａｂｃ　１２３ ", "abc 123"),
    ("Straße", "strasse"), ("用户Ａ", "用户a"), ("", ""), ("  \u3000", ""), (None, ""),
    (float("nan"), ""), (pd.NA, ""),
])
def test_normalise_account(raw, key):
    assert normalise_account(raw) == key


def test_spellings_are_one_account_and_empty_is_ignored(make_frame):
    frame = make_frame(8, reported_account=["ＡＢＣ１２３", " abc123 ", "Abc123\u3000", "", None,
                                            "\u3000", "other", "ＡＢＣ１２３"])
    table = account_watch({"P1": frame})
    assert list(table.columns) == list(ACCOUNT_WATCH_COLUMNS)
    assert list(table["account"]) == ["abc123", "other"]
    assert list(table["reports"]) == [4, 1]
    # the most frequent spelling; on a tie the smallest, whatever the order of the rows
    assert table.loc[0, "spelling"] == "ＡＢＣ１２３"
    tie = make_frame(3, reported_account=["b ", "B", "b"])
    assert account_watch({"P1": tie}).loc[0, "spelling"] == "b"
    assert account_watch({"P1": tie.iloc[::-1]}).loc[0, "spelling"] == "b"
    tie = make_frame(2, reported_account=["b", "B"])
    assert account_watch({"P1": tie}).loc[0, "spelling"] == "B"
    assert account_watch({"P1": tie.iloc[::-1]}).loc[0, "spelling"] == "B"


def test_cross_platform_counting(make_frame):
    p1 = make_frame(4, reported_account=["acc", "acc", "ACC", "solo"], category="误导性信息",
                    account_action=["无", "禁言", "无", "无"])
    p2 = make_frame(2, reported_account=["Acc", "x"], category=["仿冒性信息", "误导性信息"],
                    received_at=["2026-08-30 10:00:00", "2026-09-02 10:00:00"])
    p3 = make_frame(1, reported_account="ａｃｃ", subject_type="涉个人", category="网络暴力",
                    received_at="2026-09-28 23:00:00", account_action="关闭账号")
    table = account_watch({"P3": p3, "P1": p1, "P2": p2})
    row = table.iloc[0]
    assert row["account"] == "acc" and row["reports"] == 5 and row["platforms"] == 3
    assert row["platform_codes"] == "P1；P2；P3"
    assert row["platform_reports"] == "P1:3；P2:1；P3:1"
    assert row["categories"] == "仿冒性信息；误导性信息；网络暴力"  # order of ledger.md
    assert row["first_received_at"] == pd.Timestamp("2026-08-30 10:00:00")
    assert row["last_received_at"] == pd.Timestamp("2026-09-28 23:00:00")
    assert row["actioned"] == 2
    assert bool(row["flagged"])
    # the same from one frame with a platform_code column
    one = pd.concat([p3.assign(platform_code="P3"), p1.assign(platform_code="P1"),
                     p2.assign(platform_code="P2")], ignore_index=True)
    pd.testing.assert_frame_equal(account_watch(one), table)


@pytest.mark.parametrize("n, flagged", [(5, True), (4, False)])
def test_min_reports(make_frame, n, flagged):
    table = account_watch({"P1": make_frame(n, reported_account="acc")})
    assert table["reports"].tolist() == [n] and table["flagged"].tolist() == [flagged]


@pytest.mark.parametrize("platforms, min_platforms, flagged", [(2, 2, True), (1, 2, False), (2, 3, False)])
def test_min_platforms(make_frame, platforms, min_platforms, flagged):
    frames = {f"P{i}": make_frame(1, reported_account="acc") for i in range(platforms)}
    table = account_watch(frames, min_platforms=min_platforms)
    assert table["platforms"].tolist() == [platforms] and table["flagged"].tolist() == [flagged]
    assert account_watch(frames, min_reports=1, min_platforms=min_platforms)["flagged"].all()


def test_sorting_and_only_flagged(make_frame):
    frame = make_frame(12, reported_account=["b"] * 5 + ["a"] * 5 + ["c"] * 2)
    other = make_frame(1, reported_account="c")
    table = account_watch({"P1": frame, "P2": other})
    assert table["account"].tolist() == ["a", "b", "c"]
    assert table["flagged"].tolist() == [True, True, True]
    table = account_watch({"P1": frame, "P2": other}, min_platforms=3)
    assert table["flagged"].tolist() == [True, True, False]
    flagged = account_watch({"P1": frame, "P2": other}, min_platforms=3, only_flagged=True)
    assert flagged["account"].tolist() == ["a", "b"]
    assert flagged.index.tolist() == [0, 1]


def test_window(make_frame):
    frame = make_frame(4, reported_account="acc",
                       received_at=["2026-07-31 23:59:59", "2026-08-01 00:00:00",
                                    "2026-09-30 23:59:59", "2026-10-01 00:00:00"])
    frames = {"P1": frame}

    def reports(start, end):
        t = account_watch(frames, start, end)
        return int(t["reports"].sum())

    assert reports(None, None) == 4
    assert reports("2026-08", "2026-09") == 2
    assert reports("2026-8", None) == 3
    assert reports(None, "2026-09") == 3
    assert reports(date(2026, 8, 1), date(2026, 9, 30)) == 2
    assert reports("2026-08-01", "2026/9/30") == 2
    assert reports(datetime(2026, 7, 31, 23, 59, 59), datetime(2026, 9, 30, 23, 59, 58)) == 2
    assert reports(pd.Period("2026-08", "M"), pd.Period("2026-10", "M")) == 3
    t = account_watch(frames, "2026-08", "2026-09")
    assert t.loc[0, "first_received_at"] == pd.Timestamp("2026-08-01")
    assert t.loc[0, "last_received_at"] == pd.Timestamp("2026-09-30 23:59:59")


def test_a_report_listed_twice_counts_once(make_frame):
    frame = make_frame(3, reported_account="acc")
    again = pd.concat([frame, frame.iloc[[0]]], ignore_index=True)
    assert account_watch({"P1": again})["reports"].tolist() == [3]
    # the same 举报编号 on another platform is another report
    assert account_watch({"P1": frame, "P2": frame.iloc[[0]]})["reports"].tolist() == [4]


def test_empty_inputs(make_frame):
    dtypes = account_watch({"P1": make_frame(1)}).dtypes
    for frames in ({}, {"P1": make_frame(0)}, {"P1": make_frame(3, reported_account=None)}):
        table = account_watch(frames)
        assert len(table) == 0 and list(table.columns) == list(ACCOUNT_WATCH_COLUMNS)
        assert table.dtypes.equals(dtypes)
    assert len(account_watch({"P1": make_frame(3, reported_account="a")}, "2027-01", None)) == 0


def test_one_frame_needs_platform_code(make_frame):
    with pytest.raises(ValueError, match="platform_code"):
        account_watch(make_frame(3))
    with pytest.raises(TypeError):
        account_watch([make_frame(3)])
