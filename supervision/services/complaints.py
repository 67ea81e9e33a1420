"""Use cases of the complaint window: filing, the public query, rating, handling, the platform's
answer, matching with ledgers (CMP findings), erasure of personal data and satisfaction figures.

Each function takes a session and leaves the commit to the caller. Every change of state is
audit-logged with the complainant's personal data masked.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import func, or_, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from supervision import auditlog, clock
from supervision.db import is_busy
from supervision.models import (CheckRun, Complaint, ComplaintCounter, ComplaintEvent, ComplaintFile, Finding, Problem,
                                Platform, Report)
from supervision.passwords import burn_generated_secret_time, hash_generated_secret, verify_generated_secret
from supervision.services import ValidationError, derived
from supervision.services import complaint_intake as intake
from supervision.services.checks import current_parameters
from supervision.services.ledger_store import fetch_frame
from supervision.standard import complaints as std
from supervision.standard.rules import RULES
from supervision.standard.workdays import UnknownYearError, WorkCalendar
from supervision.uploads import FileBatch, StorageError, display_name

MAX_DESCRIPTION = 2000
QUERY_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
QUERY_CODE_LENGTH = 10
ERASED = "（已删除）"


def workflow_params(session: Session | None = None) -> std.WorkflowParams:
    """The complaint parameters in force: the current version of the provincial parameters."""
    if session is None:
        from supervision import db

        session = db.session()
    _version, p = current_parameters(session)
    return std.WorkflowParams(
        accept_working_days=p.accept_working_days,
        platform_response_working_days=p.platform_response_working_days,
        close_working_days=p.close_working_days,
        warning_share=p.complaint_warning_percent / 100,
        complaint_pii_retention_months=p.complaint_pii_retention_months,
    )


# Anti-automation check: a signed arithmetic question, a minimum fill time, a honeypot field ----

CHALLENGE_SALT = "complaint-challenge"
MIN_FILL_SECONDS = 3
MAX_FILL_SECONDS = 2 * 3600


def _signer(secret: str):
    from itsdangerous import URLSafeSerializer

    return URLSafeSerializer(secret, salt=CHALLENGE_SALT)


def new_challenge(secret: str, now: datetime | None = None) -> tuple[str, str]:
    """(question in Chinese, signed token). No outside service is involved."""
    now = now or clock.now()
    a, b = secrets.randbelow(9) + 1, secrets.randbelow(9) + 1
    token = _signer(secret).dumps({"a": a, "b": b, "t": now.isoformat(), "n": secrets.token_hex(4)})
    return f"{a} 加 {b} 等于几？", token


def challenge_answer(secret: str, token: str) -> int | None:
    """The answer of a token (tests and the browser test use it to fill the form)."""
    try:
        data = _signer(secret).loads(token)
        return int(data["a"]) + int(data["b"])
    except Exception:  # noqa: BLE001 - any tampering means no answer
        return None


def check_challenge(secret: str, token: str, answer: str, honeypot: str, now: datetime | None = None) -> str | None:
    """None when the check passes, else the Chinese message for the form."""
    now = now or clock.now()
    if (honeypot or "").strip():
        return "提交未通过校验，请刷新页面后重新填写。"
    try:
        data = _signer(secret).loads(token or "")
        issued = datetime.fromisoformat(data["t"])
        expected = int(data["a"]) + int(data["b"])
    except Exception:  # noqa: BLE001
        return "验证题已失效，请重新作答。"
    elapsed = (now - issued).total_seconds()
    if elapsed < MIN_FILL_SECONDS:
        return "提交过快，请核对填写内容后再提交。"
    if elapsed > MAX_FILL_SECONDS:
        return "页面停留时间过长，验证题已失效，请重新作答。"
    if (answer or "").strip() != str(expected):
        return "验证题答案不正确，请重新计算。"
    return None


# Filing ----------------------------------------------------------------------------------------

@dataclass
class FilingInput:
    name: str
    contact: str
    platform: str  # a registered platform's code, or "other"
    platform_other: str
    report_number: str
    report_date: date | None
    complaint_type: str
    description: str
    consent: bool
    files: list[tuple[str, bytes]] = field(default_factory=list)  # (original name, content)


@dataclass
class Filed:
    complaint: Complaint | None  # None: journalled, entered when the database's write lock frees
    query_code: str  # shown once, never stored in clear
    tracking_no: str = ""


def _upload_root(upload_dir: str) -> Path:
    root = Path(upload_dir) / "complaints"
    root.mkdir(parents=True, exist_ok=True)
    return root


def check_files(files: list[tuple[str, bytes]]) -> tuple[list[tuple[str, bytes, str, str]], str | None]:
    """Files with their sniffed (mime, extension), or the Chinese problem."""
    files = [(n, d) for n, d in files if n or d]
    if len(files) > std.MAX_ATTACHMENTS:
        return [], f"最多上传 {std.MAX_ATTACHMENTS} 个附件；选择了 {len(files)} 个。"
    out = []
    for name, data in files:
        if len(data) > std.MAX_ATTACHMENT_BYTES:
            return [], f"附件“{name[:60]}”超过 10 MB。"
        kind = std.sniff_type(data[:16])
        if kind is None or not data:
            return [], f"附件“{name[:60]}”不是图片（PNG、JPEG、GIF、WebP）或 PDF 文件（按文件内容识别）。"
        out.append((name, data, *kind))
    return out, None


def _write_files(batch: FileBatch, files) -> list[dict]:
    """Write checked files under generated names; their descriptions (kept in a journalled filing)."""
    return [{"stored_name": batch.write(ext, data), "original_name": display_name(name), "mime": mime,
             "size": len(data), "sha256": hashlib.sha256(data).hexdigest()} for name, data, mime, ext in files]


def _file_row(complaint_id: int, owner: str, f: dict, at: datetime) -> ComplaintFile:
    return ComplaintFile(complaint_id=complaint_id, owner=owner, stored_name=f["stored_name"],
                         original_name=f["original_name"], mime=f["mime"], size=f["size"], sha256=f["sha256"],
                         uploaded_at=at)


def store_files(session: Session, complaint: Complaint, owner: str, files, upload_dir: str, now: datetime) -> None:
    """Write the checked files under generated names; when one cannot be written (disk full),
    none stays and the Chinese reason is raised against the form's file field."""
    try:
        with FileBatch(_upload_root(upload_dir)) as batch:
            for f in _write_files(batch, files):
                session.add(_file_row(complaint.id, owner, f, now))
    except StorageError as e:
        raise ValidationError({"attachments" if owner == "complainant" else "files": str(e)}) from e


