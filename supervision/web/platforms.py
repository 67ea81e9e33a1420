"""The platform registry: admins register and edit; staff read; a platform sees only itself."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import or_, select

from supervision import db
from supervision.models import Platform, User
from supervision.permissions import PLATFORMS_MANAGE, PLATFORMS_VIEW, get_scoped_or_404, platform_scope, requires
from supervision.services import ValidationError
from supervision.services.platforms import ContactInput, PlatformInput, register_platform, update_platform
from supervision.web.forms import PlatformForm

bp = Blueprint("platforms", __name__)


@bp.route("/platforms/")
@requires(PLATFORMS_VIEW)
def index():
    scope = platform_scope()
    if scope is not None:
        return redirect(url_for("platforms.detail", platform_id=scope))
    s = db.session()
    q = select(Platform).order_by(Platform.is_local.desc(), Platform.name)
    term = request.args.get("q", "").strip()
    if term:
        like = f"%{term}%"
        q = q.where(or_(Platform.name.like(like), Platform.code.like(like), Platform.uscc.like(like)))
    return render_template("platforms/index.html", platforms=s.scalars(q).all(), term=term)


@bp.route("/platforms/<int:platform_id>")
@requires(PLATFORMS_VIEW)
def detail(platform_id: int):
    s = db.session()
    platform = get_scoped_or_404(s, Platform, platform_id, platform_attr="id")
    users = s.scalars(select(User).where(User.platform_id == platform.id).order_by(User.username)).all()
    return render_template("platforms/detail.html", platform=platform, users=users)


def _input(form: PlatformForm) -> PlatformInput:
    contacts = [
        ContactInput(getattr(form, f"contact{i}_name").data or "", getattr(form, f"contact{i}_title").data or "",
                     getattr(form, f"contact{i}_phone").data or "", getattr(form, f"contact{i}_email").data or "")
        for i in (1, 2)
    ]
    return PlatformInput(form.code.data, form.name.data, form.uscc.data, form.is_local.data,
                         form.onboarded.data, form.active.data, contacts)


def _fill(form: PlatformForm, platform: Platform) -> None:
    for attr in ("code", "name", "uscc", "is_local", "onboarded", "active"):
        getattr(form, attr).data = getattr(platform, attr)
    for i, c in enumerate(platform.contacts[:2], start=1):
        for attr in ("name", "title", "phone", "email"):
            getattr(form, f"contact{i}_{attr}").data = getattr(c, attr)


def _show_errors(form: PlatformForm, errors: dict[str, str]) -> None:
    for field, msg in errors.items():
        target = getattr(form, field, None) or getattr(form, f"{field}_name", None)
        (target.errors if target is not None else form.form_errors).append(msg)


@bp.route("/admin/platforms/new", methods=["GET", "POST"])
@requires(PLATFORMS_MANAGE)
def create():
    form = PlatformForm()
    if form.validate_on_submit():
        s = db.session()
        try:
            platform = register_platform(s, _input(form))
        except ValidationError as e:
            s.rollback()
            _show_errors(form, e.errors)
        else:
            s.commit()
            flash(f"已登记平台“{platform.name}”。", "success")
            return redirect(url_for("platforms.detail", platform_id=platform.id))
    return render_template("platforms/form.html", form=form, platform=None)


@bp.route("/admin/platforms/<int:platform_id>/edit", methods=["GET", "POST"])
@requires(PLATFORMS_MANAGE)
def edit(platform_id: int):
    s = db.session()
    platform = s.get(Platform, platform_id)
    if platform is None:
        abort(404)
    form = PlatformForm()
    if request.method == "GET":
        _fill(form, platform)
    if form.validate_on_submit():
        try:
            update_platform(s, platform, _input(form))
        except ValidationError as e:
            s.rollback()
            _show_errors(form, e.errors)
        else:
            s.commit()
            flash(f"已保存平台“{platform.name}”。", "success")
            return redirect(url_for("platforms.detail", platform_id=platform.id))
    return render_template("platforms/form.html", form=form, platform=platform)
