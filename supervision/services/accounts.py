"""Accounts, log-in and server-side sessions.

A session is a row in ``user_sessions`` keyed by the SHA-256 of a random token kept in the
signed cookie. Logout, idle timeout and absolute lifetime end the row, so a cookie captured
earlier is useless afterwards; every log-in creates a new row (the session id is renewed).
"""
from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from supervision import auditlog, clock, passwords
from supervision.models import Platform, User, UserSession
from supervision.roles import PLATFORM, ROLE_LABELS, ROLES
from supervision.services import ValidationError

USERNAME_RE = re.compile(r"^[A-Za-z0-9_.-]{3,64}$")
GENERIC_LOGIN_ERROR = "用户名或密码错误；连续多次失败后账户将被暂时锁定，请稍后再试。"


def _validate_user_fields(session: Session, username: str, role: str, platform_code: str | None,
                          existing: User | None = None) -> Platform | None:
    errors: dict[str, str] = {}
    if existing is None and not USERNAME_RE.match(username or ""):
        errors["username"] = "用户名须为 3–64 位字母、数字、点、下划线或连字符。"
    elif existing is None and session.scalar(select(User).where(User.username == username)):
        errors["username"] = f"用户名“{username}”已存在。"
    if role not in ROLES:
        errors["role"] = f"角色“{role}”无效，可选：" + "、".join(f"{k}（{v}）" for k, v in ROLE_LABELS.items())
    platform = None
    if role == PLATFORM:
        if not platform_code:
            errors["platform"] = "平台用户必须指定所属平台。"
        else:
            platform = session.scalar(select(Platform).where(Platform.code == platform_code))
            if platform is None:
                errors["platform"] = f"平台简码“{platform_code}”未登记。"
    elif platform_code:
        errors["platform"] = "只有平台用户可以关联平台；机关工作人员不属于任何平台。"
    if errors:
        raise ValidationError(errors)
    return platform


def create_user(session: Session, username: str, role: str, password: str, display_name: str = "",
                platform_code: str | None = None, must_change_password: bool = True) -> User:
    username = (username or "").strip()
    platform = _validate_user_fields(session, username, role, platform_code)
    problem = passwords.policy_problem(password, username)
    if problem:
        raise ValidationError({"password": problem})
    user = User(
        username=username, display_name=(display_name or username).strip()[:64], role=role,
        platform_id=platform.id if platform else None, password_hash=passwords.hash_password(password),
        must_change_password=must_change_password, active=True, failed_logins=0, created_at=clock.now(),
    )
    session.add(user)
    session.flush()
    auditlog.record(session, "user.create", "user", user.id, None, user.snapshot(),
                    platform_id=user.platform_id)
    return user


def update_user(session: Session, user: User, display_name: str, role: str, platform_code: str | None,
                active: bool) -> User:
    platform = _validate_user_fields(session, user.username, role, platform_code, existing=user)
    before = user.snapshot()
    user.display_name = (display_name or user.username).strip()[:64]
    user.role = role
    user.platform_id = platform.id if platform else None
    user.active = active
    session.flush()
    after = user.snapshot()
    if after != before:
        auditlog.record(session, "user.update", "user", user.id, before, after, platform_id=user.platform_id)
        if (before["role"], before["platform_id"], before["active"]) != (role, user.platform_id, active):
            end_all_sessions(session, user, "account_changed")
    return user


def reset_password(session: Session, user: User, new_password: str) -> None:
    """An admin sets a temporary password; the user must change it at the next log-in."""
    problem = passwords.policy_problem(new_password, user.username)
    if problem:
        raise ValidationError({"password": problem})
    user.password_hash = passwords.hash_password(new_password)
    user.must_change_password = True
    user.failed_logins = 0
    user.locked_until = None
    end_all_sessions(session, user, "password_reset")
    auditlog.record(session, "user.password_reset", "user", user.id, platform_id=user.platform_id)


def reset_second_factor(session: Session, user: User) -> None:
    user.totp_secret = None
    end_all_sessions(session, user, "totp_reset")
    auditlog.record(session, "user.totp_reset", "user", user.id, platform_id=user.platform_id)


def change_password(session: Session, user: User, current: str, new: str, confirm: str,
                    keep_session_id: str | None = None) -> None:
    errors: dict[str, str] = {}
    if not passwords.verify_password(user.password_hash, current):
        errors["current"] = "当前密码不正确。"
    elif new != confirm:
        errors["confirm"] = "两次输入的新密码不一致。"
    elif new == current:
        errors["new"] = "新密码不能与当前密码相同。"
    else:
        problem = passwords.policy_problem(new, user.username)
        if problem:
            errors["new"] = problem
    if errors:
        raise ValidationError(errors)
    user.password_hash = passwords.hash_password(new)
    user.must_change_password = False
    user.password_changed_at = clock.now()
    end_all_sessions(session, user, "password_changed", except_id=keep_session_id)
    auditlog.record(session, "user.password_change", "user", user.id, platform_id=user.platform_id)


