"""Ledger intake in the web portal: template, upload, submissions, errors, reports and history."""
from __future__ import annotations

from pathlib import Path

from flask import (Blueprint, Response, abort, current_app, flash, redirect, render_template, request,
                   send_file, url_for)
from flask_login import current_user
from sqlalchemy import func, select

from importers.columns import COLUMNS
from supervision import auditlog, clock, db
from supervision.models import LedgerError, LedgerSubmission, Platform, Report, ReportVersion
from supervision.permissions import LEDGERS_SUBMIT, LEDGERS_VIEW, get_scoped_or_404, platform_scope, requires
from supervision.services import ValidationError
from supervision.services.ledger_submit import saved_upload, submit_ledger
from supervision.uploads import display_name
from supervision.web.forms import LedgerUploadForm, page_arg

bp = Blueprint("ledgers", __name__)
PAGE = 50


def _page() -> int:
    return page_arg()


def _previous_months(n: int = 12) -> list[str]:
    now = clock.now()
    y, m = now.year, now.month
    out = []
    for _ in range(n):
        m -= 1
        if m == 0:
            y, m = y - 1, 12
        out.append(f"{y:04d}-{m:02d}")
    return out  # a month can be reported once it has ended


@bp.route("/ledgers/template.xlsx")
@requires(LEDGERS_VIEW)
def template():
    from importers import build_template

    return Response(build_template(), mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": "attachment; filename*=UTF-8''%E5%B7%A5%E4%BD%9C%E5%8F%B0%E8%B4%A6%E6%A8%A1%E6%9D%BF.xlsx"})


@bp.route("/ledgers/upload", methods=["GET", "POST"])
@requires(LEDGERS_SUBMIT)
def upload():
    form = LedgerUploadForm()
    months = _previous_months()
    form.period.choices = months
    if request.method == "GET":
        form.period.data = months[0]
    if form.validate_on_submit():
        s = db.session()
        f = form.file.data
        try:
            with saved_upload(f, current_app.config["UPLOAD_DIR"]) as source:
                done = submit_ledger(s, platform_id=current_user.platform_id, period=form.period.data,
                                     filename=display_name(f.filename, "台账"), source=source, channel="web",
                                     submitter_id=current_user.id, actor=auditlog.current_actor(),
                                     checker=current_user.username)
        except ValidationError as e:
            for msg in e.errors.values():
                form.file.errors.append(msg)
        else:
            sub = s.get(LedgerSubmission, done.submission_id)
            s.refresh(sub)  # written by this session or by the child process that imported the file
            if done.check_error:
                flash(f"台账已接收，但自动检查未能完成：{done.check_error}", "warning")
            if done.duplicate:
                flash(f"该文件与 {sub.submitted_at:%Y-%m-%d %H:%M} 已接收的第 {sub.id} 号报送完全相同，未做任何更改。", "info")
            elif done.accepted:
                flash("台账已接收。", "success")
            else:
                flash(f"台账被退回：共 {sub.error_count} 处错误，未入库任何记录。请按错误清单修改后重新报送。", "error")
            target = url_for("ledgers.detail", submission_id=sub.id)
            if request.headers.get("X-Requested-With") == "fetch":
                return {"redirect": target}
            return redirect(target)
    if request.headers.get("X-Requested-With") == "fetch":
        return {"errors": [e for field in form for e in field.errors]}, 400
    return render_template("ledgers/upload.html", form=form)


@bp.route("/ledgers/")
@requires(LEDGERS_VIEW)
def index():
    s = db.session()
    q = select(LedgerSubmission, Platform).join(Platform, Platform.id == LedgerSubmission.platform_id)
    scope = platform_scope()
    args = request.args
    if scope is not None:
        q = q.where(LedgerSubmission.platform_id == scope)
    elif args.get("platform"):
        q = q.where(Platform.code == args["platform"])
    if args.get("period"):
        q = q.where(LedgerSubmission.period == args["period"].strip())
    if args.get("status") in ("accepted", "rejected"):
        q = q.where(LedgerSubmission.status == args["status"])
    total = s.scalar(select(func.count()).select_from(q.subquery()))
    page = _page()
    rows = s.execute(q.order_by(LedgerSubmission.id.desc()).offset((page - 1) * PAGE).limit(PAGE)).all()
    platforms = [] if scope is not None else s.scalars(select(Platform).order_by(Platform.name)).all()
    return render_template("ledgers/index.html", rows=rows, total=total, page=page, pages=max(1, -(-total // PAGE)),
                           platforms=platforms, args=args)


@bp.route("/ledgers/<int:submission_id>")
@requires(LEDGERS_VIEW)
def detail(submission_id: int):
    s = db.session()
    sub = get_scoped_or_404(s, LedgerSubmission, submission_id)
    page = _page()
    errors, reports, total = [], [], 0
    if sub.status == "rejected":
        total = sub.error_count
        errors = s.scalars(select(LedgerError).where(LedgerError.submission_id == sub.id)
                           .order_by(LedgerError.id).offset((page - 1) * PAGE).limit(PAGE)).all()
    else:
        # The states this submission brought: still current, or since moved into the history.
        cols = [Report.report_id, Report.version, Report.subject_type, Report.category, Report.received_at,
                Report.acceptance, Report.status, Report.disposed_at]
        vcols = [getattr(ReportVersion, c.key) for c in cols]
        base = select(*cols).where(Report.submission_id == sub.id).union_all(
            select(*vcols).where(ReportVersion.submission_id == sub.id)).subquery()
        total = s.scalar(select(func.count()).select_from(base))
        reports = s.execute(select(base).order_by(base.c.report_id, base.c.version)
                            .offset((page - 1) * PAGE).limit(PAGE)).all()
    import json

    warnings = json.loads(sub.warnings) if sub.warnings else []
    return render_template("ledgers/detail.html", sub=sub, platform=s.get(Platform, sub.platform_id),
                           errors=errors, reports=reports, warnings=warnings, page=page,
                           pages=max(1, -(-total // PAGE)), total=total)


def _send_archived(name: str | None, download_name: str, mimetype: str):
    if not name:
        abort(404)
    root = Path(current_app.config["UPLOAD_DIR"]).resolve()
    path = (root / name).resolve()
    if root not in path.parents or not path.is_file():
        abort(404)
    return send_file(path, mimetype=mimetype, as_attachment=True, download_name=download_name)


@bp.route("/ledgers/<int:submission_id>/errors.xlsx")
@requires(LEDGERS_VIEW)
def error_workbook(submission_id: int):
    sub = get_scoped_or_404(db.session(), LedgerSubmission, submission_id)
    return _send_archived(sub.error_report_name, f"台账错误清单-{sub.period}-{sub.id}.xlsx",
                          "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@bp.route("/ledgers/<int:submission_id>/original")
@requires(LEDGERS_VIEW)
def original(submission_id: int):
    sub = get_scoped_or_404(db.session(), LedgerSubmission, submission_id)
    return _send_archived(sub.archive_name, sub.filename or f"ledger-{sub.id}", "application/octet-stream")


@bp.route("/reports/<int:report_pk>")
@requires(LEDGERS_VIEW)
def report(report_pk: int):
    s = db.session()
    rep = get_scoped_or_404(s, Report, report_pk)
    versions = s.scalars(select(ReportVersion).where(ReportVersion.platform_id == rep.platform_id,
                                                     ReportVersion.report_id == rep.report_id)
                         .order_by(ReportVersion.version)).all() + [rep]
    from supervision.services.findings import explanation
    from supervision.standard.rules import RULES
    from supervision.web.findings import findings_of_report

    return render_template("ledgers/report.html", rep=rep, versions=versions, columns=COLUMNS,
                           platform=s.get(Platform, rep.platform_id), findings=findings_of_report(s, rep),
                           explain=explanation, rules=RULES)


@bp.route("/reports/lookup")
@requires(LEDGERS_VIEW)
def lookup():
    """Find a report by its 举报编号 (and platform, for staff)."""
    s = db.session()
    number = request.args.get("report_id", "").strip()
    scope = platform_scope()
    q = select(Report).where(Report.report_id == number)
    if scope is not None:
        q = q.where(Report.platform_id == scope)
    elif request.args.get("platform"):
        q = q.join(Platform, Platform.id == Report.platform_id).where(Platform.code == request.args["platform"])
    found = s.scalars(q.limit(20)).all() if number else []
    if len(found) == 1:
        return redirect(url_for("ledgers.report", report_pk=found[0].id))
    platforms = {p.id: p for p in s.scalars(select(Platform))}
    return render_template("ledgers/lookup.html", number=number, found=found, platforms=platforms)
