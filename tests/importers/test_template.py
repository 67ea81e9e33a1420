"""The Excel template: headers, freeze panes, drop-downs, formats, the 填报说明 sheet."""
import io

import openpyxl
import pytest

from importers import build_template, read_ledger
from importers.columns import COLUMNS, DATETIME, ENUM, FLAG, MULTI, TEXT
from importers.template import GUIDE_SHEET, LISTS_SHEET, REQUIRED_TEXT


@pytest.fixture(scope="module")
def workbook():
    return openpyxl.load_workbook(io.BytesIO(build_template()))


def validation_for(sheet, letter):
    found = [dv for dv in sheet.data_validations.dataValidation if f"{letter}2:{letter}1048576" in str(dv.sqref)]
    assert len(found) <= 1
    return found[0] if found else None


def list_values(workbook, formula):
    sheet_name, cells = formula.split("!")
    assert sheet_name.strip("'") == LISTS_SHEET
    first, last = cells.replace("$", "").split(":")
    return [c.value for row in workbook[LISTS_SHEET][f"{first}:{last}"] for c in row]


def test_sheets(workbook):
    assert workbook.sheetnames[:2] == ["台账", GUIDE_SHEET]
    assert workbook[LISTS_SHEET].sheet_state == "hidden"
    assert workbook["台账"].sheet_state == "visible"


def test_headers_in_order_and_frozen(workbook):
    sheet = workbook["台账"]
    assert [c.value for c in sheet[1]] == [c.header for c in COLUMNS]
    assert sheet.freeze_panes == "A2"
    assert all(sheet.column_dimensions[openpyxl.utils.get_column_letter(c.number)].width >= 8 for c in COLUMNS)


@pytest.mark.parametrize("column", [c for c in COLUMNS if c.kind in (ENUM, FLAG, MULTI)], ids=lambda c: c.key)
def test_drop_down_on_every_enumeration_and_flag(workbook, column):
    letter = openpyxl.utils.get_column_letter(column.number)
    validation = validation_for(workbook["台账"], letter)
    assert validation is not None and validation.type == "list"
    expected = ["是", "否"] if column.kind == FLAG else list(column.values)
    assert list_values(workbook, validation.formula1) == expected
    # a single choice is enforced; multi-valued cells may hold several typed values
    assert bool(validation.showErrorMessage) is (column.kind != MULTI)


@pytest.mark.parametrize("column", [c for c in COLUMNS if c.kind == TEXT], ids=lambda c: c.key)
def test_text_length_validation(workbook, column):
    validation = validation_for(workbook["台账"], openpyxl.utils.get_column_letter(column.number))
    assert validation.type == "textLength" and validation.formula1 == str(column.max_length)


@pytest.mark.parametrize("column", [c for c in COLUMNS if c.kind == DATETIME], ids=lambda c: c.key)
def test_date_columns_have_a_date_time_format(workbook, column):
    letter = openpyxl.utils.get_column_letter(column.number)
    assert workbook["台账"].column_dimensions[letter].number_format == "yyyy-mm-dd hh:mm:ss"


def test_guide_sheet_lists_every_column(workbook):
    rows = list(workbook[GUIDE_SHEET].iter_rows(values_only=True))
    assert rows[0] == ("序号", "表头", "英文键", "含义", "是否必填", "允许的值", "最大长度（字符）")
    for column, row in zip(COLUMNS, rows[1:41]):
        number, header, key, meaning, required, values, max_length = row
        assert (number, header, key) == (column.number, column.header, column.key)
        assert column.meaning in meaning
        assert required == REQUIRED_TEXT[column.required]
        if column.kind in (ENUM, MULTI):
            assert values == "、".join(column.values)
        if column.kind == FLAG:
            assert values == "是、否"
        assert max_length == column.max_length
    text = "\n".join(str(r[1]) for r in rows[41:] if r[1])
    assert "2026年10月8日 14时03分" in text and "GB18030" in text and "无需处置" in text


def test_required_wording_covers_every_condition():
    assert {c.required for c in COLUMNS} <= set(REQUIRED_TEXT)


def test_template_filled_in_is_a_valid_ledger(kit):
    workbook = openpyxl.load_workbook(io.BytesIO(build_template()))
    sheet = workbook["台账"]
    sheet.append([kit.valid_row()[c.header] for c in COLUMNS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = read_ledger(buffer.getvalue(), "template.xlsx", "2026-10")
    assert result.ok, result.errors
    assert result.rows_read == 1 and result.sheet_name == "台账"
