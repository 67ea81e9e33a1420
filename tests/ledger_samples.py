"""Ledger files for tests, built from the synthetic generator (valid per ledger.md)."""
from __future__ import annotations

import io

import pandas as pd

from importers.synthetic import synthetic_ledger


def ledger_frame(n: int = 20, period: str = "2026-10", seed: int = 1) -> pd.DataFrame:
    return synthetic_ledger(n, period, seed=seed)


def to_csv_bytes(frame: pd.DataFrame, encoding: str = "utf-8") -> bytes:
    return frame.to_csv(index=False).encode(encoding)


def to_xlsx_bytes(frame: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    frame.to_excel(buf, index=False, sheet_name="台账")
    return buf.getvalue()
