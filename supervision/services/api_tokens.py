"""A platform's bearer tokens for /api/v1: shown once, stored as SHA-256, revocable."""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from supervision import auditlog, clock
from supervision.models import ApiToken, User
from supervision.services import ValidationError

TOKEN_PREFIX = "sv_"
TOUCH_EVERY = timedelta(minutes=1)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, user: User, name: str) -> tuple[ApiToken, str]:
    name = (name or "").strip()
    if not name or len(name) > 64:
        raise ValidationError({"name": "请填写令牌用途（不超过 64 个字符），如“台账系统对接”。"})
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(platform_id=user.platform_id, name=name, token_hash=_digest(raw), prefix=raw[:10],
                     created_by_id=user.id, created_at=clock.now())
    session.add(token)
    session.flush()
    auditlog.record(session, "api_token.create", "api_token", token.id, None,
                    {"name": name, "prefix": token.prefix}, platform_id=user.platform_id)
    return token, raw


def revoke_token(session: Session, token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = clock.now()
        auditlog.record(session, "api_token.revoke", "api_token", token.id, {"name": token.name}, None,
                        platform_id=token.platform_id)


def authenticate(session: Session, raw: str | None) -> ApiToken | None:
    if not raw or not raw.startswith(TOKEN_PREFIX):
        return None
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(raw)))
    if token is None or token.revoked_at is not None:
        return None
    now = clock.now()
    if token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY:
        token.last_used_at = now
    return token
