"""In-app notifications (the bell): created by the scheduled jobs for each role's due and
overdue work, at most one per user, kind, object and day; read and marked read by their owner
only; sent by e-mail as well when an SMTP server is configured (SMTP_HOST) and the user has
given an address.

Notification texts never carry a complainant's identity: they name complaints by tracking
number only. A platform user only ever gets notifications about its own platform.
"""
from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from email.message import EmailMessage

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from supervision import auditlog, clock
from supervision.models import Notification, NotificationSetting, User
from supervision.roles import PLATFORM
from supervision.services import ValidationError
from supervision.standard.complaints import EMAIL_RE, mask_email

log = logging.getLogger(__name__)

EMAIL_WINDOW = timedelta(days=2)  # older unsent notifications are not mailed (e.g. once SMTP is set up)
SMTP_TIMEOUT_SECONDS = 30


def app_path(endpoint: str, **values) -> str:
    """The path of a page, built without a request (jobs run outside requests); "" when the
    page does not exist (yet)."""
    from flask import current_app

    try:
        return current_app.url_map.bind("localhost").build(endpoint, values)
    except Exception:  # noqa: BLE001 - a missing page leaves the notification without a link
        return ""


# Recipients -----------------------------------------------------------------------------------

def users_with_roles(session: Session, roles: Iterable[str]) -> list[User]:
    return session.scalars(select(User).where(User.role.in_(tuple(roles)), User.active).order_by(User.id)).all()


def platform_users(session: Session, platform_id: int) -> list[User]:
    return session.scalars(select(User).where(User.role == PLATFORM, User.platform_id == platform_id, User.active)
                           .order_by(User.id)).all()


# Creating -------------------------------------------------------------------------------------

def notify(session: Session, user: User, kind: str, title: str, *, object_type: str = "", object_id: object = "",
           body: str = "", link: str = "", platform_id: int | None = None, now: datetime | None = None) -> bool:
    """Add a notification unless the user already has one of this kind about this object
    today. True when one was added."""
    if user.role == PLATFORM and platform_id != user.platform_id:
        raise ValueError(f"notification {kind} about platform {platform_id} for a user of platform {user.platform_id}")
    now = now or clock.now()
    from supervision.db import dialect_insert

    stmt = dialect_insert(session.get_bind().dialect.name)(Notification).values(
        user_id=user.id, kind=kind[:40], object_type=object_type[:32], object_id=str(object_id)[:64], day=now.date(),
        platform_id=platform_id, title=title[:200], body=body, link=link[:500], created_at=now)
    added = session.execute(stmt.on_conflict_do_nothing(
        index_elements=["user_id", "kind", "object_type", "object_id", "day"]).returning(Notification.id)).first()
    return added is not None


def notify_all(session: Session, users: Iterable[User], kind: str, title: str, **kwargs) -> int:
    """``notify`` for each user; the number of notifications added."""
    return sum(notify(session, u, kind, title, **kwargs) for u in users)


# Reading --------------------------------------------------------------------------------------

def unread_count(session: Session, user_id: int) -> int:
    return session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == user_id, Notification.read_at.is_(None))) or 0


def for_user(session: Session, user_id: int, *, unread_only: bool = False, page: int = 1,
             per_page: int = 50) -> tuple[list[Notification], int]:
    """The user's notifications, newest first, and how many there are."""
    q = select(Notification).where(Notification.user_id == user_id)
    if unread_only:
        q = q.where(Notification.read_at.is_(None))
    total = session.scalar(select(func.count()).select_from(q.subquery())) or 0
    rows = session.scalars(q.order_by(Notification.created_at.desc(), Notification.id.desc())
                           .offset((max(page, 1) - 1) * per_page).limit(per_page)).all()
    return rows, total


def own(session: Session, user_id: int, notification_id: int) -> Notification | None:
    """The notification when it is the user's own, else None (the caller answers 404)."""
    n = session.get(Notification, notification_id)
    return n if n is not None and n.user_id == user_id else None


def mark_read(session: Session, n: Notification, now: datetime | None = None) -> None:
    if n.read_at is None:
        n.read_at = now or clock.now()


def mark_all_read(session: Session, user_id: int, now: datetime | None = None) -> int:
    result = session.execute(update(Notification).where(Notification.user_id == user_id,
                                                        Notification.read_at.is_(None))
                             .values(read_at=now or clock.now()))
    return result.rowcount or 0


