"""The home page: what the logged-in role does next."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import func, select

from supervision import db
from supervision.models import AuditEvent, Platform, User
from supervision.permissions import ACCOUNT_SELF, requires
from supervision.roles import ADMIN, AUDITOR, PLATFORM

bp = Blueprint("home", __name__)


@bp.route("/")
def index():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    return home()


@requires(ACCOUNT_SELF)
def home():
    s = db.session()
    ctx: dict = {}
    if current_user.role == ADMIN:
        ctx["user_count"] = s.scalar(select(func.count()).select_from(User))
        ctx["locked_users"] = s.scalars(
            select(User).where(User.locked_until.is_not(None)).order_by(User.username)
        ).all()
        ctx["must_change"] = s.scalar(select(func.count()).select_from(User).where(User.must_change_password))
    if current_user.role == AUDITOR:
        ctx["recent_events"] = s.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(10)).all()
        ctx["failed_logins_today"] = s.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "login.failed")
        )
    if current_user.role == PLATFORM:
        ctx["platform"] = current_user.platform
    else:
        ctx["platform_count"] = s.scalar(select(func.count()).select_from(Platform).where(Platform.active))
        ctx["local_count"] = s.scalar(
            select(func.count()).select_from(Platform).where(Platform.active, Platform.is_local)
        )
    return render_template("home.html", **ctx)
