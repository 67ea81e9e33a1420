"""Rectification notices (整改通知书): the register, drafting from an audit, approval and issue,
the stored PDF, checking the platform's answers, escalation; the platform's portal where it
receives and answers its notices; the admin's document settings."""
from __future__ import annotations

import io
import json
from functools import wraps

from flask import (Blueprint, Response, abort, current_app, flash, redirect, render_template, request, send_file,
                   url_for)
from flask_login import current_user
from sqlalchemy import func, select

from reports import notice as documents
from supervision import auditlog, clock, db
from supervision.models import (Audit, Notice, NoticeAnswer, NoticeEscalation, NoticeFile, NoticeItem, Platform,
                                Problem, User)
from supervision.permissions import (NOTICES_ANSWER, NOTICES_APPROVE, NOTICES_DRAFT, NOTICES_VIEW, STANDARD_MANAGE,
                                     get_scoped_or_404, has_permission, platform_scope, requires)
from supervision.services import ValidationError
from supervision.services import notices as svc
from supervision.standard import notices as std
from supervision.web.forms import ActionForm, page_arg

bp = Blueprint("notices", __name__)

AUDIT_ACTION_LABELS = {
    "notice.draft": "起草整改通知书", "notice.update": "修改整改通知书草稿", "notice.submit": "整改通知书提交审核",
    "notice.return": "整改通知书退回修改", "notice.issue": "签发整改通知书", "notice.delete": "删除整改通知书草稿",
    "notice.deliver": "整改通知书送达", "notice.answer": "平台报送整改情况", "notice.verify": "核验整改事项",
    "notice.complete": "整改完成", "notice.overdue": "整改逾期", "notice.escalate": "整改逾期后续措施",
    "document_settings.update": "修改公文设置",
}
AUDIT_OBJECT_LABELS = {"notice": "整改通知书", "notice_item": "整改事项", "notice_escalation": "后续措施",
                       "office_setting": "公文设置"}


@bp.app_template_filter("ordinal")
def _ordinal(n: int) -> str:
    """（一） numbering of a notice's items, as in the document."""
    return std.chinese_ordinal(n)


@bp.record_once
def _labels(_state) -> None:
    """The audit log's screens name this area's actions in Chinese."""
    for key, label in AUDIT_ACTION_LABELS.items():
        auditlog.ACTION_LABELS.setdefault(key, label)
    for key, label in AUDIT_OBJECT_LABELS.items():
        auditlog.OBJECT_LABELS.setdefault(key, label)


def staff(permission: str):
    """@requires for the office's pages: platform users (who read their notices in the portal)
    are refused."""

    def decorator(view):
        @wraps(view)
        def inner(*args, **kwargs):
            if platform_scope() is not None:
                abort(403)
            return view(*args, **kwargs)

        return requires(permission)(inner)

    return decorator


def _office_name() -> str:
    return current_app.config["OFFICE_NAME"]


def _get_or_404(model, object_id: int):
    row = db.session().get(model, object_id)
    if row is None:
        abort(404)
    return row


def _notice_or_404(notice_id: int) -> Notice:
    return _get_or_404(Notice, notice_id)


def flash_errors(errors: dict[str, str]) -> None:
    for msg in errors.values():
        flash(msg, "error")


def attempt(run):
    """Run one use case on the request's session: (result, {}) committed, or (None, the Chinese
    errors by field) with everything rolled back."""
    s = db.session()
    try:
        result = run(s)
    except ValidationError as e:
        s.rollback()
        return None, e.errors
    s.commit()
    return result, {}


def pdf_response(data: bytes, filename: str, sha256: str | None = None) -> Response:
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f"inline; filename*=UTF-8''{_quote(filename)}"
    if sha256:
        response.headers["X-Content-SHA256"] = sha256
    return response


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name, safe="")


def _send_file(f: NoticeFile) -> Response:
    path = svc.file_path(current_app.config["UPLOAD_DIR"], f)
    if path is None:
        abort(404)
    response = send_file(path, mimetype="application/octet-stream", as_attachment=True,
                         download_name=f.original_name or f"attachment-{f.id}")
    response.headers["Cache-Control"] = "no-store"
    return response


