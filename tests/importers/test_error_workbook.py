"""The error report: a copy of the submitted sheet with offending cells marked, 错误清单,
and formula injection neutralised."""
import datetime as dt
import io

import openpyxl
import pytest

from importers import build_error_workbook, read_ledger
from importers.error_workbook import ERROR_SHEET, errors_csv
from importers.safe_export import csv_safe, is_formula_like


def load(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data))


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_copy_of_the_sheet_with_error_cells_marked(kit, kind):
    headers = ["序号"] + kit.HEADERS
    rows = [dict(kit.valid_row(report_id="A"), 序号="1"), {},
            dict(kit.valid_row(report_id="A", handler_id="", subject_type="其它"), 序号="3")]
    result = kit.read_rows(rows, kind=kind, headers=headers)
    assert not result.ok
    workbook = load(build_error_workbook(result))
    assert workbook.sheetnames == ["台账", ERROR_SHEET]
    sheet = workbook["台账"]
    assert [c.value for c in sheet[1]] == headers
    assert sheet.max_row == 4  # blank row kept: row numbers match the submitted file
    assert sheet["A4"].value in ("3", 3) and sheet["B4"].value == "A"
    marked = {c.coordinate: c.comment.text for row in sheet.iter_rows() for c in row if c.comment}
    # 举报编号 (B), 举报类型 (C), 承办人 (AM) of row 4
    assert set(marked) == {"B4", "C4", "AM4"}
    assert "与第 2 行重复" in marked["B4"] and "必填" in marked["AM4"]
    assert sheet["B4"].fill.fgColor.rgb.endswith("FFC7CE")
    assert sheet["B2"].comment is None and sheet["B2"].fill.fgColor.rgb in ("00000000", None)
    # the copy can be corrected and submitted again
    sheet["C4"], sheet["AM4"], sheet["B4"] = "涉企", "H9", "B"
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert read_ledger(buffer.getvalue(), "fixed.xlsx", kit.PERIOD).ok


def test_several_errors_in_one_cell_share_one_comment(kit):
    long_id = "A" * 65
    result = kit.read_rows([kit.valid_row(report_id=long_id), kit.valid_row(report_id=long_id)])
    assert [(e.row, e.column) for e in result.errors] == [(2, "举报编号"), (3, "举报编号"), (3, "举报编号")]
    sheet = load(build_error_workbook(result))["台账"]
    comment = sheet["A3"].comment.text
    assert "超过 64 个字符" in comment and "与第 2 行重复" in comment
    assert "重复" not in sheet["A2"].comment.text


def test_error_list_sheet(kit):
    result = kit.read_rows([kit.valid_row(handler_id="", received_at="明天")])
    rows = list(load(build_error_workbook(result))[ERROR_SHEET].iter_rows(values_only=True))
    assert rows[0] == ("行", "列", "值", "说明")
    assert [r[:3] for r in rows[1:]] == [(2, "受理时间", "明天"), (2, "承办人", None)]
    assert all(r[3] for r in rows[1:])


def test_unreadable_file_gives_only_the_error_list(kit):
    result = read_ledger(b"\xff\xfe1\x002\x00", "a.csv", kit.PERIOD)
    workbook = load(build_error_workbook(result))
    assert workbook.sheetnames == [ERROR_SHEET]
    rows = list(workbook[ERROR_SHEET].iter_rows(values_only=True))
    assert rows[1][0] is None and "编码" in rows[1][3]


@pytest.mark.parametrize("payload", ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "=HYPERLINK(\"http://x\",\"y\")", "\t=1"])
def test_formula_injection_is_neutralised_in_the_workbook(kit, payload):
    headers = kit.HEADERS + ["外部列"]
    rows = [dict(kit.valid_row(note=payload, handler_id="", reported_account=payload), 外部列=payload)]
    result = kit.read_rows(rows, headers=headers)
    workbook = load(build_error_workbook(result))
    sheet = workbook["台账"]
    for cell in (sheet["AN2"], sheet["Y2"], sheet["AO2"]):
        assert cell.value == payload and cell.data_type == "s" and cell.quotePrefix
    bad = kit.read_rows([kit.valid_row(subject_type=payload)])
    error_sheet = load(build_error_workbook(bad))[ERROR_SHEET]
    cell = error_sheet["C2"]  # the value as checked, i.e. trimmed
    assert cell.value == payload.strip() and cell.data_type == "s" and cell.quotePrefix


