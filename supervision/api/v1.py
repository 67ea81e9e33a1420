"""/api/v1: ledgers for platforms' systems, authenticated by bearer tokens scoped to one platform."""
from __future__ import annotations

import hashlib

from flask import Blueprint, current_app, g, jsonify, request, url_for

from supervision import auditlog, db
from supervision.api.errors import json_error
from supervision.api.openapi import OPENAPI
from supervision.models import LedgerSubmission, Platform
from supervision.security import csrf, limiter
from supervision.services import ValidationError, api_tokens
from supervision.services.ledger_import import PERIOD_RE
from supervision.services.ledger_submit import saved_upload, submit_ledger
from supervision.uploads import display_name

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)


def _token_key() -> str:
    header = request.headers.get("Authorization", "")
    return "token:" + hashlib.sha256(header.encode()).hexdigest()[:16]


limiter.limit(lambda: current_app.config["API_RATE_LIMIT"], key_func=_token_key)(bp)


@bp.before_request
def authenticate():
    if request.endpoint == "api.openapi":
        return None
    header = request.headers.get("Authorization", "")
    raw = header[7:].strip() if header.lower().startswith("bearer ") else None
    s = db.session()
    token = api_tokens.authenticate(s, raw)
    if token is None:
        return json_error(401, "unauthorized", "缺少或无效的访问令牌：请在平台门户创建令牌，并以 Authorization: Bearer <令牌> 发送。")
    s.commit()
    g.api_token = token
    g.api_platform = s.get(Platform, token.platform_id)
    return None


def _actor() -> auditlog.Actor:
    t = g.api_token
    return auditlog.Actor(None, f"api:{t.prefix}", "platform", t.platform_id, request.remote_addr or "")


def _submission_json(sub: LedgerSubmission) -> dict:
    body = sub.summary()
    body["platform"] = g.api_platform.code
    body["url"] = url_for("api.get_ledger", submission_id=sub.id)
    return body


@bp.post("/ledgers")
def post_ledger():
    upload = request.files.get("file")
    period = request.form.get("period", "")
    if upload is None or not upload.filename:
        return json_error(400, "file_missing", "请以 multipart/form-data 上传字段 file（台账文件）。")
    s = db.session()
    try:
        with saved_upload(upload, current_app.config["UPLOAD_DIR"]) as source:
            done = submit_ledger(s, platform_id=g.api_platform.id, period=period,
                                 filename=display_name(upload.filename, "台账"), source=source, channel="api",
                                 submitter_id=None, actor=_actor(), checker=_actor().name)
    except ValidationError as e:
        field, message = next(iter(e.errors.items()))
        return json_error(400, f"invalid_{field}", message)
    sub = s.get(LedgerSubmission, done.submission_id)
    s.refresh(sub)  # written by this session or by the child process that imported the file
    if done.duplicate:
        return jsonify({**_submission_json(sub), "duplicate": True, "check_error": done.check_error}), 200
    if not done.accepted:
        return jsonify({
            "code": "ledger_rejected",
            "message": f"台账被退回：共 {done.error_count} 处错误，未入库任何记录。",
            "submission": _submission_json(sub),
            "errors": done.errors,
        }), 422
    return jsonify({**_submission_json(sub), "duplicate": False, "check_error": done.check_error,
                    "warnings_detail": done.warnings}), 201


@bp.get("/ledgers/<int:submission_id>")
def get_ledger(submission_id: int):
    sub = db.session().get(LedgerSubmission, submission_id)
    if sub is None or sub.platform_id != g.api_platform.id:
        return json_error(404, "not_found", f"没有编号为 {submission_id} 的报送。")
    return jsonify(_submission_json(sub))


@bp.get("/findings")
def get_findings():
    from sqlalchemy import select

    from supervision.models import Finding
    from supervision.services.findings import explanation
    from supervision.standard.rules import RULES

    period = request.args.get("period", "").strip()
    if period and not PERIOD_RE.match(period):
        return json_error(400, "invalid_period", f"period 应为 YYYY-MM 格式；收到的是“{period}”。")
    q = select(Finding).where(Finding.platform_id == g.api_platform.id, Finding.status == "open")
    if period:
        q = q.where(Finding.period == period)
    rows = db.session().scalars(q.order_by(Finding.period, Finding.report_id, Finding.rule_code).limit(100000)).all()
    return jsonify({"platform": g.api_platform.code, "period": period or None, "findings": [
        {"report_id": f.report_id, "rule_code": f.rule_code, "rule_name": RULES[f.rule_code].name if f.rule_code in RULES
         else f.rule_code, "severity": f.severity, "period": f.period, "reason": explanation(f)} for f in rows]})


@bp.get("/complaints")
def get_complaints():
    """Complaints transferred to the platform, without the complainant's identity."""
    from sqlalchemy import select

    from supervision.models import Complaint
    from supervision.standard.complaints import STATES

    status = request.args.get("status", "").strip()
    if status and status not in STATES:
        return json_error(400, "invalid_status", f"status 应为 {'、'.join(STATES)} 之一；收到的是“{status}”。")
    q = select(Complaint).where(Complaint.platform_id == g.api_platform.id, Complaint.transferred_at.is_not(None))
    if status:
        q = q.where(Complaint.status == status)
    rows = db.session().scalars(q.order_by(Complaint.id).limit(10000)).all()
    rules = _deadline_rules()  # once for the list, not per complaint
    return jsonify({"platform": g.api_platform.code, "status": status or None,
                    "complaints": [_complaint_json(c, rules) for c in rows]})


def _deadline_rules():
    """The calendar and complaint parameters in force."""
    from supervision.services.checks import load_calendar
    from supervision.services.complaints import workflow_params

    return load_calendar(db.session()), workflow_params()


def _complaint_json(c, rules=None) -> dict:
    from supervision.services.complaints import platform_view
    from supervision.standard.complaints import stages, Times

    body = platform_view(c)
    due = None
    if c.transferred_at is not None:
        calendar, params = rules or _deadline_rules()
        st = [x for x in stages(Times(filed_at=c.filed_at, transferred_at=c.transferred_at, answered_at=c.answered_at),
                                calendar, params) if x.key == "respond"]
        due = st[0].due.isoformat(sep=" ") if st and st[0].due else None
    body["response_due"] = due
    return body


@bp.post("/complaints/<int:complaint_id>/response")
def post_complaint_response(complaint_id: int):
    from supervision.models import Complaint
    from supervision.services import complaints as complaint_svc

    s = db.session()
    c = s.get(Complaint, complaint_id)
    if c is None or c.platform_id != g.api_platform.id or c.transferred_at is None:
        return json_error(404, "not_found", f"没有编号为 {complaint_id} 的转办投诉。")
    if request.is_json:
        text = (request.get_json(silent=True) or {}).get("text", "")
        files = []
    else:
        text = request.form.get("text", "")
        files = [(f.filename or "", f.read()) for f in request.files.getlist("files") if f and f.filename]
    if not isinstance(text, str):
        return json_error(400, "invalid_text", "text 应为字符串。")
    try:
        complaint_svc.respond(s, c, text, files, current_app.config["UPLOAD_DIR"], actor=_actor())
    except ValidationError as e:
        s.rollback()
        field, message = next(iter(e.errors.items()))
        code = "invalid_state" if field == "action" else f"invalid_{field}"
        return json_error(409 if field == "action" else 400, code, message)
    s.commit()
    return jsonify(_complaint_json(c)), 200


@bp.get("/openapi.json")
def openapi():
    return jsonify(OPENAPI)
