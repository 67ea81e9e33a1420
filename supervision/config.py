"""Settings read from the environment over safe defaults (shared/spec/interfaces.md)."""
from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path


class ConfigError(RuntimeError):
    """A setting is missing or unsafe; the message says which and what to do."""


def _flag(value: str | None, default: bool) -> bool:
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def load(instance_path: str, environ: dict | None = None) -> dict:
    """Return the Flask config mapping for this deployment.

    APP_ENV is ``production`` (default), ``development`` (the demo started from the README)
    or ``testing``. Outside development and testing a missing SECRET_KEY is an error.
    """
    env = os.environ if environ is None else environ
    app_env = env.get("APP_ENV", "production").strip().lower()
    if app_env not in ("production", "development", "testing"):
        raise ConfigError(f"APP_ENV 取值无效：{app_env}（允许 production、development、testing）")
    production = app_env == "production"

    secret = env.get("SECRET_KEY", "").strip()
    if not secret:
        if production:
            raise ConfigError(
                "未设置 SECRET_KEY：生产环境必须通过环境变量提供至少 32 个字符的随机密钥，"
                "系统不会自动生成。开发演示请设置 APP_ENV=development。"
            )
        secret = _dev_secret(instance_path)
    elif production and len(secret) < 32:
        raise ConfigError("SECRET_KEY 过短：生产环境要求至少 32 个字符。")

    database_url = env.get("DATABASE_URL", "").strip() or (
        "sqlite:///" + str(Path(instance_path) / "supervision.sqlite3")
    )
    upload_dir = env.get("UPLOAD_DIR", "").strip() or str(Path(instance_path) / "uploads")
    return {
        "APP_ENV": app_env,
        "SECRET_KEY": secret,
        "DATABASE_URL": database_url,
        "UPLOAD_DIR": upload_dir,
        "SCHEDULER_ENABLED": _flag(env.get("SCHEDULER_ENABLED"), app_env == "development"),
        # E-mail for notifications: nothing is sent unless SMTP_HOST is set.
        "SMTP_HOST": env.get("SMTP_HOST", "").strip() or None,
        "SMTP_PORT": int(env["SMTP_PORT"]) if env.get("SMTP_PORT", "").strip() else None,
        "SMTP_USERNAME": env.get("SMTP_USERNAME", "").strip() or None,
        "SMTP_PASSWORD": env.get("SMTP_PASSWORD") or None,
        "SMTP_FROM": env.get("SMTP_FROM", "").strip() or None,
        "SMTP_SECURITY": env.get("SMTP_SECURITY", "").strip().lower() or None,  # starttls | ssl | none
        # Second factor for staff accounts: on by default in production.
        "TOTP_REQUIRED": _flag(env.get("TOTP_REQUIRED"), production),
        "SESSION_IDLE_MINUTES": int(env.get("SESSION_IDLE_MINUTES", "30")),
        "SESSION_ABSOLUTE_HOURS": int(env.get("SESSION_ABSOLUTE_HOURS", "12")),
        "LOGIN_MAX_FAILURES": int(env.get("LOGIN_MAX_FAILURES", "5")),
        "LOGIN_LOCKOUT_MINUTES": int(env.get("LOGIN_LOCKOUT_MINUTES", "15")),
        "LOGIN_RATE_LIMIT": env.get("LOGIN_RATE_LIMIT", "10 per minute"),
        "API_RATE_LIMIT": env.get("API_RATE_LIMIT", "120 per minute"),
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_ENABLED": _flag(env.get("RATELIMIT_ENABLED"), True),
        # Reverse proxies in front of the app whose X-Forwarded-For/-Proto are trusted (0: none).
        # Behind the office's HTTPS proxy set 1, or the log-in limit and the audit log's source
        # address would see every user as the proxy.
        "TRUSTED_PROXIES": _whole_number(env, "TRUSTED_PROXIES", 0, 5, "，即 HTTPS 代理的层数"),
        "OFFICE_NAME": env.get("OFFICE_NAME", "省互联网信息办公室"),
        "LEDGER_MAX_BYTES": int(env.get("LEDGER_MAX_MB", "100")) * 1024 * 1024,
        "MAX_CONTENT_LENGTH": (int(env.get("LEDGER_MAX_MB", "100")) + 5) * 1024 * 1024,
        # ledgers of this size or more are imported in a child process (services/ledger_submit.py)
        "LEDGER_ISOLATE_BYTES": int(float(env.get("LEDGER_ISOLATE_MB", "20")) * 1024 * 1024),
        # how far below the web server's CPU priority that child imports (PostgreSQL; 0: the same)
        "LEDGER_CHILD_NICE": _whole_number(env, "LEDGER_CHILD_NICE", 10, 19),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _flag(env.get("SESSION_COOKIE_SECURE"), production),
        "SESSION_COOKIE_NAME": "sv_session",
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=int(env.get("SESSION_ABSOLUTE_HOURS", "12"))),
        "WTF_CSRF_TIME_LIMIT": None,  # the server-side session bounds the token's life
        "PREFERRED_URL_SCHEME": "https" if production else "http",
    }


def _whole_number(env: dict, name: str, default: int, highest: int, meaning: str = "") -> int:
    """A setting that is a whole number from 0 to ``highest`` (``default`` when unset)."""
    value = env.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        n = int(value.strip())
    except ValueError:
        n = -1
    if not 0 <= n <= highest:
        raise ConfigError(f"{name} 取值无效：{value}（应为 0 到 {highest} 之间的整数{meaning}）")
    return n


def _dev_secret(instance_path: str) -> str:
    """A per-checkout random key for development, kept in the instance folder."""
    path = Path(instance_path) / "dev-secret-key"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()
