"""Log-in manager, CSRF, throttling, security headers and the server-side session check."""
from __future__ import annotations

import logging
from datetime import timedelta

from flask import Flask, abort, flash, g, redirect, request, session, url_for
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, current_user
from flask_wtf.csrf import CSRFProtect

from supervision import db
from supervision.models import User
from supervision.services import accounts

log = logging.getLogger(__name__)
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(get_remote_address)

SESSION_TOKEN = "sid"
_END_MESSAGES = {
    "idle_timeout": "长时间未操作，会话已超时，请重新登录。",
    "absolute_timeout": "会话已达到最长时限，请重新登录。",
}

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'"
)

# Endpoints a user who must change the password may still reach.
_PASSWORD_GATE_OPEN = {"auth.change_password", "auth.logout", "static"}


def init_app(app: Flask) -> None:
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies:
        # The client's address and scheme as the trusted proxies saw them (log-in throttling,
        # audit log, secure cookies); a forged header from further out is ignored.
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=0, x_prefix=0)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "请先登录。"
    login_manager.login_message_category = "info"
    login_manager.session_protection = None  # the server-side session row is the protection
    app.config.setdefault("REMEMBER_COOKIE_DURATION", timedelta(seconds=0))
    csrf.init_app(app)
    limiter.init_app(app)

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        s = db.session()
        limits = accounts.SessionLimits(
            idle=timedelta(minutes=app.config["SESSION_IDLE_MINUTES"]),
            absolute=timedelta(hours=app.config["SESSION_ABSOLUTE_HOURS"]),
        )
        try:
            uid = int(user_id)
        except (TypeError, ValueError):
            return None
        user, ended = accounts.resume_session(s, session.get(SESSION_TOKEN), uid, limits)
        _commit_briefly(s)  # keeps the touch or the session's end (and its audit record)
        if user is None:
            session.clear()
            if ended in _END_MESSAGES:
                g.session_end_message = _END_MESSAGES[ended]
        return user

    @login_manager.unauthorized_handler
    def unauthorized():
        flash(g.pop("session_end_message", None) or "请先登录。", "info")
        return redirect(url_for("auth.login", next=request.full_path if request.method == "GET" else None))

    @app.before_request
    def refuse_nul_characters():
        """A NUL character in a parameter is never legitimate, and PostgreSQL refuses it in any
        text value (a server error on every filter and form): answer 400 before any view runs."""
        if any("\x00" in k or "\x00" in v for k, values in request.args.lists() for v in values):
            abort(400, description="请求中含有不允许的字符（NUL），请检查后重试。")
        if request.method in ("POST", "PUT", "PATCH") and request.mimetype in (
                "application/x-www-form-urlencoded", "multipart/form-data"):
            if any("\x00" in v for values in request.form.listvalues() for v in values):
                abort(400, description="提交的内容含有不允许的字符（NUL），请检查后重试。")
        return None

    @app.before_request
    def password_gate():
        if (
            current_user.is_authenticated
            and current_user.must_change_password
            and request.endpoint not in _PASSWORD_GATE_OPEN
        ):
            flash("首次登录或密码被重置后，须先修改密码。", "warning")
            return redirect(url_for("auth.change_password"))
        return None

    @app.after_request
    def security_headers(response):
        h = response.headers
        h.setdefault("Content-Security-Policy", CSP)
        h["X-Content-Type-Options"] = "nosniff"
        h["Referrer-Policy"] = "same-origin"
        h["X-Frame-Options"] = "DENY"
        h["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        if current_user and current_user.is_authenticated:
            h["Cache-Control"] = "no-store"
        if app.config.get("SESSION_COOKIE_SECURE"):
            h["Strict-Transport-Security"] = "max-age=31536000"
        return response


# A session's periodic touch (its last_seen_at, once a minute) is worth no wait: while a large
# import holds SQLite's single write lock, every page view that touched waited up to the busy
# timeout behind it, and the web server's threads filled up (seen in the load test). The touch
# waits this long, then is left to a later request; a session's end is retried the same way.
TOUCH_WAIT_MS = 250


def _commit_briefly(s) -> None:
    from sqlalchemy.exc import OperationalError

    if not (s.dirty or s.new or s.info.get("audit_pending")):
        s.commit()
        return
    try:
        with db.brief_wait(s.connection(), TOUCH_WAIT_MS):
            s.commit()
    except OperationalError:
        s.rollback()
        log.info("session touch left for a later request: the database is busy")
