"""Scoring periods: a month ``YYYY-MM``, a quarter ``YYYY-Qn`` or a year ``YYYY``.

Quarters and years are scored from the sum of their months' counts (scoring.md), so a
period is above all the list of months it covers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Period", "parse_period", "PeriodError", "month_add", "months_back"]

MONTH, QUARTER, YEAR = "month", "quarter", "year"
_MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_QUARTER_RE = re.compile(r"^(\d{4})-[Qq]([1-4])$")
_YEAR_RE = re.compile(r"^(\d{4})$")


class PeriodError(ValueError):
    """Not a period; the message is Chinese."""


def month_add(month: str, delta: int) -> str:
    """``YYYY-MM`` shifted by ``delta`` months."""
    y, m = int(month[:4]), int(month[5:7])
    index = y * 12 + (m - 1) + delta
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def months_back(last: str, count: int) -> list[str]:
    """The ``count`` months ending with ``last``, oldest first."""
    return [month_add(last, -i) for i in range(count - 1, -1, -1)]


@dataclass(frozen=True)
class Period:
    kind: str  # month | quarter | year
    year: int
    number: int  # month 1–12, quarter 1–4, or 0 for a year

    @property
    def key(self) -> str:
        """The canonical text: ``2026-09``, ``2026-Q3``, ``2026``."""
        if self.kind == MONTH:
            return f"{self.year:04d}-{self.number:02d}"
        if self.kind == QUARTER:
            return f"{self.year:04d}-Q{self.number}"
        return f"{self.year:04d}"

    @property
    def label(self) -> str:
        """Chinese label: 2026年9月, 2026年第3季度, 2026年."""
        if self.kind == MONTH:
            return f"{self.year}年{self.number}月"
        if self.kind == QUARTER:
            return f"{self.year}年第{self.number}季度"
        return f"{self.year}年"

    @property
    def months(self) -> list[str]:
        if self.kind == MONTH:
            return [self.key]
        if self.kind == QUARTER:
            first = (self.number - 1) * 3 + 1
            return [f"{self.year:04d}-{m:02d}" for m in range(first, first + 3)]
        return [f"{self.year:04d}-{m:02d}" for m in range(1, 13)]

    @property
    def first_month(self) -> str:
        return self.months[0]

    @property
    def last_month(self) -> str:
        return self.months[-1]

    @property
    def is_month(self) -> bool:
        return self.kind == MONTH

    def previous(self) -> Period:
        """The period of the same kind just before (for the change column)."""
        if self.kind == MONTH:
            return parse_period(month_add(self.key, -1))
        if self.kind == QUARTER:
            return Period(QUARTER, self.year - (self.number == 1), 4 if self.number == 1 else self.number - 1)
        return Period(YEAR, self.year - 1, 0)

    def containing(self) -> list[Period]:
        """For a month: its quarter and its year (the periods to refresh when it changes)."""
        if self.kind != MONTH:
            return []
        return [Period(QUARTER, self.year, (self.number - 1) // 3 + 1), Period(YEAR, self.year, 0)]

    def __str__(self) -> str:
        return self.key


def parse_period(text: str) -> Period:
    """``YYYY-MM``, ``YYYY-Qn`` (also ``q``) or ``YYYY``; years 2000–2100."""
    raw = (text or "").strip()
    for regex, kind in ((_MONTH_RE, MONTH), (_QUARTER_RE, QUARTER), (_YEAR_RE, YEAR)):
        m = regex.match(raw)
        if m:
            year = int(m.group(1))
            if not 2000 <= year <= 2100:
                break
            return Period(kind, year, int(m.group(2)) if kind != YEAR else 0)
    raise PeriodError(f"期间“{raw[:20]}”应为月份 YYYY-MM、季度 YYYY-Qn 或年度 YYYY（2000–2100 年）。")
