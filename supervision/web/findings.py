"""Findings for people: lists with counts and reasons, the rule catalogue, on-demand checks,
monthly disclosures."""
from __future__ import annotations

from datetime import datetime

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from supervision import db
from supervision.models import CheckRun, Disclosure, Finding, Platform, Report
from supervision.permissions import (CHECKS_RUN, DISCLOSURES_RECORD, FINDINGS_VIEW, has_permission, platform_scope,
                                     requires)
from supervision.services import ValidationError
from supervision.services import findings as svc
from supervision.services.checks import CheckError, current_parameters, record_disclosure, run_check
from supervision.standard.rules import RULES
from supervision.web.forms import CheckForm, DisclosureForm, choices, page_arg

bp = Blueprint("findings", __name__)


def _filter() -> svc.FindingFilter:
    args = request.args
    scope = platform_scope()
    platform_id = scope
    if scope is None and args.get("platform"):
        platform_id = db.session().scalar(select(Platform.id).where(Platform.code == args["platform"])) or -1
    return svc.FindingFilter(platform_id=platform_id, period=args.get("period", "").strip(),
                             rule_code=args.get("rule", "").strip(), severity=args.get("severity", ""),
                             status=args.get("status", "open"))


def _page_no() -> int:
    return page_arg()


@bp.route("/findings/")
@requires(FINDINGS_VIEW)
def index():
    s = db.session()
    flt = _filter()
    total, rows = svc.page(s, flt, _page_no())
    platforms = {p.id: p for p in s.scalars(select(Platform))}
    runs = []
    if platform_scope() is None:
        runs = s.scalars(select(CheckRun).order_by(CheckRun.id.desc()).limit(8)).all()
    check_form = CheckForm() if has_permission(current_user, CHECKS_RUN) else None
    if check_form is not None:
        check_form.platform.choices = choices((p.code, p.name) for p in sorted(platforms.values(), key=lambda p: p.name))
    return render_template(
        "findings/index.html", rows=rows, total=total, page=_page_no(), pages=max(1, -(-total // 50)),
        counts=svc.counts_by_rule(s, flt), platforms=platforms, explain=svc.explanation,
        report_pks=svc.report_pks(s, rows), rules=RULES, args=request.args, runs=runs, check_form=check_form,
        severities=svc.SEVERITIES)


@bp.route("/findings/export.xlsx")
@requires(FINDINGS_VIEW)
def export():
    data = svc.export_xlsx(db.session(), _filter())
    return Response(data, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": "attachment; filename=findings.xlsx"})


@bp.route("/findings/run", methods=["POST"])
@requires(CHECKS_RUN)
def run():
    s = db.session()
    form = CheckForm()
    form.platform.choices = choices((p.code, p.name) for p in s.scalars(select(Platform)))
    if not form.validate_on_submit():
        flash("请选择平台并填写 YYYY-MM 格式的月份。", "error")
        return redirect(url_for("findings.index"))
    platform = s.scalar(select(Platform).where(Platform.code == form.platform.data))
    period = form.period.data.strip()
    try:
        datetime.strptime(period, "%Y-%m")
        result = run_check(s, platform, period, trigger="manual", actor_name=current_user.username)
    except ValueError:
        flash(f"月份“{period}”不是 YYYY-MM 格式。", "error")
        return redirect(url_for("findings.index"))
    except CheckError as e:
        s.rollback()
        flash(str(e), "error")
        return redirect(url_for("findings.index"))
    s.commit()
    r = result.run
    flash(f"已检查 {platform.name} {period}：{r.report_count} 条举报，{r.finding_count} 个问题"
          f"（新增 {r.opened_count}，关闭 {r.closed_count}）。", "success")
    return redirect(url_for("findings.index", platform=platform.code, period=period))


@bp.route("/rules")
@requires(FINDINGS_VIEW)
def catalogue():
    _version, params = current_parameters(db.session())
    return render_template("findings/rules.html", rules=list(RULES.values()), params=params)


@bp.route("/disclosures", methods=["GET", "POST"])
@requires(DISCLOSURES_RECORD)
def disclosures():
    s = db.session()
    scope = platform_scope()
    form = DisclosureForm()
    q = select(Platform).order_by(Platform.name)
    if scope is not None:
        q = q.where(Platform.id == scope)
    options = s.scalars(q).all()
    form.platform.choices = choices((p.code, p.name) for p in options)
    if form.validate_on_submit():
        platform = next((p for p in options if p.code == form.platform.data), None)
        if platform is None:
            abort(404)
        try:
            record_disclosure(s, platform, form.period.data.strip(), form.url.data, form.published_on.data,
                              current_user.username)
        except ValidationError as e:
            s.rollback()
            for field, msg in e.errors.items():
                getattr(form, field).errors.append(msg)
        else:
            s.commit()
            flash(f"已记录 {platform.name} {form.period.data} 的公开情况。", "success")
            return redirect(url_for("findings.disclosures"))
    dq = select(Disclosure).order_by(Disclosure.period.desc(), Disclosure.platform_id)
    if scope is not None:
        dq = dq.where(Disclosure.platform_id == scope)
    rows = s.scalars(dq.limit(200)).all()
    return render_template("findings/disclosures.html", form=form, rows=rows,
                           platforms={p.id: p for p in s.scalars(select(Platform))})


def findings_of_report(session, rep: Report) -> list[Finding]:
    return session.scalars(select(Finding).where(Finding.platform_id == rep.platform_id,
                                                 Finding.report_id == rep.report_id)
                           .order_by(Finding.status.desc(), Finding.rule_code)).all()
