"""SIG-DUP: rows equal in every column except 举报编号."""
from __future__ import annotations

import pandas as pd

from supervision.standard.signals import SignalParams, duplicate_row_signals


def copy_rows(frame, source_rows, new_ids):
    extra = frame.iloc[list(source_rows)].copy()
    extra["report_id"] = list(new_ids)
    return pd.concat([frame, extra], ignore_index=True)


def test_no_duplicates_in_distinct_rows(make_frame):
    assert duplicate_row_signals(make_frame(300), "2026-09") == []


def test_duplicates_are_grouped_with_their_ids(make_frame):
    frame = make_frame(50)
    frame = copy_rows(frame, [4, 4, 9], ["X1", "X2", "X3"])  # R000005 ×3, R000010 ×2
    (s,) = duplicate_row_signals(frame, "2026-09")
    assert s.code == "SIG-DUP" and s.title == "除编号外完全相同的记录"
    assert s.value == 5 and s.baseline is None
    assert s.examples == ("R000005", "X1", "X2", "R000010", "X3")
    assert s.message == ("本月有 2 组、共 5 条记录除举报编号外各列完全相同（多出 3 条，最大一组 3 条），"
                         "如：R000005、X1、X2；R000010、X3")


def test_one_differing_cell_is_not_a_duplicate(make_frame):
    frame = copy_rows(make_frame(10), [3], ["X1"])
    for key, value in [("note", "不同"), ("facts_clear", pd.NA), ("extended", True),
                       ("disposed_at", pd.Timestamp("2026-09-20 10:00:01")), ("measures", "删除；谣言标签")]:
        changed = frame.copy()
        changed.loc[10, key] = value
        assert duplicate_row_signals(changed, "2026-09") == [], key
    assert len(duplicate_row_signals(frame, "2026-09")) == 1


def test_missing_equals_missing(make_frame):
    frame = make_frame(10, note=None, feedback_at=None, facts_clear=pd.NA, content_url=None,
                       received_at=["2026-09-03 10:00:00"] * 10,
                       reported_account=[f"a{i}" for i in range(10)])
    frame = copy_rows(frame, [0], ["X1"])
    (s,) = duplicate_row_signals(frame, "2026-09")
    assert s.examples == ("R000001", "X1")


def test_only_reports_received_in_the_month(make_frame):
    august = copy_rows(make_frame(10, "2026-08"), [0], ["X1"])
    september = make_frame(10, "2026-09", start=100)
    frame = pd.concat([august, september], ignore_index=True)
    assert duplicate_row_signals(frame, "2026-09") == []
    assert len(duplicate_row_signals(frame, "2026-08")) == 1


def test_examples_are_capped_and_large_groups_come_first(make_frame):
    frame = make_frame(40)
    frame = copy_rows(frame, [0] * 30 + [1], [f"X{i:02d}" for i in range(31)])
    (s,) = duplicate_row_signals(frame, "2026-09")
    assert s.value == 33 and len(s.examples) == 20 and s.examples[0] == "R000001"
    assert "共 33 条" in s.message and "最大一组 31 条" in s.message
    assert "R000001、X00、X01、X02、X03 等；R000002、X30" in s.message
    (s,) = duplicate_row_signals(frame, "2026-09", SignalParams(max_examples=5))
    assert len(s.examples) == 5


def test_min_group_parameter(make_frame):
    frame = copy_rows(make_frame(10), [0, 1, 1], ["X1", "X2", "X3"])
    (s,) = duplicate_row_signals(frame, "2026-09", SignalParams(duplicate_min_group=3))
    assert s.examples == ("R000002", "X2", "X3")


def test_platform_code_column_is_compared(make_frame):
    frame = copy_rows(make_frame(5), [0], ["X1"])
    frame["platform_code"] = ["P1"] * 5 + ["P2"]
    assert duplicate_row_signals(frame, "2026-09") == []
    frame["platform_code"] = "P1"
    assert len(duplicate_row_signals(frame, "2026-09")) == 1
