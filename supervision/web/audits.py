"""Audits: planning, starting, reviewing sampled reports, results; the problem ledger."""
from __future__ import annotations

import io
import json
from pathlib import Path

from flask import (Blueprint, Response, abort, current_app, flash, redirect, render_template, request, send_file,
                   url_for)
from flask_login import current_user
from sqlalchemy import func, select

from importers.columns import COLUMNS
from supervision import db
from supervision.models import (Audit, AuditInspector, AuditSample, Complaint, Finding, FindingReview, ItemCode,
                                ItemEvidence, Platform, Problem, Report, ReportVersion, SampleItem, User)
from supervision.models.audits import PROBLEM_SOURCES, PROBLEM_STATUSES
from supervision.permissions import AUDITS_MANAGE, AUDITS_VIEW, PROBLEMS_VIEW, platform_scope, requires
from supervision.roles import INSPECTOR, SUPERVISOR
from supervision.services import ValidationError
from supervision.services import audits as svc
from supervision.services.findings import explanation
from supervision.standard.rules import RULES
from supervision.web.forms import ActionForm, AuditForm, choices, int_arg, page_arg

bp = Blueprint("audits", __name__)


def _audit_or_404(audit_id: int) -> Audit:
    audit = db.session().get(Audit, audit_id)
    if audit is None:
        abort(404)
    return audit


def _item_for_review(audit_id: int, item_id: int) -> tuple[Audit, SampleItem]:
    audit = _audit_or_404(audit_id)
    item = db.session().get(SampleItem, item_id)
    if item is None or item.audit_id != audit.id:
        abort(404)
    return audit, item


def _require_reviewer(audit: Audit) -> None:
    if not svc.is_assigned(db.session(), audit, current_user):
        abort(403)
    if audit.status != "running":
        flash("检查未在进行中，不能修改复核结果。", "error")
        abort(409)


@bp.route("/audits/")
@requires(AUDITS_VIEW)
def index():
    s = db.session()
    audits = s.scalars(select(Audit).order_by(Audit.id.desc())).all()
    mine = {a.audit_id for a in s.scalars(select(AuditInspector).where(AuditInspector.user_id == current_user.id))}
    return render_template("audits/index.html", audits=audits, mine=mine)


@bp.route("/audits/new", methods=["GET", "POST"])
@requires(AUDITS_MANAGE)
def create():
    s = db.session()
    form = AuditForm()
    form.focus.choices = choices(svc.FOCUS_LABELS.items())
    platforms = s.scalars(select(Platform).where(Platform.active).order_by(Platform.name)).all()
    staff = s.scalars(select(User).where(User.role.in_((INSPECTOR, SUPERVISOR)), User.active)
                      .order_by(User.username)).all()
    chosen_platforms = request.form.getlist("platforms")
    chosen_staff = [int(x) for x in request.form.getlist("inspectors") if x.isdigit()] or [current_user.id]
    if form.validate_on_submit():
        data = svc.AuditInput(kind=form.kind.data, title=form.title.data, period_from=form.period_from.data.strip(),
                              period_to=form.period_to.data.strip(), due_date=form.due_date.data,
                              platform_codes=chosen_platforms, inspector_ids=chosen_staff, focus=form.focus.data,
                              confidence=float(form.confidence.data), tolerable_rate=float(form.tolerable_rate.data),
                              expected_deviations=int(form.expected_deviations.data))
        try:
            audit = svc.create_audit(s, current_user, data)
        except ValidationError as e:
            s.rollback()
            for field, msg in e.errors.items():
                target = getattr(form, field, None)
                (target.errors if target is not None else form.form_errors).append(msg)
        else:
            s.commit()
            flash(f"已建立检查“{audit.title}”（计划）。", "success")
            return redirect(url_for("audits.detail", audit_id=audit.id))
    return render_template("audits/new.html", form=form, platforms=platforms, staff=staff,
                           chosen_platforms=chosen_platforms, chosen_staff=chosen_staff)


@bp.route("/audits/<int:audit_id>")
@requires(AUDITS_VIEW)
def detail(audit_id: int):
    s = db.session()
    audit = _audit_or_404(audit_id)
    inspectors = s.scalars(select(User).join(AuditInspector, AuditInspector.user_id == User.id)
                           .where(AuditInspector.audit_id == audit.id)).all()
    problems = dict(s.execute(select(Problem.platform_id, func.count()).where(
        Problem.audit_id == audit.id, Problem.excluded.is_(False)).group_by(Problem.platform_id)).all())
    return render_template("audits/detail.html", audit=audit, inspectors=inspectors,
                           results=svc.results(s, audit), problems=problems, focus=svc.FOCUS_LABELS[audit.focus],
                           assigned=svc.is_assigned(s, audit, current_user), form=ActionForm())


