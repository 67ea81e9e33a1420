"""Scorecards for leadership: the league table (ranks with their ranges, changes, warnings,
sortable), a platform's card (12-month trend, points lost with the findings behind them,
complaints and satisfaction, notices), province-wide charts, exports (CSV, .xlsx, PDF), the
recomputation on demand and the admin screen of the versioned weights."""
from __future__ import annotations

from flask import (Blueprint, Response, abort, current_app, flash, redirect, render_template, request,
                   url_for)
from flask_login import current_user
from sqlalchemy import select

from reports import charts, scorecard
from scoring import (GRADE_NOT_REPORTED, INDICATOR_NAMES, INDICATORS, MODEL_VERSION, WEIGHT_SPECS, Period,
                     PeriodError, display_round, month_add, parse_period, scores_csv)
from scoring.weights import form_values
from supervision import clock, db
from supervision.models import Platform
from supervision.permissions import CHECKS_RUN, SCORES_VIEW, SCORES_WEIGHTS, has_permission, platform_scope, requires
from supervision.services import ValidationError
from supervision.services import scores as svc
from supervision.web.forms import ActionForm

bp = Blueprint("scores", __name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FAMILY_NAMES = {"TIM": "办理时限", "ACC": "受理", "DIS": "处置", "PRO": "流程", "LED": "台账报送", "REC": "人工复核",
                "CMP": "投诉"}
SORT_KEYS = ("rank", "score", "change", "name", "range", *INDICATORS)
GRADE_TAGS = {"优秀": "tag-green", "良好": "tag-green", "合格": "tag-amber", "不合格": "tag-red"}


@bp.context_processor
def _helpers():
    return {"grade_tags": GRADE_TAGS}


def _period() -> tuple[Period, str | None]:
    raw = request.args.get("period", "").strip()
    if not raw:
        return svc.default_period(), None
    try:
        return parse_period(raw), None
    except PeriodError as e:
        return svc.default_period(), f"{e}已显示上月。"


def _own_code() -> str | None:
    scope = platform_scope()
    return None if scope is None else db.session().get(Platform, scope).code


def _names(view: svc.LeagueView) -> dict[str, str]:
    return {code: p.name for code, p in view.platforms.items()}


def _sorted(cards, key: str, descending: bool, names: dict[str, str]):
    """Sort the reported platforms by ``key``; 未报送 stays last (by code)."""
    scored = [c for c in cards if c.reported]
    rest = [c for c in cards if not c.reported]
    missing = float("-inf")

    def value(c):
        if key == "score":
            return c.score
        if key == "change":
            return missing if c.change is None else c.change
        if key == "name":
            return names.get(c.platform_code, c.platform_code)
        if key == "range":
            return (c.rank_range[1] - c.rank_range[0]) if c.rank_range else 0
        if key in INDICATORS:
            return c.indicators[key].value
        return c.rank

    scored.sort(key=lambda c: (value(c), c.platform_code), reverse=descending)
    return scored + rest


def _meta(view: svc.LeagueView) -> dict[str, str]:
    run = view.run
    meta = {"期间": view.period.label, "模型": MODEL_VERSION, "权重版本": f"第 {view.weight_version} 版",
            "状态": "暂定（台账报送期限未到或尚未完成期限后的检查）" if view.provisional else "正式"}
    meta["计算时间"] = run.computed_at.strftime("%Y-%m-%d %H:%M") if run else "即时计算（未保存）"
    return meta


def _period_choices(now) -> dict[str, list[tuple[str, str]]]:
    last = month_add(now.strftime("%Y-%m"), -1)
    months = [month_add(last, -i) for i in range(24)]
    quarters, years = [], []
    for m in months:
        p = parse_period(m)
        q = p.containing()[0]
        if (q.key, q.label) not in quarters:
            quarters.append((q.key, q.label))
        if (str(p.year), f"{p.year}年") not in years:
            years.append((str(p.year), f"{p.year}年"))
    return {"months": [(m, parse_period(m).label) for m in months], "quarters": quarters, "years": years}


@bp.route("/scores")
@requires(SCORES_VIEW)
def index():
    s = db.session()
    period, error = _period()
    own = _own_code()
    view = svc.scoped(svc.league_view(s, period), own)
    names = _names(view)
    key = request.args.get("sort", "rank")
    key = key if key in SORT_KEYS else "rank"
    default_desc = key not in ("rank", "name", "range")
    descending = request.args.get("dir", "desc" if default_desc else "asc") == "desc"
    cards = _sorted(view.cards, key, descending, names)
    scored = sum(1 for c in view.cards if c.reported)
    return render_template("scores/index.html", view=view, cards=cards, period=period, error=error, names=names,
                           indicators=INDICATORS, indicator_names=INDICATOR_NAMES, meta=_meta(view), sort=key,
                           descending=descending, scored=scored, platform_view=own is not None,
                           choices=_period_choices(clock.now()), form=ActionForm(),
                           can_recompute=has_permission(current_user, CHECKS_RUN))


@bp.route("/scores.csv")
@requires(SCORES_VIEW)
def export():
    period, _ = _period()
    view = svc.scoped(svc.league_view(db.session(), period), _own_code())
    return Response(scores_csv(view.cards), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f"attachment; filename=scores-{period.key}.csv"})


