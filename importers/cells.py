"""Turning raw cells (CSV text or .xlsx values) into trimmed text, column by column.

CSV columns are already text. An .xlsx column holds Python values as python-calamine gives
them: str, float, int, bool, datetime, date, time, timedelta. Each is turned into the text a
user sees (integral numbers without ".0", TRUE/FALSE, ISO date-times) so that every check can
work on text; date-time columns keep their native values too (see importers.datetimes).
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

# Kinds of .xlsx cells
STR, NUMBER, BOOL, DATETIME, DATE, OTHER = range(6)
_KIND_OF_TYPE = {str: STR, float: NUMBER, int: NUMBER, bool: BOOL, dt.datetime: DATETIME, dt.date: DATE}


def is_text_column(series: pd.Series) -> bool:
    """True when every cell is a str (CSV columns, and most .xlsx text columns)."""
    if pd.api.types.is_string_dtype(series.dtype) and series.dtype != object:
        return True
    return is_text_array(series.to_numpy(dtype=object) if series.dtype == object else series)


def is_text_array(values) -> bool:
    """True when every element of an object array is a str (or there is none)."""
    return pd.api.types.infer_dtype(values, skipna=False) in ("string", "empty")


def cell_kinds(series: pd.Series) -> np.ndarray:
    """Kind code (STR, NUMBER, …) of every cell of an object column."""
    if is_text_column(series):
        return np.zeros(len(series), dtype=np.int8)
    # exact types as python-calamine gives them (time, timedelta and anything else: OTHER)
    kinds = series.map(type).map(_KIND_OF_TYPE).fillna(OTHER)
    return kinds.to_numpy(dtype=np.int8)


def strip_text(series: pd.Series) -> pd.Series:
    """Trim white space (full-width spaces and NBSP too) of a text column; object dtype."""
    if series.dtype == object:
        values = series.to_numpy()
        if is_text_array(values):
            return pd.Series(strip_array(values), index=series.index, dtype=object, copy=False)
    return series.astype(str).str.strip().astype(object)


def strip_array(values: np.ndarray) -> np.ndarray:
    """Trimmed cells of an object array of str. Returns `values` itself when no cell needs
    trimming (str.strip gives back the very same object then), so that the text and the cells
    as read can share one array."""
    stripped = np.fromiter(map(str.strip, values), dtype=object, count=len(values))
    return stripped if (stripped != values).any() else values


def number_text(values: pd.Series) -> pd.Series:
    """Numbers as a user sees them: integral values without a decimal part."""
    numbers = pd.to_numeric(values, errors="coerce").astype("float64")
    integral = np.isfinite(numbers) & (numbers == np.floor(numbers)) & (numbers.abs() < 1e15)
    text = numbers.astype(str)
    text[integral] = numbers[integral].astype("int64").astype(str)
    return text


def as_text(series: pd.Series) -> pd.Series:
    """Trimmed text of every cell of a column (CSV or .xlsx), index preserved; object dtype,
    every cell a str. A text column that needs no trimming keeps its array (no copy)."""
    if is_text_column(series):
        if series.dtype == object:
            return pd.Series(strip_array(series.to_numpy()), index=series.index, dtype=object, copy=False)
        return strip_text(series)
    kinds = cell_kinds(series)
    text = pd.Series("", index=series.index, dtype=object)
    for kind in (STR, NUMBER, BOOL, DATETIME, DATE, OTHER):
        mask = kinds == kind
        if not mask.any():
            continue
        part = series[mask]
        if kind == STR:
            text[mask] = part.astype(str).str.strip()
        elif kind == NUMBER:
            text[mask] = number_text(part)
        elif kind == BOOL:
            text[mask] = np.where(part.astype(bool), "TRUE", "FALSE")
        elif kind == DATETIME:
            text[mask] = pd.to_datetime(part.astype(object)).dt.strftime("%Y-%m-%d %H:%M:%S")
        elif kind == DATE:
            text[mask] = pd.to_datetime(part.astype(object)).dt.strftime("%Y-%m-%d")
        else:
            text[mask] = part.astype(str).str.strip()
    return text.astype(str).astype(object)
