"""User management for admins."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from supervision import db
from supervision.models import Platform, User
from supervision.permissions import USERS_MANAGE, requires
from supervision.roles import ROLE_LABELS
from supervision.services import ValidationError, accounts
from supervision.web.forms import ActionForm, PasswordResetForm, UserCreateForm, UserEditForm

bp = Blueprint("users", __name__, url_prefix="/admin/users")


def _platform_choices(s):
    return [SelectChoice("", "（无）")] + [SelectChoice(p.code, f"{p.name}（{p.code}）") for p in
                                          s.scalars(select(Platform).order_by(Platform.name))]


def _apply_errors(form, errors: dict[str, str]) -> None:
    for field, msg in errors.items():
        target = getattr(form, field, None)
        (target.errors if target is not None else form.form_errors).append(msg)


@bp.route("/")
@requires(USERS_MANAGE)
def index():
    s = db.session()
    role = request.args.get("role", "")
    q = select(User).order_by(User.role, User.username)
    if role in ROLE_LABELS:
        q = q.where(User.role == role)
    return render_template("users/index.html", users=s.scalars(q).all(), role=role,
                           roles=ROLE_LABELS)


@bp.route("/new", methods=["GET", "POST"])
@requires(USERS_MANAGE)
def create():
    s = db.session()
    form = UserCreateForm()
    form.platform.choices = _platform_choices(s)
    if form.validate_on_submit():
        try:
            user = accounts.create_user(s, form.username.data, form.role.data, form.password.data,
                                        form.display_name.data, form.platform.data or None)
        except ValidationError as e:
            s.rollback()
            _apply_errors(form, e.errors)
        else:
            s.commit()
            flash(f"已创建用户“{user.username}”，首次登录须修改密码。", "success")
            return redirect(url_for("users.index"))
    return render_template("users/form.html", form=form, user=None)


def _user_or_404(s, user_id: int) -> User:
    user = s.get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.route("/<int:user_id>", methods=["GET", "POST"])
@requires(USERS_MANAGE)
def edit(user_id: int):
    s = db.session()
    user = _user_or_404(s, user_id)
    form = UserEditForm(obj=None if request.method == "POST" else user)
    form.platform.choices = _platform_choices(s)
    if request.method == "GET":
        form.platform.data = user.platform.code if user.platform else ""
    if form.validate_on_submit():
        try:
            accounts.update_user(s, user, form.display_name.data, form.role.data, form.platform.data or None,
                                 form.active.data)
        except ValidationError as e:
            s.rollback()
            _apply_errors(form, e.errors)
        else:
            s.commit()
            flash(f"已保存用户“{user.username}”。", "success")
            return redirect(url_for("users.index"))
    return render_template("users/form.html", form=form, user=user, reset_form=PasswordResetForm(),
                           action_form=ActionForm())


@bp.route("/<int:user_id>/reset-password", methods=["POST"])
@requires(USERS_MANAGE)
def reset_password(user_id: int):
    s = db.session()
    user = _user_or_404(s, user_id)
    form = PasswordResetForm()
    if form.validate_on_submit():
        try:
            accounts.reset_password(s, user, form.password.data)
        except ValidationError as e:
            s.rollback()
            flash(f"未重置：{e.errors['password']}", "error")
        else:
            s.commit()
            flash(f"已为“{user.username}”设置临时密码，其现有会话已全部失效，下次登录须修改密码。", "success")
    else:
        flash("请填写临时密码。", "error")
    return redirect(url_for("users.edit", user_id=user.id))


@bp.route("/<int:user_id>/reset-totp", methods=["POST"])
@requires(USERS_MANAGE)
def reset_totp(user_id: int):
    s = db.session()
    user = _user_or_404(s, user_id)
    if ActionForm().validate_on_submit():
        accounts.reset_second_factor(s, user)
        s.commit()
        flash(f"已重置“{user.username}”的动态验证码，下次登录时重新绑定。", "success")
    return redirect(url_for("users.edit", user_id=user.id))