# Log-in -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class LoginPolicy:
    max_failures: int = 5
    lockout: timedelta = timedelta(minutes=15)


def check_password_login(session: Session, username: str, password: str, policy: LoginPolicy,
                         ip: str = "") -> User | None:
    """Return the user when name and password are right and the account may log in.

    Every failure looks the same to the caller (GENERIC_LOGIN_ERROR) and is audit-logged.
    """
    now = clock.now()
    user = session.scalar(select(User).where(User.username == (username or "").strip()))
    if user is None:
        passwords.burn_time(password)
        auditlog.record(session, "login.failed", "user", "", None, {"username": (username or "")[:64],
                        "reason": "unknown_user"}, actor=auditlog.Actor(None, (username or "")[:64], "", None, ip))
        return None
    actor = auditlog.Actor(user.id, user.username, user.role, user.platform_id, ip)
    if user.locked_until is not None and user.locked_until > now:
        passwords.burn_time(password)
        auditlog.record(session, "login.failed", "user", user.id, None, {"reason": "locked"}, actor=actor)
        return None
    if not passwords.verify_password(user.password_hash, password):
        register_failure(session, user, policy, actor, "bad_password")
        return None
    if not user.active:
        auditlog.record(session, "login.failed", "user", user.id, None, {"reason": "inactive"}, actor=actor)
        return None
    return user


def register_failure(session: Session, user: User, policy: LoginPolicy, actor: auditlog.Actor,
                     reason: str) -> None:
    user.failed_logins += 1
    auditlog.record(session, "login.failed", "user", user.id, None,
                    {"reason": reason, "failures": user.failed_logins}, actor=actor)
    if user.failed_logins >= policy.max_failures:
        user.locked_until = clock.now() + policy.lockout
        user.failed_logins = 0
        auditlog.record(session, "user.locked", "user", user.id, None,
                        {"locked_until": user.locked_until}, actor=actor)


def verify_totp(user: User, code: str, secret: str | None = None) -> bool:
    secret = secret or user.totp_secret
    code = (code or "").strip().replace(" ", "")
    if not secret or not code.isdigit():
        return False
    return pyotp.TOTP(secret).verify(code, for_time=clock.now_utc_timestamp(), valid_window=1)


def new_totp_secret() -> str:
    return pyotp.random_base32()


def totp_uri(user: User, secret: str, issuer: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=issuer)


def _token_key(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(session: Session, user: User, ip: str, user_agent: str) -> str:
    """Open a new server-side session and return the token for the cookie."""
    now = clock.now()
    token = secrets.token_urlsafe(32)
    session.add(UserSession(id=_token_key(token), user_id=user.id, created_at=now, last_seen_at=now,
                            ip=ip[:64], user_agent=(user_agent or "")[:255]))
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    auditlog.record(session, "login", "user", user.id,
                    actor=auditlog.Actor(user.id, user.username, user.role, user.platform_id, ip))
    return token


@dataclass(frozen=True)
class SessionLimits:
    idle: timedelta
    absolute: timedelta
    touch_every: timedelta = timedelta(seconds=60)


def resume_session(session: Session, token: str | None, user_id: int,
                   limits: SessionLimits) -> tuple[User | None, str | None]:
    """Return (user, None) for a live session, or (None, reason) when it has ended."""
    if not token:
        return None, None
    row = session.get(UserSession, _token_key(token))
    if row is None or row.user_id != user_id:
        return None, "unknown"
    if row.ended_at is not None:
        return None, row.end_reason or "ended"
    now = clock.now()
    reason = None
    if now - row.created_at >= limits.absolute:
        reason = "absolute_timeout"
    elif now - row.last_seen_at >= limits.idle:
        reason = "idle_timeout"
    elif not row.user.active:
        reason = "inactive"
    if reason:
        _end(session, row, reason, now)
        return None, reason
    if now - row.last_seen_at >= limits.touch_every:
        row.last_seen_at = now
    return row.user, None


def _end(session: Session, row: UserSession, reason: str, now: datetime) -> None:
    row.ended_at = now
    row.end_reason = reason
    u = row.user
    auditlog.record(session, "logout" if reason == "logout" else "session.end", "user", u.id, None,
                    {"reason": reason}, platform_id=u.platform_id,
                    actor=auditlog.Actor(u.id, u.username, u.role, u.platform_id, ""))


def end_session(session: Session, token: str | None, reason: str = "logout") -> None:
    if not token:
        return
    row = session.get(UserSession, _token_key(token))
    if row is not None and row.ended_at is None:
        _end(session, row, reason, clock.now())


def session_key(token: str | None) -> str | None:
    return _token_key(token) if token else None


def end_all_sessions(session: Session, user: User, reason: str, except_id: str | None = None) -> int:
    stmt = (
        update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
        .values(ended_at=clock.now(), end_reason=reason)
    )
    if except_id is not None:
        stmt = stmt.where(UserSession.id != except_id)
    return session.execute(stmt).rowcount or 0
