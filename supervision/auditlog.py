"""The append-only, hash-chained audit log (shared/spec/workflows.md).

Every change of state and every login, logout and failed login is recorded with who, role,
when, action, object, before → after and source IP. Each record's hash covers its fields and
the previous record's hash, so an edited, inserted or removed record breaks the chain.
Appends are serialised through the single ``audit_head`` row (a row lock on PostgreSQL, the
write lock on SQLite), so concurrent transactions never fork the chain.
"""
from __future__ import annotations

import hashlib
import json
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from supervision import clock
from supervision.models import AuditEvent, AuditHead

GENESIS = "0" * 64


def _dump(value) -> str | None:
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def compute_hash(event: AuditEvent) -> str:
    at = event.at.isoformat(sep=" ", timespec="seconds") if isinstance(event.at, datetime) else str(event.at)
    payload = [
        event.seq, at, event.actor_id, event.actor_name, event.actor_role, event.platform_id,
        event.action, event.object_type, event.object_id, event.before, event.after, event.ip,
        event.prev_hash,
    ]
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Actor:
    id: int | None
    name: str
    role: str
    platform_id: int | None = None
    ip: str = ""


SYSTEM = Actor(None, "system", "system")


_acting: ContextVar[Actor | None] = ContextVar("acting", default=None)


@contextmanager
def acting_as(actor: Actor):
    """Record the events of the block as ``actor``'s, e.g. the checks an API token's upload
    runs, or an import done in a child process for a request."""
    token = _acting.set(actor)
    try:
        yield actor
    finally:
        _acting.reset(token)


def current_actor() -> Actor:
    """The actor set by ``acting_as``, else the logged-in user of this request, else the
    command line / scheduler."""
    from flask import has_request_context, request

    if _acting.get() is not None:
        return _acting.get()
    if has_request_context():
        from flask_login import current_user

        ip = request.remote_addr or ""
        if current_user and getattr(current_user, "is_authenticated", False):
            return Actor(current_user.id, current_user.username, current_user.role,
                         current_user.platform_id, ip)
        return Actor(None, "anonymous", "public", None, ip)
    return Actor(None, "cli", "system")


def record(
    session: Session,
    action: str,
    object_type: str = "",
    object_id: object = "",
    before: dict | None = None,
    after: dict | None = None,
    actor: Actor | None = None,
    platform_id: int | None = None,
    at: datetime | None = None,
) -> AuditEvent:
    """Append one record in the caller's transaction (it lands when the caller commits).

    The record takes its place in the hash chain when the transaction commits (``_chain``):
    the chain's head row is then locked only for the commit itself. Taking it here held it
    for the rest of the transaction, and every other audited action of the system (a
    complaint filed, a notice issued) queued behind a check that recomputed scores for a
    minute after recording its run (found by the load test). A record made inside a savepoint
    that is rolled back is dropped with it."""
    install()  # (done by db.init_app already; here too, so no record is ever left unchained)
    actor = actor or current_actor()
    event = AuditEvent(
        at=at or clock.now(),
        actor_id=actor.id,
        actor_name=actor.name,
        actor_role=actor.role,
        platform_id=platform_id if platform_id is not None else actor.platform_id,
        action=action,
        object_type=object_type,
        object_id=str(object_id) if object_id is not None else "",
        before=_dump(before),
        after=_dump(after),
        ip=actor.ip,
    )
    tx = session.get_nested_transaction() or session.get_transaction() or session.begin()
    session.info.setdefault(_PENDING, []).append((tx, event))
    return event


_PENDING = "audit_pending"


def _chain(session: Session) -> None:
    """before_commit: give the transaction's records their sequence numbers and hashes.

    SQLAlchemy fires before_commit for a savepoint's release too; the records wait for the
    outermost commit. Chaining them at the release locked the head row from there to the end of
    the transaction: a check reads reports through a savepoint and then works on for a minute,
    and every complaint filed meanwhile queued behind it (found by the load test)."""
    if session.in_nested_transaction():
        return
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    last, prev = session.execute(
        update(AuditHead).where(AuditHead.id == 1).values(seq=AuditHead.seq + len(pending))
        .returning(AuditHead.seq, AuditHead.last_hash)).one()
    for seq, (_tx, event) in enumerate(pending, start=last - len(pending) + 1):
        event.seq, event.prev_hash = seq, prev
        event.hash = prev = compute_hash(event)
        session.add(event)
    session.execute(update(AuditHead).where(AuditHead.id == 1).values(last_hash=prev))


def _drop_rolled_back(session: Session, previous_transaction) -> None:
    """after_soft_rollback: forget the records of the rolled-back transaction or savepoint."""
    pending = session.info.get(_PENDING)
    if not pending:
        return

    def inside(tx) -> bool:
        while tx is not None:
            if tx is previous_transaction:
                return True
            tx = tx.parent
        return False

    session.info[_PENDING] = [(tx, ev) for tx, ev in pending if not inside(tx)]


