"""The public complaint window (no login): filing, the query system (投诉办理情况查询系统),
rating and re-examination, and the published handling rules."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from sqlalchemy import select

from supervision import clock, db
from supervision.models import Complaint, Platform
from supervision.security import limiter
from supervision.services import ValidationError
from supervision.services import complaint_intake as intake
from supervision.services import complaints as svc
from supervision.standard import complaints as std
from supervision.web.complaint_forms import FileComplaintForm, QueryForm, RatingForm, ReexamForm
from supervision.web.forms import choices

bp = Blueprint("complaints_public", __name__, url_prefix="/complaint")

FILED_KEY = "complaint_filed"
TRACK_KEY = "complaint_track"


def _file_limit() -> str:
    return current_app.config.get("COMPLAINT_FILE_RATE_LIMIT", "10 per hour")


def _query_limit() -> str:
    return current_app.config.get("COMPLAINT_QUERY_RATE_LIMIT", "10 per minute;60 per hour")


def _query_number_limit() -> str:
    return current_app.config.get("COMPLAINT_QUERY_NUMBER_LIMIT", "20 per hour")


def _tracking_key() -> str:
    return "complaint-query:" + (request.form.get("tracking_no") or "").strip().upper()[:20]


def _platform_choices(s):
    platforms = s.scalars(select(Platform).where(Platform.active).order_by(Platform.name)).all()
    return choices([("", "请选择")] + [(p.code, p.name) for p in platforms] + [("other", "其他平台（请填写名称）")])


def _parse_date(value: str) -> date | None:
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError:
        return None


@bp.route("/new", methods=["GET", "POST"])
@limiter.limit(_file_limit, methods=["POST"], error_message="提交过于频繁，请稍后再试。")
def new():
    s = db.session()
    form = FileComplaintForm()
    form.platform.choices = _platform_choices(s)
    secret = current_app.config["SECRET_KEY"]
    if request.method == "POST":
        problem = None if form.validate() else "页面已过期，请核对填写内容后重新提交。"
        problem = problem or svc.check_challenge(secret, form.challenge.data, form.answer.data, form.website.data)
        files = [(f.filename or "", f.read()) for f in (form.attachments.data or []) if f and f.filename]
        inp = svc.FilingInput(
            name=form.name.data or "", contact=form.contact.data or "", platform=form.platform.data or "",
            platform_other=form.platform_other.data or "", report_number=form.report_number.data or "",
            report_date=_parse_date(form.report_date.data), complaint_type=form.complaint_type.data or "",
            description=form.description.data or "", consent=bool(form.consent.data), files=files)
        errors: dict[str, str] = {}
        try:
            svc.validate_filing(s, inp, clock.now())
        except ValidationError as e:
            errors = dict(e.errors)
        if (form.report_date.data or "").strip() and inp.report_date is None:
            errors["report_date"] = "举报日期格式应为 YYYY-MM-DD。"
        if problem:
            errors["answer"] = problem
        if not errors:
            try:
                filed = svc.file_complaint(s, inp, current_app.config["UPLOAD_DIR"])
            except ValidationError as e:
                s.rollback()
                errors = dict(e.errors)
            else:
                s.commit()
                session[FILED_KEY] = {"tracking_no": filed.tracking_no, "code": filed.query_code}
                _after_filing(filed)
                return redirect(url_for("complaints_public.filed"))
        for field, msg in errors.items():
            getattr(form, field).errors = list(getattr(form, field).errors or []) + [msg]
        if files and "attachments" not in errors:
            form.attachments.errors = list(form.attachments.errors or []) + ["出于安全原因，请重新选择附件。"]
    question, token = svc.new_challenge(secret)
    form.challenge.data = token
    form.answer.data = ""
    status = 200 if request.method == "GET" else 422
    return render_template("complaints/public_new.html", form=form, question=question, types=std.TYPES), status


def _after_filing(filed: svc.Filed) -> None:
    """SQLite: the filing's journal row goes once its complaint is in; a filing that got in
    enters a few of those journalled while the database was busy (the scheduler process enters
    the rest)."""
    engine = db.engine()
    if intake.journal_path(engine) is None:
        return
    try:
        if filed.complaint is not None:
            intake.forget(engine, [filed.tracking_no])
            intake.admit_waiting(current_app.extensions["db_sessionmaker"], engine, limit=intake.ADMIT_BATCH,
                                 wait_ms=200)
    except Exception as e:  # noqa: BLE001 - the filing is in; what is left waits for the next pass
        if db.is_busy(e):  # the journal or the database busy: the scheduler's pass sweeps up
            current_app.logger.warning("journalled filings left for the next pass: %s", e)
        else:
            current_app.logger.exception("journalled filings were not entered after a filing")


@bp.route("/filed")
def filed():
    data = session.pop(FILED_KEY, None) or {}
    return render_template("complaints/public_filed.html", tracking_no=data.get("tracking_no"), code=data.get("code"))


@bp.route("/query", methods=["GET", "POST"])
@limiter.limit(_query_limit, methods=["POST"], error_message="查询过于频繁，请稍后再试。")
@limiter.limit(_query_number_limit, methods=["POST"], key_func=_tracking_key,
               error_message="查询过于频繁，请稍后再试。")
def query():
    form = QueryForm()
    if request.method == "POST":
        c = None
        valid = form.validate()
        if valid:
            c = svc.find_for_public(db.session(), form.tracking_no.data, form.code.data)
        if c is not None:
            session[TRACK_KEY] = c.id
            return redirect(url_for("complaints_public.track"))
        if valid and intake.is_waiting(db.engine(), form.tracking_no.data, form.code.data):
            return render_template("complaints/public_query.html", form=form, message=(
                f"投诉 {form.tracking_no.data.strip().upper()} 已收到，正在登记入库，"
                "请稍后（约一分钟）再查询办理情况。")), 200
        form.code.errors = ["投诉编号或查询码不正确。请核对后重新输入（区分数字 0 与字母 O）。"]
        return render_template("complaints/public_query.html", form=form), 200
    return render_template("complaints/public_query.html", form=form)


def _ask_again():
    """No complaint opened in this browser session: the query form (the same for everyone)."""
    return render_template("complaints/public_query.html", form=QueryForm(),
                           message="请输入投诉编号和查询码。")


def _tracked() -> Complaint | None:
    cid = session.get(TRACK_KEY)
    return db.session().get(Complaint, cid) if cid else None


@bp.route("/track")
def track():
    c = _tracked()
    if c is None:
        return _ask_again()
    return _track_page(c)


def _track_page(c: Complaint, rating_form=None, reexam_form=None, status: int = 200):
    s = db.session()
    now = clock.now()
    params = svc.workflow_params(s)
    can_rate = std.rating_problem(c.status, c.closed_at, c.rating is not None, 5, now, params.rating_days) is None
    can_reexam = std.reexam_problem(c.status, c.closed_at, c.rating, c.reexam_used, now, params.rating_days) is None
    return render_template("complaints/public_track.html", c=c, events=svc.public_timeline(s, c),
                           rating_form=rating_form or RatingForm(), reexam_form=reexam_form or ReexamForm(),
                           can_rate=can_rate, can_reexam=can_reexam, rating_days=params.rating_days), status


@bp.route("/track/rate", methods=["POST"])
def rate():
    c = _tracked()
    if c is None:
        return _ask_again()
    form = RatingForm()
    if not form.validate():
        form.rating.errors = ["页面已过期，请刷新后重新提交。"]
        return _track_page(c, rating_form=form, status=422)
    s = db.session()
    try:
        svc.rate(s, c, form.rating.data, form.comment.data)
    except ValidationError as e:
        s.rollback()
        form.rating.errors = list(e.errors.values())
        return _track_page(s.get(Complaint, c.id), rating_form=form, status=422)
    s.commit()
    flash("感谢您的评价。", "success")
    return redirect(url_for("complaints_public.track"))


@bp.route("/track/reexam", methods=["POST"])
def reexam():
    c = _tracked()
    if c is None:
        return _ask_again()
    form = ReexamForm()
    if not form.validate():
        form.reason.errors = ["页面已过期，请刷新后重新提交。"]
        return _track_page(c, reexam_form=form, status=422)
    s = db.session()
    try:
        svc.request_reexam(s, c, form.reason.data)
    except ValidationError as e:
        s.rollback()
        form.reason.errors = list(e.errors.values())
        return _track_page(s.get(Complaint, c.id), reexam_form=form, status=422)
    s.commit()
    flash("已收到您的复查申请，投诉将重新办理。", "success")
    return redirect(url_for("complaints_public.track"))


@bp.route("/rules")
def rules():
    params = svc.workflow_params(db.session())
    return render_template("complaints/public_rules.html", params=params, types=std.TYPES,
                           reasons=std.REJECT_REASONS)
