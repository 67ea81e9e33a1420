"""Every date-time form of ledger.md, .xlsx date cells and serial numbers, and rejections."""
import datetime as dt

import pandas as pd
import pytest

from importers import datetimes

T = pd.Timestamp


@pytest.mark.parametrize("text, expected", [
    ("2026-10-08 14:03:00", T("2026-10-08 14:03:00")),
    ("2026-10-08 14:03", T("2026-10-08 14:03")),
    ("2026/10/8 14:03", T("2026-10-08 14:03")),
    ("2026年10月8日 14时03分", T("2026-10-08 14:03")),
    ("2026-10-08T14:03:00", T("2026-10-08 14:03")),
    # zero padding optional
    ("2026-1-8 4:3:5", T("2026-01-08 04:03:05")),
    ("2026/01/08 04:03", T("2026-01-08 04:03")),
    ("2026年1月8日 4时3分", T("2026-01-08 04:03")),
    ("2026-1-8T4:03", T("2026-01-08 04:03")),
    # a date alone in any of these forms
    ("2026-10-08", T("2026-10-08")),
    ("2026-1-8", T("2026-01-08")),
    ("2026/10/8", T("2026-10-08")),
    ("2026年10月8日", T("2026-10-08")),
    # seconds in the other forms
    ("2026/10/8 14:03:09", T("2026-10-08 14:03:09")),
    ("2026年10月8日14时03分09秒", T("2026-10-08 14:03:09")),
    ("2026-10-08  14:03", T("2026-10-08 14:03")),
])
def test_accepted_text_forms(text, expected):
    assert datetimes.parse_text(pd.Series([text])).iloc[0] == expected


@pytest.mark.parametrize("text", [
    "2026-10-08 24:00", "2026-10-08 14:60", "2026-10-08 14:03:60", "2026-02-30", "2026-13-01",
    "26-10-08", "20261008", "2026.10.08", "10/08/2026", "2026-10/08", "2026/10/8T14:03",
    "2026-10-0814:03", "2026-10-08 14时03分", "2026年10月8日 14:03", "2026年10月8 14时03分",
    "2026年10月8日 14时03分05", "2026-10-08 14:03:00.5", "2026-10-08 14:03:00+08:00",
    "2026-10-08T14:03:00Z", "46303.5", "昨天", "2026-10-08 14", "9999-12-31",
])
def test_rejected_text_forms(text):
    assert pd.isna(datetimes.parse_text(pd.Series([text])).iloc[0])


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_every_form_through_the_importer(kit, kind):
    forms = ["2026-10-08 14:03:00", "2026-10-08 14:03", "2026/10/8 14:03", "2026年10月8日 14时03分",
             "2026-10-08T14:03:00", "2026-10-08", "2026/10/8", "2026年10月8日"]
    rows = [kit.valid_row(report_id=f"R{i}", received_at=f) for i, f in enumerate(forms)]
    result = kit.read_rows(rows, kind=kind)
    assert result.ok, result.errors
    values = result.frame["received_at"]
    assert values.dtype == "datetime64[ns]"
    assert values.tolist()[:5] == [T("2026-10-08 14:03")] * 5
    assert values.tolist()[5:] == [T("2026-10-08")] * 3


def test_unparseable_date_is_an_error_of_that_cell(kit):
    result = kit.read_rows([kit.valid_row(disposed_at="2026-10-32")])
    [error] = result.errors
    assert (error.row, error.column, error.value) == (2, "处置完成时间", "2026-10-32")
    assert "日期时间" in error.message and "2026/10/8 14:03" in error.message


def test_xlsx_datetime_and_date_cells(kit):
    row = kit.valid_row(received_at=dt.datetime(2026, 10, 8, 14, 3, 0, 600000), disposed_at=dt.date(2026, 10, 9))
    result = kit.read_rows([row], kind="xlsx")
    assert result.ok, result.errors
    assert result.frame.loc[0, "received_at"] == T("2026-10-08 14:03:01")  # nearest second
    assert result.frame.loc[0, "disposed_at"] == T("2026-10-09")


def test_xlsx_bare_serial_numbers_rounded_to_the_nearest_second(kit):
    serial = 46303 + (14 * 3600 + 3 * 60 + 0.4) / 86400  # 2026-10-08 14:03:00.4
    row = kit.valid_row(received_at=serial, disposed_at=46304)
    result = kit.read_rows([row], kind="xlsx")
    assert result.ok, result.errors
    assert result.frame.loc[0, "received_at"] == T("2026-10-08 14:03:00")
    assert result.frame.loc[0, "disposed_at"] == T("2026-10-09")


def test_excel_serials_with_1904_date_system():
    values = datetimes.parse_excel_serials(pd.Series([0.0 + 44841, 1.5]), date1904=True)
    assert values.tolist() == [T("2026-10-08"), T("1904-01-02 12:00")]


@pytest.mark.parametrize("bad", [0.5, -3, 10**9, True, dt.time(14, 3)])
def test_xlsx_cells_that_are_no_date_are_errors(kit, bad):
    result = kit.read_rows([kit.valid_row(disposed_at=bad)], kind="xlsx")
    assert [(e.row, e.column) for e in result.errors] == [(2, "处置完成时间")]


def test_serial_number_text_in_csv_is_an_error(kit):
    result = kit.read_rows([kit.valid_row(disposed_at="46304")])
    assert [(e.column, e.value) for e in result.errors] == [("处置完成时间", "46304")]