def file_path(upload_dir: str, f: ComplaintFile) -> Path | None:
    root = (Path(upload_dir) / "complaints").resolve()
    path = (root / f.stored_name).resolve()
    return path if root in path.parents and path.is_file() else None


def validate_filing(session: Session, inp: FilingInput, now: datetime):
    errors: dict[str, str] = {}
    name = (inp.name or "").strip()
    if not name:
        errors["name"] = "请填写姓名。"
    elif len(name) > 64:
        errors["name"] = "姓名不超过 64 个字符。"
    contact = std.normalise_contact(inp.contact)
    if not (inp.contact or "").strip():
        errors["contact"] = "请填写手机号码或电子邮箱。"
    elif contact is None:
        errors["contact"] = "请填写正确的中国大陆手机号码（11 位，1 开头）或电子邮箱地址。"
    platform = None
    platform_name = ""
    if inp.platform == "other":
        platform_name = (inp.platform_other or "").strip()
        if not platform_name:
            errors["platform_other"] = "选择“其他平台”时，请填写平台名称。"
        elif len(platform_name) > 128:
            errors["platform_other"] = "平台名称不超过 128 个字符。"
    elif inp.platform:
        platform = session.scalar(select(Platform).where(Platform.code == inp.platform, Platform.active))
        if platform is None:
            errors["platform"] = "请选择投诉的平台。"
        else:
            platform_name = platform.name
    else:
        errors["platform"] = "请选择投诉的平台。"
    if inp.complaint_type not in std.TYPES:
        errors["complaint_type"] = "请选择投诉类型。"
    number = (inp.report_number or "").strip()
    if len(number) > 64:
        errors["report_number"] = "举报编号不超过 64 个字符。"
    elif not number and inp.complaint_type not in std.NO_REPORT_NUMBER_TYPES:
        errors["report_number"] = "请填写您在平台举报时获得的举报编号（投诉“举报渠道不畅”时可不填）。"
    if inp.report_date is None:
        errors["report_date"] = "请填写举报日期（YYYY-MM-DD）。"
    elif inp.report_date > now.date():
        errors["report_date"] = "举报日期不能晚于今天。"
    elif inp.report_date < date(2000, 1, 1):
        errors["report_date"] = "举报日期无效。"
    description = (inp.description or "").strip()
    if not description:
        errors["description"] = "请描述投诉事项。"
    elif len(description) > MAX_DESCRIPTION:
        errors["description"] = f"投诉内容不超过 {MAX_DESCRIPTION} 字；当前 {len(description)} 字。"
    if not inp.consent:
        errors["consent"] = "请阅读并同意投诉处理办法。"
    files, problem = check_files(inp.files)
    if problem:
        errors["attachments"] = problem
    if errors:
        raise ValidationError(errors)
    return name, contact, platform, platform_name, number, description, files


def next_tracking_number(session: Session, day: date) -> str:
    """TS + date + sequence; one atomic upsert on the day's counter row (no two callers ever
    get the same number, whatever the concurrency).

    PostgreSQL: the upsert locks the day's row until the transaction that made it ends, so drawn
    inside the filing's transaction every filing of the day queued behind the whole of the one
    before it (its attachments, its audit record, its commit): under load a queue of twenty
    filings held every server thread (found by the load test). The number is drawn in a
    transaction of its own instead; a filing that fails after being numbered leaves its number
    unused. SQLite: inside the filing's transaction, as its first write; this is for an
    in-memory database only: a database file numbers its filings in the intake journal
    (``complaint_intake.record``)."""
    from supervision.db import dialect_insert, side_engine

    bind = session.get_bind()
    stmt = dialect_insert(bind.dialect.name)(ComplaintCounter).values(day=day, last=1)
    stmt = stmt.on_conflict_do_update(index_elements=["day"], set_={"last": ComplaintCounter.last + 1})
    stmt = stmt.returning(ComplaintCounter.last)
    if bind.dialect.name == "postgresql":
        with side_engine(bind.engine).connect() as conn:
            seq = conn.execute(stmt).scalar_one()
    else:
        seq = session.execute(stmt).scalar_one()
    return std.tracking_number(day, seq)


