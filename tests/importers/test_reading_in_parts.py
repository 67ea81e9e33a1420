"""A ledger validated part by part (so that each part can be stored while the next is being
validated) gives the same frame and the same errors, in the same order, as read whole."""
from __future__ import annotations

import pandas as pd
from pandas.testing import assert_frame_equal

from importers import LedgerReading, read_ledger
from tests.ledger_samples import ledger_frame, to_csv_bytes


def _in_parts(data: bytes, name: str, period: str, part_rows: int):
    reading = LedgerReading(data, name, period, part_rows=part_rows)
    parts = list(reading.parts())
    return parts, reading.result


def test_a_valid_file_in_parts_is_the_whole_frame_cut_into_consecutive_rows():
    data = to_csv_bytes(ledger_frame(50, "2026-10", seed=5))
    whole = read_ledger(data, "a.csv", "2026-10")
    parts, result = _in_parts(data, "a.csv", "2026-10", part_rows=7)
    assert whole.ok and result.ok and result.frame is None
    assert [len(p) for p in parts] == [7] * 7 + [1]
    assert_frame_equal(pd.concat(parts, ignore_index=True), whole.frame)
    assert result.rows_read == whole.rows_read == 50


def test_errors_in_parts_are_the_errors_of_the_whole_file_and_no_part_is_given_after_one(kit):
    rows = [kit.valid_row(report_id=f"R-{i:03d}") for i in range(1, 21)]
    rows[2] = kit.valid_row(report_id="R-003", received_at="2026-13-01")      # bad date, part 1
    rows[12] = kit.valid_row(report_id="R-001")                               # duplicate of row 2, part 3
    rows[13] = kit.valid_row(report_id="R-014", acceptance="不知道")            # bad enumeration, part 3
    rows[18] = kit.valid_row(report_id="R-001" + "x" * 70)                    # too long, part 4
    data = kit.csv_bytes(rows)
    whole = read_ledger(data, "a.csv", kit.PERIOD)
    parts, result = _in_parts(data, "a.csv", kit.PERIOD, part_rows=5)
    assert not whole.ok and not result.ok
    assert parts == []  # the first part already has an error: nothing to store
    assert_frame_equal(result.error_frame, whole.error_frame)
    assert any("与第 2 行重复" in m for m in result.error_frame["message"])


def test_parts_before_the_first_error_are_given_then_none(kit):
    rows = [kit.valid_row(report_id=f"R-{i:03d}") for i in range(1, 13)]
    rows[11] = kit.valid_row(report_id="R-002")  # duplicate across parts, found over the whole file
    rows[7] = kit.valid_row(report_id="R-008", status="不存在的状态")
    data = kit.csv_bytes(rows)
    parts, result = _in_parts(data, "a.csv", kit.PERIOD, part_rows=4)
    assert [len(p) for p in parts] == [4]  # rows 2-5; the part of rows 6-9 has the bad status
    assert not result.ok
    assert_frame_equal(result.error_frame, read_ledger(data, "a.csv", kit.PERIOD).error_frame)


def test_an_unreadable_file_gives_no_part_and_one_error():
    parts, result = _in_parts(b"PK\x03\x04 not really a workbook", "a.xlsx", "2026-10", part_rows=5)
    assert parts == [] and len(result.errors) == 1 and result.errors[0].row is None
