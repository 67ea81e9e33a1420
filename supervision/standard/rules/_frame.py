"""Vectorised access to the normalised report frame, and the shared terms of rules.md.

Every accessor returns a numpy array over all rows. Text and enumeration columns are
factorised once (pandas.factorize) and any per-value logic runs over the distinct values only,
then is broadcast back with integer indexing — never a Python call per report.
"""
from __future__ import annotations

import re
import unicodedata
from functools import cached_property

import numpy as np
import pandas as pd

from importers import columns as C

from ..workdays import WorkCalendar, as_datetime64

_SPLIT = re.compile(r"[；;，,、\r\n]+")


def clean(value) -> str:
    """A cell as trimmed text ('' for missing); str.strip also removes U+3000."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value).strip()


def tokens(value) -> frozenset[str]:
    text = clean(value)
    if not text:
        return frozenset()
    return frozenset(t.strip() for t in _SPLIT.split(text) if t.strip())


def staff_key(value) -> str:
    """A staff id compared for PRO-01: NFKC (full-width letters, digits and spaces become
    half-width), surrounding white space removed, letter case folded."""
    return unicodedata.normalize("NFKC", clean(value)).strip().casefold()


class ReportView:
    """Column accessors over one frame; missing optional columns read as empty."""

    def __init__(self, frame: pd.DataFrame):
        self.frame = frame
        self.size = len(frame)
        self._factorized: dict[str, tuple[np.ndarray, list]] = {}

    def has(self, key: str) -> bool:
        return key in self.frame.columns

    def factorize(self, key: str) -> tuple[np.ndarray, list]:
        if key not in self._factorized:
            if key in self.frame.columns:
                codes, uniques = pd.factorize(self.frame[key], use_na_sentinel=True)
                self._factorized[key] = (np.asarray(codes), list(uniques))
            else:
                self._factorized[key] = (np.full(self.size, -1, dtype=np.intp), [])
        return self._factorized[key]

    def map_values(self, key: str, fn, dtype=bool) -> np.ndarray:
        """fn applied to each distinct value (and to None for missing), broadcast to rows."""
        codes, uniques = self.factorize(key)
        table = np.array([fn(u) for u in uniques] + [fn(None)], dtype=dtype)
        return table[codes]  # code -1 (missing) picks the last entry

    def eq(self, key: str, *values: str) -> np.ndarray:
        wanted = frozenset(values)
        return self.map_values(key, lambda u: clean(u) in wanted)

    def blank(self, key: str) -> np.ndarray:
        return self.map_values(key, lambda u: clean(u) == "")

    def has_any(self, key: str, values) -> np.ndarray:
        wanted = frozenset(values)
        return self.map_values(key, lambda u: bool(tokens(u) & wanted))

    def has_other_than(self, key: str, value: str) -> np.ndarray:
        return self.map_values(key, lambda u: bool(tokens(u) - {value}))

    def only(self, key: str, value: str) -> np.ndarray:
        return self.map_values(key, lambda u: tokens(u) == {value})

    def ids(self, key: str, normalise, vocabulary: dict[str, int]) -> np.ndarray:
        """Integer id of each row's normalised value in a shared vocabulary; -1 for empty."""

        def lookup(u):
            k = normalise(u)
            if not k:
                return -1
            return vocabulary.setdefault(k, len(vocabulary))

        return self.map_values(key, lookup, dtype=np.int64)

    def flag(self, key: str) -> np.ndarray:
        """A 是/否 flag as bool (empty = False)."""
        if key not in self.frame.columns:
            return np.zeros(self.size, dtype=bool)
        s = self.frame[key]
        if s.dtype == bool:
            return s.to_numpy()
        return _to_boolean(s).fillna(False).to_numpy(dtype=bool)

    def tristate(self, key: str) -> tuple[np.ndarray, np.ndarray]:
        """(is 是, is 否) of a flag where empty means "not yet determined"."""
        if key not in self.frame.columns:
            z = np.zeros(self.size, dtype=bool)
            return z, z
        b = _to_boolean(self.frame[key])
        known = b.notna().to_numpy(dtype=bool)
        values = b.fillna(False).to_numpy(dtype=bool)
        return known & values, known & ~values

    def dt(self, key: str) -> np.ndarray:
        if key not in self.frame.columns:
            return np.full(self.size, np.datetime64("NaT"), dtype="datetime64[ns]")
        return as_datetime64(self.frame[key])

    def text(self, key: str) -> np.ndarray:
        if key not in self.frame.columns:
            return np.full(self.size, None, dtype=object)
        return self.frame[key].astype(object).where(self.frame[key].notna(), None).to_numpy()