def _league_title(view: svc.LeagueView) -> str:
    return f"网站平台举报处置工作评价排名（{view.period.label}）"


@bp.route("/scores/export.xlsx")
@requires(SCORES_VIEW)
def export_xlsx():
    period, _ = _period()
    view = svc.scoped(svc.league_view(db.session(), period), _own_code())
    data = scorecard.league_xlsx(view.cards, names=_names(view), title=_league_title(view), meta=_meta(view))
    return Response(data, mimetype=XLSX,
                    headers={"Content-Disposition": f"attachment; filename=scores-{period.key}.xlsx"})


@bp.route("/scores/export.pdf")
@requires(SCORES_VIEW)
def export_pdf():
    s = db.session()
    period, _ = _period()
    own = _own_code()
    view = svc.scoped(svc.league_view(s, period), own)
    figures = [] if own is not None else _province_charts(svc.province_view(s, period.last_month), width=480)
    data = scorecard.league_pdf(view.cards, names=_names(view), title=_league_title(view), meta=_meta(view),
                                office_name=current_app.config["OFFICE_NAME"], charts=figures, warnings=view.warnings)
    return Response(data, mimetype="application/pdf",
                    headers={"Content-Disposition": f"attachment; filename=scores-{period.key}.pdf"})


# A platform's card -------------------------------------------------------------------------------

def _platform_or_404(code: str) -> Platform:
    platform = db.session().scalar(select(Platform).where(Platform.code == code))
    scope = platform_scope()
    if platform is None or (scope is not None and platform.id != scope):
        abort(404)
    return platform


def _short(month: str) -> str:
    return f"{int(month[2:4])}.{int(month[5:7])}"


def _card_charts(trend, width: int = 640) -> list:
    labels = [_short(p.month) for p in trend]
    return [
        charts.line_chart(labels, [("得分", [p.score for p in trend])], title="得分趋势", y_min=0, y_max=100,
                          unit="分", width=width, height=220),
        charts.line_chart(labels, [(INDICATOR_NAMES[k], [p.indicators[k] for p in trend]) for k in INDICATORS],
                          title="各项指标趋势（计分值）", y_min=0, y_max=100, unit="分", width=width, height=280),
        charts.bar_chart(labels, [p.complaints_received for p in trend], title="收到投诉（件）", unit="件",
                         width=width, height=200),
    ]


def _card_context(code: str):
    s = db.session()
    platform = _platform_or_404(code)
    period, error = _period()
    view = svc.league_view(s, period)
    card = view.card(platform.code)
    trend = svc.platform_trend(s, platform, period.last_month)
    findings = svc.lost_point_findings(s, platform, period) if card is not None else []
    item = view.inputs.get(platform.code)
    complaints = {}
    if item is not None:
        sat = card.indicators["satisfaction"]
        complaints = {
            "收到投诉（件）": sum(p.complaints_received or 0 for p in trend if p.month in period.months),
            "办结且成立或部分成立（件）": item.complaints_substantiated,
            "满意度评价（条）": item.ratings_total,
            "满意度（折算分）": display_round(sat.raw) if sat.raw is not None else "—",
            "评分分布 5/4/3/2/1 星": " / ".join(str(item.ratings[i]) for i in (4, 3, 2, 1, 0)),
        }
    meta = _meta(view)
    warnings = [w for w in view.warnings if w.platform_code == platform.code]
    return dict(platform=platform, period=period, error=error, view=view, card=card, trend=trend,
                findings=findings, complaints=complaints, meta=meta, warnings=warnings, item=item,
                notices=svc.notices_of(s, platform))


def _notice_rows(notices) -> list[dict]:
    rows = []
    for n in notices or []:
        rows.append({"编号": getattr(n, "number", None) or getattr(n, "id", ""),
                     "状态": getattr(n, "status", ""), "期限": getattr(n, "due_date", None) or ""})
    return rows


@bp.route("/scores/platforms/<code>")
@requires(SCORES_VIEW)
def card(code):
    ctx = _card_context(code)
    return render_template("scores/card.html", **ctx, figures=_card_charts(ctx["trend"]),
                           indicators=INDICATORS, indicator_names=INDICATOR_NAMES, rules=svc.INDICATOR_RULES,
                           notice_rows=_notice_rows(ctx["notices"]), choices=_period_choices(clock.now()))


def _card_title(ctx) -> str:
    return f"{ctx['platform'].name}举报处置工作评分卡（{ctx['period'].label}）"


def _card_or_404(ctx):
    if ctx["card"] is None:
        abort(404)
    return ctx["card"]


