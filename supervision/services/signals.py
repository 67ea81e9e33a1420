"""Plausibility signals of a platform-month from its stored reports, kept with the platform's
data version (services/derived.py)."""
from __future__ import annotations

from dataclasses import asdict

import pandas as pd

from importers.columns import KEYS
from supervision.services import derived
from supervision.services.checks import month_bounds
from supervision.services.ledger_store import load_frame
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

    return derived.cached(session, f"signals|{platform_id}|{period}", derived.version_of(session, platform_id),
                          compute)
