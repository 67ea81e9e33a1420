"""Every value rule of ledger.md, vectorised over whole columns, and the normalised frame.

Input: the trimmed text of the recognised columns (and, for .xlsx, the native cells of the
date-time columns). Output: `Validation` with the normalised report frame of
docs/architecture.md (only when there is no error) and the errors as a DataFrame
(row, column, value, message). There is a loop over columns and rules, never over rows.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd

from importers import columns as col
from importers import datetimes
from importers.columns import BY_KEY, COLUMNS, DATETIME, ENUM, FLAG, MULTI, TEXT
from importers.cells import is_text_array
from importers.issues import combine_issue_frames, issue_frame
from importers.multivalue import SEPARATORS_TEXT, parse_multi

_PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
DEFAULT_NONE = {"interim_measure": "无", "account_action": "无"}  # empty cell means 无
FLAG_TEXT = "“是”或“否”（也可填 Y/N、yes/no、true/false、1/0，不区分大小写）"


@dataclass
class Validation:
    frame: pd.DataFrame | None  # normalised report frame, None when there are errors
    errors: pd.DataFrame  # columns row, column, value, message; sorted by row then column


def parse_period(period: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """'YYYY-MM' → (first instant of the month, first instant of the next month)."""
    if not isinstance(period, str) or not _PERIOD.match(period.strip()):
        raise ValueError(f"报送期“{period}”格式错误：应为 YYYY-MM，如 2026-10")
    start = pd.Timestamp(period.strip() + "-01")
    return start, start + pd.offsets.MonthBegin(1)


# Conditional requirements (ledger.md "required" column, other than "always" and "no"):
# key → (condition on the parsed row values, Chinese description of the condition).
Condition = Callable[[dict], np.ndarray]
CONDITIONS: dict[str, tuple[Condition, str]] = {
    "enterprise_tier": (lambda v: v["subject_type"] == "涉企", "举报类型为涉企"),
    "rejection_reason": (lambda v: v["acceptance"] == "不予受理", "受理结果为不予受理"),
    "supplement_reason": (lambda v: v["supplement_requested_at"] != "", "填写了补充材料要求时间"),
    "facts_clear": (lambda v: (v["acceptance"] == "受理") & (v["status"] == "已办结"), "受理结果为受理且办理状态为已办结"),
    "interim_measure_at": (lambda v: (v["interim_measure"] != "") & (v["interim_measure"] != "无"), "临时措施不为“无”"),
    "measures": (lambda v: (v["acceptance"] == "受理") & (v["status"] == "已办结"), "受理结果为受理且办理状态为已办结"),
    "disposed_at": (lambda v: v["status"] == "已办结", "办理状态为已办结"),
    "feedback_channel": (lambda v: v["feedback_at"] != "", "填写了反馈时间"),
    "reviewer_id": (lambda v: v["status"] == "已办结", "办理状态为已办结"),
}


class _Errors:
    """Collects the errors of one validation as small DataFrames."""

    def __init__(self, text: dict[str, pd.Series], row_numbers: np.ndarray):
        self.text = text
        self.row_numbers = row_numbers
        self.frames: list[pd.DataFrame] = []

    def add(self, mask, key: str, message) -> None:
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        if not isinstance(message, str):
            message = np.asarray(message, dtype=object)[mask]
        values = self.text[key][mask].to_numpy(dtype=object)
        self.frames.append(issue_frame(self.row_numbers[mask], BY_KEY[key].header, values, message))


def validate(
    text: pd.DataFrame,
    period: str,
    row_numbers: np.ndarray | None = None,
    raw: Callable[[str], pd.Series] | None = None,
    date1904: bool = False,
) -> Validation:
    """Validate trimmed ledger text.

    text: one text column per recognised English key (absent columns mean all cells empty),
          RangeIndex; row_numbers: the spreadsheet row of each row (default 2, 3, …);
    raw: gives the native cells of a date-time column (.xlsx), same index as `text`.
    Raises ValueError for a malformed period.
    """
    return validate_columns({key: text[key] for key in text.columns}, len(text), period, row_numbers, raw, date1904)


# Columns kept until the checks after the loop over the columns are done.
_KEPT_TEXT = ("report_id", "subject_type", "category")


def validate_columns(
    columns: dict[str, pd.Series],
    n: int,
    period: str,
    row_numbers: np.ndarray | None = None,
    raw: Callable[[str], pd.Series] | None = None,
    date1904: bool = False,
    all_str: bool = False,
    duplicates: bool = True,
) -> Validation:
    """validate() for text given as {key: column} (n rows). Each column is removed from
    `columns` as soon as it is checked, so that a caller handing its only reference over
    (RawSheet.take_text) lets the text not needed in the report frame be freed early.
    all_str: the columns are known to be object columns of str (RawSheet.text).
    duplicates: check 举报编号 for duplicates (False for a part of a file: duplicate_errors()
    checks them over the whole file)."""
    period_start, period_next = parse_period(period)
    row_numbers = np.arange(2, n + 2) if row_numbers is None else np.asarray(row_numbers)
    index = pd.RangeIndex(n)
    present = set(columns)
    values = {c.key: _text_column(columns.pop(c.key, None), index, all_str) for c in COLUMNS}
    # the same cells as numpy object arrays: numpy compares them with a str several times
    # faster than pandas compares an object Series
    arrays = {key: cells.to_numpy() for key, cells in values.items()}
    # the conditional requirements are evaluated before any column is let go
    conditions = {key: np.asarray(condition(arrays), dtype=bool) for key, (condition, _) in CONDITIONS.items()}
    errors = _Errors(values, row_numbers)
    normalised: dict[str, object] = {}

    for column in COLUMNS:
        key, header = column.key, column.header
        cells = values[key]
        filled = arrays[key] != ""
        if column.kind == TEXT:
            _check_length(errors, column, cells, filled)
            normalised[key] = _text_or_none(cells, filled)
        elif column.kind == ENUM:
            errors.add(filled & ~cells.isin(column.values).to_numpy(), key,
                       f"“{header}”的值不在允许范围内；允许的值：{'、'.join(column.values)}")
            normalised[key] = _text_or_none(cells, filled, DEFAULT_NONE.get(key))
        elif column.kind == FLAG:
            true, false = _flag_values(cells, filled)
            errors.add(filled & ~true & ~false, key, f"“{header}”的值无法识别，应填写{FLAG_TEXT}")
            if key == "facts_clear":
                normalised[key] = pd.array(np.where(filled & (true | false), true, None), dtype="boolean")
            else:
                normalised[key] = true
        elif column.kind == DATETIME:
            raw_cells = raw(key) if raw is not None and key in present else cells
            parsed = datetimes.parse_column(raw_cells, cells, date1904)
            del raw_cells
            errors.add(filled & parsed.isna().to_numpy(), key,
                       f"“{header}”不是可识别的日期时间；可用的格式：{datetimes.FORMS_TEXT}")
            normalised[key] = parsed.to_numpy(dtype="datetime64[ns]")
            del parsed
        elif column.kind == MULTI:
            multi = parse_multi(cells, column.values)
            _check_multi(errors, column, multi, n)
            normalised[key] = multi.normalised.to_numpy(dtype=object)
            filled = multi.count > 0  # "；" alone is no value
            del multi
        _check_required(errors, column, filled, conditions, present)
        if key == "received_at":
            _check_period(errors, values, normalised[key], period_start, period_next, period)
        if key not in _KEPT_TEXT:
            del cells
            values[key] = arrays[key] = None

    _check_category(errors, values, arrays)
    if duplicates:
        _check_duplicates(errors, values, row_numbers)

    error_frame = combine_issue_frames(errors.frames)
    frame = None if len(error_frame) else _frame(normalised, n)
    return Validation(frame, error_frame)


def _frame(normalised: dict, n: int) -> pd.DataFrame:
    """Text columns stay object dtype (str or None), not pandas' str dtype (NaN for missing).
    The arrays are fresh, owned by the frame: no copy, no consolidation into 2-D blocks."""
    series = {}
    for key in col.KEYS:
        values = normalised.pop(key)
        if isinstance(values, np.ndarray) and values.dtype == object:
            series[key] = pd.Series(values, dtype=object, copy=False)
        else:
            series[key] = pd.Series(values, copy=False)
    return pd.DataFrame(series, index=pd.RangeIndex(n), copy=False)


def _text_column(cells: pd.Series | None, index: pd.RangeIndex, all_str: bool = False) -> pd.Series:
    """The trimmed text of one column as an object Series of str (no copy when it already is
    one); all "" for an absent column."""
    if cells is None:
        return pd.Series(np.full(len(index), "", dtype=object), index=index, dtype=object, copy=False)
    if cells.dtype == object and (all_str or is_text_array(cells.to_numpy())):
        return pd.Series(cells.to_numpy(), index=index, dtype=object, copy=False)
    return pd.Series(cells.astype(str).astype(object).to_numpy(), index=index, dtype=object, copy=False)


def _flag_values(cells: pd.Series, filled: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(is a true spelling, is a false spelling), case-insensitively. A flag column holds a
    handful of distinct cells: each is lowered and looked up once."""
    codes, uniques = pd.factorize(cells.to_numpy(dtype=object))
    lowered = pd.Series([value.lower() for value in uniques], dtype=object)
    true = lowered.isin(col.TRUE_SPELLINGS).to_numpy()[codes]
    false = lowered.isin(col.FALSE_SPELLINGS).to_numpy()[codes]
    return true, false


