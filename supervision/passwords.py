"""Password hashing (argon2id) and the password policy."""
from __future__ import annotations

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

_PRODUCTION = PasswordHasher(type=Type.ID)  # argon2-cffi's RFC 9106 low-memory profile
# Tests create hundreds of accounts; same algorithm, lighter cost.
_TESTING = PasswordHasher(type=Type.ID, time_cost=1, memory_cost=8 * 1024, parallelism=1)

MIN_LENGTH = 10


def _hasher() -> PasswordHasher:
    from flask import current_app, has_app_context

    if has_app_context() and current_app.config.get("APP_ENV") == "testing":
        return _TESTING
    return _PRODUCTION


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


_DUMMY: dict[int, str] = {}


def burn_time(password: str) -> None:
    """Spend the time of one verification when there is no such user (no timing oracle)."""
    hasher = _hasher()
    key = id(hasher)
    if key not in _DUMMY:
        _DUMMY[key] = hasher.hash("not-a-real-password")
    try:
        hasher.verify(_DUMMY[key], password)
    except (VerificationError, InvalidHashError):
        pass


def policy_problem(password: str, username: str = "") -> str | None:
    """Chinese description of why the password is not acceptable, or None."""
    if len(password) < MIN_LENGTH:
        return f"密码至少 {MIN_LENGTH} 个字符。"
    if not any(c.isalpha() for c in password) or not any(c.isdigit() for c in password):
        return "密码须同时包含字母和数字。"
    if username and username.lower() in password.lower():
        return "密码不得包含用户名。"
    return None
