"""Notifications: the bell in the header (unread count) and the list of one's own reminders,
marked read one by one, by opening them or all at once; one's address for reminders by e-mail."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Length

from supervision import clock, db
from supervision.permissions import ACCOUNT_SELF, requires
from supervision.services import ValidationError
from supervision.services import notifications as svc
from supervision.web.forms import ActionForm, page_arg

bp = Blueprint("notifications", __name__, url_prefix="/notifications")

PER_PAGE = 50


class EmailForm(FlaskForm):
    email = StringField("接收提醒的电子邮箱", validators=[Length(max=254)])


@bp.app_context_processor
def bell():
    def unread_notifications() -> int:
        if not current_user.is_authenticated:
            return 0
        if "unread_notifications" not in g:
            g.unread_notifications = svc.unread_count(db.session(), current_user.id)
        return g.unread_notifications

    return {"unread_notifications": unread_notifications}


def _own_or_404(notification_id: int):
    n = svc.own(db.session(), current_user.id, notification_id)
    if n is None:
        abort(404)
    return n


@bp.route("/")
@requires(ACCOUNT_SELF)
def index():
    s = db.session()
    unread_only = request.args.get("unread") == "1"
    page = page_arg()
    rows, total = svc.for_user(s, current_user.id, unread_only=unread_only, page=page, per_page=PER_PAGE)
    form = EmailForm(email=svc.email_of(s, current_user.id))
    return render_template("notifications/index.html", rows=rows, total=total, page=page,
                           pages=(total + PER_PAGE - 1) // PER_PAGE, unread_only=unread_only,
                           unread=svc.unread_count(s, current_user.id), form=ActionForm(), email_form=form,
                           smtp=svc.smtp_configured(current_app.config))


@bp.route("/<int:notification_id>/open", endpoint="open")
@requires(ACCOUNT_SELF)
def open_one(notification_id: int):
    s = db.session()
    n = _own_or_404(notification_id)
    svc.mark_read(s, n, clock.now())
    s.commit()
    link = n.link or ""
    if not link.startswith("/") or link.startswith("//"):
        return redirect(url_for("notifications.index"))
    return redirect(link)


@bp.route("/<int:notification_id>/read", methods=["POST"])
@requires(ACCOUNT_SELF)
def read(notification_id: int):
    if not ActionForm().validate_on_submit():
        abort(400)
    s = db.session()
    svc.mark_read(s, _own_or_404(notification_id), clock.now())
    s.commit()
    return redirect(url_for("notifications.index", unread=request.args.get("unread")))


@bp.route("/read-all", methods=["POST"])
@requires(ACCOUNT_SELF)
def read_all():
    if not ActionForm().validate_on_submit():
        abort(400)
    s = db.session()
    n = svc.mark_all_read(s, current_user.id, clock.now())
    s.commit()
    flash(f"已将 {n} 条提醒标为已读。", "success")
    return redirect(url_for("notifications.index"))


@bp.route("/email", methods=["POST"])
@requires(ACCOUNT_SELF)
def email():
    form = EmailForm()
    if not form.validate_on_submit():
        flash("电子邮箱地址不超过 254 个字符。", "error")
        return redirect(url_for("notifications.index"))
    s = db.session()
    try:
        svc.set_email(s, current_user, form.email.data or "")
    except ValidationError as e:
        s.rollback()
        flash(next(iter(e.errors.values())), "error")
    else:
        s.commit()
        flash("已保存接收提醒的电子邮箱。" if form.email.data else "已取消邮件提醒。", "success")
    return redirect(url_for("notifications.index"))
