"""A ledger validated part by part (so that each part can be stored while the next is being
validated) gives the same frame and the same errors, in the same order, as read whole."""
from __future__ import annotations

import pandas as pd
import pytest
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
    assert len(parts) == 8 and sum(len(p) for p in parts) == 50 and max(len(p) for p in parts) == 7
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
    # parts of 4 grid lines, the header line the first of them: rows 2-4 and 5-8 (before row 9,
    # the bad status) are given; the duplicate of row 13 is only found over the whole file
    assert [len(p) for p in parts] == [3, 4]
    assert not result.ok
    assert_frame_equal(result.error_frame, read_ledger(data, "a.csv", kit.PERIOD).error_frame)


def test_an_unreadable_file_gives_no_part_and_one_error():
    parts, result = _in_parts(b"PK\x03\x04 not really a workbook", "a.xlsx", "2026-10", part_rows=5)
    assert parts == [] and len(result.errors) == 1 and result.errors[0].row is None


# -- the streamed reading is read_ledger's, whatever the file ------------------------------------
import csv  # noqa: E402
import io  # noqa: E402

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from importers import ReadAgain  # noqa: E402
from importers.columns import COLUMNS  # noqa: E402
from tests.importers.conftest import valid_row  # noqa: E402

HEADERS = [c.header for c in COLUMNS]
EDITS = st.sampled_from(["keep", "keep", "keep", "blank", "padded", "bad_date", "duplicate", "wide", "empty_id"])


def _file(edits, extra_header, unnamed_data, bom):
    headers = HEADERS + (["自定义列"] if extra_header else []) + [""]
    lines = [headers]
    for i, edit in enumerate(edits):
        row = valid_row(report_id=f"R-{i:04d}")
        cells = [row.get(h, "") for h in HEADERS] + (["x"] if extra_header else []) + (["有内容"] if unnamed_data and i == 1 else [""])
        if edit == "blank":
            cells = [""] * len(headers)
        elif edit == "padded":
            cells = [f"  {c}\u3000" if c else c for c in cells]
        elif edit == "bad_date":
            cells[HEADERS.index("受理时间")] = "2026-13-01"
        elif edit == "duplicate":
            cells[0] = "R-0000"
        elif edit == "wide":
            cells = cells + ["多出的单元格"]
        elif edit == "empty_id":
            cells[0] = ""
        lines.append(cells)
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(lines)
    return ("\ufeff" if bom else "").encode() + buffer.getvalue().encode("utf-8")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(EDITS, min_size=0, max_size=14), st.booleans(), st.booleans(), st.booleans(),
       st.integers(min_value=2, max_value=6))
def test_a_file_read_in_parts_gives_exactly_what_read_ledger_gives(edits, extra_header, unnamed_data, bom,
                                                                   part_rows):
    data = _file(edits, extra_header, unnamed_data, bom)
    whole = read_ledger(data, "f.csv", "2026-10")
    reading = LedgerReading(data, "f.csv", "2026-10", part_rows=part_rows)
    parts = []
    try:
        for frame in reading.parts():
            parts.append(frame)
    except ReadAgain:
        parts = [reading.result.frame]
    result = reading.result
    assert result.ok == whole.ok
    assert_frame_equal(result.error_frame, whole.error_frame)
    assert [w.as_dict() for w in result.warnings] == [w.as_dict() for w in whole.warnings]
    assert result.rows_read == whole.rows_read
    if whole.ok and not parts:
        assert len(whole.frame) == 0  # a file without data rows: nothing to store
    elif whole.ok:
        assert_frame_equal(pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0], whole.frame)
    else:
        assert not result.ok


def test_a_row_wider_than_the_header_after_parts_were_given_reads_the_file_again(kit):
    rows = [[kit.valid_row(report_id=f"R-{i:03d}").get(h, "") for h in kit.HEADERS] for i in range(1, 11)]
    rows[8] = rows[8] + ["多出的单元格"]
    data = kit.csv_bytes(rows)
    reading = LedgerReading(data, "a.csv", kit.PERIOD, part_rows=3)
    given = []
    with pytest.raises(ReadAgain):
        for frame in reading.parts():
            given.append(frame)
    assert given  # parts before the wide row were given, and are to be discarded
    whole = read_ledger(data, "a.csv", kit.PERIOD)
    assert reading.result.ok and len(reading.result.frame) == 10
    assert_frame_equal(reading.result.frame, whole.frame)
    assert [w.message for w in reading.result.warnings] == [w.message for w in whole.warnings]
    assert any("没有表头" in w.message for w in reading.result.warnings)
