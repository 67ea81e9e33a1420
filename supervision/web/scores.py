"""Scorecards for leadership: the league table with rank ranges, grades, changes and warnings."""
from __future__ import annotations

from flask import Blueprint, Response, render_template, request
from sqlalchemy import select


from scoring import INDICATORS, INDICATOR_NAMES, MODEL_VERSION, scores_csv
from supervision import clock, db
from supervision.models import Platform
from supervision.permissions import SCORES_VIEW, platform_scope, requires
from supervision.services import scores as svc
from supervision.services.ledger_import import PERIOD_RE

bp = Blueprint("scores", __name__)


def _period() -> tuple[str, str | None]:
    raw = request.args.get("period", "").strip()
    if not raw:
        return svc.previous_month(clock.now().strftime("%Y-%m")), None
    if not PERIOD_RE.match(raw):
        return svc.previous_month(clock.now().strftime("%Y-%m")), f"月份“{raw}”不是 YYYY-MM 格式，已显示上月。"
    return raw, None


@bp.route("/scores")
@requires(SCORES_VIEW)
def index():
    s = db.session()
    period, error = _period()
    cards, warnings = svc.league_with_warnings(s, period)
    names = {p.code: p.name for p in s.scalars(select(Platform))}
    scope = platform_scope()
    if scope is not None:
        own = s.get(Platform, scope).code
        cards = [c for c in cards if c.platform_code == own]
        warnings = [w for w in warnings if w.platform_code == own]
    return render_template("scores/index.html", cards=cards, warnings=warnings, period=period, error=error,
                           names=names, indicators=INDICATORS, indicator_names=INDICATOR_NAMES,
                           model_version=MODEL_VERSION, platform_view=scope is not None)


@bp.route("/scores.csv")
@requires(SCORES_VIEW)
def export():
    period, _ = _period()
    cards = svc.league(db.session(), period)
    scope = platform_scope()
    if scope is not None:
        own = db.session().get(Platform, scope).code
        cards = [c for c in cards if c.platform_code == own]
    return Response(scores_csv(cards), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f"attachment; filename=scores-{period}.csv"})