# E-mail ---------------------------------------------------------------------------------------

def email_of(session: Session, user_id: int) -> str:
    row = session.get(NotificationSetting, user_id)
    return row.email if row is not None else ""


def set_email(session: Session, user: User, email: str, now: datetime | None = None) -> None:
    """Set (or with an empty value, remove) the user's address for reminders by e-mail."""
    email = (email or "").strip()
    if email and (len(email) > 254 or not EMAIL_RE.match(email)):
        raise ValidationError({"email": f"电子邮箱地址格式不正确：“{email[:60]}”。"})
    now = now or clock.now()
    row = session.get(NotificationSetting, user.id)
    before = row.email if row is not None else ""
    if before == email:
        return
    if row is None:
        row = NotificationSetting(user_id=user.id, email=email, updated_at=now)
        session.add(row)
    else:
        row.email, row.updated_at = email, now
    auditlog.record(session, "notification.email", "user", user.id,
                    {"email": mask_email(before) if before else ""}, {"email": mask_email(email) if email else ""})


def smtp_configured(config: Mapping) -> bool:
    return bool(config.get("SMTP_HOST"))


def _smtp_connection(config: Mapping) -> smtplib.SMTP:
    host = config["SMTP_HOST"]
    security = config.get("SMTP_SECURITY") or ("starttls" if config.get("SMTP_USERNAME") else "none")
    port = config.get("SMTP_PORT") or {"ssl": 465, "starttls": 587}.get(security, 25)
    if security == "ssl":
        conn = smtplib.SMTP_SSL(host, port, timeout=SMTP_TIMEOUT_SECONDS, context=ssl.create_default_context())
    else:
        conn = smtplib.SMTP(host, port, timeout=SMTP_TIMEOUT_SECONDS)
        if security == "starttls":
            conn.starttls(context=ssl.create_default_context())
    if config.get("SMTP_USERNAME"):
        conn.login(config["SMTP_USERNAME"], config.get("SMTP_PASSWORD") or "")
    return conn


def _message(config: Mapping, to: str, items: list[Notification]) -> EmailMessage:
    office = config.get("OFFICE_NAME", "")
    msg = EmailMessage()
    msg["Subject"] = f"【{office}】您有 {len(items)} 条新提醒"
    msg["From"] = config.get("SMTP_FROM") or config.get("SMTP_USERNAME") or f"noreply@{config['SMTP_HOST']}"
    msg["To"] = to
    lines = [f"您在网络侵权信息举报处置监督系统中有 {len(items)} 条新提醒：", ""]
    for n in items:
        lines.append(f"· {n.title}")
        if n.body:
            lines.append(f"  {n.body}")
    lines += ["", "请登录系统查看并处理。本邮件由系统自动发送，请勿回复。", office]
    msg.set_content("\n".join(lines))
    return msg


def deliver_email(session: Session, config: Mapping, now: datetime | None = None) -> int:
    """Mail each user with an address their unread, unmailed notifications of the last two days
    (one message per user). Does nothing without SMTP_HOST. Returns the messages sent; a
    failure is logged and the rest wait for the next delivery. The caller commits."""
    if not smtp_configured(config):
        return 0
    now = now or clock.now()
    rows = session.execute(
        select(Notification, NotificationSetting.email)
        .join(NotificationSetting, NotificationSetting.user_id == Notification.user_id)
        .where(Notification.emailed_at.is_(None), Notification.read_at.is_(None),
               Notification.created_at >= now - EMAIL_WINDOW, NotificationSetting.email != "")
        .order_by(Notification.user_id, Notification.id)).all()
    by_user: dict[str, list[Notification]] = {}
    for n, email in rows:
        by_user.setdefault(email, []).append(n)
    if not by_user:
        return 0
    sent = 0
    try:
        conn = _smtp_connection(config)
    except (OSError, smtplib.SMTPException) as e:
        log.warning("SMTP server %s unreachable: %s", config.get("SMTP_HOST"), e)
        return 0
    try:
        for email, items in by_user.items():
            try:
                conn.send_message(_message(config, email, items))
            except smtplib.SMTPException as e:
                log.warning("e-mail to %s refused: %s", mask_email(email), e)
                continue
            for n in items:
                n.emailed_at = now
            sent += 1
    finally:
        try:
            conn.quit()
        except (OSError, smtplib.SMTPException):
            pass
    return sent