def new_query_code() -> str:
    return "".join(secrets.choice(QUERY_CODE_ALPHABET) for _ in range(QUERY_CODE_LENGTH))


def file_complaint(session: Session, inp: FilingInput, upload_dir: str, now: datetime | None = None) -> Filed:
    """Validate and file a complaint. PostgreSQL: entered in the caller's transaction. SQLite:
    journalled first (``complaint_intake``: durable when this returns), then entered in the
    caller's transaction if the database's write lock can be had within a moment; otherwise
    ``Filed.complaint`` is None and the filing is entered later with the time it was filed."""
    now = now or clock.now()
    name, (kind, contact), platform, platform_name, number, description, files = validate_filing(session, inp, now)
    code = new_query_code()
    fields = {
        "query_code_hash": hash_generated_secret(code), "filed_at": now.isoformat(), "name": name,
        "contact": contact, "contact_kind": kind, "platform_id": platform.id if platform else None,
        "platform_name": platform_name, "report_number": number, "report_date": inp.report_date.isoformat(),
        "complaint_type": inp.complaint_type, "description": description, "ip": auditlog.current_actor().ip,
    }
    journalled = intake.in_use(session)
    try:
        with FileBatch(_upload_root(upload_dir)) as batch:
            fields["files"] = _write_files(batch, files)
            if journalled:
                tracking, payload = intake.record(session, now.date(), lambda t: {**fields, "tracking_no": t})
            else:
                tracking = next_tracking_number(session, now.date())
                payload = {**fields, "tracking_no": tracking}
    except StorageError as e:
        raise ValidationError({"attachments": str(e)}) from e
    if not journalled:
        return Filed(enter_filing(session, payload), code, tracking)
    try:
        c = enter_filing(session, payload, lock_wait_ms=intake.ADMIT_WAIT_MS)
    except OperationalError as e:
        if not is_busy(e):
            raise
        intake.release(session.get_bind().engine, [tracking])
        return Filed(None, code, tracking)
    return Filed(c, code, tracking)


def enter_filing(session: Session, payload: dict, *, lock_wait_ms: int | None = None,
                 late: bool = False) -> Complaint:
    """Enter a numbered filing (its attachments already written) into the database, audit-logged
    as the public's filing from the address it came from. SQLite: the first write raises the
    database's day counter to the filing's number (so a reset journal goes on after it), waiting
    at most ``lock_wait_ms`` for the write lock (OperationalError when it cannot have it, with
    nothing written); ``late``: entered from the journal after the request that filed it."""
    from supervision.db import brief_wait, dialect_insert

    tracking = payload["tracking_no"]
    filed_at = datetime.fromisoformat(payload["filed_at"])
    if session.get_bind().dialect.name == "sqlite":
        seq = std.tracking_sequence(tracking)
        ins = dialect_insert("sqlite")(ComplaintCounter).values(day=filed_at.date(), last=seq)
        ins = ins.on_conflict_do_update(index_elements=["day"],
                                        set_={"last": func.max(ComplaintCounter.last, ins.excluded.last)})
        if lock_wait_ms is None:
            session.execute(ins)
        else:
            with brief_wait(session.connection(), lock_wait_ms):
                session.execute(ins)
    c = Complaint(tracking_no=tracking, query_code_hash=payload["query_code_hash"], filed_at=filed_at,
                  status=std.PENDING, name=payload["name"], contact=payload["contact"],
                  contact_kind=payload["contact_kind"], platform_id=payload["platform_id"],
                  platform_name=payload["platform_name"], report_number=payload["report_number"],
                  report_date=date.fromisoformat(payload["report_date"]), complaint_type=payload["complaint_type"],
                  description=payload["description"], updated_at=filed_at)
    dup = find_duplicate(session, c.contact, c.platform_id, c.platform_name, c.report_number)
    if dup is not None:
        c.duplicate_of_id = dup.id
    session.add(c)
    session.flush()
    for f in payload["files"]:
        session.add(_file_row(c.id, "complainant", f, filed_at))
    _event(session, c, "filed", filed_at, "收到投诉，等待受理。", public=True, actor="公众")
    if c.platform_id is not None and c.report_number:
        rep = _ledger_report(session, c)
        if rep is not None:
            c.ledger_report_id = rep.id
    after = {"tracking_no": tracking, "status": c.status, "platform": c.platform_name, "type": c.complaint_type,
             "name": std.mask_name(c.name), "contact": std.mask_contact(c.contact),
             "attachments": len(payload["files"]), "duplicate_of": dup.tracking_no if dup else None}
    if late:
        after["entered_late"] = True  # journalled while the database was busy, entered afterwards
        after["filed_at"] = filed_at.isoformat(sep=" ", timespec="seconds")
    public = auditlog.Actor(None, "anonymous", "public", None, payload.get("ip") or "")
    auditlog.record(session, "complaint.file", "complaint", c.id, None, after, actor=public,
                    platform_id=c.platform_id)
    return c


