"""File level: types, encodings, empty files, blank rows, sheets, ragged CSV rows."""
import codecs
import io

import openpyxl
import pytest

from importers import read_ledger
from importers.reader import ACCEPTED_ENCODINGS, detect_encoding


@pytest.mark.parametrize("encoding, expected", [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gb18030", "gb18030")])
def test_accepted_encodings_read_the_same(kit, encoding, expected):
    data = kit.csv_bytes([kit.valid_row(note="备注：涉企举报，含中文")], encoding=encoding)
    result = read_ledger(data, "a.csv", kit.PERIOD)
    assert result.ok, result.errors
    assert result.encoding == expected
    assert result.frame.loc[0, "note"] == "备注：涉企举报，含中文"
    assert result.frame.loc[0, "subject_type"] == "涉企"


def test_gbk_text_is_read_as_gb18030(kit):
    data = kit.csv_bytes([kit.valid_row()], encoding="gbk")
    assert detect_encoding(data) == "gb18030"
    assert read_ledger(data, "a.csv", kit.PERIOD).ok


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_are_rejected_naming_the_accepted_encodings(kit, encoding):
    data = kit.csv_bytes([kit.valid_row()], encoding=encoding)
    result = read_ledger(data, "a.csv", kit.PERIOD)
    assert not result.ok and result.frame is None
    [error] = result.errors
    assert error.row is None and ACCEPTED_ENCODINGS in error.message


def test_bytes_that_decode_in_no_accepted_encoding_are_rejected(kit):
    # 0x80 and 0xFF are invalid lead bytes in both UTF-8 and GB18030 (typical of broken Big5/Latin-1).
    data = "举报编号\n".encode("utf-8") + b"\xff\x80\xff\x80\n"
    [error] = read_ledger(data, "a.csv", kit.PERIOD).errors
    assert "UTF-8" in error.message and "GB18030" in error.message


def test_big5_that_decodes_as_gb18030_gives_an_encoding_hint(kit):
    data = "舉報編號,舉報類型,受理時間\r\nA,涉企,2026-10-08\r\n".encode("big5")
    assert detect_encoding(data) == "gb18030"  # Big5 bytes are mostly valid GB18030 …
    result = read_ledger(data, "a.csv", kit.PERIOD)
    assert not result.ok  # … but no header matches, and the message names the encodings
    assert any(e.row == 1 and ACCEPTED_ENCODINGS in e.message for e in result.errors)


def test_empty_file_is_an_error(kit):
    for name in ("a.csv", "a.xlsx"):
        [error] = read_ledger(b"", name, kit.PERIOD).errors
        assert "文件为空" in error.message


def test_csv_with_only_whitespace_has_no_header(kit):
    result = read_ledger(b"\r\n", "a.csv", kit.PERIOD)
    assert not result.ok


def test_header_only_file_is_accepted_with_a_warning(kit):
    for data, name in ((kit.csv_bytes([]), "a.csv"), (kit.xlsx_bytes([]), "a.xlsx")):
        result = read_ledger(data, name, kit.PERIOD)
        assert result.ok and result.rows_read == 0 and len(result.frame) == 0
        assert list(result.frame.columns)[:2] == ["report_id", "subject_type"]
        assert any("没有数据行" in w.message for w in result.warnings)


def test_blank_rows_are_skipped_and_row_numbers_follow_the_sheet(kit):
    blank = {h: "" for h in kit.HEADERS}
    spaces = {h: " \u3000" for h in kit.HEADERS}
    rows = [kit.valid_row(report_id="A"), blank, spaces, kit.valid_row(report_id="B", handler_id="")]
    for kind in ("csv", "xlsx"):
        result = kit.read_rows(rows, kind=kind)
        assert result.rows_read == 2
        assert kit.error_cells(result) == [(5, "承办人", "")]


def test_row_numbers_of_a_valid_file(kit):
    rows = [kit.valid_row(report_id="A"), {}, kit.valid_row(report_id="B")]
    result = kit.read_rows(rows)
    assert result.ok and list(result.row_numbers) == [2, 4]
    assert result.frame["report_id"].tolist() == ["A", "B"]


def test_quoted_line_breaks_stay_in_one_row(kit):
    rows = [kit.valid_row(report_id="A", note="第一行\n第二行"), kit.valid_row(report_id="B", handler_id="")]
    result = kit.read_rows(rows)
    assert result.errors[0].row == 3
    ok = kit.read_rows(rows[:1])
    assert ok.frame.loc[0, "note"] == "第一行\n第二行"


def test_csv_row_with_more_fields_than_headers(kit):
    data = kit.csv_bytes([list(kit.valid_row().values()) + ["多余"]])
    result = read_ledger(data, "a.csv", kit.PERIOD)
    assert result.ok
    assert any("没有表头" in w.message for w in result.warnings)


def test_csv_row_with_fewer_fields_means_empty_cells(kit):
    data = kit.csv_bytes([list(kit.valid_row().values())[:5]])
    result = read_ledger(data, "a.csv", kit.PERIOD)
    assert ("承办人", "") in [(e.column, e.value) for e in result.errors]


@pytest.mark.parametrize("name", ["a.xls", "a.txt", "a", "a.json"])
def test_other_file_types_are_rejected(kit, name):
    [error] = read_ledger(kit.csv_bytes([kit.valid_row()]), name, kit.PERIOD).errors
    assert ".xlsx" in error.message


def test_extension_is_case_insensitive(kit):
    assert read_ledger(kit.csv_bytes([kit.valid_row()]), "A.CSV", kit.PERIOD).ok
    assert read_ledger(kit.xlsx_bytes([kit.valid_row()]), "A.XLSX", kit.PERIOD).ok


def test_corrupt_xlsx_is_an_error(kit):
    for data in (b"not a zip file", b"PK\x03\x04broken"):
        [error] = read_ledger(data, "a.xlsx", kit.PERIOD).errors
        assert "无法读取 Excel 文件" in error.message


def test_xlsx_first_sheet_is_read(kit):
    result = read_ledger(kit.xlsx_bytes([kit.valid_row()], sheet_title="十月", extra_sheets=["其他"]), "a.xlsx", kit.PERIOD)
    assert result.ok and result.sheet_name == "十月" and result.rows_read == 1


def test_xlsx_sheet_named_taizhang_wins_over_first_sheet(kit):
    workbook = openpyxl.Workbook()
    workbook.active.title = "说明"
    workbook.active.append(["这不是台账"])
    ledger = workbook.create_sheet("台账")
    ledger.append(kit.HEADERS)
    ledger.append([kit.valid_row()[h] for h in kit.HEADERS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = read_ledger(buffer.getvalue(), "a.xlsx", kit.PERIOD)
    assert result.ok and result.sheet_name == "台账" and result.rows_read == 1


def test_xlsx_leading_blank_rows_keep_their_numbers(kit):
    rows = [{}, {}, kit.valid_row(handler_id=None)]
    result = kit.read_rows(rows, kind="xlsx")
    assert kit.error_cells(result) == [(4, "承办人", "")]


def test_xlsx_numbers_in_text_columns_read_as_the_user_sees_them(kit):
    row = kit.valid_row(report_id=12345, handler_id=7.0, note=1.5)
    result = kit.read_rows([row], kind="xlsx")
    assert result.ok
    assert result.frame.loc[0, ["report_id", "handler_id", "note"]].tolist() == ["12345", "7", "1.5"]


def test_utf8_bom_is_not_part_of_the_first_header(kit):
    data = codecs.BOM_UTF8 + kit.csv_bytes([kit.valid_row()])
    assert read_ledger(data, "a.csv", kit.PERIOD).ok
