"""Reading and validating platform ledgers (shared/spec/ledger.md). No Flask, no database.

    result = read_ledger(data, "ledger.xlsx", "2026-10")
    if result.ok:
        store(result.frame)            # the normalised report frame of docs/architecture.md
    else:
        result.errors                  # list[Issue(row, column, value, message)]
        result.error_frame             # the same as a DataFrame
        build_error_workbook(result)   # .xlsx bytes
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from importers.issues import (
    Issue, combine_issue_frames, empty_issue_frame, frame_to_issues, issues_to_frame,
)
from importers.reader import LedgerFileError, RawSheet, read_sheet
from importers import validate as validation

__all__ = ["Issue", "LedgerResult", "LedgerFileError", "LedgerReading", "ReadAgain", "read_ledger", "build_error_workbook",
           "build_template"]


@dataclass
class LedgerResult:
    """What reading a ledger file gives back.

    frame: the normalised report frame (columns = the 40 English keys), None when rejected.
    error_frame: every error as a DataFrame (row, column, value, message), sorted by row.
    warnings: list of Issue (unknown columns, file without data rows, …).
    row_numbers: spreadsheet row number of each frame row (frame has a RangeIndex).
    rows_read: number of non-blank data rows.
    sheet: the raw sheet as read, kept only when there are errors (for the error workbook).
    """

    frame: pd.DataFrame | None
    error_frame: pd.DataFrame
    warnings: list[Issue]
    row_numbers: np.ndarray
    rows_read: int
    kind: str | None = None
    encoding: str | None = None
    sheet_name: str | None = None
    sheet: RawSheet | None = field(default=None, repr=False)

    @property
    def ok(self) -> bool:
        return len(self.error_frame) == 0

    @cached_property
    def errors(self) -> list[Issue]:
        return frame_to_issues(self.error_frame)

    @property
    def warning_frame(self) -> pd.DataFrame:
        return issues_to_frame(self.warnings)


def read_ledger(data: bytes, filename: str, period: str) -> LedgerResult:
    """Read and validate a ledger file (.xlsx or .csv) for period 'YYYY-MM'.

    Never raises for anything in the file: an unreadable file gives one error without a row.
    Raises ValueError only for a malformed `period` (a caller's mistake, not the file's)."""
    reading = LedgerReading(data, filename, period, part_rows=None)
    parts = list(reading.parts())
    result = reading.result
    result.frame = parts[0] if parts else None
    return result


PART_ROWS = 200_000  # rows validated at a time by LedgerReading.parts() (CSV)


class ReadAgain(Exception):
    """Raised by LedgerReading.parts() after it gave parts of a file that, read whole, turns
    out to be in order after all (a row wider than the header row stopped the parsing in
    parts): the caller discards the parts it stored and stores ``reading.result.frame``."""


class LedgerReading:
    """A ledger file validated part by part, so that a caller can store each part while the
    next one is parsed and validated (PostgreSQL works on the stored part meanwhile):

        reading = LedgerReading(data, "ledger.csv", "2026-10")
        for frame in reading.parts():   # normalised report frames of consecutive rows,
            store(frame)                # given only while the file has no error so far
        reading.result                  # the LedgerResult: ok, errors, warnings

    The file is rejected or accepted as a whole: a caller that stored parts undoes them when
    ``reading.result.ok`` is false. Every error and warning is that of read_ledger, in the same
    order: a CSV file in order streams (importers.csv_parts: parsed, trimmed and validated
    ``part_rows`` rows at a time, duplicates of 举报编号 checked over the whole file); at the
    first error, or anything unusual, the file is read whole as read_ledger reads it, and
    ``result`` is that reading's. See ReadAgain for the one case where given parts must go.
    ``part_rows`` None reads whole, in one part; .xlsx files are always one part (their date
    cells are read natively, column by column). ``result.frame`` is None after parts.

    Raises ValueError only for a malformed `period`."""

    def __init__(self, data: bytes, filename: str, period: str, part_rows: int | None = PART_ROWS):
        validation.parse_period(period)
        self.data, self.filename, self.period, self.part_rows = data, filename, period, part_rows
        self.result: LedgerResult | None = None

    def parts(self):
        csv_file = self.filename.lower().endswith(".csv")
        if self.part_rows is None or not csv_file:
            yield from self._whole()
            return
        from importers.csv_parts import csv_parts

        end: list = []
        given = 0
        for frame in csv_parts(self.data, self.period, self.part_rows, end):
            given += 1
            yield frame
        stream = end[0]
        if stream.complete:
            self.result = LedgerResult(None, empty_issue_frame(), stream.warnings, stream.row_numbers,
                                       stream.rows_read, kind="csv", encoding=stream.encoding)
            return
        whole = list(self._whole())
        if self.result.ok:
            if given:
                self.result.frame = whole[0]
                raise ReadAgain()
            yield from whole
            self.result.frame = None

    def _whole(self):
        """The file read whole (read_ledger): one part, given if the file is in order."""
        try:
            sheet = read_sheet(self.data, self.filename)
        except LedgerFileError as exc:
            error = issues_to_frame([Issue(None, None, None, str(exc))])
            self.result = LedgerResult(None, error, [], np.arange(0), 0)
            return

        warnings = list(sheet.warnings)
        rows_read = len(sheet.rows)
        if rows_read == 0 and not sheet.errors:
            warnings.append(Issue(None, None, None, "文件没有数据行：将作为本期没有举报记录的台账"))

        # The text is handed over: validation frees each column once checked. CSV cells are
        # all text, so a CSV file has no native cells to parse dates from.
        raw = None if sheet.kind == "csv" else sheet.raw_column
        columns, n = sheet.take_text()
        checked = validation.validate_columns(columns, n, self.period, sheet.row_numbers, raw, sheet.date1904,
                                              all_str=True)
        del columns, raw
        header_errors = issues_to_frame(sheet.errors) if sheet.errors else empty_issue_frame()
        error_frame = combine_issue_frames([header_errors, checked.errors])
        ok = len(error_frame) == 0
        self.result = LedgerResult(
            frame=None,
            error_frame=error_frame,
            warnings=warnings,
            row_numbers=sheet.row_numbers,
            rows_read=rows_read,
            kind=sheet.kind,
            encoding=sheet.encoding,
            sheet_name=sheet.sheet_name,
            sheet=None if ok else sheet,
        )
        if ok:
            yield checked.frame


def build_error_workbook(result: LedgerResult) -> bytes:
    from importers.error_workbook import build_error_workbook as build

    return build(result)


def build_template() -> bytes:
    from importers.template import build_template as build

    return build()