def find_duplicate(session: Session, contact: str, platform_id: int | None, platform_name: str,
                   number: str) -> Complaint | None:
    """An earlier open complaint from the same contact about the same platform and report."""
    if not number:
        return None
    q = select(Complaint).where(Complaint.contact == contact, Complaint.report_number == number,
                                Complaint.status.in_(std.OPEN_STATES))
    if platform_id is not None:
        q = q.where(Complaint.platform_id == platform_id)
    else:
        q = q.where(Complaint.platform_id.is_(None), Complaint.platform_name == platform_name)
    return session.scalar(q.order_by(Complaint.id).limit(1))


def _event(session: Session, c: Complaint, kind: str, at: datetime, text: str, *, public: bool,
           actor: str = "") -> ComplaintEvent:
    ev = ComplaintEvent(complaint_id=c.id, at=at, kind=kind, public=public, actor=actor[:64], text=text)
    session.add(ev)
    return ev


# The public query --------------------------------------------------------------------------------

def find_for_public(session: Session, tracking_no: str, code: str) -> Complaint | None:
    """The complaint when the tracking number and query code match; None otherwise, taking the
    same time whether or not the number exists."""
    tracking_no = (tracking_no or "").strip().upper()
    code = (code or "").strip().upper()
    c = session.scalar(select(Complaint).where(Complaint.tracking_no == tracking_no)) \
        if std.TRACKING_RE.match(tracking_no) else None
    if c is None:
        burn_generated_secret_time(code or "x")
        return None
    return c if verify_generated_secret(c.query_code_hash, code) else None


def public_timeline(session: Session, c: Complaint) -> list[ComplaintEvent]:
    return session.scalars(select(ComplaintEvent).where(ComplaintEvent.complaint_id == c.id,
                                                        ComplaintEvent.public).order_by(ComplaintEvent.id)).all()


def all_events(session: Session, c: Complaint) -> list[ComplaintEvent]:
    return session.scalars(select(ComplaintEvent).where(ComplaintEvent.complaint_id == c.id)
                           .order_by(ComplaintEvent.id)).all()


def rate(session: Session, c: Complaint, score, comment: str, now: datetime | None = None) -> None:
    now = now or clock.now()
    params = workflow_params(session)
    try:
        score = int(score)
    except (TypeError, ValueError):
        score = None
    problem = std.rating_problem(c.status, c.closed_at, c.rating is not None, score, now, params.rating_days)
    comment = (comment or "").strip()
    if problem is None and len(comment) > 500:
        problem = "评价意见不超过 500 字。"
    if problem:
        raise ValidationError({"rating": problem})
    c.rating, c.rating_comment, c.rated_at, c.updated_at = score, comment, now, now
    _event(session, c, "rate", now, f"投诉人评价：{score} 分。", public=True, actor="投诉人")
    auditlog.record(session, "complaint.rate", "complaint", c.id, None, {"tracking_no": c.tracking_no,
                                                                         "rating": score}, platform_id=c.platform_id)


def request_reexam(session: Session, c: Complaint, reason: str, now: datetime | None = None) -> None:
    now = now or clock.now()
    params = workflow_params(session)
    problem = std.reexam_problem(c.status, c.closed_at, c.rating, c.reexam_used, now, params.rating_days)
    reason = (reason or "").strip()
    if problem is None and not reason:
        problem = "请说明申请复查的理由。"
    if problem is None and len(reason) > 1000:
        problem = "复查理由不超过 1000 字。"
    if problem:
        raise ValidationError({"reexam": problem})
    before = _state(c)
    c.status = std.next_state(c.status, "reexamine")
    c.reexam_used, c.reopened_at, c.updated_at = True, now, now
    _event(session, c, "reexamine", now, "投诉人申请复查，投诉重新办理。", public=True, actor="投诉人")
    _event(session, c, "note", now, f"复查理由：{reason}", public=False, actor="投诉人")
    auditlog.record(session, "complaint.reexamine", "complaint", c.id, before, _state(c), platform_id=c.platform_id)


# Handling ---------------------------------------------------------------------------------------

def _state(c: Complaint) -> dict:
    return {"tracking_no": c.tracking_no, "status": c.status, "conclusion": c.conclusion,
            "reject_reason": c.reject_reason}


def _transition(session: Session, c: Complaint, action: str, now: datetime, actor: auditlog.Actor | None,
                public_text: str, note: str = "") -> dict:
    try:
        target = std.next_state(c.status, action)
    except std.IllegalTransition as e:
        raise ValidationError({"action": str(e)}) from e
    before = _state(c)
    c.status = target
    c.updated_at = now
    actor = actor or auditlog.current_actor()
    _event(session, c, action, now, public_text, public=bool(public_text), actor=actor.name)
    note = (note or "").strip()
    if note:
        _event(session, c, "note", now, note[:4000], public=False, actor=actor.name)
    return before


