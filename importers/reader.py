"""Reading a ledger file (.xlsx or .csv, ledger.md "File") into a raw grid of cells.

Nothing here judges cell values: that is importers.validate. The reader finds the sheet,
decodes the CSV, matches the header row to the 40 columns and drops blank rows.
"""
from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd
from python_calamine import CalamineWorkbook

from importers import cells
from importers.columns import BY_HEADER, BY_KEY, COLUMNS, Column
from importers.issues import Issue

LEDGER_SHEET = "台账"
ACCEPTED_ENCODINGS = "UTF-8、UTF-8（带 BOM）或 GB18030（GBK）"
ENCODING_ERROR = (
    "无法识别 CSV 文件的编码：只接受 " + ACCEPTED_ENCODINGS + " 编码的 CSV 文件，"
    "请在 Excel 或 WPS 中另存为“CSV UTF-8（逗号分隔）”或“CSV（逗号分隔）”后重新上传"
)
_WHITESPACE = re.compile(r"\s+")
CSV_CHUNK_ROWS = 100_000  # rows pandas parses at a time
_DECODE_SLICE = 1 << 22  # bytes decoded at a time when checking the encoding


class LedgerFileError(Exception):
    """The file cannot be read at all (wrong type, corrupt, wrong encoding, empty)."""


@dataclass
class RawSheet:
    """The submitted sheet as read.

    grid: every body row (row 2 onwards, blank rows included) and every column of the file,
          columns numbered 0.. in file order; cells as read (CSV: str; .xlsx: Python values).
          A CSV file's grid is not kept once read (its cells would double the memory of the
          text): it is read again from the file's bytes when asked for (the error workbook).
    headers: the header row's texts as submitted, one per grid column.
    column_keys: grid column position → English key, for recognised columns.
    rows: the body rows that are not blank (recognised columns only), as grid row positions.
    text: trimmed text of the recognised columns of those rows, named by English key,
          index 0..len(rows)-1, object columns of str (see importers.cells.as_text); None
          once handed over by take_text.
    """

    kind: str  # "csv" or "xlsx"
    _grid: pd.DataFrame | None
    headers: list[str]
    column_keys: dict[int, str]
    rows: np.ndarray
    text: pd.DataFrame
    encoding: str | None = None
    sheet_name: str | None = None
    date1904: bool = False
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    _read_grid: Callable[[], pd.DataFrame] | None = field(default=None, repr=False)

    @property
    def grid(self) -> pd.DataFrame:
        if self._grid is None and self._read_grid is not None:
            self._grid = self._read_grid()
        return self._grid

    def take_text(self) -> tuple[dict[str, pd.Series], int]:
        """Hand the text columns over (and forget them): ({key: column}, number of rows). The
        receiver (importers.validate.validate_columns) drops each column once checked, so
        that the text of the cells that do not go into the report frame is freed early."""
        text, self.text = self.text, None
        return {key: text[key] for key in text.columns}, len(text)

    @property
    def row_numbers(self) -> np.ndarray:
        """Spreadsheet row number of every non-blank body row."""
        return self.rows + 2

    def raw_column(self, key: str) -> pd.Series:
        """The cells as read of one recognised column, non-blank rows, index 0..n-1. CSV cells
        are all text: for a CSV file this is the trimmed text (the grid is not kept)."""
        if self.kind == "csv" and self._grid is None and self.text is not None:
            return self.text[key]
        position = next(p for p, k in self.column_keys.items() if k == key)
        return _take_rows(self.grid[position], self.rows)


