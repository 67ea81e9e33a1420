"""Who may do what: one table of role permissions and one decorator (Redash style).

Object-level scoping: a platform user only ever reaches its own platform's objects; another
platform's object answers 404 (its existence is not revealed), never 403.
"""
from __future__ import annotations

from functools import wraps

from flask import abort, current_app
from flask_login import current_user

from supervision.roles import ADMIN, AUDITOR, COMPLAINT_HANDLER, INSPECTOR, LEADER, PLATFORM, SUPERVISOR

# Permission names: "<area>.<verb>".
ACCOUNT_SELF = "account.self"  # own password, own second factor, log out
USERS_MANAGE = "users.manage"
PLATFORMS_MANAGE = "platforms.manage"
PLATFORMS_VIEW = "platforms.view"  # staff: every platform; platform users: their own
AUDIT_READ = "audit.read"
LEDGERS_SUBMIT = "ledgers.submit"  # platform users, for their own platform
LEDGERS_VIEW = "ledgers.view"  # staff: every platform; platform users: their own
TOKENS_MANAGE = "tokens.manage"  # a platform's API tokens
FINDINGS_VIEW = "findings.view"  # staff: every platform; platform users: their own
CHECKS_RUN = "checks.run"  # run the rule checks on demand
DISCLOSURES_RECORD = "disclosures.record"  # staff for any platform; a platform for itself
STANDARD_MANAGE = "standard.manage"  # provincial parameters and the working-day calendar
COMPLAINTS_HANDLE = "complaints.handle"  # complaint handlers: the queue, the complainant's data, every step
COMPLAINTS_VIEW = "complaints.view"  # other staff: read complaints without the complainant's personal data
COMPLAINTS_ANSWER = "complaints.answer"  # platform users: complaints transferred to their platform
AUDITS_VIEW = "audits.view"  # read audits, their samples and results
AUDITS_MANAGE = "audits.manage"  # plan, start and complete audits; review when assigned
PROBLEMS_VIEW = "problems.view"  # the problem ledger (platform users: their own entries)
SCORES_VIEW = "scores.view"  # scorecards (platform users: their own card)
SCORES_WEIGHTS = "scores.weights"  # admin: the versioned score weights and constants
NOTICES_VIEW = "notices.view"  # rectification notices (platform users: their own, issued ones)
NOTICES_DRAFT = "notices.draft"  # inspectors: draft, submit for approval, verify answers, escalate
NOTICES_APPROVE = "notices.approve"  # supervisors: issue or return notices drafted by someone else
NOTICES_ANSWER = "notices.answer"  # platform users: answer their own notices
BULLETINS_VIEW = "bulletins.view"  # staff: bulletins in every state (the public reads published ones)
BULLETINS_EDIT = "bulletins.edit"  # inspectors: draft and edit bulletins, choose typical cases
BULLETINS_APPROVE = "bulletins.approve"  # supervisors: publish or return bulletins edited by someone else
JOBS_MANAGE = "jobs.manage"  # admin: scheduled job runs, trigger a job by hand

_STAFF_READERS = {ACCOUNT_SELF, PLATFORMS_VIEW, LEDGERS_VIEW, FINDINGS_VIEW}
_INSPECTORS = _STAFF_READERS | {CHECKS_RUN, DISCLOSURES_RECORD, AUDITS_VIEW, AUDITS_MANAGE, PROBLEMS_VIEW,
                                 SCORES_VIEW, NOTICES_VIEW, NOTICES_DRAFT, BULLETINS_VIEW, BULLETINS_EDIT}

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    ADMIN: frozenset({ACCOUNT_SELF, USERS_MANAGE, PLATFORMS_MANAGE, PLATFORMS_VIEW, STANDARD_MANAGE, SCORES_WEIGHTS,
                      JOBS_MANAGE}),
    AUDITOR: frozenset({ACCOUNT_SELF, AUDIT_READ}),
    INSPECTOR: frozenset(_INSPECTORS | {COMPLAINTS_VIEW}),
    SUPERVISOR: frozenset(_INSPECTORS | {COMPLAINTS_VIEW, NOTICES_APPROVE, BULLETINS_APPROVE}),
    COMPLAINT_HANDLER: frozenset(_STAFF_READERS | {COMPLAINTS_HANDLE}),
    LEADER: frozenset(_STAFF_READERS | {AUDITS_VIEW, PROBLEMS_VIEW, COMPLAINTS_VIEW, SCORES_VIEW, NOTICES_VIEW,
                                        BULLETINS_VIEW}),
    PLATFORM: frozenset({ACCOUNT_SELF, PLATFORMS_VIEW, LEDGERS_VIEW, LEDGERS_SUBMIT, TOKENS_MANAGE, FINDINGS_VIEW,
                         DISCLOSURES_RECORD, PROBLEMS_VIEW, COMPLAINTS_ANSWER, SCORES_VIEW, NOTICES_VIEW,
                         NOTICES_ANSWER}),
}


def has_permission(user, permission: str) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return permission in ROLE_PERMISSIONS.get(user.role, frozenset())


def requires(permission: str):
    """Guard a view: anonymous visitors go to the login page, other roles get 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()
            if not has_permission(current_user, permission):
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_permission = permission
        return wrapped

    return decorator


def platform_scope() -> int | None:
    """The platform the current user is confined to, or None for office staff."""
    if current_user.is_authenticated and current_user.role == PLATFORM:
        return current_user.platform_id
    return None


def get_scoped_or_404(session, model, object_id, platform_attr: str = "platform_id"):
    """Load ``model`` by id; 404 when missing or when it belongs to another platform."""
    obj = session.get(model, object_id)
    if obj is None:
        abort(404)
    scope = platform_scope()
    if scope is not None and getattr(obj, platform_attr) != scope:
        abort(404)
    return obj
