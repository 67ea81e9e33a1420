"""A platform's API tokens: create (shown once), list with last use, revoke."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from supervision import db
from supervision.models import ApiToken
from supervision.permissions import TOKENS_MANAGE, get_scoped_or_404, requires
from supervision.services import ValidationError, api_tokens
from supervision.web.forms import ActionForm, TokenForm

bp = Blueprint("tokens", __name__, url_prefix="/portal/tokens")


@bp.route("/", methods=["GET", "POST"])
@requires(TOKENS_MANAGE)
def index():
    s = db.session()
    form = TokenForm()
    new_token = None
    if form.validate_on_submit():
        try:
            _token, new_token = api_tokens.create_token(s, current_user, form.name.data)
        except ValidationError as e:
            s.rollback()
            form.name.errors.append(e.errors["name"])
        else:
            s.commit()
            form.name.data = ""
    tokens = s.scalars(select(ApiToken).where(ApiToken.platform_id == current_user.platform_id)
                       .order_by(ApiToken.id.desc())).all()
    return render_template("tokens/index.html", form=form, tokens=tokens, new_token=new_token,
                           action_form=ActionForm())


@bp.route("/<int:token_id>/revoke", methods=["POST"])
@requires(TOKENS_MANAGE)
def revoke(token_id: int):
    s = db.session()
    token = get_scoped_or_404(s, ApiToken, token_id)
    if ActionForm().validate_on_submit():
        api_tokens.revoke_token(s, token)
        s.commit()
        flash(f"令牌“{token.name}”已吊销，使用它的请求将被拒绝。", "success")
    return redirect(url_for("tokens.index"))