def test_plain_values_are_not_prefixed(kit):
    result = kit.read_rows([kit.valid_row(handler_id="", note="正常备注")])
    sheet = load(build_error_workbook(result))["台账"]
    assert sheet["AN2"].value == "正常备注" and not sheet["AN2"].quotePrefix


def test_xlsx_values_keep_their_types_in_the_copy(kit):
    row = kit.valid_row(received_at=dt.datetime(2026, 10, 8, 14, 3), handler_id="", report_id=123)
    result = kit.read_rows([row], kind="xlsx")
    sheet = load(build_error_workbook(result))["台账"]
    assert sheet["D2"].value == dt.datetime(2026, 10, 8, 14, 3)
    assert sheet["A2"].value == 123


def test_control_characters_do_not_break_the_workbook(kit):
    result = kit.read_rows([kit.valid_row(note="a\x01b\x1fc", handler_id="")])
    sheet = load(build_error_workbook(result))["台账"]
    assert sheet["AN2"].value == "a\ufffdb\ufffdc"


def test_control_characters_in_an_offending_value_do_not_break_its_comment(kit):
    # The comment quotes the offending value; .xlsx cannot hold U+001F, neither in a cell
    # nor in a comment, so both get the replacement character and the report still opens.
    result = kit.read_rows([kit.valid_row(subject_type="涉\x1f企")])
    assert not result.ok
    marked = [c for row in load(build_error_workbook(result))["台账"].iter_rows() for c in row if c.comment]
    assert [c.value for c in marked] == ["涉\ufffd企"]
    assert "\x1f" not in marked[0].comment.text


def test_error_csv_is_neutralised(kit):
    result = kit.read_rows([kit.valid_row(subject_type="=cmd|' /C calc'!A0")])
    text = errors_csv(result).decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0] == "行,列,值,说明"
    assert lines[1].startswith("2,举报类型,'=cmd|")


@pytest.mark.parametrize("text, expected", [("=1", "'=1"), ("+1", "'+1"), ("-1", "'-1"), ("@a", "'@a"),
                                            ("a=1", "a=1"), ("", ""), (None, ""), (5, "5")])
def test_csv_safe(text, expected):
    assert csv_safe(text) == expected
    assert is_formula_like(str(text)) is (expected.startswith("'"))


def test_large_sheet_gives_the_error_rows_only(kit, monkeypatch):
    from importers import error_workbook

    monkeypatch.setattr(error_workbook, "FULL_COPY_MAX_CELLS", 10)
    monkeypatch.setattr(error_workbook, "MAX_EXCERPT_ROWS", 2)
    monkeypatch.setattr(error_workbook, "MAX_LISTED_ERRORS", 3)
    headers = [h for h in kit.HEADERS if h != "企业类型"]
    rows = [kit.valid_row(report_id="A"), kit.valid_row(report_id="B", handler_id=""),
            kit.valid_row(report_id="C"), kit.valid_row(report_id="D", note="=1", reviewer_id=""),
            kit.valid_row(report_id="E", handler_id="")]
    result = kit.read_rows(rows, headers=headers)
    # rows 2..6 all lack 企业类型 (absent column, 涉企): 5 errors, plus 3 more
    assert len(result.errors) == 8
    workbook = load(build_error_workbook(result))
    assert workbook.sheetnames == [ERROR_SHEET, "错误行"]  # a re-upload reads 错误清单: rejected
    listed = list(workbook[ERROR_SHEET].iter_rows(values_only=True))
    assert len(listed) == 1 + 3 + 1 and "另有 5 条错误未列出" in listed[-1][3]
    excerpt = workbook["错误行"]
    assert [c.value for c in excerpt[1]] == ["原行号"] + headers
    assert [excerpt.cell(row=r, column=1).value for r in (2, 3)] == [2, 3]
    assert excerpt.cell(row=3, column=2).value == "B"
    handler = 1 + headers.index("承办人") + 1
    assert excerpt.cell(row=3, column=handler).comment is not None
    assert "另有 3 行有错误未列出" in excerpt.cell(row=4, column=2).value
    assert not read_ledger(build_error_workbook(result), "again.xlsx", kit.PERIOD).ok