def _audit(session, c: Complaint, action: str, before: dict, actor: auditlog.Actor | None, **extra) -> None:
    auditlog.record(session, f"complaint.{action}", "complaint", c.id, before, {**_state(c), **extra},
                    actor=actor, platform_id=c.platform_id)


def accept(session: Session, c: Complaint, note: str = "", *, actor=None, now=None) -> None:
    now = now or clock.now()
    before = _transition(session, c, "accept", now, actor, "投诉已受理。", note)
    c.accepted_at = c.decided_at = now
    _audit(session, c, "accept", before, actor)


def reject(session: Session, c: Complaint, reason: str, explanation: str, forward_to: str = "", note: str = "",
           *, actor=None, now=None) -> None:
    now = now or clock.now()
    errors = {}
    if reason not in std.REJECT_REASONS:
        errors["reason"] = "请选择不予受理的理由。"
    forward_to = (forward_to or "").strip()
    if reason == std.FORWARD_REASON and not forward_to:
        errors["forward_to"] = "非属地投诉须填写转送的部门。"
    if len(forward_to) > 128:
        errors["forward_to"] = "转送部门不超过 128 个字符。"
    explanation = (explanation or "").strip()
    if len(explanation) > 2000:
        errors["explanation"] = "说明不超过 2000 字。"
    if errors:
        raise ValidationError(errors)
    text = f"不予受理，理由：{reason}。"
    if reason == std.FORWARD_REASON:
        text += f"已转送{forward_to}处理。"
    if explanation:
        text += explanation
    before = _transition(session, c, "reject", now, actor, text, note)
    c.decided_at = now
    c.reject_reason, c.forward_to, c.decision_text = reason, forward_to if reason == std.FORWARD_REASON else "", \
        explanation
    _audit(session, c, "reject", before, actor, forward_to=c.forward_to)


def transfer(session: Session, c: Complaint, request_text: str, note: str = "", *, actor=None, now=None) -> None:
    now = now or clock.now()
    if c.platform_id is None:
        raise ValidationError({"action": "该投诉涉及的平台未在本系统登记，无法转办；请按非属地转送或直接办结。"})
    request_text = (request_text or "").strip()
    if len(request_text) > 2000:
        raise ValidationError({"request_text": "转办说明不超过 2000 字。"})
    before = _transition(session, c, "transfer", now, actor, f"已转请{c.platform_name}核查处理。", note)
    c.transferred_at, c.transfer_note = now, request_text
    c.answered_at = None
    _audit(session, c, "transfer", before, actor)


def respond(session: Session, c: Complaint, text: str, files: list[tuple[str, bytes]], upload_dir: str, *,
            actor=None, now=None) -> None:
    """The platform's answer (web portal or API)."""
    now = now or clock.now()
    text = (text or "").strip()
    errors = {}
    if not text:
        errors["text"] = "请填写答复内容。"
    elif len(text) > 5000:
        errors["text"] = "答复内容不超过 5000 字。"
    checked, problem = check_files(files)
    if problem:
        errors["files"] = problem
    if errors:
        raise ValidationError(errors)
    before = _transition(session, c, "respond", now, actor, "平台已答复，办理人员正在核查。")
    c.answered_at, c.response_text = now, text
    store_files(session, c, "platform", checked, upload_dir, now)
    _event(session, c, "response", now, text, public=False, actor=(actor or auditlog.current_actor()).name)
    _audit(session, c, "respond", before, actor, files=len(checked))


def return_to_platform(session: Session, c: Complaint, request_text: str, note: str = "", *, actor=None,
                       now=None) -> None:
    now = now or clock.now()
    request_text = (request_text or "").strip()
    if not request_text:
        raise ValidationError({"request_text": "请说明需要平台补充的内容。"})
    before = _transition(session, c, "return", now, actor, "已要求平台补充答复。", note)
    c.transferred_at, c.transfer_note, c.answered_at = now, request_text[:2000], None
    _audit(session, c, "return", before, actor)


def close(session: Session, c: Complaint, conclusion: str, reply: str, note: str = "", *, actor=None,
          now=None) -> None:
    now = now or clock.now()
    errors = {}
    if conclusion not in std.CONCLUSIONS:
        errors["conclusion"] = "请选择办结结论（投诉成立、部分成立或不成立）。"
    reply = (reply or "").strip()
    if not reply:
        errors["reply"] = "请填写给投诉人的答复。"
    elif len(reply) > 5000:
        errors["reply"] = "答复不超过 5000 字。"
    if errors:
        raise ValidationError(errors)
    before = _transition(session, c, "close", now, actor, f"办结，结论：{conclusion}。答复：{reply}", note)
    c.closed_at, c.conclusion, c.reply = now, conclusion, reply
    c.rating, c.rating_comment, c.rated_at = None, "", None  # a re-examined complaint is rated afresh
    finding = None
    if conclusion in std.SUBSTANTIATED and c.platform_id is not None:
        finding = _complaint_finding(session, c, "CMP-01", now, actor)
        c.cmp01_finding_id = finding.id
        _enter_problem_ledger(session, c, finding, now, actor)
    elif c.cmp01_finding_id is not None:
        _withdraw_cmp01(session, c, conclusion, now, actor)
    _audit(session, c, "close", before, actor, finding=finding.rule_code if finding else None)