_TRUE = {s.casefold() for s in C.TRUE_SPELLINGS}
_FALSE = {s.casefold() for s in C.FALSE_SPELLINGS}


def _to_boolean(s: pd.Series) -> pd.Series:
    if isinstance(s.dtype, pd.BooleanDtype):
        return s
    if s.dtype == bool:
        return s.astype("boolean")

    def conv(v):
        if v is None or (not isinstance(v, str) and pd.isna(v)):
            return pd.NA
        if isinstance(v, (bool, np.bool_)):
            return bool(v)
        text = str(v).strip().casefold()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        return pd.NA

    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    table = pd.array([conv(u) for u in uniques] + [pd.NA], dtype="boolean")
    return pd.Series(table[np.asarray(codes)], index=s.index)


class RuleContext:
    """The frame of one check with the terms of rules.md computed once, on demand."""

    def __init__(self, frame: pd.DataFrame, calendar: WorkCalendar, params, cutoff: np.ndarray):
        self.view = ReportView(frame)
        self.calendar = calendar
        self.params = params
        self.size = len(frame)
        self.cutoff = cutoff  # datetime64[ns] per row: the as-of time of the platform's data

    # -- raw columns --------------------------------------------------------------------
    @cached_property
    def report_ids(self) -> np.ndarray:
        return np.asarray(self.view.frame["report_id"].astype(object).map(clean).to_numpy(), dtype=object)

    @cached_property
    def received(self) -> np.ndarray:
        return self.view.dt("received_at")

    @cached_property
    def disposed(self) -> np.ndarray:
        return self.view.dt("disposed_at")

    @cached_property
    def feedback(self) -> np.ndarray:
        return self.view.dt("feedback_at")

    @cached_property
    def interim_at(self) -> np.ndarray:
        return self.view.dt("interim_measure_at")

    @cached_property
    def supplement_at(self) -> np.ndarray:
        return self.view.dt("supplement_requested_at")

    # -- terms of rules.md ----------------------------------------------------------------
    @cached_property
    def concluded(self) -> np.ndarray:
        return self.view.eq("status", "已办结")

    @cached_property
    def open(self) -> np.ndarray:
        return self.view.eq("status", "办理中")

    @cached_property
    def accepted(self) -> np.ndarray:
        return self.view.eq("acceptance", "受理")

    @cached_property
    def rejected(self) -> np.ndarray:
        return self.view.eq("acceptance", "不予受理")

    @cached_property
    def awaiting_material(self) -> np.ndarray:
        return self.view.eq("acceptance", "待补充材料")

    @cached_property
    def enterprise(self) -> np.ndarray:
        return self.view.eq("subject_type", "涉企")

    @cached_property
    def facts_clear(self) -> tuple[np.ndarray, np.ndarray]:
        return self.view.tristate("facts_clear")

    @cached_property
    def complex(self) -> np.ndarray:
        """补充材料要求时间 set, or 待补充材料, or accepted with 事实清楚举证充分 = 否."""
        _, no = self.facts_clear
        return ~np.isnat(self.supplement_at) | self.awaiting_material | (self.accepted & no)

    @cached_property
    def case_days(self) -> np.ndarray:
        p = self.params
        return np.where(self.complex, p.complex_case_working_days, p.simple_case_working_days)

    @cached_property
    def properly_extended(self) -> np.ndarray:
        return self.view.flag("extended") & ~self.view.blank("extension_note")

    @cached_property
    def removal(self) -> np.ndarray:
        return self.view.has_any("measures", C.REMOVAL_MEASURES)

    @cached_property
    def lightweight(self) -> np.ndarray:
        return self.view.eq("category", *C.LIGHTWEIGHT_CATEGORIES)

    @cached_property
    def conditions_met(self) -> np.ndarray:
        v = self.view
        five = (v.flag("has_statement") & v.flag("has_identity_proof") & v.flag("has_contact")
                & v.flag("has_locator") & v.flag("has_guarantee"))
        return five & (v.flag("has_evidence") | self.lightweight)

    @cached_property
    def observed(self) -> np.ndarray:
        """When a report's handling is judged: its 处置完成时间 if concluded, the cutoff if
        still open (NaT otherwise)."""
        nat = np.full(self.size, np.datetime64("NaT"), dtype="datetime64[ns]")
        return np.where(self.concluded, self.disposed, np.where(self.open, self.cutoff, nat))

    @cached_property
    def state(self) -> np.ndarray:
        return np.where(self.concluded, "concluded", np.where(self.open, "open", None)).astype(object)

    def exceeds(self, x, t, n, where):
        """x > deadline(t, n) on the rows of ``where``; (mask, deadlines)."""
        return self.calendar.exceeds(x, t, n, where, labels=self.report_ids)