def _forget_at_end(session: Session, transaction) -> None:
    """after_transaction_end: a session closed without committing keeps no records."""
    if transaction.parent is None:
        session.info.pop(_PENDING, None)


def install() -> None:
    """Chain every session's records at its commit (called once by ``db.init_app``)."""
    from sqlalchemy import event as sa_event

    if not sa_event.contains(Session, "before_commit", _chain):
        sa_event.listen(Session, "before_commit", _chain)
        sa_event.listen(Session, "after_soft_rollback", _drop_rolled_back)
        sa_event.listen(Session, "after_transaction_end", _forget_at_end)


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    broken_seq: int | None = None
    reason: str = ""

    @property
    def message(self) -> str:
        if self.ok:
            return f"审计日志完整：共校验 {self.checked} 条记录，哈希链无断裂。"
        return f"审计日志哈希链断裂：第 {self.broken_seq} 号记录{self.reason}"


def verify(session: Session) -> ChainReport:
    """Walk the chain in order and name the first record that does not fit."""
    prev_hash, expected_seq, checked = GENESIS, 1, 0
    events = session.scalars(
        select(AuditEvent).order_by(AuditEvent.seq).execution_options(yield_per=2000)
    )
    for ev in events:
        if ev.seq != expected_seq:
            return ChainReport(False, checked, expected_seq, "缺失（记录被删除）。")
        if ev.prev_hash != prev_hash:
            return ChainReport(False, checked, ev.seq, "的前序哈希与上一条记录不符（前一条记录被删除或改动）。")
        if compute_hash(ev) != ev.hash:
            return ChainReport(False, checked, ev.seq, "的内容与其哈希不符（记录被改动）。")
        prev_hash, expected_seq, checked = ev.hash, ev.seq + 1, checked + 1
    head = session.get(AuditHead, 1, populate_existing=True)
    if head is None or head.seq != expected_seq - 1 or head.last_hash != prev_hash:
        return ChainReport(False, checked, expected_seq, "及之后的记录缺失（链尾记录被删除）。")
    return ChainReport(True, checked)


ACTION_LABELS = {
    "login": "登录",
    "login.failed": "登录失败",
    "logout": "退出登录",
    "session.end": "会话结束",
    "user.create": "创建用户",
    "user.update": "修改用户",
    "user.locked": "账户锁定",
    "user.password_change": "修改密码",
    "user.password_reset": "重置密码",
    "user.totp_enrolled": "绑定动态验证码",
    "user.totp_reset": "重置动态验证码",
    "platform.create": "登记平台",
    "platform.update": "修改平台",
    "audit.export": "导出审计日志",
    "ledger.accepted": "台账接收",
    "ledger.rejected": "台账退回",
    "ledger.duplicate": "重复报送（未更改）",
    "api_token.create": "创建接口令牌",
    "api_token.revoke": "吊销接口令牌",
    "check.run": "规则检查",
    "parameters.update": "修改省级参数",
    "calendar.set_day": "更正工作日历",
    "calendar.remove_day": "删除日历更正",
    "calendar.declare_year": "确认年度日历",
    "disclosure.record": "记录月度公开",
    "complaint.file": "提交投诉",
    "complaint.accept": "受理投诉",
    "complaint.reject": "不予受理投诉",
    "complaint.transfer": "投诉转办平台",
    "complaint.respond": "平台答复投诉",
    "complaint.return": "退回平台补充答复",
    "complaint.close": "投诉办结",
    "complaint.rate": "投诉评价",
    "complaint.reexamine": "申请复查",
    "complaint.link_report": "关联台账举报",
    "complaint.confirm_unreported": "确认台账漏报",
    "complaint.erase_pii": "删除投诉人个人信息",
    "audit.create": "新建检查",
    "audit.start": "开始检查",
    "audit.sample": "抽样",
    "audit.finding_review": "复核自动检查问题",
    "audit.add_code": "人工认定问题",
    "audit.verdict": "复核结论",
    "audit.evidence": "上传复核证据",
    "audit.complete": "完成检查",
    "problem.create": "登记问题台账",
    "problem.exclude": "剔除问题台账条目",
    "problem.restore": "恢复问题台账条目",
    "finding.close": "关闭问题",
}

OBJECT_LABELS = {"user": "用户", "platform": "平台", "audit_log": "审计日志", "ledger_submission": "台账报送",
                 "api_token": "接口令牌", "check_run": "检查", "parameter_set": "参数版本",
                 "calendar_day": "日历日期", "calendar_year": "日历年度", "disclosure": "月度公开", "complaint": "投诉",
                 "audit": "检查", "audit_sample": "抽样", "sample_item": "抽样举报", "finding": "问题",
                 "problem": "问题台账条目"}
