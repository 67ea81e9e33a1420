"""Complaints for staff and platforms: the handler's work queue and each step of handling,
read-only views without personal data for other staff, and the platform's portal where it sees
complaints transferred to it (without the complainant's identity) and answers them."""
from __future__ import annotations

from functools import wraps

from flask import (Blueprint, abort, current_app, flash, redirect, render_template, request, send_file,
                   url_for)
from flask_login import current_user
from sqlalchemy import select

from supervision import clock, db
from supervision.models import Complaint, ComplaintFile, Finding, Platform
from supervision.permissions import (COMPLAINTS_ANSWER, COMPLAINTS_HANDLE, COMPLAINTS_VIEW, get_scoped_or_404,
                                     has_permission, requires)
from supervision.services import ValidationError
from supervision.services import complaints as svc
from supervision.services.checks import load_calendar
from supervision.standard import complaints as std
from supervision.web.complaint_forms import (AcceptForm, CloseForm, ConfirmUnreportedForm, RejectForm,
                                             ResponseForm, ReturnForm, TransferForm)
from supervision.web.forms import ActionForm, page_arg

bp = Blueprint("complaints", __name__)


def requires_any(*permissions: str):
    """Like @requires, for views that several permissions open (handlers and read-only staff)."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()
            if not any(has_permission(current_user, p) for p in permissions):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def _is_handler() -> bool:
    return has_permission(current_user, COMPLAINTS_HANDLE)


def _filter_from_args() -> svc.QueueFilter:
    args = request.args
    platform_id = None
    if args.get("platform"):
        platform_id = db.session().scalar(select(Platform.id).where(Platform.code == args["platform"])) or -1
    return svc.QueueFilter(status=args.get("status", "open"), platform_id=platform_id,
                           overdue_only=args.get("overdue") == "1", duplicates_only=args.get("duplicates") == "1",
                           tracking_no=args.get("q", "").strip())


@bp.route("/complaints/")
@requires_any(COMPLAINTS_HANDLE, COMPLAINTS_VIEW)
def index():
    s = db.session()
    found = svc.queue(s, _filter_from_args(), page=page_arg())
    platforms = s.scalars(select(Platform).order_by(Platform.name)).all()
    return render_template("complaints/index.html", rows=found.rows, total=found.total, page=found.page,
                           pages=found.pages, platforms=platforms, args=request.args, states=std.STATES,
                           labels=std.STAGE_STATUS_LABELS, counts=svc.counts(s), handler=_is_handler(),
                           now=clock.now())


@bp.route("/complaints/<int:complaint_id>")
@requires_any(COMPLAINTS_HANDLE, COMPLAINTS_VIEW)
def detail(complaint_id: int):
    return _detail(db.session().get(Complaint, complaint_id) or abort(404))


def _detail(c: Complaint, forms: dict | None = None, status: int = 200):
    s = db.session()
    now = clock.now()
    params = svc.workflow_params(s)
    row = svc.queue_row(c, load_calendar(s), params, now)
    handler = _is_handler()
    ctx = dict(c=c, row=row, labels=std.STAGE_STATUS_LABELS, handler=handler, now=now,
               platform=s.get(Platform, c.platform_id) if c.platform_id else None)
    ctx["findings"] = [s.get(Finding, i) for i in (c.cmp01_finding_id, c.cmp02_finding_id) if i]
    if handler:
        forms = forms or {}
        ctx.update(
            events=svc.all_events(s, c), match=svc.ledger_match(s, c, now),
            files=s.scalars(select(ComplaintFile).where(ComplaintFile.complaint_id == c.id)
                            .order_by(ComplaintFile.id)).all(),
            duplicate_of=s.get(Complaint, c.duplicate_of_id) if c.duplicate_of_id else None,
            actions=std.allowed_actions(c.status),
            accept_form=forms.get("accept") or AcceptForm(), reject_form=forms.get("reject") or RejectForm(),
            transfer_form=forms.get("transfer") or TransferForm(), return_form=forms.get("return") or ReturnForm(),
            close_form=forms.get("close") or CloseForm(), confirm_form=forms.get("confirm") or ConfirmUnreportedForm(),
            action_form=ActionForm())
        return render_template("complaints/detail.html", **ctx), status
    ctx.update(view=svc.platform_view(c), events=svc.public_timeline(s, c))
    return render_template("complaints/detail_masked.html", **ctx), status


def _handler_complaint(complaint_id: int) -> Complaint:
    c = db.session().get(Complaint, complaint_id)
    if c is None:
        abort(404)
    return c


def _act(complaint_id: int, key: str, form_cls, do):
    """Run one handling step from its form; errors go back next to the fields."""
    s = db.session()
    c = _handler_complaint(complaint_id)
    form = form_cls()
    if not form.validate():
        flash("页面已过期，请刷新后重试。", "error")
        return redirect(url_for("complaints.detail", complaint_id=c.id))
    try:
        message = do(s, c, form)
    except ValidationError as e:
        s.rollback()
        c = s.get(Complaint, complaint_id)
        for field, msg in e.errors.items():
            target = getattr(form, field, None)
            if target is not None and hasattr(target, "errors"):
                target.errors = list(target.errors or []) + [msg]
            else:
                flash(msg, "error")
        return _detail(c, {key: form}, 422)
    s.commit()
    flash(message, "success")
    return redirect(url_for("complaints.detail", complaint_id=c.id))


@bp.route("/complaints/<int:complaint_id>/accept", methods=["POST"])
@requires(COMPLAINTS_HANDLE)
def accept(complaint_id: int):
    return _act(complaint_id, "accept", AcceptForm,
                lambda s, c, f: (svc.accept(s, c, f.note.data or ""), "已受理。")[1])


@bp.route("/complaints/<int:complaint_id>/reject", methods=["POST"])
@requires(COMPLAINTS_HANDLE)
def reject(complaint_id: int):
    return _act(complaint_id, "reject", RejectForm, lambda s, c, f: (svc.reject(
        s, c, f.reason.data or "", f.explanation.data or "", f.forward_to.data or "", f.note.data or ""),
        "已决定不予受理。")[1])


@bp.route("/complaints/<int:complaint_id>/transfer", methods=["POST"])
@requires(COMPLAINTS_HANDLE)
def transfer(complaint_id: int):
    return _act(complaint_id, "transfer", TransferForm, lambda s, c, f: (svc.transfer(
        s, c, f.request_text.data or "", f.note.data or ""), "已转办平台。")[1])


@bp.route("/complaints/<int:complaint_id>/return", methods=["POST"])
@requires(COMPLAINTS_HANDLE)
def return_to_platform(complaint_id: int):
    return _act(complaint_id, "return", ReturnForm, lambda s, c, f: (svc.return_to_platform(
        s, c, f.request_text.data or "", f.note.data or ""), "已退回平台补充答复。")[1])


@bp.route("/complaints/<int:complaint_id>/close", methods=["POST"])
@requires(COMPLAINTS_HANDLE)
def close(complaint_id: int):
    return _act(complaint_id, "close", CloseForm, lambda s, c, f: (svc.close(
        s, c, f.conclusion.data or "", f.reply.data or "", f.note.data or ""), "已办结。")[1])


@bp.route("/complaints/<int:complaint_id>/link-report", methods=["POST"])
@requires(COMPLAINTS_HANDLE)
def link_report(complaint_id: int):
    return _act(complaint_id, "link", ActionForm, lambda s, c, f: (svc.link_report(s, c), "已关联台账举报。")[1])


@bp.route("/complaints/<int:complaint_id>/confirm-unreported", methods=["POST"])
@requires(COMPLAINTS_HANDLE)
def confirm_unreported(complaint_id: int):
    return _act(complaint_id, "confirm", ConfirmUnreportedForm, lambda s, c, f: (svc.confirm_unreported(
        s, c, f.note.data or ""), "已确认台账漏报，生成问题 CMP-02。")[1])


def _send(c: Complaint, file_id: int, owners: tuple[str, ...]):
    f = db.session().get(ComplaintFile, file_id)
    if f is None or f.complaint_id != c.id or f.owner not in owners:
        abort(404)
    path = svc.file_path(current_app.config["UPLOAD_DIR"], f)
    if path is None:
        abort(404)
    response = send_file(path, mimetype="application/octet-stream", as_attachment=True,
                         download_name=f.original_name or f"attachment-{f.id}")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/complaints/<int:complaint_id>/files/<int:file_id>")
@requires(COMPLAINTS_HANDLE)
def file(complaint_id: int, file_id: int):
    return _send(_handler_complaint(complaint_id), file_id, ("complainant", "platform"))


@bp.route("/complaints/satisfaction")
@requires_any(COMPLAINTS_HANDLE, COMPLAINTS_VIEW)
def satisfaction():
    s = db.session()
    period = request.args.get("period", "").strip()
    figures = svc.satisfaction_by_platform_month(s, period or None)
    names = {p.id: p.name for p in s.scalars(select(Platform))}
    return render_template("complaints/satisfaction.html", figures=figures, names=names, period=period)


# The platform's portal ------------------------------------------------------------------------

def _platform_complaint(complaint_id: int) -> Complaint:
    c = get_scoped_or_404(db.session(), Complaint, complaint_id)
    if c.transferred_at is None:
        abort(404)
    return c


@bp.route("/portal/complaints/")
@requires(COMPLAINTS_ANSWER)
def portal_index():
    s = db.session()
    status = request.args.get("status", "")
    flt = svc.QueueFilter(status=status if status in std.STATES else "all", platform_id=current_user.platform_id,
                          transferred_only=True)
    found = svc.queue(s, flt, page=page_arg())
    return render_template("complaints/portal_index.html", rows=found.rows, total=found.total, page=found.page,
                           pages=found.pages, status=status, labels=std.STAGE_STATUS_LABELS, now=clock.now())


@bp.route("/portal/complaints/<int:complaint_id>", methods=["GET", "POST"])
@requires(COMPLAINTS_ANSWER)
def portal_detail(complaint_id: int):
    s = db.session()
    c = _platform_complaint(complaint_id)
    form = ResponseForm()
    status = 200
    if request.method == "POST":
        if not form.validate():
            form.text.errors = ["页面已过期，请刷新后重试。"]
            status = 422
        else:
            files = [(f.filename or "", f.read()) for f in (form.files.data or []) if f and f.filename]
            try:
                svc.respond(s, c, form.text.data or "", files, current_app.config["UPLOAD_DIR"])
            except ValidationError as e:
                s.rollback()
                c = _platform_complaint(complaint_id)
                for field, msg in e.errors.items():
                    target = getattr(form, field, None)
                    if target is not None and hasattr(target, "errors"):
                        target.errors = list(target.errors or []) + [msg]
                    else:
                        flash(msg, "error")
                status = 422
            else:
                s.commit()
                flash("答复已提交。", "success")
                return redirect(url_for("complaints.portal_detail", complaint_id=c.id))
    now = clock.now()
    row = svc.queue_row(c, load_calendar(s), svc.workflow_params(s), now)
    files = s.scalars(select(ComplaintFile).where(ComplaintFile.complaint_id == c.id,
                                                  ComplaintFile.owner == "platform")).all()
    return render_template("complaints/portal_detail.html", c=c, view=svc.platform_view(c), row=row, form=form,
                           files=files, labels=std.STAGE_STATUS_LABELS, now=now,
                           can_answer="respond" in std.allowed_actions(c.status)), status


@bp.route("/portal/complaints/<int:complaint_id>/files/<int:file_id>")
@requires(COMPLAINTS_ANSWER)
def portal_file(complaint_id: int, file_id: int):
    return _send(_platform_complaint(complaint_id), file_id, ("platform",))
