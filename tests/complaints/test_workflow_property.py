"""Property-based test of the complaint state machine as the services run it (hypothesis).

Random sequences of handler, platform and complainant actions on a real complaint in the
database. Whatever the order: a refused action changes nothing (state, audit log, findings);
an allowed one moves exactly as workflows.md says; the CMP-01 finding and the problem-ledger
entry follow the latest conclusion; the audit chain stays intact.
"""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from supervision import db
from supervision.auditlog import verify
from supervision.models import AuditEvent, Finding, Problem
from supervision.services import ValidationError
from supervision.services import complaints as svc
from supervision.standard import complaints as std
from tests.complaint_helpers import file_one

ACTIONS = st.sampled_from(["accept", "reject", "transfer", "respond", "return", "close_upheld", "close_rejected",
                           "rate_low", "rate_high", "reexamine"])


def _apply(s, c, action: str, app) -> None:
    if action == "accept":
        svc.accept(s, c, "受理")
    elif action == "reject":
        svc.reject(s, c, "信息不全", "请补充举报编号。")
    elif action == "transfer":
        svc.transfer(s, c, "请核查。")
    elif action == "respond":
        svc.respond(s, c, "已处置。", [], app.config["UPLOAD_DIR"])
    elif action == "return":
        svc.return_to_platform(s, c, "请补充处置证明。")
    elif action == "close_upheld":
        svc.close(s, c, "投诉成立", "经核查投诉成立。")
    elif action == "close_rejected":
        svc.close(s, c, "不成立", "经核查投诉不成立。")
    elif action == "rate_low":
        svc.rate(s, c, 1, "不满意")
    elif action == "rate_high":
        svc.rate(s, c, 5, "")
    elif action == "reexamine":
        svc.request_reexam(s, c, "结论有误")


def _expected(c, action: str) -> str | None:
    """The state after ``action`` per workflows.md, or None when it must be refused."""
    move = {"close_upheld": "close", "close_rejected": "close"}.get(action, action)
    if move in std.TRANSITIONS:
        sources, target = std.TRANSITIONS[move]
        if c.status not in sources:
            return None
        if move == "reexamine" and (c.reexam_used or c.rating is None or c.rating > std.REEXAM_MAX_RATING):
            return None
        return target
    # rating: closed, not yet rated
    return c.status if c.status == std.CLOSED and c.rating is None else None


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(actions=st.lists(ACTIONS, min_size=1, max_size=12))
def test_any_sequence_of_actions_follows_the_state_machine(app, make_platform, clock, actions):
    with app.app_context():
        s = db.session()
        from supervision.services.platforms import by_code

        if by_code(s, "pa") is None:
            make_platform("pa")
        c = file_one(s, app).complaint
        s.commit()
        last_conclusion = None
        for action in actions:
            clock.advance(hours=3)
            expected = _expected(c, action)
            before_status = c.status
            events_before = s.scalar(select(func.count()).select_from(AuditEvent))
            try:
                _apply(s, c, action, app)
            except ValidationError:
                s.rollback()
                c = s.get(type(c), c.id)
                assert expected is None, (action, before_status)
                assert c.status == before_status
                assert s.scalar(select(func.count()).select_from(AuditEvent)) == events_before
                continue
            s.commit()
            assert expected is not None, (action, before_status)
            assert c.status == expected and c.status in std.STATES
            if action.startswith("close"):
                last_conclusion = c.conclusion
            assert s.scalar(select(func.count()).select_from(AuditEvent)) > events_before
        # The CMP-01 finding and the problem ledger follow the latest conclusion.
        entry = s.scalar(select(Problem).where(Problem.complaint_id == c.id, Problem.rule_code == "CMP-01"))
        if last_conclusion in std.SUBSTANTIATED:
            assert entry is not None and not entry.excluded
            assert s.get(Finding, c.cmp01_finding_id).status == "open"
        elif entry is not None:
            assert entry.excluded and s.get(Finding, c.cmp01_finding_id).status == "closed"
        assert verify(s).ok