def _answers_by_item(notice: Notice) -> tuple[dict[int, list[NoticeAnswer]], dict[int, list[NoticeFile]]]:
    s = db.session()
    answers: dict[int, list[NoticeAnswer]] = {}
    for a in s.scalars(select(NoticeAnswer).where(NoticeAnswer.notice_id == notice.id)
                       .order_by(NoticeAnswer.round.desc())):
        answers.setdefault(a.item_id, []).append(a)
    files: dict[int, list[NoticeFile]] = {}
    ids = [a.id for group in answers.values() for a in group]
    for f in s.scalars(select(NoticeFile).where(NoticeFile.answer_id.in_(ids)).order_by(NoticeFile.id)):
        files.setdefault(f.answer_id, []).append(f)
    return answers, files


# Register ------------------------------------------------------------------------------------------

def _filter() -> svc.RegisterFilter:
    args = request.args
    platform_id = None
    if args.get("platform"):
        platform_id = db.session().scalar(select(Platform.id).where(Platform.code == args["platform"])) or -1
    year = int(args["year"]) if args.get("year", "").isdigit() and len(args["year"]) == 4 else None
    return svc.RegisterFilter(status=args.get("status", ""), platform_id=platform_id, year=year,
                              overdue_only=args.get("overdue") == "1", q=args.get("q", "").strip()[:64])


