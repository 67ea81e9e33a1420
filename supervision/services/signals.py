"""Plausibility signals of a platform-month and the cross-platform account watch, from the
stored reports, kept with the data versions they came from (services/derived.py)."""
from __future__ import annotations

import json
from dataclasses import asdict

import pandas as pd
from sqlalchemy import select

from importers.columns import KEYS
from supervision.models import Platform
from supervision.services import derived
from supervision.services.checks import month_bounds
from supervision.services.ledger_store import load_frame
from supervision.standard.account_watch import LEDGER_COLUMNS_READ, account_watch
from supervision.standard.signals import PROFILE_COLUMNS, all_signals, monthly_profile


# The seven trailing months feed only the monthly profile (volume, 不予受理 and removal shares)
# and the timestamp checks (reports disposed in the month): those columns only are loaded for
# them. The month itself is loaded whole, since duplicate rows compare every column. (Loading
# eight whole months per platform and request took gigabytes once a platform sent a
# 1,000,000-row month: found by the load test.)
TRAILING_COLUMNS = ("report_id", "received_at", "disposed_at", "acceptance", "status", "measures")
TRAILING_MONTHS = 7


def signal_frame(session, platform_id: int, period: str) -> pd.DataFrame:
    """The ledger columns of a platform's reports received in ``period`` and the trailing months
    that the signals of ``period`` read, in the order of their ids."""
    start, end = month_bounds(period)
    window = (start - pd.DateOffset(months=TRAILING_MONTHS)).to_pydatetime()
    where = "AND received_at >= :start AND received_at < :end"
    before = load_frame(session, platform_id, where, {"start": window, "end": start},
                        skip=tuple(k for k in KEYS if k not in TRAILING_COLUMNS))
    month = load_frame(session, platform_id, where, {"start": start, "end": end})
    frames = [f for f in (before, month) if not f.empty]
    if not frames:
        return month[list(KEYS)]
    frame = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
    frame = frame.sort_values("id", kind="stable", ignore_index=True)
    return frame[list(KEYS)]  # the ledger's own columns only (ids differ on every row)


def month_signals(session, platform_id: int, period: str) -> dict | None:
    """The signals and the monthly profile of a platform-month (None: no reports in its
    window), stored with the platform's data version (services/derived.py): computing them
    loads up to eight months of reports."""
    def compute():
        frame = signal_frame(session, platform_id, period)
        if frame.empty:
            return None
        profile = monthly_profile(frame)
        current = profile.loc[period] if period in profile.index else None
        return {"signals": [asdict(sig) for sig in all_signals(frame, period)],
                "profile": None if current is None else {k: float(current[k]) for k in PROFILE_COLUMNS}}

    return derived.cached(session, f"signals|{platform_id}|{period}",
                          derived.version_of(session, platform_id, reports_only=True), compute)


def flagged_accounts(session, first: str, last: str, min_reports: int, min_platforms: int) -> list[dict] | None:
    """The cross-platform account watch of the months ``first``..``last`` (services/derived.py
    keeps it with the data versions of all platforms)."""
    key = "accounts|" + json.dumps([first, last, min_reports, min_platforms])
    return derived.cached(session, key, derived.version_of(session, None, reports_only=True),
                          lambda: _flagged_account_rows(session, first, last, min_reports, min_platforms))


def _flagged_account_rows(s, first: str, last: str, min_reports: int, min_platforms: int) -> list[dict] | None:
    """The flagged accounts of the window (500 at most) as plain rows, times as text; None when
    no platform has a report naming an account in it. Stored with the data versions of all
    platforms (services/derived.py): it reads every platform's reports of the window."""
    start, end = month_bounds(first)[0], month_bounds(last)[1]
    frames = {}
    for p in s.scalars(select(Platform)):
        frame = load_frame(s, p.id, "AND received_at >= :start AND received_at < :end AND reported_account IS NOT NULL",
                           {"start": start, "end": end}, skip=tuple(k for k in KEYS if k not in LEDGER_COLUMNS_READ))
        if not frame.empty:
            frames[p.code] = frame[list(KEYS)]
    if not frames:
        return None
    table = account_watch(frames, first, last, min_reports=min_reports, min_platforms=min_platforms,
                          only_flagged=True).head(500)
    for col in ("first_received_at", "last_received_at"):
        table[col] = table[col].astype(str)
    return json.loads(table.to_json(orient="records", force_ascii=False))
