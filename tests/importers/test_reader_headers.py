"""Header row: Chinese header or English key, white space ignored, any order, unknown and
missing columns, duplicates."""
import random

import pytest

from importers import read_ledger
from importers.columns import BY_HEADER, COLUMNS
from importers.reader import match_header


def test_english_keys_are_accepted(kit):
    row = {c.key: kit.valid_row()[c.header] for c in COLUMNS}
    result = kit.read_rows([row], headers=[c.key for c in COLUMNS])
    assert result.ok, result.errors
    assert result.frame.loc[0, "report_id"] == "R-0001"


@pytest.mark.parametrize("header", [" 举报编号", "举报编号 ", "\u3000举报编号\u3000", "举报 编号", "\t举报编号", " report_id ", "Report_ID"])
def test_header_white_space_and_key_case_are_ignored(header):
    assert match_header(header) is BY_HEADER["举报编号"]


@pytest.mark.parametrize("header", ["举报编号*", "编号", "report id x", ""])
def test_other_header_texts_match_nothing(header):
    assert match_header(header) is None


def test_any_column_order(kit):
    headers = list(kit.HEADERS)
    random.Random(7).shuffle(headers)
    for kind in ("csv", "xlsx"):
        result = kit.read_rows([kit.valid_row()], headers=headers, kind=kind)
        assert result.ok, result.errors
        assert list(result.frame.columns) == [c.key for c in COLUMNS]
        assert result.frame.loc[0, "handler_id"] == "H001"


def test_unknown_columns_give_a_warning_and_are_ignored(kit):
    headers = ["序号"] + kit.HEADERS + ["平台内部备注"]
    rows = [dict(kit.valid_row(), 序号="1", 平台内部备注="=HYPERLINK(1)")]
    result = kit.read_rows(rows, headers=headers)
    assert result.ok
    assert [(w.row, w.column) for w in result.warnings] == [(1, "序号"), (1, "平台内部备注")]
    assert all("已忽略" in w.message for w in result.warnings)
    assert "序号" not in result.frame.columns


def test_a_row_with_only_unknown_columns_filled_is_blank(kit):
    headers = ["序号"] + kit.HEADERS
    rows = [dict(kit.valid_row(), 序号="1"), {"序号": "2"}]
    result = kit.read_rows(rows, headers=headers)
    assert result.ok and result.rows_read == 1


def test_missing_required_column_is_one_error_on_the_header_row(kit):
    headers = [h for h in kit.HEADERS if h != "承办人"]
    result = kit.read_rows([kit.valid_row(), kit.valid_row(report_id="B")], headers=headers)
    assert kit.error_cells(result) == [(1, "承办人", None)]
    assert "缺少必填列" in result.errors[0].message


@pytest.mark.parametrize("column", [c for c in COLUMNS if c.always_required], ids=lambda c: c.key)
def test_every_always_required_column_must_be_present(kit, column):
    headers = [h for h in kit.HEADERS if h != column.header]
    result = kit.read_rows([kit.valid_row()], headers=headers)
    assert (1, column.header, None) in kit.error_cells(result)


def test_optional_columns_may_be_left_out(kit):
    optional = [c.header for c in COLUMNS if c.required == "no"]
    headers = [h for h in kit.HEADERS if h not in optional]
    result = kit.read_rows([kit.valid_row()], headers=headers)
    assert result.ok, result.errors
    frame = result.frame
    assert frame.loc[0, "note"] is None
    assert frame["extended"].dtype == bool and not frame.loc[0, "extended"]
    assert frame.loc[0, "interim_measure"] == "无" and frame.loc[0, "account_action"] == "无"
    assert frame.loc[0, "circumstances"] == ""


def test_absent_conditional_column_is_an_error_when_the_condition_holds(kit):
    headers = [h for h in kit.HEADERS if h != "企业类型"]
    ok = kit.read_rows([kit.valid_row(subject_type="涉个人", category="网络暴力", reporter_role="个人")], headers=headers)
    assert ok.ok
    bad = kit.read_rows([kit.valid_row()], headers=headers)
    assert kit.error_cells(bad) == [(2, "企业类型", "")]


def test_duplicate_column_is_an_error(kit):
    headers = kit.HEADERS + ["report_id"]
    result = kit.read_rows([list(kit.valid_row().values()) + ["X"]], headers=headers)
    assert [(e.row, e.column) for e in result.errors] == [(1, "举报编号")]
    assert "表头重复" in result.errors[0].message


def test_no_recognisable_header(kit):
    result = read_ledger("甲,乙\n1,2\n".encode(), "a.csv", kit.PERIOD)
    [error] = result.errors
    assert error.row == 1 and "表头" in error.message


def test_headerless_column_with_data_is_warned_about(kit):
    headers = kit.HEADERS + [""]
    result = kit.read_rows([list(kit.valid_row().values()) + ["数据"]], headers=headers)
    assert result.ok
    assert any("没有表头" in w.message for w in result.warnings)
    empty_extra = kit.read_rows([list(kit.valid_row().values()) + [""]], headers=headers)
    assert empty_extra.warnings == []
