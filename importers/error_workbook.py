"""The error report of a rejected ledger as .xlsx (ledger.md "What a submission gets back").

Sheet 台账: a copy of the submitted sheet (same header texts, same row numbers, blank rows
kept) with every offending cell filled red and commented with its messages. Sheet 错误清单:
one line per error (行, 列, 值, 说明). Also the error list as CSV. Formula injection is
neutralised in both (importers.safe_export).

Large files: writing .xlsx costs about 10 µs a cell, so a sheet of more than
FULL_COPY_MAX_CELLS cells is not copied whole. Instead 错误清单 comes first and sheet 错误行
holds only the rows with errors (at most MAX_EXCERPT_ROWS), each after its row number
(原行号). 错误清单 lists at most MAX_LISTED_ERRORS errors and says how many more there are;
the full list stays available as CSV and through the API.
"""
from __future__ import annotations

import io
from collections import defaultdict

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill

from importers.columns import BY_KEY
from importers.issues import ISSUE_COLUMNS
from importers.reader import LEDGER_SHEET
from importers.safe_export import rows_to_csv, xlsx_cell

ERROR_SHEET = "错误清单"
ERROR_HEADERS = ("行", "列", "值", "说明")
ERROR_FILL = PatternFill("solid", fgColor="FFC7CE")
ERROR_FONT = Font(color="9C0006")
HEADER_FONT = Font(bold=True)
COMMENT_AUTHOR = "台账导入检查"
MAX_COMMENT = 2000
FULL_COPY_MAX_CELLS = 1_000_000
MAX_EXCERPT_ROWS = 10_000
MAX_LISTED_ERRORS = 100_000
EXCERPT_SHEET = "错误行"
ROW_NUMBER_HEADER = "原行号"


def build_error_workbook(result) -> bytes:
    """`result`: an importers.LedgerResult (or anything with `error_frame` and `sheet`)."""
    errors: pd.DataFrame = result.error_frame
    workbook = Workbook(write_only=True)
    sheet = getattr(result, "sheet", None)
    if sheet is None:
        _write_error_list(workbook.create_sheet(ERROR_SHEET), errors)
    elif sheet.grid.size <= FULL_COPY_MAX_CELLS:
        _write_copy(workbook.create_sheet(LEDGER_SHEET), sheet, errors)
        _write_error_list(workbook.create_sheet(ERROR_SHEET), errors)
    else:
        _write_error_list(workbook.create_sheet(ERROR_SHEET), errors)
        _write_excerpt(workbook.create_sheet(EXCERPT_SHEET), sheet, errors)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def errors_csv(result) -> bytes:
    """The error list as CSV (行,列,值,说明), UTF-8 with BOM."""
    frame = result.error_frame
    rows = zip(*(frame[c].astype(object).where(frame[c].notna(), "").tolist() for c in ISSUE_COLUMNS))
    return rows_to_csv(list(ERROR_HEADERS), rows)


def _messages_by_cell(sheet, errors: pd.DataFrame) -> dict[tuple[int, int], list[str]]:
    """(spreadsheet row, grid column position) → messages of the errors located in a cell."""
    position_of_header = {BY_KEY[key].header: position for position, key in sheet.column_keys.items()}
    messages: dict[tuple[int, int], list[str]] = defaultdict(list)
    body = errors[(errors["row"].fillna(0) >= 2) & errors["column"].isin(list(position_of_header))]
    for row, column, message in zip(body["row"].tolist(), body["column"].tolist(), body["message"].tolist()):
        messages[(int(row), position_of_header[column])].append(message)
    # Header errors (a duplicated column): mark the ignored header cell holding that text.
    header = errors[errors["row"].fillna(0) == 1]
    for value, message in zip(header["value"].tolist(), header["message"].tolist()):
        for position, text in enumerate(sheet.headers):
            if position not in sheet.column_keys and isinstance(value, str) and text.strip() == value:
                messages[(1, position)].append(message)
                break
    return messages


def _write_copy(worksheet, sheet, errors: pd.DataFrame) -> None:
    messages = _messages_by_cell(sheet, errors)
    worksheet.freeze_panes = "A2"

    def cell(row: int, position: int, value):
        found = messages.get((row, position))
        if not found:
            return xlsx_cell(worksheet, value, **({"font": HEADER_FONT} if row == 1 else {}))
        return _marked(worksheet, value, found)

    worksheet.append([cell(1, p, h) for p, h in enumerate(sheet.headers)])
    width = len(sheet.headers)
    for offset, values in enumerate(sheet.grid.itertuples(index=False, name=None)):
        row = offset + 2
        worksheet.append([cell(row, p, v if v != "" else None) for p, v in enumerate(values[:width])])


def _write_excerpt(worksheet, sheet, errors: pd.DataFrame) -> None:
    """Only the rows with errors, each after its row number in the submitted sheet."""
    messages = _messages_by_cell(sheet, errors)
    worksheet.freeze_panes = "B2"
    header = [xlsx_cell(worksheet, ROW_NUMBER_HEADER, font=HEADER_FONT)]
    for position, text in enumerate(sheet.headers):
        found = messages.get((1, position))
        header.append(_marked(worksheet, text, found) if found else xlsx_cell(worksheet, text, font=HEADER_FONT))
    worksheet.append(header)
    rows = sorted(set(errors.loc[errors["row"].fillna(0) >= 2, "row"].astype("int64").tolist()))
    width = len(sheet.headers)
    for row in rows[:MAX_EXCERPT_ROWS]:
        values = sheet.grid.iloc[row - 2].tolist()[:width]
        cells = [xlsx_cell(worksheet, row)]
        for position, value in enumerate(values):
            found = messages.get((row, position))
            value = None if isinstance(value, str) and value == "" else value
            cells.append(_marked(worksheet, value, found) if found else xlsx_cell(worksheet, value))
        worksheet.append(cells)
    if len(rows) > MAX_EXCERPT_ROWS:
        worksheet.append([None, f"另有 {len(rows) - MAX_EXCERPT_ROWS} 行有错误未列出，见“{ERROR_SHEET}”"])


def _marked(worksheet, value, messages: list[str]):
    # A message quotes the offending value, which may hold characters .xlsx cannot store.
    text = ILLEGAL_CHARACTERS_RE.sub("\ufffd", "\n".join(dict.fromkeys(messages)))[:MAX_COMMENT]
    return xlsx_cell(worksheet, value, fill=ERROR_FILL, font=ERROR_FONT,
                     comment=Comment(text, COMMENT_AUTHOR, width=320, height=120))


def _write_error_list(worksheet, errors: pd.DataFrame) -> None:
    worksheet.freeze_panes = "A2"
    worksheet.append([xlsx_cell(worksheet, h, font=HEADER_FONT) for h in ERROR_HEADERS])
    listed = errors.iloc[:MAX_LISTED_ERRORS]
    for row, column, value, message in zip(
        listed["row"].tolist(), listed["column"].tolist(), listed["value"].tolist(), listed["message"].tolist()
    ):
        worksheet.append([
            xlsx_cell(worksheet, None if pd.isna(row) else int(row)),
            xlsx_cell(worksheet, column),
            xlsx_cell(worksheet, value),
            xlsx_cell(worksheet, message),
        ])
    if len(errors) > MAX_LISTED_ERRORS:
        worksheet.append([None, None, None, f"另有 {len(errors) - MAX_LISTED_ERRORS} 条错误未列出：完整清单请下载 CSV 或通过接口获取"])