@bp.route("/audits/<int:audit_id>/start", methods=["POST"])
@requires(AUDITS_MANAGE)
def start(audit_id: int):
    s = db.session()
    audit = _audit_or_404(audit_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        totals = svc.start_audit(s, audit, current_user.username)
    except ValidationError as e:
        s.rollback()
        flash(next(iter(e.errors.values())), "error")
    except Exception as e:  # noqa: BLE001 - e.g. the calendar lacks a year: nothing is kept
        from supervision.services.checks import CheckError

        s.rollback()
        if not isinstance(e, CheckError):
            raise
        flash(str(e), "error")
    else:
        s.commit()
        flash(f"检查已开始：{totals['platforms']} 个平台，问题台账 {totals['problems']} 条，抽样 {totals['sampled']} 条。",
              "success")
    return redirect(url_for("audits.detail", audit_id=audit.id))


@bp.route("/audits/<int:audit_id>/complete", methods=["POST"])
@requires(AUDITS_MANAGE)
def complete(audit_id: int):
    s = db.session()
    audit = _audit_or_404(audit_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    if not svc.is_assigned(s, audit, current_user):
        abort(403)
    try:
        svc.complete_audit(s, audit)
    except ValidationError as e:
        s.rollback()
        flash(next(iter(e.errors.values())), "error")
    else:
        s.commit()
        flash("检查已完成。", "success")
    return redirect(url_for("audits.detail", audit_id=audit.id))


@bp.route("/audits/<int:audit_id>/platforms/<int:platform_id>")
@requires(AUDITS_VIEW)
def sample(audit_id: int, platform_id: int):
    s = db.session()
    audit = _audit_or_404(audit_id)
    smp = s.scalar(select(AuditSample).where(AuditSample.audit_id == audit.id, AuditSample.platform_id == platform_id))
    if smp is None:
        abort(404)
    items = s.scalars(select(SampleItem).where(SampleItem.sample_id == smp.id).order_by(SampleItem.position)).all()
    return render_template("audits/sample.html", audit=audit, sample=smp, items=items,
                           platform=s.get(Platform, platform_id), allocation=json.loads(smp.allocation))


@bp.route("/audits/<int:audit_id>/items/<int:item_id>")
@requires(AUDITS_VIEW)
def item(audit_id: int, item_id: int):
    s = db.session()
    audit, it = _item_for_review(audit_id, item_id)
    rep = s.get(Report, it.report_pk)
    versions = s.scalars(select(ReportVersion).where(ReportVersion.platform_id == rep.platform_id,
                                                     ReportVersion.report_id == rep.report_id)
                         .order_by(ReportVersion.version)).all() + [rep]
    findings = s.scalars(select(Finding).where(Finding.platform_id == it.platform_id,
                                               Finding.report_id == it.report_id).order_by(Finding.rule_code)).all()
    reviews = {r.finding_id: r for r in s.scalars(select(FindingReview).where(FindingReview.item_id == it.id))}
    codes = s.scalars(select(ItemCode).where(ItemCode.item_id == it.id).order_by(ItemCode.id)).all()
    evidence = s.scalars(select(ItemEvidence).where(ItemEvidence.item_id == it.id).order_by(ItemEvidence.id)).all()
    siblings = s.scalars(select(SampleItem.id).where(SampleItem.sample_id == it.sample_id)
                         .order_by(SampleItem.position)).all()
    pos = siblings.index(it.id)
    nxt = next((i for i in siblings[pos + 1:]), None)
    prev = siblings[pos - 1] if pos > 0 else None
    reviewed = s.scalar(select(func.count()).select_from(SampleItem).where(
        SampleItem.sample_id == it.sample_id, SampleItem.verdict.is_not(None)))
    return render_template(
        "audits/item.html", audit=audit, item=it, rep=rep, versions=versions, columns=COLUMNS, findings=findings,
        reviews=reviews, codes=codes, evidence=evidence, explain=explanation, rules=RULES, rec_codes=svc.REC_CODES,
        next_id=nxt, prev_id=prev, position=pos + 1, total=len(siblings), reviewed=reviewed,
        can_review=audit.status == "running" and svc.is_assigned(s, audit, current_user),
        platform=s.get(Platform, it.platform_id), form=ActionForm())


def _after(audit: Audit, it: SampleItem, go_next: bool = False):
    if go_next:
        nxt = db.session().scalar(select(SampleItem.id).where(SampleItem.sample_id == it.sample_id,
                                                              SampleItem.position > it.position)
                                  .order_by(SampleItem.position).limit(1))
        if nxt is not None:
            return redirect(url_for("audits.item", audit_id=audit.id, item_id=nxt))
    return redirect(url_for("audits.item", audit_id=audit.id, item_id=it.id))


def _review(audit_id: int, item_id: int, action, go_next: bool = False):
    """Run one review step on a sampled report for an assigned inspector, then show the report
    again (or the next one): the page saves as the inspector goes."""
    s = db.session()
    audit, it = _item_for_review(audit_id, item_id)
    _require_reviewer(audit)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        action(s, it)
    except ValidationError as e:
        s.rollback()
        flash(next(iter(e.errors.values())), "error")
        return _after(audit, it)
    s.commit()
    return _after(audit, it, go_next=go_next)


@bp.route("/audits/<int:audit_id>/items/<int:item_id>/findings/<int:finding_id>", methods=["POST"])
@requires(AUDITS_MANAGE)
def decide(audit_id: int, item_id: int, finding_id: int):
    finding = db.session().get(Finding, finding_id)
    if finding is None:
        abort(404)
    return _review(audit_id, item_id, lambda s, it: svc.decide_finding(
        s, it, finding, request.form.get("decision", ""), request.form.get("reason", ""), current_user.username))


@bp.route("/audits/<int:audit_id>/items/<int:item_id>/codes", methods=["POST"])
@requires(AUDITS_MANAGE)
def add_code(audit_id: int, item_id: int):
    return _review(audit_id, item_id, lambda s, it: svc.add_code(
        s, it, request.form.get("code", ""), request.form.get("note", ""), current_user.username))


@bp.route("/audits/<int:audit_id>/items/<int:item_id>/verdict", methods=["POST"])
@requires(AUDITS_MANAGE)
def verdict(audit_id: int, item_id: int):
    return _review(audit_id, item_id, lambda s, it: svc.set_verdict(
        s, it, request.form.get("verdict", ""), request.form.get("note", ""), current_user.username), go_next=True)


@bp.route("/audits/<int:audit_id>/items/<int:item_id>/evidence", methods=["POST"])
@requires(AUDITS_MANAGE)
def evidence(audit_id: int, item_id: int):
    s = db.session()
    audit, it = _item_for_review(audit_id, item_id)
    _require_reviewer(audit)
    upload = request.files.get("file")
    if not ActionForm().validate_on_submit() or upload is None or not upload.filename:
        flash("请选择证据文件。", "error")
        return _after(audit, it)
    try:
        svc.add_evidence(s, it, upload.filename, upload.read(svc.MAX_EVIDENCE_BYTES + 1),
                         current_app.config["UPLOAD_DIR"], current_user.username)
    except ValidationError as e:
        s.rollback()
        flash(next(iter(e.errors.values())), "error")
    else:
        s.commit()
        flash("证据已上传。", "success")
    return _after(audit, it)


@bp.route("/audits/evidence/<int:evidence_id>")
@requires(AUDITS_VIEW)
def evidence_file(evidence_id: int):
    row = db.session().get(ItemEvidence, evidence_id)
    if row is None:
        abort(404)
    root = Path(current_app.config["UPLOAD_DIR"]).resolve()
    path = (root / row.stored_name).resolve()
    if root not in path.parents or not path.is_file():
        abort(404)
    return send_file(path, mimetype=row.content_type, as_attachment=True, download_name=row.filename)


@bp.route("/audits/<int:audit_id>/export.xlsx")
@requires(AUDITS_VIEW)
def export(audit_id: int):
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from importers.safe_export import xlsx_cell

    s = db.session()
    audit = _audit_or_404(audit_id)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("抽样复核")
    header = ("平台", "举报编号", "侵权类别", "抽取方式", "复核结论", "复核说明", "复核人", "复核时间", "人工认定问题")
    sheet.append([xlsx_cell(sheet, h, font=Font(bold=True)) for h in header])
    names = {p.id: p.name for p in s.scalars(select(Platform))}
    for it in s.scalars(select(SampleItem).where(SampleItem.audit_id == audit.id)
                        .order_by(SampleItem.platform_id, SampleItem.position)):
        codes = "、".join(c.code for c in s.scalars(select(ItemCode).where(ItemCode.item_id == it.id)))
        row = (names.get(it.platform_id), it.report_id, it.stratum, "重点抽取" if it.judgmental else "随机抽样",
               it.verdict or "未复核", it.note, it.reviewed_by, it.reviewed_at, codes)
        sheet.append([xlsx_cell(sheet, v) for v in row])
    result = book.create_sheet("结论")
    result.append([xlsx_cell(result, h, font=Font(bold=True)) for h in
                   ("平台", "总体", "随机样本", "不合规", "偏差率", "单侧95%上限", "结论", "说明")])
    for r in svc.results(s, audit):
        res = r.result
        result.append([xlsx_cell(result, v) for v in (
            r.platform.name, r.sample.population_size if r.sample else 0, r.statistical, r.deviations,
            round(res.deviation_rate, 4) if res else None, round(res.upper_bound, 4) if res else None,
            res.conclusion if res else "未完成", r.explanation)])
    buf = io.BytesIO()
    book.save(buf)
    return Response(buf.getvalue(), mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f"attachment; filename=audit-{audit.id}.xlsx"})


# Problem ledger ---------------------------------------------------------------------------

def _problem_query():
    args = request.args
    q = select(Problem).where(Problem.excluded.is_(False))
    scope = platform_scope()
    if scope is not None:
        q = q.where(Problem.platform_id == scope)
    elif args.get("platform"):
        q = q.join(Platform, Platform.id == Problem.platform_id).where(Platform.code == args["platform"])
    if args.get("audit", "").isdigit():
        q = q.where(Problem.audit_id == int_arg("audit", 0, 0, 2**31 - 1))
    if args.get("rule"):
        q = q.where(Problem.rule_code == args["rule"])
    if args.get("severity"):
        q = q.where(Problem.severity == args["severity"])
    if args.get("status") in PROBLEM_STATUSES:
        q = q.where(Problem.status == args["status"])
    order = {"severity": Problem.severity, "rule": Problem.rule_code, "period": Problem.period.desc()}.get(
        args.get("sort", ""), Problem.id)
    return q.order_by(order, Problem.id)


@bp.route("/problems/")
@requires(PROBLEMS_VIEW)
def problems():
    s = db.session()
    q = _problem_query()
    total = s.scalar(select(func.count()).select_from(q.subquery()))
    page = page_arg()
    rows = s.scalars(q.offset((page - 1) * 50).limit(50)).all()
    complaint_ids = {p.complaint_id for p in rows if p.complaint_id}
    complaints = dict(s.execute(select(Complaint.id, Complaint.tracking_no).where(Complaint.id.in_(complaint_ids))).all()
                      ) if complaint_ids else {}
    return render_template("audits/problems.html", rows=rows, total=total, page=page, pages=max(1, -(-total // 50)),
                           platforms={p.id: p for p in s.scalars(select(Platform))}, rules=RULES,
                           statuses=PROBLEM_STATUSES, args=request.args, source_labels=PROBLEM_SOURCES,
                           audits={a.id: a for a in s.scalars(select(Audit))}, complaints=complaints)


@bp.route("/problems/export.xlsx")
@requires(PROBLEMS_VIEW)
def problems_export():
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from importers.safe_export import xlsx_cell

    s = db.session()
    names = {p.id: p.name for p in s.scalars(select(Platform))}
    book = Workbook(write_only=True)
    sheet = book.create_sheet("问题台账")
    sheet.append([xlsx_cell(sheet, h, font=Font(bold=True)) for h in
                  ("编号", "检查", "平台", "月份", "举报编号", "规则", "名称", "严重程度", "来源", "状态", "登记时间")])
    for p in s.scalars(_problem_query()):
        sheet.append([xlsx_cell(sheet, v) for v in (
            p.id, p.audit_id, names.get(p.platform_id), p.period, p.report_id, p.rule_code,
            RULES[p.rule_code].name if p.rule_code in RULES else "", p.severity,
            PROBLEM_SOURCES.get(p.source, p.source), p.status, p.created_at)])
    buf = io.BytesIO()
    book.save(buf)
    return Response(buf.getvalue(), mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": "attachment; filename=problems.xlsx"})
