"""Log-in (password, then the second factor for staff), log-out and password change."""
from __future__ import annotations

import time
from datetime import timedelta
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from supervision import auditlog, db
from supervision.models import User
from supervision.permissions import ACCOUNT_SELF, requires
from supervision.security import SESSION_TOKEN, limiter
from supervision.services import ValidationError, accounts
from supervision.web.forms import LoginForm, PasswordChangeForm, TotpForm

bp = Blueprint("auth", __name__)

PENDING = "pending_login"
PENDING_SECONDS = 300


def _policy() -> accounts.LoginPolicy:
    cfg = current_app.config
    return accounts.LoginPolicy(cfg["LOGIN_MAX_FAILURES"], timedelta(minutes=cfg["LOGIN_LOCKOUT_MINUTES"]))


def _safe_next(target: str | None) -> str | None:
    if not target:
        return None
    # Browsers read a backslash as a slash and drop tabs and line breaks: "/\\evil.example" and
    # "/\t/evil.example" lead to another site just like "//evil.example".
    if "\\" in target or any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def _needs_second_factor(user: User) -> bool:
    return current_app.config["TOTP_REQUIRED"] and user.is_staff


def _complete_login(user: User, next_url: str | None):
    s = db.session()
    session.clear()  # a fresh session: nothing from before the log-in survives
    token = accounts.start_session(s, user, request.remote_addr or "", request.user_agent.string)
    s.commit()
    session[SESSION_TOKEN] = token
    session.permanent = True
    login_user(user)
    if user.must_change_password:
        return redirect(url_for("auth.change_password"))
    return redirect(_safe_next(next_url) or url_for("home.index"))


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], error_message="登录尝试过于频繁，请稍后再试。")
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    next_url = request.args.get("next")
    if form.validate_on_submit():
        s = db.session()
        user = accounts.check_password_login(s, form.username.data, form.password.data, _policy(),
                                             request.remote_addr or "")
        s.commit()
        if user is None:
            form.password.errors.append(accounts.GENERIC_LOGIN_ERROR)
        elif _needs_second_factor(user):
            session.clear()
            session[PENDING] = {"uid": user.id, "at": time.time(), "next": _safe_next(next_url)}
            return redirect(url_for("auth.second_factor"))
        else:
            return _complete_login(user, next_url)
    return render_template("auth/login.html", form=form)


@bp.route("/login/totp", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], error_message="验证尝试过于频繁，请稍后再试。")
def second_factor():
    pending = session.get(PENDING)
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        session.pop(PENDING, None)
        flash("登录已过期，请重新输入用户名和密码。", "info")
        return redirect(url_for("auth.login"))
    s = db.session()
    user = s.get(User, pending["uid"])
    if user is None or not user.active:
        session.clear()
        return redirect(url_for("auth.login"))
    enrolling = user.totp_secret is None
    if enrolling and "secret" not in pending:
        pending["secret"] = accounts.new_totp_secret()
        session[PENDING] = pending
    secret = pending.get("secret") if enrolling else None
    form = TotpForm()
    if form.validate_on_submit():
        if accounts.verify_totp(user, form.code.data, secret):
            if enrolling:
                user.totp_secret = secret
                auditlog.record(s, "user.totp_enrolled", "user", user.id, platform_id=user.platform_id,
                                actor=auditlog.Actor(user.id, user.username, user.role, None, request.remote_addr or ""))
            return _complete_login(user, pending.get("next"))
        actor = auditlog.Actor(user.id, user.username, user.role, user.platform_id, request.remote_addr or "")
        accounts.register_failure(s, user, _policy(), actor, "bad_totp")
        s.commit()
        if user.locked_until is not None:
            session.clear()
            flash(accounts.GENERIC_LOGIN_ERROR, "error")
            return redirect(url_for("auth.login"))
        form.code.errors.append("动态验证码不正确或已过期。")
    uri = accounts.totp_uri(user, secret, current_app.config["OFFICE_NAME"]) if enrolling else None
    return render_template("auth/totp.html", form=form, enrolling=enrolling, secret=secret, uri=uri)


@bp.route("/logout", methods=["POST"])
def logout():
    s = db.session()
    accounts.end_session(s, session.get(SESSION_TOKEN), "logout")
    s.commit()
    logout_user()
    session.clear()
    flash("您已安全退出。", "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@requires(ACCOUNT_SELF)
def change_password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        s = db.session()
        try:
            accounts.change_password(s, current_user, form.current.data, form.new.data, form.confirm.data,
                                     keep_session_id=accounts.session_key(session.get(SESSION_TOKEN)))
        except ValidationError as e:
            for field, msg in e.errors.items():
                getattr(form, field).errors.append(msg)
        else:
            s.commit()
            flash("密码已修改。", "success")
            return redirect(url_for("home.index"))
    return render_template("auth/password.html", form=form)
