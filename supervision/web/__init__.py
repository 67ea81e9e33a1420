"""Web blueprints, one per area."""
from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter


class IdConverter(IntegerConverter):
    """``<int:…>`` in every route: a non-negative integer that fits the database's INTEGER ids.

    A larger number cannot name any object, so it answers 404 instead of overflowing the
    database driver (found by fuzzing the API)."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


MAX_ID = 2**31 - 1


def register_blueprints(app: Flask) -> None:
    app.url_map.converters["int"] = IdConverter
    from supervision import auditlog
    from supervision.permissions import has_permission
    from supervision.roles import ROLE_LABELS
    from supervision.api import v1 as api_v1
    from supervision.web import (audit, audits, auth, errors, findings, home, ledgers, platforms, standard_admin, tokens,
                                 users)
    from supervision.web.forms import ActionForm

    for module in (auth, home, users, platforms, audit, ledgers, tokens, findings, standard_admin, audits, api_v1):
        app.register_blueprint(module.bp)
    from supervision.web import complaints, complaints_public

    from supervision.web import scores, signals

    for module in (complaints_public, complaints, signals, scores):
        app.register_blueprint(module.bp)
    # -- rectification notices (issue 7) --
    from supervision.web import notices

    app.register_blueprint(notices.bp)
    # -- scheduler admin and notifications (issue 9) --
    from supervision.web import jobs, notifications

    for module in (jobs, notifications):
        app.register_blueprint(module.bp)
    # -- bulletins (issue 9) --
    from supervision.web import bulletins

    app.register_blueprint(bulletins.bp)
    errors.init_app(app)

    @app.context_processor
    def helpers():
        from flask_login import current_user

        return {
            "can": lambda perm: has_permission(current_user, perm),
            "ROLE_LABELS": ROLE_LABELS,
            "ACTION_LABELS": auditlog.ACTION_LABELS,
            "OBJECT_LABELS": auditlog.OBJECT_LABELS,
            "logout_form": ActionForm,
            "office_name": app.config["OFFICE_NAME"],
        }

