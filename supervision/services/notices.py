"""Use cases of rectification notices (整改通知书, workflows.md): drafting from an audit's problem
ledger, approval and issue (number, PDF rendered once with its SHA-256), delivery to the
platform, the platform's answers per round, the inspector's check of each item, overdue scans,
escalation, the register and the figures the scorecard needs.

Each function takes a session and leaves the commit to the caller; every change of state is
audit-logged.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import and_, case, func, select, update
from sqlalchemy.orm import Session

from reports import notice as documents
from supervision import auditlog, clock
from supervision.models import (Audit, Notice, NoticeAnswer, NoticeCounter, NoticeEscalation, NoticeFile,
                                NoticeItem, OfficeSetting, Platform, Problem, User)
from supervision.permissions import NOTICES_APPROVE, NOTICES_DRAFT, has_permission
from supervision.services import ValidationError
from supervision.services.checks import current_parameters, load_calendar, month_bounds
from supervision.standard import notices as std
from supervision.standard.rules import RULES, SEVERITY_RANK
from supervision.standard.workdays import UnknownYearError
from supervision.uploads import FileBatch, StorageError, display_name

MAX_TITLE = 200
MAX_TEXT = 5000
MAX_REQUIREMENT = 1000
MAX_REASON = 1000


def one_line(value: str | None) -> str:
    return " ".join((value or "").split())


# Office document settings -----------------------------------------------------------------------

PREFIX_KEY = "notice_number_prefix"
AUTHORITY_KEY = "issuing_authority"
DEFAULT_PREFIX = "省网信办整改"
MAX_AUTHORITY = 40


@dataclass(frozen=True)
class DocumentSettings:
    prefix: str
    authority: str


def document_settings(session: Session, office_name: str) -> DocumentSettings:
    """The number prefix and the issuing authority (defaults: DEFAULT_PREFIX, the office's name)."""
    values = dict(session.execute(select(OfficeSetting.key, OfficeSetting.value)
                                  .where(OfficeSetting.key.in_((PREFIX_KEY, AUTHORITY_KEY)))).all())
    return DocumentSettings(prefix=values.get(PREFIX_KEY) or DEFAULT_PREFIX,
                            authority=values.get(AUTHORITY_KEY) or office_name)


def save_document_settings(session: Session, prefix: str, authority: str, office_name: str,
                           actor_name: str) -> DocumentSettings:
    prefix, authority = one_line(prefix), one_line(authority)
    errors = {}
    problem = std.check_prefix(prefix)
    if problem:
        errors["prefix"] = problem
    if not authority:
        errors["authority"] = "请填写发文机关名称。"
    elif len(authority) > MAX_AUTHORITY:
        errors["authority"] = f"发文机关名称不超过 {MAX_AUTHORITY} 个字符；当前 {len(authority)} 个。"
    if errors:
        raise ValidationError(errors)
    before = document_settings(session, office_name)
    after = DocumentSettings(prefix, authority)
    if after == before:
        raise ValidationError({"_": "设置没有变化。"})
    now = clock.now()
    for key, value in ((PREFIX_KEY, prefix), (AUTHORITY_KEY, authority)):
        row = session.get(OfficeSetting, key)
        if row is None:
            session.add(OfficeSetting(key=key, value=value, updated_by=actor_name, updated_at=now))
        else:
            row.value, row.updated_by, row.updated_at = value, actor_name, now
    session.flush()
    auditlog.record(session, "document_settings.update", "office_setting", "documents",
                    {"prefix": before.prefix, "authority": before.authority},
                    {"prefix": after.prefix, "authority": after.authority})
    return after


# Drafting ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Draftable:
    audit: Audit
    platform: Platform
    problems: int


def draftable(session: Session) -> list[Draftable]:
    """Audit × platform pairs with confirmed problem-ledger entries no notice addresses yet."""
    rows = session.execute(
        select(Problem.audit_id, Problem.platform_id, func.count())
        .where(Problem.excluded.is_(False), Problem.notice_id.is_(None), Problem.audit_id.is_not(None))
        .group_by(Problem.audit_id, Problem.platform_id)).all()
    audits = {a.id: a for a in session.scalars(select(Audit).where(Audit.id.in_({r[0] for r in rows})))}
    platforms = {p.id: p for p in session.scalars(select(Platform).where(Platform.id.in_({r[1] for r in rows})))}
    out = [Draftable(audits[a], platforms[p], n) for a, p, n in rows if a in audits and p in platforms]
    return sorted(out, key=lambda d: (-d.audit.id, d.platform.name))


def create_draft(session: Session, drafter: User, audit_id: int, platform_id: int) -> Notice:
    """草稿 from the audit's confirmed entries for the platform that no notice addresses yet.
    The entries are claimed with one conditional UPDATE, so two drafters never share one."""
    audit = session.get(Audit, audit_id)
    platform = session.get(Platform, platform_id)
    if audit is None:
        raise ValidationError({"audit": "请选择检查。"})
    if platform is None:
        raise ValidationError({"platform": "请选择平台。"})
    now = clock.now()
    _version, params = current_parameters(session)
    notice = Notice(platform_id=platform.id, audit_id=audit.id, status=std.DRAFT,
                    title=std.default_title(platform.name), addressee=platform.name,
                    preamble=std.default_preamble(audit.title, audit.period_from, audit.period_to),
                    contact_name=drafter.display_name or drafter.username, contact_phone="",
                    working_days=params.rectification_working_days, drafted_by_id=drafter.id, drafted_at=now,
                    updated_at=now)
    session.add(notice)
    session.flush()
    claimed = session.execute(
        update(Problem).where(Problem.audit_id == audit.id, Problem.platform_id == platform.id,
                              Problem.excluded.is_(False), Problem.notice_id.is_(None))
        .values(notice_id=notice.id, updated_at=now)).rowcount
    if not claimed:
        raise ValidationError({"platform": f"“{audit.title}”中{platform.name}没有尚未纳入整改通知书的问题。"})
    rows = session.execute(select(Problem.rule_code, Problem.report_id, Problem.period, Problem.severity)
                           .where(Problem.notice_id == notice.id)).all()
    drafts = std.group_problems((std.ProblemRow(*r) for r in rows), RULES, SEVERITY_RANK)
    for pos, it in enumerate(drafts, start=1):
        session.add(NoticeItem(notice_id=notice.id, position=pos, rule_code=it.rule_code, rule_name=it.rule_name,
                               severity=it.severity, problem_count=it.count,
                               examples=json.dumps(it.examples, ensure_ascii=False), requirement=it.requirement,
                               status=std.ITEM_WAITING))
    session.flush()
    auditlog.record(session, "notice.draft", "notice", notice.id, None, {
        "status": std.DRAFT, "audit": audit.id, "platform": platform.code, "problems": claimed,
        "items": [it.rule_code for it in drafts]}, platform_id=platform.id)
    return notice


def _item_label(item: NoticeItem) -> str:
    return f"第（{std.chinese_ordinal(item.position)}）项 {item.rule_name}"


def items_of(session: Session, notice: Notice) -> list[NoticeItem]:
    return session.scalars(select(NoticeItem).where(NoticeItem.notice_id == notice.id)
                           .order_by(NoticeItem.position)).all()


@dataclass
class DraftEdit:
    title: str
    preamble: str
    contact_name: str
    contact_phone: str
    requirements: dict[int, str]  # item id -> requirement text


def _require_drafter(notice: Notice, actor: User, what: str) -> None:
    if notice.drafted_by_id != actor.id:
        raise ValidationError({"_": f"只有起草人可以{what}。"})


def _check_status(notice: Notice, action: str) -> str:
    try:
        return std.next_state(notice.status, action)
    except std.IllegalTransition as e:
        raise ValidationError({"status": str(e)}) from e


def update_draft(session: Session, notice: Notice, actor: User, data: DraftEdit) -> None:
    if notice.status != std.DRAFT:
        raise ValidationError({"status": f"整改通知书当前为“{notice.status}”，只有草稿可以修改。"})
    _require_drafter(notice, actor, "修改草稿")
    errors: dict[str, str] = {}
    title = one_line(data.title)
    if not title:
        errors["title"] = "请填写标题。"
    elif len(title) > MAX_TITLE:
        errors["title"] = f"标题不超过 {MAX_TITLE} 个字符；当前 {len(title)} 个。"
    preamble = "\n".join(std.paragraphs(data.preamble))
    if not preamble:
        errors["preamble"] = "请填写开头段落（检查依据和概况）。"
    elif len(preamble) > MAX_TEXT:
        errors["preamble"] = f"开头段落不超过 {MAX_TEXT} 字；当前 {len(preamble)} 字。"
    contact_name, contact_phone = one_line(data.contact_name), one_line(data.contact_phone)
    if not contact_name:
        errors["contact_name"] = "请填写联系人。"
    elif len(contact_name) > 64:
        errors["contact_name"] = "联系人不超过 64 个字符。"
    if len(contact_phone) > 64:
        errors["contact_phone"] = "联系电话不超过 64 个字符。"
    items = items_of(session, notice)
    texts = {}
    for it in items:
        text = " ".join(std.paragraphs(data.requirements.get(it.id, it.requirement)))
        label = _item_label(it)
        if not text:
            errors[f"requirement_{it.id}"] = f"{label}：请填写整改要求。"
        elif len(text) > MAX_REQUIREMENT:
            errors[f"requirement_{it.id}"] = f"{label}：整改要求不超过 {MAX_REQUIREMENT} 字；当前 {len(text)} 字。"
        texts[it.id] = text
    if errors:
        raise ValidationError(errors)
    before = {"title": notice.title, "preamble": notice.preamble, "contact_name": notice.contact_name,
              "contact_phone": notice.contact_phone}
    notice.title, notice.preamble, notice.contact_name, notice.contact_phone = (title, preamble, contact_name,
                                                                                contact_phone)
    after = {"title": title, "preamble": preamble, "contact_name": contact_name, "contact_phone": contact_phone}
    changed_items = {}
    for it in items:
        if it.requirement != texts[it.id]:
            changed_items[it.rule_code] = texts[it.id]
            it.requirement = texts[it.id]
    notice.updated_at = clock.now()
    diff_before = {k: v for k, v in before.items() if after[k] != v}
    diff_after = {k: after[k] for k in diff_before}
    if changed_items:
        diff_after["requirements"] = changed_items
    auditlog.record(session, "notice.update", "notice", notice.id, diff_before, diff_after,
                    platform_id=notice.platform_id)


def submit(session: Session, notice: Notice, actor: User) -> None:
    """草稿 → 待审核 (the drafter)."""
    target = _check_status(notice, "submit")
    _require_drafter(notice, actor, "提交审核")
    if not notice.contact_phone:
        raise ValidationError({"contact_phone": "提交审核前请填写联系电话。"})
    now = clock.now()
    notice.status, notice.submitted_at, notice.updated_at = target, now, now
    auditlog.record(session, "notice.submit", "notice", notice.id, {"status": std.DRAFT}, {"status": target},
                    platform_id=notice.platform_id)


def _require_approver(notice: Notice, actor: User, what: str) -> None:
    """层级把关, 审处分离: a supervisor other than the drafter."""
    if not has_permission(actor, NOTICES_APPROVE):
        raise ValidationError({"_": f"只有审核人可以{what}。"})
    if actor.id == notice.drafted_by_id:
        raise ValidationError({"_": f"起草人不能{what}自己起草的整改通知书，须由其他审核人{what}。"})


def return_to_draft(session: Session, notice: Notice, actor: User, reason: str) -> None:
    """待审核 → 草稿 with the supervisor's reason."""
    target = _check_status(notice, "return")
    _require_approver(notice, actor, "退回")
    reason = "\n".join(std.paragraphs(reason))
    if not reason:
        raise ValidationError({"reason": "退回修改须写明理由。"})
    if len(reason) > MAX_REASON:
        raise ValidationError({"reason": f"退回理由不超过 {MAX_REASON} 字。"})
    now = clock.now()
    notice.status, notice.returned_at, notice.returned_by, notice.returned_reason = target, now, actor.username, reason
    notice.updated_at = now
    auditlog.record(session, "notice.return", "notice", notice.id, {"status": std.PENDING},
                    {"status": target, "reason": reason}, platform_id=notice.platform_id)


def next_number(session: Session, year: int) -> int:
    """The year's next sequence number: one atomic upsert on the year's counter row, in the
    issuing transaction. Concurrent issuers queue on the row (a row lock on PostgreSQL, the
    write lock on SQLite) and a rolled-back issue gives its number back: no duplicates, no gaps."""
    from supervision.db import dialect_insert

    stmt = dialect_insert(session.get_bind().dialect.name)(NoticeCounter).values(year=year, last=1)
    stmt = stmt.on_conflict_do_update(index_elements=["year"], set_={"last": NoticeCounter.last + 1})
    return session.execute(stmt.returning(NoticeCounter.last)).scalar_one()


def _findings(session: Session, notice: Notice, items: list[NoticeItem]) -> list[documents.FindingRow]:
    order = {it.rule_code: it.position for it in items}
    rows = session.execute(select(Problem.report_id, Problem.period, Problem.rule_code, Problem.severity)
                           .where(Problem.notice_id == notice.id)).all()
    rows = sorted(rows, key=lambda r: (order.get(r.rule_code, 999), r.report_id))
    return [documents.FindingRow(r.report_id, r.period, r.rule_code,
                                 RULES[r.rule_code].name if r.rule_code in RULES else r.rule_code, r.severity)
            for r in rows]


def notice_document(session: Session, notice: Notice, settings: DocumentSettings) -> documents.NoticeDocument:
    """The document of a notice: as it stands (a draft, watermarked) or as issued."""
    items = items_of(session, notice)
    issued = notice.number is not None
    doc_items = [documents.DocItem(std.chinese_ordinal(it.position), it.rule_code, it.rule_name, it.problem_count,
                                   std.item_facts(json.loads(it.examples), it.problem_count), it.requirement)
                 for it in items]
    return documents.NoticeDocument(
        authority=notice.authority or settings.authority, title=notice.title, addressee=notice.addressee,
        preamble=std.paragraphs(notice.preamble), items=doc_items,
        deadline_text=(std.deadline_text(notice.deadline) + "前") if issued and notice.deadline
        else std.draft_deadline_text(notice.working_days) + "内",
        contact_name=notice.contact_name, contact_phone=notice.contact_phone,
        findings=_findings(session, notice, items), number=notice.number,
        date_text=std.chinese_date(notice.issue_date) if issued and notice.issue_date else None,
        draft=not issued, number_placeholder=f"{settings.prefix}〔　　〕　号（签发时编号）")


def issue(session: Session, notice: Notice, actor: User, office_name: str) -> Notice:
    """待审核 → 已签发 by a supervisor other than the drafter, in the caller's one transaction: the
    number, the deadline, the PDF rendered once and stored with its SHA-256, the problem-ledger
    entries → 整改中.

    Rendering takes seconds for a long findings table, so it happens before any write (no lock
    held) with the number the year's counter predicts; only if a concurrent issue took that
    number meanwhile is the document rendered again, with the number allocated."""
    _check_status(notice, "issue")
    _require_approver(notice, actor, "签发")
    now = clock.now()
    _version, params = current_parameters(session)
    try:
        due = std.deadline(load_calendar(session), now, params.rectification_working_days)
    except UnknownYearError as e:
        raise ValidationError({"_": f"无法计算整改期限：{e}。"}) from e
    settings = document_settings(session, office_name)
    draft = notice_document(session, notice, settings)

    def render(n: int) -> bytes:
        return documents.render_document_pdf(dataclasses.replace(
            draft, authority=settings.authority, number=std.document_number(settings.prefix, now.year, n),
            date_text=std.chinese_date(now), deadline_text=std.deadline_text(due) + "前", draft=False))

    predicted = (session.scalar(select(NoticeCounter.last).where(NoticeCounter.year == now.year)) or 0) + 1
    data = render(predicted)
    # The first write: only one of two concurrent approvers moves the notice out of 待审核.
    won = session.execute(update(Notice).where(Notice.id == notice.id, Notice.status == std.PENDING)
                          .values(status=std.ISSUED, updated_at=now)).rowcount
    if not won:
        raise ValidationError({"status": "该整改通知书已被其他审核人处理，请刷新页面。"})
    session.refresh(notice)
    n = next_number(session, now.year)
    if n != predicted:
        data = render(n)
    notice.year, notice.seq = now.year, n
    notice.number = std.document_number(settings.prefix, now.year, n)
    notice.authority = settings.authority
    notice.issued_by_id, notice.issued_at, notice.issue_date = actor.id, now, now.date()
    notice.working_days, notice.deadline = params.rectification_working_days, due
    notice.pdf, notice.pdf_sha256, notice.pdf_size = data, hashlib.sha256(data).hexdigest(), len(data)
    session.execute(update(Problem).where(Problem.notice_id == notice.id, Problem.excluded.is_(False))
                    .values(status=std.PROBLEM_IN_PROGRESS, updated_at=now))
    session.execute(update(NoticeItem).where(NoticeItem.notice_id == notice.id).values(status=std.ITEM_WAITING))
    session.flush()
    auditlog.record(session, "notice.issue", "notice", notice.id, {"status": std.PENDING}, {
        "status": std.ISSUED, "number": notice.number, "deadline": due.isoformat(sep=" "),
        "sha256": notice.pdf_sha256, "size": notice.pdf_size, "drafter_id": notice.drafted_by_id,
        "rendered_twice": n != predicted}, platform_id=notice.platform_id)
    return notice


def delete_draft(session: Session, notice: Notice, actor: User) -> None:
    """The drafter discards a draft; its problem-ledger entries become free for another notice."""
    if notice.status != std.DRAFT:
        raise ValidationError({"status": f"整改通知书当前为“{notice.status}”，只有草稿可以删除。"})
    _require_drafter(notice, actor, "删除草稿")
    session.execute(update(Problem).where(Problem.notice_id == notice.id)
                    .values(notice_id=None, updated_at=clock.now()))
    auditlog.record(session, "notice.delete", "notice", notice.id, {"status": std.DRAFT, "title": notice.title},
                    None, platform_id=notice.platform_id)
    session.delete(notice)
    session.flush()


# The platform's side ------------------------------------------------------------------------------

def mark_delivered(session: Session, notice: Notice, user: User) -> bool:
    """送达: the first view of an issued notice by a user of its platform. True when recorded now."""
    if notice.delivered_at is not None or notice.status not in std.ISSUED_STATES or user.platform_id != notice.platform_id:
        return False
    now = clock.now()
    won = session.execute(update(Notice).where(Notice.id == notice.id, Notice.delivered_at.is_(None))
                          .values(delivered_at=now, delivered_by=user.username)).rowcount
    session.refresh(notice)
    if not won:
        return False
    auditlog.record(session, "notice.deliver", "notice", notice.id, {"delivered_at": None},
                    {"delivered_at": now.isoformat(sep=" "), "by": user.username}, platform_id=notice.platform_id)
    return True


def upload_root(upload_dir: str) -> Path:
    root = Path(upload_dir) / "notices"
    root.mkdir(parents=True, exist_ok=True)
    return root


def file_path(upload_dir: str, f: NoticeFile) -> Path | None:
    root = (Path(upload_dir) / "notices").resolve()
    path = (root / f.stored_name).resolve()
    return path if root in path.parents and path.is_file() else None


def awaiting_check(items: list[NoticeItem]) -> bool:
    return any(it.status == std.ITEM_ANSWERED for it in items)


def can_answer(notice: Notice, items: list[NoticeItem]) -> bool:
    """One submission per round: open items, and nothing of the last round left to check."""
    return (notice.status in std.OPEN_STATES and not awaiting_check(items)
            and any(it.status in std.ITEM_OPEN for it in items))


def submit_answers(session: Session, notice: Notice, user: User, answers: dict[int, tuple[str, list]],
                   upload_dir: str) -> int:
    """The platform's rectification reports for every open item (item id → (text, [(name,
    bytes)])) in one submission; returns the round number. Files must be PDF or images (by
    content), and are stored under generated names outside the web root."""
    from supervision.services.complaints import check_files

    items = items_of(session, notice)
    if notice.status not in std.OPEN_STATES:
        raise ValidationError({"_": f"整改通知书当前为“{notice.status}”，不能报送整改情况。"})
    if awaiting_check(items):
        raise ValidationError({"_": "本轮整改情况已报送，正在核验；核验后如有退回事项再报送下一轮。"})
    open_items = [it for it in items if it.status in std.ITEM_OPEN]
    if not open_items:
        raise ValidationError({"_": "没有需要报送整改情况的事项。"})
    errors: dict[str, str] = {}
    checked = {}
    for it in open_items:
        label = _item_label(it)
        text, files = answers.get(it.id, ("", []))
        text = "\n".join(std.paragraphs(text))
        if not text:
            errors[f"text_{it.id}"] = f"{label}：请填写整改情况报告。"
        elif len(text) > MAX_TEXT:
            errors[f"text_{it.id}"] = f"{label}：整改情况报告不超过 {MAX_TEXT} 字；当前 {len(text)} 字。"
        good, problem = check_files(files or [])
        if problem:
            errors[f"files_{it.id}"] = f"{label}：{problem}"
        checked[it.id] = (text, good)
    if errors:
        raise ValidationError(errors)
    now = clock.now()
    notice.answer_round += 1
    notice.updated_at = now
    try:
        with FileBatch(upload_root(upload_dir)) as batch:
            for it in open_items:
                text, files = checked[it.id]
                answer = NoticeAnswer(notice_id=notice.id, item_id=it.id, round=notice.answer_round, text=text,
                                      submitted_by=user.username, submitted_at=now)
                session.add(answer)
                session.flush()
                for name, data, mime, ext in files:
                    session.add(NoticeFile(answer_id=answer.id, stored_name=batch.write(ext, data),
                                           original_name=display_name(name), mime=mime, size=len(data),
                                           sha256=hashlib.sha256(data).hexdigest(), uploaded_at=now))
                it.status, it.answered_at = std.next_item_state(it.status, "answer"), now
    except StorageError as e:
        raise ValidationError({"_": str(e)}) from e
    session.flush()
    auditlog.record(session, "notice.answer", "notice", notice.id, None, {
        "round": notice.answer_round, "items": [it.rule_code for it in open_items]}, platform_id=notice.platform_id)
    return notice.answer_round


def verify_item(session: Session, notice: Notice, item: NoticeItem, actor: User, decision: str,
                reason: str) -> None:
    """The inspector accepts the item's answer (its problem-ledger entries → 已整改) or sends it
    back with a reason for the next round. All accepted → the notice is 已完成."""
    if not has_permission(actor, NOTICES_DRAFT):
        raise ValidationError({"_": "只有检查员或审核人可以核验整改情况。"})
    if item.notice_id != notice.id:
        raise ValidationError({"_": "该事项不属于这份整改通知书。"})
    if notice.status not in std.OPEN_STATES:
        raise ValidationError({"_": f"整改通知书当前为“{notice.status}”，不能核验。"})
    action = {"accept": "accept", "reject": "reject"}.get(decision)
    if action is None:
        raise ValidationError({"decision": "请选择通过或退回。"})
    try:
        target = std.next_item_state(item.status, action)
    except std.IllegalTransition as e:
        raise ValidationError({"decision": str(e)}) from e
    reason = "\n".join(std.paragraphs(reason))
    if action == "reject" and not reason:
        raise ValidationError({"reason": "退回整改须写明理由。"})
    if len(reason) > MAX_REASON:
        raise ValidationError({"reason": f"核验意见不超过 {MAX_REASON} 字。"})
    now = clock.now()
    answer = session.scalar(select(NoticeAnswer).where(NoticeAnswer.item_id == item.id)
                            .order_by(NoticeAnswer.round.desc()).limit(1))
    answer.decision, answer.reason, answer.decided_by, answer.decided_at = target, reason, actor.username, now
    before = {"status": item.status}
    item.status, item.decided_at, item.decided_by, item.decision_reason = target, now, actor.username, reason
    if target == std.ITEM_ACCEPTED:
        item.accepted_at = now
        session.execute(update(Problem).where(Problem.notice_id == notice.id, Problem.rule_code == item.rule_code,
                                              Problem.excluded.is_(False))
                        .values(status=std.PROBLEM_DONE, updated_at=now))
    notice.updated_at = now
    session.flush()
    auditlog.record(session, "notice.verify", "notice_item", item.id, before,
                    {"status": target, "reason": reason, "round": answer.round, "notice": notice.id,
                     "rule": item.rule_code}, platform_id=notice.platform_id)
    if all(it.status == std.ITEM_ACCEPTED for it in items_of(session, notice)):
        previous = notice.status
        notice.status, notice.completed_at = std.next_state(notice.status, "complete"), now
        auditlog.record(session, "notice.complete", "notice", notice.id, {"status": previous},
                        {"status": notice.status}, platform_id=notice.platform_id)


# Deadlines -------------------------------------------------------------------------------------

def open_items_count():
    return (select(func.count()).select_from(NoticeItem)
            .where(NoticeItem.notice_id == Notice.id, NoticeItem.status.in_(std.ITEM_OPEN))
            .correlate(Notice).scalar_subquery())


@dataclass(frozen=True)
class OverdueNotice:
    notice_id: int
    number: str
    platform_id: int
    deadline: datetime
    open_items: int
    status: str


def overdue_notices(session: Session, now: datetime) -> list[OverdueNotice]:
    """Issued notices past their deadline with items the platform still owes (whether or not
    the daily scan has marked them 逾期 yet): for reminders."""
    open_items = open_items_count()
    rows = session.execute(
        select(Notice.id, Notice.number, Notice.platform_id, Notice.deadline, open_items, Notice.status)
        .where(Notice.status.in_(std.OPEN_STATES), Notice.deadline < now, open_items > 0)
        .order_by(Notice.deadline, Notice.id)).all()
    return [OverdueNotice(*r) for r in rows]


def scan_overdue(session: Session, now: datetime) -> dict[str, int]:
    """已签发 notices past their deadline without a complete answer → 逾期, and their problem-ledger
    entries not yet rectified → 逾期未整改. Idempotent: a second call changes nothing and
    returns zeros."""
    counts = {"notices": 0, "problems": 0}
    for row in overdue_notices(session, now):
        if row.status != std.ISSUED:
            continue
        moved = session.execute(update(Notice).where(Notice.id == row.notice_id, Notice.status == std.ISSUED)
                                .values(status=std.OVERDUE, overdue_at=now, updated_at=now)).rowcount
        if not moved:
            continue
        problems = session.execute(
            update(Problem).where(Problem.notice_id == row.notice_id, Problem.excluded.is_(False),
                                  Problem.status != std.PROBLEM_DONE)
            .values(status=std.PROBLEM_OVERDUE, updated_at=now)).rowcount
        counts["notices"] += 1
        counts["problems"] += problems
        auditlog.record(session, "notice.overdue", "notice", row.notice_id, {"status": std.ISSUED},
                        {"status": std.OVERDUE, "deadline": row.deadline.isoformat(sep=" "),
                         "open_items": row.open_items, "problems": problems},
                        actor=auditlog.SYSTEM, platform_id=row.platform_id, at=now)
    return counts


# Escalation ------------------------------------------------------------------------------------

@dataclass
class EscalationInput:
    kind: str
    title: str
    addressee: str
    body: str
    number: str = ""


def escalation_defaults(session: Session, notice: Notice, kind: str) -> EscalationInput:
    open_names = [it.rule_name for it in items_of(session, notice) if it.status != std.ITEM_ACCEPTED]
    addressee = {"约谈": notice.addressee, "通报批评": "各属地网站平台", "移送处罚建议": "执法部门"}.get(kind, "")
    return EscalationInput(kind=kind, title=std.escalation_title(kind, notice.addressee), addressee=addressee,
                           body=std.escalation_default_body(kind, notice.addressee, notice.number or "",
                                                            (notice.deadline or clock.now()).date(), open_names))


def escalate(session: Session, notice: Notice, actor: User, data: EscalationInput,
             office_name: str) -> NoticeEscalation:
    """约谈, 通报批评 or 移送处罚建议 on an overdue notice, with its own document rendered once and
    stored with its SHA-256."""
    if not has_permission(actor, NOTICES_DRAFT):
        raise ValidationError({"_": "只有检查员或审核人可以采取后续措施。"})
    if notice.status != std.OVERDUE:
        raise ValidationError({"_": f"整改通知书当前为“{notice.status}”，只有逾期的整改通知书可以采取后续措施。"})
    errors = {}
    if data.kind not in std.ESCALATION_KINDS:
        errors["kind"] = "请选择约谈、通报批评或移送处罚建议。"
    title, addressee, number = one_line(data.title), one_line(data.addressee), one_line(data.number)
    body = "\n".join(std.paragraphs(data.body))
    if not title or len(title) > MAX_TITLE:
        errors["title"] = f"请填写标题（不超过 {MAX_TITLE} 个字符）。"
    if not addressee or len(addressee) > 128:
        errors["addressee"] = "请填写主送单位（不超过 128 个字符）。"
    if not body:
        errors["body"] = "请填写正文。"
    elif len(body) > MAX_TEXT:
        errors["body"] = f"正文不超过 {MAX_TEXT} 字；当前 {len(body)} 字。"
    if len(number) > 64:
        errors["number"] = "文号不超过 64 个字符。"
    if errors:
        raise ValidationError(errors)
    now = clock.now()
    settings = document_settings(session, office_name)
    doc = documents.EscalationDocument(authority=settings.authority, kind=data.kind, title=title, addressee=addressee,
                                       paragraphs=std.paragraphs(body), date_text=std.chinese_date(now),
                                       number=number)
    data_pdf = documents.render_document_pdf(doc)
    row = NoticeEscalation(notice_id=notice.id, kind=data.kind, number=number, title=title, addressee=addressee,
                           body=body, created_by=actor.username, created_at=now, pdf=data_pdf,
                           pdf_sha256=hashlib.sha256(data_pdf).hexdigest(), pdf_size=len(data_pdf))
    session.add(row)
    session.flush()
    auditlog.record(session, "notice.escalate", "notice_escalation", row.id, None, {
        "notice": notice.id, "kind": data.kind, "title": title, "number": number, "sha256": row.pdf_sha256},
        platform_id=notice.platform_id)
    return row


# Register and figures ----------------------------------------------------------------------------

@dataclass
class RegisterFilter:
    status: str = ""
    platform_id: int | None = None
    year: int | None = None
    overdue_only: bool = False
    q: str = ""


def register_query(flt: RegisterFilter, now: datetime):
    """Every notice with its open-item count and an overdue flag; overdue ones first, then
    those awaiting approval, then open ones by deadline, drafts, completed."""
    open_items = open_items_count().label("open_items")
    overdue = case((Notice.status == std.OVERDUE, True),
                   (and_(Notice.status == std.ISSUED, Notice.deadline < now, open_items_count() > 0), True),
                   else_=False).label("overdue")
    rank = case((Notice.status == std.OVERDUE, 0),
                (and_(Notice.status == std.ISSUED, Notice.deadline < now, open_items_count() > 0), 0),
                (Notice.status == std.PENDING, 1), (Notice.status == std.ISSUED, 2), (Notice.status == std.DRAFT, 3),
                else_=4)
    q = select(Notice, Platform, open_items, overdue).join(Platform, Platform.id == Notice.platform_id)
    if flt.status in std.STATES:
        q = q.where(Notice.status == flt.status)
    if flt.platform_id is not None:
        q = q.where(Notice.platform_id == flt.platform_id)
    if flt.year:
        q = q.where(func.coalesce(Notice.year, func.extract("year", Notice.drafted_at)) == flt.year)
    if flt.overdue_only:
        q = q.where(rank == 0)
    if flt.q:
        q = q.where(Notice.number.contains(flt.q) | Notice.title.contains(flt.q))
    return q.order_by(rank, Notice.deadline, Notice.id.desc())


def rectification_counts(session: Session, period: str) -> dict[int, tuple[int, int]]:
    """Per platform id: (notice items whose deadline falls in month ``period``, of which accepted
    on or before the deadline) — the scorecard's 整改落实 indicator. One GROUP BY query."""
    start, end = month_bounds(period)
    on_time = func.sum(case((and_(NoticeItem.status == std.ITEM_ACCEPTED, NoticeItem.accepted_at <= Notice.deadline),
                             1), else_=0))
    rows = session.execute(
        select(Notice.platform_id, func.count(NoticeItem.id), on_time)
        .join(NoticeItem, NoticeItem.notice_id == Notice.id)
        .where(Notice.status.in_(std.ISSUED_STATES), Notice.deadline >= start, Notice.deadline < end)
        .group_by(Notice.platform_id)).all()
    return {pid: (int(due), int(ok or 0)) for pid, due, ok in rows}


# Demo ---------------------------------------------------------------------------------------------

def load_demo_notice(session: Session, office_name: str | None = None) -> None:
    """One issued notice for the demo: drafted by ``inspector`` from the running demo audit for
    the platform with the fewest problems, issued by ``supervisor`` (idempotent). Skipped when
    the working-day calendar cannot give the deadline yet."""
    if office_name is None:
        from flask import current_app, has_app_context

        office_name = current_app.config["OFFICE_NAME"] if has_app_context() else "省互联网信息办公室"
    if session.scalar(select(Notice.id).limit(1)) is not None:
        return
    drafter = session.scalar(select(User).where(User.username == "inspector"))
    approver = session.scalar(select(User).where(User.username == "supervisor"))
    pairs = draftable(session)
    if drafter is None or approver is None or not pairs:
        return
    try:
        std.deadline(load_calendar(session), clock.now(), current_parameters(session)[1].rectification_working_days)
    except UnknownYearError:
        return
    pick = min(pairs, key=lambda d: (d.problems, d.platform.name))
    notice = create_draft(session, drafter, pick.audit.id, pick.platform.id)
    notice.contact_phone = "0571-87000000"
    submit(session, notice, drafter)
    issue(session, notice, approver, office_name)