# Rules ----------------------------------------------------------------------------------------
def _text_or_none(cells: pd.Series, filled: np.ndarray, default: str | None = None) -> np.ndarray:
    out = cells.to_numpy(dtype=object, copy=True)  # never write into the text column itself
    out[~filled] = default
    return out


def _check_length(errors: _Errors, column, cells: pd.Series, filled: np.ndarray) -> None:
    if column.max_length is None or not filled.any():
        return
    lengths = pd.Series(np.fromiter(map(len, cells.to_numpy()), dtype=np.int64, count=len(cells)), index=cells.index)
    too_long = (lengths > column.max_length).to_numpy()
    if too_long.any():
        message = (
            f"“{column.header}”超过 {column.max_length} 个字符（共 "
            + lengths.astype(str).astype(object)
            + f" 个字符）：请缩短到 {column.max_length} 个字符以内"
        )
        errors.add(too_long, column.key, message.to_numpy(dtype=object))


def _check_multi(errors: _Errors, column, multi, n: int) -> None:
    allowed = "、".join(column.values)
    if len(multi.first_bad):
        positions = multi.first_bad.index.to_numpy()
        bad = np.zeros(n, dtype=bool)
        bad[positions] = True
        message = np.full(n, "", dtype=object)
        message[positions] = (
            f"“{column.header}”含有不允许的值“" + multi.first_bad.astype(str).astype(object)
            + f"”；允许的值：{allowed}；多个值用{SEPARATORS_TEXT}分隔"
        ).to_numpy(dtype=object)
        errors.add(bad, column.key, message)
    if column.key == "measures":
        no_action = 1 << col.MEASURES.index(col.NO_ACTION)
        errors.add((multi.bits & no_action).astype(bool) & (multi.bits != no_action), column.key,
                   "“处置措施”中“无需处置”不能与其他处置措施同时填写：请只填“无需处置”，或删去它")