# Ledgers --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class LedgerMatch:
    status: str  # linked | missing | pending | unknown | n/a
    report: Report | None = None
    due: datetime | None = None

    @property
    def label(self) -> str:
        return {"linked": "台账中有该举报", "missing": "台账应报未报该举报", "pending": "该月台账尚未到报送期限",
                "unknown": "工作日历缺少年份，无法判断报送期限", "n/a": "无法比对（平台未登记或无举报编号）"}[self.status]


def _ledger_report(session: Session, c: Complaint) -> Report | None:
    return session.scalar(select(Report).where(Report.platform_id == c.platform_id,
                                               Report.report_id == c.report_number))


def ledger_match(session: Session, c: Complaint, now: datetime | None = None) -> LedgerMatch:
    from supervision.services.checks import current_parameters, load_calendar

    now = now or clock.now()
    if c.platform_id is None or not c.report_number:
        return LedgerMatch("n/a")
    rep = _ledger_report(session, c)
    if rep is not None:
        return LedgerMatch("linked", rep)
    _version, params = current_parameters(session)
    try:
        due = load_calendar(session).ledger_due(c.report_date.strftime("%Y-%m"), params.ledger_due_working_day)
    except UnknownYearError:
        return LedgerMatch("unknown")
    return LedgerMatch("missing" if now > due else "pending", None, due)


def link_report(session: Session, c: Complaint, *, actor=None, now=None) -> Report:
    now = now or clock.now()
    match = ledger_match(session, c, now)
    if match.status != "linked":
        raise ValidationError({"ledger": f"{match.label}，无法关联。"})
    if c.ledger_report_id != match.report.id:
        c.ledger_report_id, c.updated_at = match.report.id, now
        auditlog.record(session, "complaint.link_report", "complaint", c.id, None,
                        {"tracking_no": c.tracking_no, "report_id": c.report_number}, actor=actor,
                        platform_id=c.platform_id)
    return match.report


def confirm_unreported(session: Session, c: Complaint, note: str = "", *, actor=None, now=None) -> Finding:
    """The handler confirms the report is missing from a due ledger: finding CMP-02."""
    now = now or clock.now()
    match = ledger_match(session, c, now)
    if match.status != "missing":
        raise ValidationError({"ledger": f"{match.label}，不能认定台账漏报。"})
    if c.cmp02_finding_id is not None:
        raise ValidationError({"ledger": "已确认过台账漏报。"})
    finding = _complaint_finding(session, c, "CMP-02", now, actor)
    c.cmp02_finding_id, c.updated_at = finding.id, now
    _enter_problem_ledger(session, c, finding, now, actor)
    if note.strip():
        _event(session, c, "note", now, note.strip()[:4000], public=False, actor=(actor or auditlog.current_actor()).name)
    auditlog.record(session, "complaint.confirm_unreported", "complaint", c.id, None,
                    {"tracking_no": c.tracking_no, "report_id": c.report_number, "finding": "CMP-02",
                     "due": match.due}, actor=actor, platform_id=c.platform_id)
    return finding


def _complaint_finding(session: Session, c: Complaint, code: str, now: datetime, actor) -> Finding:
    """Open (or reopen) the CMP finding of the complaint's report in the findings table, with a
    check run of trigger 'complaint' behind it."""
    from supervision.services.checks import current_parameters, load_calendar, remember_calendar

    period = c.report_date.strftime("%Y-%m")
    report_id = c.report_number or c.tracking_no
    version, _params = current_parameters(session)
    actor = actor or auditlog.current_actor()
    run = CheckRun(platform_id=c.platform_id, period=period, trigger="complaint", actor=actor.name[:64], ran_at=now,
                   parameter_version=version, calendar_version=remember_calendar(session, load_calendar(session)),
                   report_count=1, finding_count=1)
    session.add(run)
    session.flush()
    f = session.scalar(select(Finding).where(Finding.platform_id == c.platform_id, Finding.period == period,
                                             Finding.report_id == report_id, Finding.rule_code == code))
    if f is None:
        f = Finding(platform_id=c.platform_id, period=period, report_id=report_id, rule_code=code,
                    severity=RULES[code].severity, status="open",
                    received_at=datetime.combine(c.report_date, datetime.min.time()), observed_at=now,
                    state="complaint", opened_run_id=run.id, opened_at=now)
        session.add(f)
        run.opened_count = 1
    else:
        if f.status != "open":
            run.opened_count = 1
        f.status, f.closed_at, f.closed_run_id, f.observed_at = "open", None, None, now
    session.flush()
    derived.bump(session, c.platform_id, now)
    return f