def read_sheet(data: bytes, filename: str) -> RawSheet:
    """Read a ledger file. Raises LedgerFileError when the file cannot be read at all;
    header problems are returned in RawSheet.errors / .warnings."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if not data:
        raise LedgerFileError("文件为空：第1行应为表头，之后每行一条举报")
    if extension == "xlsx":
        grid, headers, sheet_name, date1904 = _read_xlsx(data)
        sheet = _build(grid, headers, "xlsx")
        sheet.sheet_name, sheet.date1904 = sheet_name, date1904
    elif extension == "csv":
        grid, headers, encoding = _read_csv(data)
        sheet = _build(grid, headers, "csv", all_text=True)
        del grid
        sheet.encoding = encoding
        sheet._grid, sheet._read_grid = None, lambda: _read_csv(data)[0]
    elif extension in ("xls", "et", "wps"):
        raise LedgerFileError("不支持旧版 Excel（.xls）等格式：请另存为 .xlsx 或 .csv 文件后重新上传")
    else:
        raise LedgerFileError(f"不支持的文件类型“{filename}”：只接受 .xlsx 或 .csv 文件")
    return sheet


# CSV ----------------------------------------------------------------------------------------
def detect_encoding(data: bytes) -> str:
    """'utf-8-sig', 'utf-8' or 'gb18030'; raises LedgerFileError for anything else."""
    if data.startswith(codecs.BOM_UTF8):
        candidates = ("utf-8-sig",)
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in data:
        # UTF-16/UTF-32 text (with or without BOM) and binary files contain NUL bytes
        raise LedgerFileError(ENCODING_ERROR)
    else:
        candidates = ("utf-8", "gb18030")
    for encoding in candidates:
        if _decodes(data, encoding):
            return encoding
    raise LedgerFileError(ENCODING_ERROR)


def _decodes(data: bytes, encoding: str) -> bool:
    """Whether the whole of `data` decodes strictly, checked in slices so that the decoded text
    (up to 4 bytes a character) never exists all at once."""
    if data.isascii():
        return True
    decoder = codecs.getincrementaldecoder(encoding)()
    view = memoryview(data)
    try:
        for start in range(0, len(data), _DECODE_SLICE):
            decoder.decode(view[start:start + _DECODE_SLICE], final=start + _DECODE_SLICE >= len(data))
    except UnicodeDecodeError:
        return False
    return True


def _read_csv(data: bytes) -> tuple[pd.DataFrame, list[str], str]:
    """The body (object columns of str, "" for an empty or missing field), the headers and the
    encoding.

    A file without BOM is first parsed as UTF-8 without checking it beforehand: pandas decodes
    every field strictly, so UnicodeDecodeError means the file is not UTF-8, and
    detect_encoding then decides as it always does (GB18030 or rejected)."""
    if data.startswith(codecs.BOM_UTF8):
        encoding = detect_encoding(data)
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in data:
        raise LedgerFileError(ENCODING_ERROR)
    else:
        encoding = "utf-8"
    try:
        columns = _parse_csv_any_width(data, encoding)
    except UnicodeDecodeError:
        encoding = detect_encoding(data)
        try:
            columns = _parse_csv_any_width(data, encoding)
        except UnicodeDecodeError:
            raise LedgerFileError(ENCODING_ERROR) from None
    headers = [str(column[0]) for column in columns]
    # the body: views without the header row, no copy
    body = _object_frame({position: column[1:] for position, column in enumerate(columns)})
    return body, headers, encoding


def _parse_csv_any_width(data: bytes, encoding: str) -> list[np.ndarray]:
    try:
        return _parse_csv(data, encoding)
    except pd.errors.EmptyDataError:
        raise LedgerFileError("文件为空：第1行应为表头，之后每行一条举报") from None
    except pd.errors.ParserError:
        # Some row has more fields than the header: read with as many columns as the widest row.
        text = codecs.decode(data, encoding)
        width = max((len(r) for r in csv.reader(io.StringIO(text, newline=""))), default=0)
        del text
        try:
            return _parse_csv(data, encoding, names=range(width))
        except pd.errors.ParserError as exc:
            raise LedgerFileError(f"CSV 文件格式错误，无法读取：{exc}") from None


def _parse_csv(data: bytes, encoding: str, names=None) -> list[np.ndarray]:
    """Every column of the CSV (header row included) as an object array of str ("" for an
    empty or missing field).

    pandas parses slices of rows whose cells are copied straight into arrays sized for the
    whole file: the grid's cell references exist once, and no concatenation leaves freed
    slices behind (which the allocator does not give back to the system)."""
    options = dict(header=None, dtype=object, na_filter=False, skip_blank_lines=False, encoding=encoding)
    if names is not None:
        options["names"] = names
    capacity = _max_records(data)
    columns: list[np.ndarray] = []
    count = 0
    with pd.read_csv(io.BytesIO(data), chunksize=CSV_CHUNK_ROWS, **options) as chunks:
        for chunk in chunks:
            size = len(chunk)
            if not columns:
                columns = [np.empty(capacity, dtype=object) for _ in range(chunk.shape[1])]
            if count + size > len(columns[0]):  # not expected (see _max_records); grow
                more = max(count + size, 2 * len(columns[0])) - len(columns[0])
                columns = [np.concatenate([column, np.empty(more, dtype=object)]) for column in columns]
            for position, column in enumerate(columns):
                column[count:count + size] = chunk.iloc[:, position].to_numpy(dtype=object)
            count += size
            del chunk
    columns = [column[:count] for column in columns]
    for column in columns:
        if not cells.is_text_array(column):
            # na_filter=False gives "" for missing fields; should a NaN ever appear, it is one
            column[pd.isna(column)] = ""
    return columns


def _max_records(data: bytes) -> int:
    """Upper bound of the number of CSV records: line ends (LF, CRLF or a lone CR) + 1.
    Neither UTF-8 nor GB18030 uses the bytes of CR or LF inside a multi-byte character."""
    lines = data.count(b"\n")
    carriage_returns = data.count(b"\r")
    if carriage_returns:
        lines += carriage_returns - data.count(b"\r\n")
    return lines + 1


def _object_frame(columns: dict) -> pd.DataFrame:
    """A DataFrame of object columns that keeps the given arrays (no copy, no consolidation,
    no inference of pandas' str dtype)."""
    return pd.DataFrame(columns, dtype=object, copy=False)


# Excel --------------------------------------------------------------------------------------
def _read_xlsx(data: bytes) -> tuple[pd.DataFrame, list[str], str, bool]:
    from importers.zipguard import ContainerError, check_xlsx_container

    try:
        check_xlsx_container(data)
    except ContainerError as exc:
        raise LedgerFileError(str(exc)) from None
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = workbook.sheet_names
        if not names:
            raise LedgerFileError("Excel 文件中没有工作表")
        name = LEDGER_SHEET if LEDGER_SHEET in names else names[0]
        rows = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except LedgerFileError:
        raise
    except Exception as exc:  # calamine raises several exception types (zip, xml, password)
        if "password" in type(exc).__name__.lower() or "encrypt" in str(exc).lower():
            raise LedgerFileError("Excel 文件已加密：请取消密码保护后重新上传") from None
        raise LedgerFileError("无法读取 Excel 文件：文件已损坏或不是 .xlsx 格式（请用 Excel 或 WPS 另存为 .xlsx）") from None
    if not rows:
        raise LedgerFileError(f"工作表“{name}”为空：第1行应为表头，之后每行一条举报")
    headers = [cells.as_text(pd.Series([h], dtype=object)).iloc[0] for h in rows[0]]
    body = pd.DataFrame(rows[1:], columns=range(len(headers)), dtype=object)
    return body, headers, name, _uses_1904_dates(data)


def _uses_1904_dates(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            workbook_xml = archive.read("xl/workbook.xml")
    except (KeyError, zipfile.BadZipFile):
        return False
    return re.search(rb'date1904="(1|true)"', workbook_xml) is not None


# Headers and blank rows -----------------------------------------------------------------------
def match_header(text: str) -> Column | None:
    """The column a header cell names: the Chinese header or the English key (any case),
    white space (full-width spaces too) ignored."""
    compact = _WHITESPACE.sub("", text)
    return BY_HEADER.get(compact) or BY_KEY.get(compact.lower())


def match_headers(headers: list[str], kind: str) -> tuple[dict[int, str], list[Issue], list[tuple[int, Issue | None]]]:
    """The header row: (column position → English key in ledger.md order, errors, notes).
    ``notes`` are the ignored columns in file order: an Issue for an unknown header, None for a
    column without header (a warning only if the column holds data: see header_warnings)."""
    errors: list[Issue] = []
    notes: list[tuple[int, Issue | None]] = []
    column_keys: dict[int, str] = {}
    first_position: dict[str, int] = {}
    for position, header in enumerate(headers):
        label = header.strip()
        column = match_header(header)
        if column is None:
            notes.append((position, Issue(1, label, label, f"第{position + 1}列的表头“{label}”不是台账的列，已忽略该列")
                          if label else None))
            continue
        if column.key in first_position:
            errors.append(Issue(
                1, column.header, label,
                f"表头重复：第{position + 1}列与第{first_position[column.key] + 1}列都是“{column.header}”，每列只能出现一次",
            ))
            continue
        first_position[column.key] = position
        column_keys[position] = column.key
    if not column_keys:
        hint = "；如表头显示为乱码，说明文件编码不是 " + ACCEPTED_ENCODINGS if kind == "csv" else ""
        errors.append(Issue(1, None, None, "第1行没有可识别的表头：第1行应为台账的列名（中文表头或英文键）" + hint))
    else:
        for column in COLUMNS:
            if column.always_required and column.key not in first_position:
                errors.append(Issue(1, column.header, None, f"缺少必填列“{column.header}”（{column.key}）：该列每行都必须填写"))
    return dict(sorted(column_keys.items(), key=lambda item: BY_KEY[item[1]].number)), errors, notes


def header_warnings(notes: list[tuple[int, Issue | None]], has_data: Callable[[int], bool]) -> list[Issue]:
    """The warnings of the ignored columns (see match_headers), in file order."""
    return [note if note is not None else Issue(1, None, "", f"第{position + 1}列没有表头，已忽略该列的内容")
            for position, note in notes if note is not None or has_data(position)]


def _build(grid: pd.DataFrame, headers: list[str], kind: str, all_text: bool = False) -> RawSheet:
    """all_text: every cell of the grid is known to be a str (CSV)."""
    column_keys, errors, notes = match_headers(headers, kind)
    warnings = header_warnings(notes, lambda position: _column_has_data(grid[position]))
    text: dict[str, np.ndarray] = {}
    for position, key in column_keys.items():
        # a text column that needs no trimming keeps its array: the cells as read and their
        # text are then one array in memory
        if all_text:
            text[key] = cells.strip_array(grid[position].to_numpy(dtype=object))
        else:
            text[key] = cells.as_text(grid[position]).to_numpy(dtype=object)
    filled = _any_filled(list(text.values()), len(grid))
    rows = np.flatnonzero(filled)
    if not filled.all():
        text = {key: values[rows] for key, values in text.items()}
    text_frame = _object_frame(text) if text else pd.DataFrame(index=pd.RangeIndex(len(rows)))
    return RawSheet(kind, grid, headers, column_keys, rows, text_frame, errors=errors, warnings=warnings)


def _any_filled(columns: list[np.ndarray], n: int) -> np.ndarray:
    """Rows with at least one non-empty text cell; each column is looked at only for the rows
    still empty (usually the first, always-required column settles nearly every row)."""
    filled = np.zeros(n, dtype=bool)
    for values in columns:
        empty = np.flatnonzero(~filled)
        if not len(empty):
            break
        if len(empty) == n:
            filled = values != ""
        else:
            filled[empty] = values[empty] != ""
    return np.asarray(filled, dtype=bool)


def _column_has_data(series: pd.Series) -> bool:
    return bool((cells.as_text(series) != "").any())


def _take_rows(series: pd.Series, rows: np.ndarray) -> pd.Series:
    if len(rows) == len(series):
        return series.reset_index(drop=True)
    return series.iloc[rows].reset_index(drop=True)
