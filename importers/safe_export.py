"""Neutralising spreadsheet formula injection (CSV injection) in exported cells.

A text starting with = + - @ (or a tab / carriage return) would be run as a formula by Excel
or WPS. In .xlsx exports such text is written as a string cell with Excel's quote prefix
(shown as typed, never evaluated); in CSV exports it gets a leading apostrophe.
"""
from __future__ import annotations

import csv
import io
from datetime import date, datetime, time

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(text: str) -> bool:
    return text.startswith(FORMULA_PREFIXES)


def csv_safe(value) -> str:
    """Text for a CSV cell: formula-like text gets a leading apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if is_formula_like(text) else text


def xlsx_cell(sheet, value, **style) -> WriteOnlyCell:
    """A write-only cell holding `value` safely: text never becomes a formula, characters
    that .xlsx cannot hold are replaced. `style`: font, fill, comment, number_format…"""
    if isinstance(value, float) and value != value:  # NaN
        value = None
    if value is not None and not isinstance(value, (int, float, bool, datetime, date, time)):
        value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", str(value))
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
        if is_formula_like(value):
            cell.quotePrefix = True
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell


def rows_to_csv(header: list[str], rows) -> bytes:
    """CSV (UTF-8 with BOM, so that Excel opens it correctly) with every cell neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([csv_safe(h) for h in header])
    for row in rows:
        writer.writerow([csv_safe(v) for v in row])
    return buffer.getvalue().encode("utf-8-sig")
