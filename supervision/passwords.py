"""Password hashing (argon2id) and the password policy."""
from __future__ import annotations

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

_PRODUCTION = PasswordHasher(type=Type.ID)  # argon2-cffi's RFC 9106 low-memory profile
# Tests create hundreds of accounts; same algorithm, lighter cost.
_TESTING = PasswordHasher(type=Type.ID, time_cost=1, memory_cost=8 * 1024, parallelism=1)
# Secrets the system generates itself (a complaint's query code: 10 characters of 32, 50 bits)
# need no slow hash against guessing: at this cost (about 4 ms, 8 MiB) trying all of them
# offline takes some 10^5 CPU-years, while the password profile (about 0.2 CPU-seconds a hash)
# would make 10 filings a second use a whole 2-core machine (found by the load test).
# argon2 reads the cost from the stored hash, so hashes made with another profile still verify.
_GENERATED_SECRET = PasswordHasher(type=Type.ID, time_cost=1, memory_cost=8 * 1024, parallelism=1)

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


def hash_generated_secret(secret: str) -> str:
    """The hash of a random secret the system generated (not a person's password)."""
    return _GENERATED_SECRET.hash(secret)


def verify_generated_secret(stored_hash: str, secret: str) -> bool:
    return verify_password(stored_hash, secret)  # the cost comes from the stored hash


_DUMMY: dict[int, str] = {}


def burn_time(password: str, hasher: PasswordHasher | None = None) -> None:
    """Spend the time of one verification when there is no such user (no timing oracle)."""
    hasher = hasher or _hasher()
    key = id(hasher)
    if key not in _DUMMY:
        _DUMMY[key] = hasher.hash("not-a-real-password")
    try:
        hasher.verify(_DUMMY[key], password)
    except (VerificationError, InvalidHashError):
        pass


def burn_generated_secret_time(secret: str) -> None:
    burn_time(secret, _GENERATED_SECRET)


def policy_problem(password: str, username: str = "") -> str | None:
    """Chinese description of why the password is not acceptable, or None."""
    if len(password) < MIN_LENGTH:
        return f"密码至少 {MIN_LENGTH} 个字符。"
    if not any(c.isalpha() for c in password) or not any(c.isdigit() for c in password):
        return "密码须同时包含字母和数字。"
    if username and username.lower() in password.lower():
        return "密码不得包含用户名。"
    return None
