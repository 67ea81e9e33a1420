"""Parsing ledger date-times (ledger.md "Values"), vectorised over a whole column.

Accepted text forms (zero padding optional; a date alone means 00:00:00; seconds optional):
  2026-10-08 14:03:00   2026-10-08 14:03   2026-10-08T14:03:00
  2026/10/8 14:03       2026年10月8日 14时03分   (2026年10月8日14时03分05秒)
and, in .xlsx files, real date-time cells and bare date serial numbers (rounded to the
nearest second). Values are naive Beijing time; anything else is an error of that cell.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from importers import cells

CANONICAL_FORMAT = "%Y-%m-%d %H:%M:%S"
FORMS_TEXT = (
    "2026-10-08 14:03:00、2026-10-08 14:03、2026/10/8 14:03、2026年10月8日 14时03分、"
    "2026-10-08T14:03:00，或只填日期（如 2026-10-08、2026/10/8、2026年10月8日）"
)

_PATTERN = (
    r"^(?P<y>\d{4})(?P<s1>[-/年])(?P<mo>\d{1,2})(?P<s2>[-/月])(?P<d>\d{1,2})(?P<s3>日?)"
    r"(?:(?P<sep>\s*|T)(?P<H>\d{1,2})(?P<t1>[:时])(?P<mi>\d{1,2})"
    r"(?:(?P<t2>[:分])(?P<S>\d{1,2})(?P<t3>秒?))?(?P<t4>分?))?$"
)
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")
_EXCEL_EPOCH_1904 = pd.Timestamp("1904-01-01")
_LAST_DAY = pd.Timestamp("2200-12-31")


def parse_text(text: pd.Series) -> pd.Series:
    """Parse trimmed text cells; returns datetime64[ns] with NaT for empty or unparseable
    cells (the caller tells the two apart by the text being empty)."""
    values = text.to_numpy(dtype=object)
    result = np.full(len(values), np.datetime64("NaT"), dtype="datetime64[ns]")
    filled = np.flatnonzero(values != "")
    if len(filled):
        # Fast path: the canonical form, which is strict (4-digit year, exact separators).
        candidates = values[filled]
        fast = pd.DatetimeIndex(pd.to_datetime(candidates, format=CANONICAL_FORMAT, errors="coerce"))
        # strptime lets seconds 60 and 61 roll over into the next minute: leave those to the
        # strict parser below. Those parse to a second of 0 or 1: look only at such values.
        rolled = np.flatnonzero(np.isin(fast.second, (0, 1)))
        if len(rolled):
            ends = pd.Series([value[-3:] for value in candidates[rolled]], dtype=object)
            rolled = rolled[ends.isin([":60", ":61"]).to_numpy()]
        fast = fast.to_numpy(dtype="datetime64[ns]", copy=True)
        fast[rolled] = np.datetime64("NaT")
        result[filled] = fast
        rest = filled[np.isnat(fast)]
        if len(rest):
            result[rest] = _parse_forms(pd.Series(values[rest], dtype=object)).to_numpy(dtype="datetime64[ns]")
    return pd.Series(result, index=text.index, copy=False)


def _parse_forms(text: pd.Series) -> pd.Series:
    parts = text.str.extract(_PATTERN)
    dash = (parts["s1"] == "-") & (parts["s2"] == "-") & (parts["s3"] == "")
    slash = (parts["s1"] == "/") & (parts["s2"] == "/") & (parts["s3"] == "")
    chinese = (parts["s1"] == "年") & (parts["s2"] == "月") & (parts["s3"] == "日")
    has_time = parts["H"].notna()
    sep = parts["sep"].fillna("")
    sep_is_space = (sep != "") & (sep.str.strip() == "")
    latin_time = (
        (parts["t1"] == ":")
        & (parts["t2"].isna() | (parts["t2"] == ":"))
        & (parts["t3"].fillna("") == "")
        & (parts["t4"] == "")
    )
    chinese_time = (parts["t1"] == "时") & (
        (parts["t2"].isna() & (parts["t4"] == "分"))
        | ((parts["t2"] == "分") & (parts["t3"] == "秒") & (parts["t4"] == ""))
    )
    time_ok = (
        (dash & latin_time & (sep_is_space | (sep == "T")))
        | (slash & latin_time & sep_is_space)
        | (chinese & chinese_time & (sep.str.strip() == ""))
    )
    form_ok = (dash | slash | chinese) & (~has_time | time_ok)

    numbers = parts[["y", "mo", "d", "H", "mi", "S"]].apply(pd.to_numeric, errors="coerce").fillna(0)
    # datetime64[ns] holds years 1678..2261
    in_range = (
        (numbers["H"] <= 23) & (numbers["mi"] <= 59) & (numbers["S"] <= 59)
        & (numbers["y"] >= 1700) & (numbers["y"] <= 2200)
    )
    usable = form_ok & in_range
    components = pd.DataFrame({"year": numbers["y"], "month": numbers["mo"], "day": numbers["d"]})
    dates = pd.to_datetime(components.where(usable, 2000).astype("int64"), errors="coerce")
    clock = pd.to_timedelta(numbers["H"] * 3600 + numbers["mi"] * 60 + numbers["S"], unit="s")
    values = (dates + clock).astype("datetime64[ns]")
    return values.where(usable & dates.notna())


def parse_excel_serials(numbers: pd.Series, date1904: bool = False) -> pd.Series:
    """Excel date serial numbers → datetime64[ns], rounded to the nearest second; NaT when the
    number is not a plausible date (below 1, i.e. a time alone, or after 2200)."""
    epoch = _EXCEL_EPOCH_1904 if date1904 else _EXCEL_EPOCH
    serial = pd.to_numeric(numbers, errors="coerce").astype("float64")
    plausible = (serial >= 1) & (serial <= (_LAST_DAY - epoch).days)
    seconds = np.round(serial.where(plausible, 0) * 86400).astype("int64")
    values = (epoch + pd.to_timedelta(seconds, unit="s")).astype("datetime64[ns]")
    return values.where(plausible)


def parse_column(raw: pd.Series, text: pd.Series, date1904: bool = False) -> pd.Series:
    """Parse one date-time column given its raw cells and their trimmed text (same index).
    Returns datetime64[ns]; NaT for empty and for unparseable cells."""
    if cells.is_text_column(raw):
        return parse_text(text)
    kinds = cells.cell_kinds(raw)
    result = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    is_str = kinds == cells.STR
    if is_str.any():
        result[is_str] = parse_text(text[is_str])
    native = (kinds == cells.DATETIME) | (kinds == cells.DATE)
    if native.any():
        stamps = pd.to_datetime(raw[native].astype(object), errors="coerce")
        in_ns = (stamps >= pd.Timestamp.min.ceil("s")) & (stamps <= pd.Timestamp.max.floor("s"))
        result[native] = stamps.where(in_ns).dt.round("s").astype("datetime64[ns]")
    number = kinds == cells.NUMBER
    if number.any():
        result[number] = parse_excel_serials(raw[number], date1904)
    return result
