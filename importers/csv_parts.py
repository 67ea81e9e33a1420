"""Reading and validating a CSV ledger part by part, as the file is parsed.

For a caller that stores each part while the next is parsed and validated (the PostgreSQL
import: the server inserts on its own core meanwhile). Only the plain case streams: a file
whose encoding, header row and parts are all in order. At the first sign of anything else (a
header error, a value error in a part, duplicate 举报编号 over the file, a row wider than
expected) the stream stops and says so; LedgerReading then reads the file whole, as
read_ledger does, so that errors and warnings are exactly those of read_ledger.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from importers import cells
from importers import validate as validation
from importers.issues import Issue
from importers.reader import (
    LedgerFileError, _any_filled, detect_encoding, header_warnings, match_headers,
)


@dataclass
class StreamEnd:
    """How a streamed reading ended. complete: every row was read and validated without an
    error (then the other fields describe the file); otherwise the file must be read whole."""

    complete: bool
    encoding: str | None = None
    warnings: list[Issue] = field(default_factory=list)
    rows_read: int = 0
    row_numbers: np.ndarray = field(default_factory=lambda: np.arange(0))


def csv_parts(data: bytes, period: str, part_rows: int, end: list):
    """Yield the normalised report frames of consecutive parts of a CSV ledger; append the
    StreamEnd to ``end`` when done (a generator cannot return a value through a for loop)."""
    encoding = _encoding(data)
    if encoding is None:
        end.append(StreamEnd(False))
        return
    options = dict(header=None, dtype=object, na_filter=False, skip_blank_lines=False, encoding=encoding)
    try:
        first = pd.read_csv(io.BytesIO(data), nrows=1, **options)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, ValueError):
        end.append(StreamEnd(False))
        return
    # a row wider than the header row stops the stream (ParserError): read whole, such a file
    # gets its warnings about the columns without header
    width = first.shape[1]
    headers: list[str] | None = None
    column_keys: dict[int, str] = {}
    unnamed: dict[int, bool] = {}  # columns without header → holds data
    notes: list = []
    ids: list[np.ndarray] = []
    numbers: list[np.ndarray] = []
    offset = 0  # grid row (body rows, blank ones included) of the chunk's first body row
    try:
        with pd.read_csv(io.BytesIO(data), chunksize=part_rows, names=range(width), **options) as chunks:
            for chunk in chunks:
                grid = [chunk.iloc[:, p].to_numpy(dtype=object) for p in range(width)]
                if headers is None:
                    headers = [str(column[0]) for column in grid]
                    column_keys, errors, notes = match_headers(headers, "csv")
                    if errors:
                        end.append(StreamEnd(False))
                        return
                    unnamed = {position: False for position, note in notes if note is None}
                    grid = [column[1:] for column in grid]
                for position in unnamed:
                    if not unnamed[position]:
                        unnamed[position] = _has_text(grid[position])
                text = {key: cells.strip_array(grid[position]) for position, key in column_keys.items()}
                n = len(grid[0])
                del grid, chunk
                filled = _any_filled(list(text.values()), n)
                rows = np.flatnonzero(filled)
                if not filled.all():
                    text = {key: values[rows] for key, values in text.items()}
                row_numbers = rows + offset + 2
                offset += n
                if not len(rows):
                    continue
                part = {key: pd.Series(values, dtype=object, copy=False) for key, values in text.items()}
                ids.append(text.get("report_id", np.full(len(rows), "", dtype=object)))
                numbers.append(row_numbers)
                del text
                checked = validation.validate_columns(part, len(rows), period, row_numbers, None, False,
                                                      all_str=True, duplicates=False)
                if len(checked.errors) or checked.frame is None:
                    end.append(StreamEnd(False))
                    return
                yield checked.frame
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError, LedgerFileError):
        end.append(StreamEnd(False))
        return
    if headers is None:
        end.append(StreamEnd(False))
        return
    row_numbers = np.concatenate(numbers) if numbers else np.arange(0)
    if len(row_numbers):
        all_ids = pd.Series(np.concatenate(ids), dtype=object, copy=False)
        if len(validation.duplicate_errors(all_ids, len(all_ids), row_numbers)):
            end.append(StreamEnd(False))
            return
    warnings = header_warnings(notes, lambda position: unnamed[position])
    if not len(row_numbers):
        warnings.append(Issue(None, None, None, "文件没有数据行：将作为本期没有举报记录的台账"))
    end.append(StreamEnd(True, encoding, warnings, len(row_numbers), row_numbers))


def _has_text(values: np.ndarray) -> bool:
    """Whether a column of str cells holds any text once trimmed (as reader._column_has_data)."""
    nonempty = values != ""
    return bool(nonempty.any()) and bool((cells.strip_array(values[nonempty]) != "").any())


def _encoding(data: bytes) -> str | None:
    """The encoding of a CSV ledger, or None when the whole read is to decide (and report)."""
    try:
        return detect_encoding(data) if data else None
    except LedgerFileError:
        return None