def _enter_problem_ledger(session: Session, c: Complaint, finding: Finding, now: datetime, actor) -> Problem:
    """The complaint's CMP finding counts against the platform in its problem ledger
    (workflows.md): one entry per complaint and rule, restored if it had been withdrawn."""
    p = session.scalar(select(Problem).where(Problem.complaint_id == c.id, Problem.rule_code == finding.rule_code))
    if p is None:
        p = Problem(audit_id=None, complaint_id=c.id, platform_id=finding.platform_id, source="complaint",
                    finding_id=finding.id, rule_code=finding.rule_code, severity=finding.severity,
                    period=finding.period, report_id=finding.report_id, status="待整改", created_at=now, updated_at=now)
        session.add(p)
        session.flush()
        auditlog.record(session, "problem.create", "problem", p.id, None,
                        {"rule_code": p.rule_code, "report_id": p.report_id, "complaint": c.tracking_no},
                        actor=actor, platform_id=p.platform_id)
    elif p.excluded:
        p.excluded, p.excluded_reason, p.updated_at = False, "", now
        auditlog.record(session, "problem.restore", "problem", p.id, {"excluded": True}, {"excluded": False},
                        actor=actor, platform_id=p.platform_id)
    return p


def _withdraw_cmp01(session: Session, c: Complaint, conclusion: str, now: datetime, actor) -> None:
    """Re-examination concluded 不成立: the earlier CMP-01 finding no longer holds. It is closed
    (never deleted) and its problem-ledger entry excluded with the reason."""
    f = session.get(Finding, c.cmp01_finding_id)
    if f is not None and f.status == "open":
        f.status, f.closed_at = "closed", now
        derived.bump(session, f.platform_id, now)
        auditlog.record(session, "finding.close", "finding", f.id, {"status": "open"}, {"status": "closed"},
                        actor=actor, platform_id=f.platform_id)
    p = session.scalar(select(Problem).where(Problem.complaint_id == c.id, Problem.rule_code == "CMP-01"))
    if p is not None and not p.excluded:
        p.excluded, p.excluded_reason, p.updated_at = True, f"复查后投诉办结结论为{conclusion}", now
        auditlog.record(session, "problem.exclude", "problem", p.id, {"excluded": False},
                        {"excluded": True, "reason": p.excluded_reason}, actor=actor, platform_id=p.platform_id)


# Deadlines, queue -------------------------------------------------------------------------------

def times_of(c: Complaint) -> std.Times:
    return std.Times(filed_at=c.filed_at, accepted_at=c.accepted_at, decided_at=c.decided_at,
                     transferred_at=c.transferred_at, answered_at=c.answered_at, closed_at=c.closed_at,
                     reopened_at=c.reopened_at)


@dataclass
class QueueRow:
    complaint: Complaint
    stages: list[std.Stage]
    worst: str
    overdue: list[str]

    @property
    def next_due(self) -> datetime | None:
        dues = [s.due for s in self.stages if s.end is None and s.due is not None]
        return min(dues) if dues else None


def queue_row(c: Complaint, calendar: WorkCalendar, params: std.WorkflowParams, now: datetime) -> QueueRow:
    st = std.stages(times_of(c), calendar, params)
    if c.status not in std.OPEN_STATES:
        st_open = []
    else:
        st_open = st
    worst = std.worst_status(st_open, now, params.warning_share) if st_open else "done"
    return QueueRow(c, st, worst, std.overdue_keys(st, now))


@dataclass
class QueueFilter:
    status: str = "open"  # open | all | one of std.STATES
    platform_id: int | None = None
    overdue_only: bool = False
    duplicates_only: bool = False
    tracking_no: str = ""
    transferred_only: bool = False  # the platform's view


QUEUE_PAGE = 50
_QUEUE_TIMES = tuple(std.Times.__dataclass_fields__)


@dataclass
class QueuePage:
    rows: list[QueueRow]
    total: int
    page: int
    pages: int