@bp.route("/scores/platforms/<code>/export.xlsx")
@requires(SCORES_VIEW)
def card_xlsx(code):
    ctx = _card_context(code)
    data = scorecard.card_xlsx(_card_or_404(ctx), name=ctx["platform"].name, title=_card_title(ctx), meta=ctx["meta"],
                               trend=ctx["trend"], findings=ctx["findings"])
    return Response(data, mimetype=XLSX, headers={
        "Content-Disposition": f"attachment; filename=scorecard-{ctx['platform'].code}-{ctx['period'].key}.xlsx"})


@bp.route("/scores/platforms/<code>/export.pdf")
@requires(SCORES_VIEW)
def card_pdf(code):
    ctx = _card_context(code)
    data = scorecard.card_pdf(_card_or_404(ctx), name=ctx["platform"].name, title=_card_title(ctx), meta=ctx["meta"],
                              office_name=current_app.config["OFFICE_NAME"], charts=_card_charts(ctx["trend"], width=600),
                              findings=ctx["findings"], complaints=ctx["complaints"],
                              notices=_notice_rows(ctx["notices"]))
    return Response(data, mimetype="application/pdf", headers={
        "Content-Disposition": f"attachment; filename=scorecard-{ctx['platform'].code}-{ctx['period'].key}.pdf"})


# Province-wide charts ----------------------------------------------------------------------------

def _top(months, attr: str, limit: int, names: dict | None = None) -> list[tuple[str, list[int]]]:
    totals: dict[str, int] = {}
    for m in months:
        for k, v in getattr(m, attr).items():
            totals[k] = totals.get(k, 0) + v
    keys = sorted(totals, key=lambda k: (-totals[k], k))
    head, tail = keys[:limit], keys[limit:]
    series = [((names or {}).get(k, k), [getattr(m, attr).get(k, 0) for m in months]) for k in head]
    if tail:
        series.append(("其他", [sum(getattr(m, attr).get(k, 0) for k in tail) for m in months]))
    return series


def _province_charts(months, width: int = 640) -> list:
    labels = [_short(m.month) for m in months]
    families = {k: f"{k} {v}" for k, v in FAMILY_NAMES.items()}
    return [
        charts.stacked_bar_chart(labels, _top(months, "reports_by_category", 6), title="全省举报受理量（按侵权类别）",
                                 unit="件", width=width),
        charts.stacked_bar_chart(labels, _top(months, "findings_by_family", 7, families),
                                 title="全省检查发现问题（按规则类别）", unit="个", width=width),
        charts.line_chart(labels, [("全省办理时效", [m.timeliness for m in months]),
                                   ("平台平均得分", [m.mean_score for m in months])],
                          title="办理时效与平均得分趋势", unit="分", width=width, height=240),
        charts.bar_chart(labels, [m.complaints_received for m in months],
                         title="网民投诉量（件）", unit="件", width=width, height=220),
    ]


@bp.route("/scores/province")
@requires(SCORES_VIEW)
def province():
    if platform_scope() is not None:
        abort(403)
    period, error = _period()
    months = svc.province_view(db.session(), period.last_month)
    return render_template("scores/province.html", period=period, error=error, months=months,
                           figures=_province_charts(months), choices=_period_choices(clock.now()))


# Recomputing and the weights ---------------------------------------------------------------------

@bp.route("/scores/recompute", methods=["POST"])
@requires(CHECKS_RUN)
def recompute():
    s = db.session()
    if not ActionForm().validate_on_submit():
        flash("请求已过期，请重试。", "error")
        return redirect(url_for("scores.index"))
    try:
        period = parse_period(request.form.get("period", ""))
    except PeriodError as e:
        flash(str(e), "error")
        return redirect(url_for("scores.index"))
    count = svc.recompute_period(s, period.key, clock.now(), trigger="manual", actor_name=current_user.username)
    s.commit()
    flash(f"已重新计算并保存 {period.label} 的评分（{count} 个平台）。", "success")
    return redirect(url_for("scores.index", period=period.key))


@bp.route("/admin/score-weights", methods=["GET", "POST"])
@requires(SCORES_WEIGHTS)
def weights():
    s = db.session()
    version, current = svc.current_weights(s)
    errors: dict[str, str] = {}
    values = form_values(current)
    if request.method == "POST" and ActionForm().validate_on_submit():
        values = {spec.name: request.form.get(spec.name, "").strip() for spec in WEIGHT_SPECS}
        try:
            row = svc.save_weights(s, values, request.form.get("note", ""), current_user.username)
        except ValidationError as e:
            s.rollback()
            errors = e.errors
        else:
            s.commit()
            flash(f"已保存为第 {row.version} 版评分权重和常数；此后计算的评分按新版本，已保存的评分保留原版本。",
                  "success")
            return redirect(url_for("scores.weights"))
    groups: dict[str, list] = {}
    for spec in WEIGHT_SPECS:
        groups.setdefault(spec.group, []).append(spec)
    history = [(v, form_values(m), row) for v, m, row in svc.weight_history(s)]
    return render_template("scores/weights.html", groups=groups, values=values, errors=errors, version=version,
                           history=history, specs=WEIGHT_SPECS, form=ActionForm(), not_reported=GRADE_NOT_REPORTED)