def _check_required(errors: _Errors, column, filled: np.ndarray, conditions: dict, present: set) -> None:
    """conditions: whether the condition of each conditional column holds, per row."""
    if column.always_required:
        # An absent always-required column is already reported once, on the header row.
        if column.key in present:
            errors.add(~filled, column.key, f"“{column.header}”为必填项，不能为空")
    elif column.key in CONDITIONS:
        description = CONDITIONS[column.key][1]
        errors.add(conditions[column.key] & ~filled, column.key, f"“{column.header}”不能为空：{description}时必填")


def _check_category(errors: _Errors, values: dict, arrays: dict) -> None:
    category = values["category"]
    known = category.isin(col.ALL_CATEGORIES).to_numpy()
    for subject_type, categories in col.CATEGORIES_BY_SUBJECT.items():
        wrong = (arrays["subject_type"] == subject_type) & known & ~category.isin(categories).to_numpy()
        if wrong.any():
            message = ("侵权类别“" + category.astype(object) + f"”不属于举报类型“{subject_type}”；"
                       f"{subject_type}的侵权类别为：{'、'.join(categories)}")
            errors.add(wrong, "category", message.to_numpy(dtype=object))


def _check_period(errors: _Errors, values: dict, received: np.ndarray, start, next_start, period: str) -> None:
    late = received >= next_start.to_datetime64()  # NaT compares False
    end = (next_start - pd.Timedelta(seconds=1)).strftime("%Y-%m-%d %H:%M:%S")
    errors.add(late, "received_at",
               f"“受理时间”晚于报送期 {period} 的期末（{end}）：本期台账只能列入本月及以前受理的举报")


def duplicate_errors(cells: pd.Series | None, n: int, row_numbers: np.ndarray) -> pd.DataFrame:
    """The duplicate-举报编号 errors of a whole file (its report_id text, n rows), as
    validate_columns() gives them."""
    ids = _text_column(cells, pd.RangeIndex(n), all_str=True)
    errors = _Errors({"report_id": ids}, np.asarray(row_numbers))
    _check_duplicates(errors, {"report_id": ids}, errors.row_numbers)
    return combine_issue_frames(errors.frames)


def _check_duplicates(errors: _Errors, values: dict, row_numbers: np.ndarray) -> None:
    ids = values["report_id"]
    first = ~ids.duplicated(keep="first").to_numpy()
    later = ~first & (ids != "").to_numpy()
    if not later.any():
        return
    first_row_of_id = pd.Series(row_numbers[first], index=ids[first].to_numpy(dtype=object))
    earlier = ids[later].astype(object).map(first_row_of_id)
    message = np.full(len(ids), "", dtype=object)
    message[later] = ("“举报编号”与第 " + earlier.astype("int64").astype(str).astype(object)
                      + " 行重复：同一文件内举报编号不得重复").to_numpy(dtype=object)
    errors.add(later, "report_id", message)
