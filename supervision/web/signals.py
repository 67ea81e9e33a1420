"""Plausibility signals per platform-month and the cross-platform account watch (inspectors)."""
from __future__ import annotations

from dataclasses import asdict

import pandas as pd
from flask import Blueprint, render_template, request
from sqlalchemy import select

from importers.columns import KEYS
from supervision import clock, db
from supervision.models import Platform
from supervision.permissions import AUDITS_VIEW, requires
from supervision.services import derived
from supervision.services.checks import month_bounds
from supervision.services.ledger_import import PERIOD_RE
from supervision.services.ledger_store import load_frame
from supervision.standard.account_watch import LEDGER_COLUMNS_READ, account_watch
from supervision.standard.signals import PROFILE_COLUMNS, SIGNAL_CODES, all_signals, monthly_profile

bp = Blueprint("signals", __name__)


def _last_month() -> str:
    now = clock.now()
    y, m = (now.year - 1, 12) if now.month == 1 else (now.year, now.month - 1)
    return f"{y:04d}-{m:02d}"


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


@bp.route("/signals")
@requires(AUDITS_VIEW)
def index():
    s = db.session()
    platforms = s.scalars(select(Platform).where(Platform.active).order_by(Platform.name)).all()
    period = request.args.get("period", "").strip() or _last_month()
    error = None if PERIOD_RE.match(period) else f"月份“{period}”不是 YYYY-MM 格式。"
    rows = []
    if error is None:
        wanted = request.args.get("platform", "")
        for p in platforms:
            if wanted and p.code != wanted:
                continue
            figures = month_signals(s, p.id, period)
            if figures is not None:
                rows.append({"platform": p, **figures})
    return render_template("signals/index.html", rows=rows, platforms=platforms, period=period, error=error,
                           codes=SIGNAL_CODES, args=request.args)


@bp.route("/accounts")
@requires(AUDITS_VIEW)
def accounts():
    s = db.session()
    first = request.args.get("from", "").strip() or _last_month()
    last = request.args.get("to", "").strip() or first
    error = None
    if not (PERIOD_RE.match(first) and PERIOD_RE.match(last)) or first > last:
        error = "请填写 YYYY-MM 格式的起止月份，且起始不晚于截止。"
    table = None
    try:
        min_reports = max(2, int(request.args.get("min_reports", "5")))
        min_platforms = max(2, int(request.args.get("min_platforms", "2")))
    except ValueError:
        min_reports, min_platforms = 5, 2
    if error is None:
        start, end = month_bounds(first)[0], month_bounds(last)[1]
        frames = {}
        for p in s.scalars(select(Platform)):
            frame = load_frame(s, p.id, "AND received_at >= :start AND received_at < :end AND reported_account IS NOT NULL",
                               {"start": start, "end": end}, skip=tuple(k for k in KEYS if k not in LEDGER_COLUMNS_READ))
            if not frame.empty:
                frames[p.code] = frame[list(KEYS)]
        if frames:
            table = account_watch(frames, first, last, min_reports=min_reports, min_platforms=min_platforms,
                                  only_flagged=True).head(500)
    names = {p.code: p.name for p in s.scalars(select(Platform))}
    return render_template("signals/accounts.html", table=table, first=first, last=last, error=error,
                           min_reports=min_reports, min_platforms=min_platforms, names=names)
