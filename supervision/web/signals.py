"""Plausibility signals per platform-month and the cross-platform account watch (inspectors)."""
from __future__ import annotations

import json

import pandas as pd
from flask import Blueprint, render_template, request
from sqlalchemy import select

from importers.columns import KEYS
from supervision import clock, db
from supervision.models import Platform
from supervision.permissions import AUDITS_VIEW, requires
from supervision.services import derived
from supervision.services.checks import month_bounds
from supervision.services.signals import month_signals
from supervision.services.ledger_import import PERIOD_RE
from supervision.services.ledger_store import load_frame
from supervision.standard.account_watch import ACCOUNT_WATCH_COLUMNS, LEDGER_COLUMNS_READ, account_watch
from supervision.standard.signals import SIGNAL_CODES

bp = Blueprint("signals", __name__)


def _last_month() -> str:
    now = clock.now()
    y, m = (now.year - 1, 12) if now.month == 1 else (now.year, now.month - 1)
    return f"{y:04d}-{m:02d}"


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


def _watch_rows(s, first: str, last: str, min_reports: int, min_platforms: int) -> list[dict] | None:
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
        key = "accounts|" + json.dumps([first, last, min_reports, min_platforms])
        rows = derived.cached(s, key, derived.version_of(s, None),
                              lambda: _watch_rows(s, first, last, min_reports, min_platforms))
        table = None if rows is None else pd.DataFrame(rows, columns=list(ACCOUNT_WATCH_COLUMNS))
    names = {p.code: p.name for p in s.scalars(select(Platform))}
    return render_template("signals/accounts.html", table=table, first=first, last=last, error=error,
                           min_reports=min_reports, min_platforms=min_platforms, names=names)