def queue(session: Session, flt: QueueFilter, now: datetime | None = None, page: int = 1,
          per_page: int | None = None) -> QueuePage:
    """One page of the complaints the filter selects, most urgent first: overdue, then nearing a
    deadline, then by the next due date, then the earlier filed (and numbered). Every selected
    complaint is ranked, column-wise (``std.queue_order``), however many there are; only the
    page's are loaded."""
    from supervision.services.checks import load_calendar

    now = now or clock.now()
    where, bind = [], {}
    if flt.status == "open":
        bind.update({f"s{i}": st for i, st in enumerate(std.OPEN_STATES)})
        where.append("status IN (" + ", ".join(f":s{i}" for i in range(len(std.OPEN_STATES))) + ")")
    elif flt.status in std.STATES:
        where.append("status = :status")
        bind["status"] = flt.status
    if flt.platform_id is not None:
        where.append("platform_id = :platform_id")
        bind["platform_id"] = flt.platform_id
    if flt.duplicates_only:
        where.append("duplicate_of_id IS NOT NULL")
    if flt.transferred_only:
        where.append("transferred_at IS NOT NULL")
    if flt.tracking_no:
        where.append("tracking_no = :tracking_no")
        bind["tracking_no"] = flt.tracking_no.strip().upper()
    # plain tuples from the driver, the times parsed column-wise: thousands of complaints ranked
    # without an object (or a parsed date-time) per complaint
    found = fetch_frame(session, f"SELECT id, status, {', '.join(_QUEUE_TIMES)} FROM complaints"
                        + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY filed_at, id",
                        bind, ["id", "status", *_QUEUE_TIMES])
    calendar, params = load_calendar(session), workflow_params(session)
    ids = found["id"].to_numpy(dtype=np.int64)
    ranked = std.queue_order(
        {k: pd.to_datetime(found[k], format="ISO8601").to_numpy("datetime64[ns]") for k in _QUEUE_TIMES},
        found["status"].isin(std.OPEN_STATES).to_numpy(), calendar, params, now)
    order = ranked.order[ranked.flagged[ranked.order]] if flt.overdue_only else ranked.order
    per_page = per_page or QUEUE_PAGE
    pages = max(1, -(-len(order) // per_page))
    page = min(max(1, page), pages)
    shown = [int(i) for i in ids[order[(page - 1) * per_page:page * per_page]]]
    loaded = {c.id: c for c in session.scalars(select(Complaint).where(Complaint.id.in_(shown)))} if shown else {}
    return QueuePage([queue_row(loaded[i], calendar, params, now) for i in shown], len(order), page, pages)


# What others than complaint handlers see ----------------------------------------------------------

def masked_text(c: Complaint, text: str) -> str:
    names = (c.name,) if c.name and c.name != ERASED else ()
    out = std.mask_text(text or "", names)
    if c.contact:
        out = out.replace(c.contact, std.mask_contact(c.contact))
    return out


def platform_view(c: Complaint) -> dict:
    """The complaint as a platform (and staff other than complaint handlers) may see it."""
    return {"id": c.id, "tracking_no": c.tracking_no, "status": c.status, "complaint_type": c.complaint_type,
            "report_number": c.report_number, "report_date": c.report_date.isoformat(),
            "filed_at": c.filed_at.isoformat(sep=" "), "description": masked_text(c, c.description),
            "transferred_at": c.transferred_at.isoformat(sep=" ") if c.transferred_at else None,
            "request": masked_text(c, c.transfer_note),
            "answered_at": c.answered_at.isoformat(sep=" ") if c.answered_at else None,
            "response": c.response_text or None}


# Personal data ----------------------------------------------------------------------------------

def _months_before(t: datetime, months: int) -> datetime:
    y, m = divmod(t.month - 1 - months, 12)
    year, month = t.year + y, m + 1
    import calendar as _cal

    day = min(t.day, _cal.monthrange(year, month)[1])
    return t.replace(year=year, month=month, day=day)


def erase_expired_pii(session: Session, upload_dir: str, now: datetime | None = None,
                      months: int | None = None) -> int:
    """Erase complainants' personal data ``complaint_pii_retention_months`` after closing (or
    after a 不予受理 decision), keeping the anonymised record for statistics. Idempotent."""
    now = now or clock.now()
    months = months if months is not None else workflow_params(session).complaint_pii_retention_months
    cutoff = _months_before(now, months)
    rows = session.scalars(select(Complaint).where(
        Complaint.pii_erased_at.is_(None),
        or_((Complaint.status == std.CLOSED) & (Complaint.closed_at <= cutoff),
            (Complaint.status == std.REJECTED) & (Complaint.decided_at <= cutoff)))).all()
    for c in rows:
        for ev in session.scalars(select(ComplaintEvent).where(ComplaintEvent.complaint_id == c.id)):
            ev.text = masked_text(c, ev.text)
        c.reply = masked_text(c, c.reply)
        c.response_text = masked_text(c, c.response_text)
        c.transfer_note = masked_text(c, c.transfer_note)
        c.decision_text = masked_text(c, c.decision_text)
        c.name, c.contact, c.contact_kind = ERASED, "", ""
        c.description, c.rating_comment = ERASED, ""
        for f in session.scalars(select(ComplaintFile).where(ComplaintFile.complaint_id == c.id)):
            path = file_path(upload_dir, f)
            if path is not None:
                path.unlink(missing_ok=True)
            session.delete(f)
        c.pii_erased_at = now
        auditlog.record(session, "complaint.erase_pii", "complaint", c.id, None,
                        {"tracking_no": c.tracking_no, "retention_months": months}, platform_id=c.platform_id)
    return len(rows)


# Satisfaction -------------------------------------------------------------------------------------

def satisfaction_by_platform_month(session: Session, period: str | None = None) -> dict[tuple[int, str], std.Satisfaction]:
    """(platform id, month of closing) -> satisfaction figures of the ratings (群众满意度测评)."""
    rows = session.execute(select(Complaint.platform_id, Complaint.closed_at, Complaint.rating).where(
        Complaint.platform_id.is_not(None), Complaint.rating.is_not(None), Complaint.closed_at.is_not(None))).all()
    groups: dict[tuple[int, str], list[int]] = {}
    for pid, closed_at, rating in rows:
        month = closed_at.strftime("%Y-%m")
        if period and month != period:
            continue
        groups.setdefault((pid, month), []).append(rating)
    return {k: std.satisfaction(v) for k, v in sorted(groups.items())}


def counts(session: Session) -> dict[str, int]:
    return dict(session.execute(select(Complaint.status, func.count()).group_by(Complaint.status)).all())
