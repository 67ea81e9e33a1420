"""The application's clock.

System times are stored as naive Beijing time (UTC+8, no daylight saving), the same
convention as the ledgers. Tests replace the clock through ``app.config["CLOCK"]``.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

BEIJING = timezone(timedelta(hours=8))


def system_now() -> datetime:
    return datetime.now(BEIJING).replace(tzinfo=None, microsecond=0)


def now() -> datetime:
    from flask import current_app, has_app_context

    if has_app_context():
        clock = current_app.config.get("CLOCK")
        if clock is not None:
            return clock()
    return system_now()


def now_utc_timestamp() -> float:
    """The clock's current instant as a Unix timestamp (for TOTP)."""
    return (now() - timedelta(hours=8)).replace(tzinfo=timezone.utc).timestamp()
