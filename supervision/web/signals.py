"""Plausibility signals per platform-month and the cross-platform account watch (inspectors)."""
from __future__ import annotations

import pandas as pd
from flask import Blueprint, render_template, request
from sqlalchemy import select

from supervision import clock, db
from supervision.models import Platform
from supervision.permissions import AUDITS_VIEW, requires
from supervision.services.signals import flagged_accounts, month_signals
from supervision.services.ledger_import import PERIOD_RE
from supervision.standard.account_watch import ACCOUNT_WATCH_COLUMNS
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
        rows = flagged_accounts(s, first, last, min_reports, min_platforms)
        table = None if rows is None else pd.DataFrame(rows, columns=list(ACCOUNT_WATCH_COLUMNS))
    names = {p.code: p.name for p in s.scalars(select(Platform))}
    return render_template("signals/accounts.html", table=table, first=first, last=last, error=error,
                           min_reports=min_reports, min_platforms=min_platforms, names=names)