@bp.route("/notices/")
@requires(NOTICES_VIEW)
def index():
    if platform_scope() is not None:
        return redirect(url_for("notices.portal_index"))
    s = db.session()
    q = svc.register_query(_filter(), clock.now())
    total = s.scalar(select(func.count()).select_from(q.order_by(None).subquery()))
    page = page_arg()
    rows = s.execute(q.offset((page - 1) * 50).limit(50)).all()
    users = {u.id: u for u in s.scalars(select(User).where(User.id.in_(
        {r.Notice.drafted_by_id for r in rows} | {r.Notice.issued_by_id for r in rows if r.Notice.issued_by_id})))}
    return render_template("notices/index.html", rows=rows, total=total, page=page, pages=max(1, -(-total // 50)),
                           args=request.args, statuses=std.STATES, users=users,
                           platforms=s.scalars(select(Platform).order_by(Platform.name)).all(),
                           can_draft=has_permission(current_user, NOTICES_DRAFT))


@bp.route("/notices/export.xlsx")
@staff(NOTICES_VIEW)
def export():
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from importers.safe_export import xlsx_cell

    s = db.session()
    book = Workbook(write_only=True)
    sheet = book.create_sheet("整改通知书登记")
    header = ("文号", "平台", "标题", "状态", "逾期", "未报告事项", "起草时间", "签发日期", "送达时间", "整改期限",
              "完成时间", "PDF SHA-256")
    sheet.append([xlsx_cell(sheet, h, font=Font(bold=True)) for h in header])
    for r in s.execute(svc.register_query(_filter(), clock.now())):
        n = r.Notice
        sheet.append([xlsx_cell(sheet, v) for v in (
            n.number or "（未签发）", r.Platform.name, n.title, n.status, "是" if r.overdue else "否", r.open_items,
            n.drafted_at, n.issue_date, n.delivered_at, n.deadline, n.completed_at, n.pdf_sha256 or "")])
    buf = io.BytesIO()
    book.save(buf)
    return Response(buf.getvalue(), mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": "attachment; filename=notices.xlsx"})


# Drafting and approval -------------------------------------------------------------------------------

@bp.route("/notices/new", methods=["GET", "POST"])
@staff(NOTICES_DRAFT)
def create():
    if request.method == "POST":
        if not ActionForm().validate_on_submit():
            abort(400)
        audit_id, platform_id = request.form.get("audit", ""), request.form.get("platform", "")
        if not (audit_id.isdigit() and platform_id.isdigit()):
            flash("请选择检查和平台。", "error")
            return redirect(url_for("notices.create"))
        notice, errors = attempt(lambda s: svc.create_draft(s, current_user, int(audit_id), int(platform_id)))
        if not errors:
            flash("已起草整改通知书草稿，请核对整改要求和联系方式后提交审核。", "success")
            return redirect(url_for("notices.edit", notice_id=notice.id))
        flash_errors(errors)
    return render_template("notices/new.html", rows=svc.draftable(db.session()), form=ActionForm())


@bp.route("/notices/<int:notice_id>")
@staff(NOTICES_VIEW)
def detail(notice_id: int):
    s = db.session()
    notice = _notice_or_404(notice_id)
    items = svc.items_of(s, notice)
    answers, files = _answers_by_item(notice)
    escalations = s.scalars(select(NoticeEscalation).where(NoticeEscalation.notice_id == notice.id)
                            .order_by(NoticeEscalation.id)).all()
    people = {u.id: u for u in s.scalars(select(User).where(User.id.in_(
        [i for i in (notice.drafted_by_id, notice.issued_by_id) if i])))}
    problems = s.scalar(select(func.count()).select_from(Problem).where(Problem.notice_id == notice.id))
    now = clock.now()
    return render_template(
        "notices/detail.html", notice=notice, items=items, answers=answers, files=files, escalations=escalations,
        people=people, audit=s.get(Audit, notice.audit_id), platform=s.get(Platform, notice.platform_id),
        problems=problems, form=ActionForm(), now=now, is_drafter=notice.drafted_by_id == current_user.id,
        can_draft=has_permission(current_user, NOTICES_DRAFT),
        can_approve=has_permission(current_user, NOTICES_APPROVE),
        overdue=std.is_overdue(notice.status, notice.deadline, now,
                               sum(1 for it in items if it.status in std.ITEM_OPEN)) or notice.status == std.OVERDUE,
        escalation_kinds=std.ESCALATION_KINDS)


@bp.route("/notices/<int:notice_id>/edit", methods=["GET", "POST"])
@staff(NOTICES_DRAFT)
def edit(notice_id: int):
    s = db.session()
    notice = _notice_or_404(notice_id)
    if notice.status != std.DRAFT or notice.drafted_by_id != current_user.id:
        flash("只有起草人可以修改草稿状态的整改通知书。", "error")
        return redirect(url_for("notices.detail", notice_id=notice.id))
    items = svc.items_of(s, notice)
    errors: dict[str, str] = {}
    values = {"title": notice.title, "preamble": notice.preamble, "contact_name": notice.contact_name,
              "contact_phone": notice.contact_phone, **{f"requirement_{it.id}": it.requirement for it in items}}
    status = 200
    if request.method == "POST":
        if not ActionForm().validate_on_submit():
            abort(400)
        values = {k: request.form.get(k, "") for k in values}
        data = svc.DraftEdit(title=values["title"], preamble=values["preamble"], contact_name=values["contact_name"],
                             contact_phone=values["contact_phone"],
                             requirements={it.id: values[f"requirement_{it.id}"] for it in items})
        then_submit = request.form.get("then") == "submit"

        def save(s):
            svc.update_draft(s, notice, current_user, data)
            if then_submit:
                svc.submit(s, notice, current_user)

        _, errors = attempt(save)
        if not errors:
            flash("已提交审核。" if then_submit else "草稿已保存。", "success")
            return redirect(url_for("notices.detail" if then_submit else "notices.edit", notice_id=notice_id))
        status = 422
        notice = _notice_or_404(notice_id)
        items = svc.items_of(s, notice)
    return render_template("notices/edit.html", notice=notice, items=items, values=values, errors=errors,
                           form=ActionForm(), examples={it.id: json.loads(it.examples) for it in items}), status


def _action(notice_id: int, run, done: str):
    notice = _notice_or_404(notice_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    _, errors = attempt(lambda s: run(s, notice))
    if errors:
        flash_errors(errors)
    else:
        flash(done, "success")
    return redirect(url_for("notices.detail", notice_id=notice_id))


@bp.route("/notices/<int:notice_id>/submit", methods=["POST"])
@staff(NOTICES_DRAFT)
def submit(notice_id: int):
    return _action(notice_id, lambda s, n: svc.submit(s, n, current_user), "已提交审核。")


@bp.route("/notices/<int:notice_id>/return", methods=["POST"])
@staff(NOTICES_APPROVE)
def return_(notice_id: int):
    return _action(notice_id, lambda s, n: svc.return_to_draft(s, n, current_user, request.form.get("reason", "")),
                   "已退回起草人修改。")


@bp.route("/notices/<int:notice_id>/issue", methods=["POST"])
@staff(NOTICES_APPROVE)
def issue(notice_id: int):
    return _action(notice_id, lambda s, n: svc.issue(s, n, current_user, _office_name()),
                   "已签发；正式文件已生成并存档，平台可在系统中查看。")


@bp.route("/notices/<int:notice_id>/delete", methods=["POST"])
@staff(NOTICES_DRAFT)
def delete(notice_id: int):
    notice = _notice_or_404(notice_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    _, errors = attempt(lambda s: svc.delete_draft(s, notice, current_user))
    if errors:
        flash_errors(errors)
        return redirect(url_for("notices.detail", notice_id=notice_id))
    flash("草稿已删除，相关问题可重新起草整改通知书。", "success")
    return redirect(url_for("notices.index"))


# Documents -------------------------------------------------------------------------------------------

def _unissued_document(notice_id: int):
    """(notice, its document as it stands), or (notice, None) once issued: then the stored PDF is
    the document."""
    notice = _notice_or_404(notice_id)
    if notice.number is not None:
        return notice, None
    return notice, svc.notice_document(db.session(), notice, svc.document_settings(db.session(), _office_name()))


@bp.route("/notices/<int:notice_id>/preview")
@staff(NOTICES_VIEW)
def preview(notice_id: int):
    """The document as it will print (the PDF's own HTML and CSS)."""
    notice, doc = _unissued_document(notice_id)
    if doc is None:
        return redirect(url_for("notices.pdf", notice_id=notice.id))
    return documents.render_html(doc, css_href=url_for("static", filename=documents.CSS_PATH))


@bp.route("/notices/<int:notice_id>/draft.pdf")
@staff(NOTICES_VIEW)
def draft_pdf(notice_id: int):
    """The draft as PDF, watermarked 草稿, rendered on each request and never stored."""
    notice, doc = _unissued_document(notice_id)
    if doc is None:
        return redirect(url_for("notices.pdf", notice_id=notice.id))
    return pdf_response(documents.render_document_pdf(doc), f"整改通知书草稿-{notice.id}.pdf")


@bp.route("/notices/<int:notice_id>/pdf")
@staff(NOTICES_VIEW)
def pdf(notice_id: int):
    """The issued document: the stored bytes, never rendered again."""
    notice = _notice_or_404(notice_id)
    if notice.pdf_sha256 is None:
        abort(404)
    return pdf_response(notice.pdf, f"{notice.number}.pdf", notice.pdf_sha256)


@bp.route("/notices/escalations/<int:escalation_id>/pdf")
@staff(NOTICES_VIEW)
def escalation_pdf(escalation_id: int):
    row = _get_or_404(NoticeEscalation, escalation_id)
    return pdf_response(row.pdf, f"{row.kind}-{row.id}.pdf", row.pdf_sha256)


@bp.route("/notices/files/<int:file_id>")
@staff(NOTICES_VIEW)
def file(file_id: int):
    return _send_file(_get_or_404(NoticeFile, file_id))


# Checking answers and escalation -------------------------------------------------------------------

@bp.route("/notices/<int:notice_id>/items/<int:item_id>/verify", methods=["POST"])
@staff(NOTICES_DRAFT)
def verify(notice_id: int, item_id: int):
    item = _get_or_404(NoticeItem, item_id)
    if item.notice_id != notice_id:
        abort(404)
    decision = request.form.get("decision", "")
    return _action(notice_id, lambda s, n: svc.verify_item(s, n, item, current_user, decision,
                                                            request.form.get("reason", "")),
                   "已核验：通过。" if decision == "accept" else "已退回平台重新整改。")


@bp.route("/notices/<int:notice_id>/escalate", methods=["GET", "POST"])
@staff(NOTICES_DRAFT)
def escalate(notice_id: int):
    s = db.session()
    notice = _notice_or_404(notice_id)
    if notice.status != std.OVERDUE:
        flash("只有逾期的整改通知书可以采取后续措施。", "error")
        return redirect(url_for("notices.detail", notice_id=notice.id))
    kind = request.values.get("kind", std.ESCALATION_KINDS[0])
    if kind not in std.ESCALATION_KINDS:
        kind = std.ESCALATION_KINDS[0]
    data = svc.escalation_defaults(s, notice, kind)
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        if not ActionForm().validate_on_submit():
            abort(400)
        data = svc.EscalationInput(kind=request.form.get("kind", ""), title=request.form.get("title", ""),
                                   addressee=request.form.get("addressee", ""), body=request.form.get("body", ""),
                                   number=request.form.get("number", ""))
        row, errors = attempt(lambda s: svc.escalate(s, notice, current_user, data, _office_name()))
        if not errors:
            flash(f"已记录{row.kind}，文书已生成并存档。", "success")
            return redirect(url_for("notices.detail", notice_id=notice_id))
        status = 422
        notice = _notice_or_404(notice_id)
    return render_template("notices/escalate.html", notice=notice, data=data, errors=errors, form=ActionForm(),
                           kinds=std.ESCALATION_KINDS), status


# Office document settings ---------------------------------------------------------------------------

@bp.route("/admin/document-settings", methods=["GET", "POST"])
@requires(STANDARD_MANAGE)
def settings():
    s = db.session()
    current = svc.document_settings(s, _office_name())
    values = {"prefix": current.prefix, "authority": current.authority}
    errors: dict[str, str] = {}
    if request.method == "POST":
        if not ActionForm().validate_on_submit():
            abort(400)
        values = {"prefix": request.form.get("prefix", ""), "authority": request.form.get("authority", "")}
        _, errors = attempt(lambda s: svc.save_document_settings(s, values["prefix"], values["authority"],
                                                                  _office_name(), current_user.username))
        if not errors:
            flash("公文设置已保存，此后签发的文件使用新设置；已签发的文件不变。", "success")
            return redirect(url_for("notices.settings"))
    year = clock.now().year
    return render_template("notices/settings.html", values=values, errors=errors, form=ActionForm(),
                           example=std.document_number(current.prefix, year, 1) if not errors else "",
                           mark=f"{current.authority}文件"), 422 if errors else 200


# The platform's portal -------------------------------------------------------------------------------

def _platform_notice(notice_id: int) -> Notice:
    """An issued notice of the user's own platform; anything else is 404."""
    notice = get_scoped_or_404(db.session(), Notice, notice_id)
    if notice.status not in std.ISSUED_STATES:
        abort(404)
    return notice


@bp.route("/portal/notices/")
@requires(NOTICES_ANSWER)
def portal_index():
    s = db.session()
    open_items = svc.open_items_count().label("open_items")
    rows = s.execute(select(Notice, open_items).where(Notice.platform_id == current_user.platform_id,
                                                      Notice.status.in_(std.ISSUED_STATES))
                     .order_by(Notice.issued_at.desc(), Notice.id.desc())).all()
    return render_template("notices/portal_index.html", rows=rows, now=clock.now())


@bp.route("/portal/notices/<int:notice_id>", methods=["GET", "POST"])
@requires(NOTICES_ANSWER)
def portal_detail(notice_id: int):
    s = db.session()
    notice = _platform_notice(notice_id)
    if svc.mark_delivered(s, notice, current_user):
        s.commit()
    errors: dict[str, str] = {}
    texts: dict[int, str] = {}
    status = 200
    if request.method == "POST":
        if not ActionForm().validate_on_submit():
            abort(400)
        items = svc.items_of(s, notice)
        answers = {}
        for it in items:
            texts[it.id] = request.form.get(f"text_{it.id}", "")
            files = [(f.filename or "", f.read(10 * 1024 * 1024 + 1)) for f in request.files.getlist(f"files_{it.id}")
                     if f and f.filename]
            answers[it.id] = (texts[it.id], files)
        rnd, errors = attempt(lambda s: svc.submit_answers(s, notice, current_user, answers,
                                                            current_app.config["UPLOAD_DIR"]))
        if not errors:
            flash(f"第 {rnd} 轮整改情况已报送，等待核验。", "success")
            return redirect(url_for("notices.portal_detail", notice_id=notice_id))
        status = 422
        notice = _platform_notice(notice_id)
    items = svc.items_of(s, notice)
    answers, files = _answers_by_item(notice)
    return render_template("notices/portal_detail.html", notice=notice, items=items, answers=answers, files=files,
                           errors=errors, texts=texts, form=ActionForm(), now=clock.now(),
                           can_answer=svc.can_answer(notice, items)), status


@bp.route("/portal/notices/<int:notice_id>/pdf")
@requires(NOTICES_ANSWER)
def portal_pdf(notice_id: int):
    s = db.session()
    notice = _platform_notice(notice_id)
    if svc.mark_delivered(s, notice, current_user):
        s.commit()
    return pdf_response(notice.pdf, f"{notice.number}.pdf", notice.pdf_sha256)


@bp.route("/portal/notices/<int:notice_id>/files/<int:file_id>")
@requires(NOTICES_ANSWER)
def portal_file(notice_id: int, file_id: int):
    s = db.session()
    notice = _platform_notice(notice_id)
    f = s.get(NoticeFile, file_id)
    answer = s.get(NoticeAnswer, f.answer_id) if f is not None else None
    if answer is None or answer.notice_id != notice.id:
        abort(404)
    return _send_file(f)
