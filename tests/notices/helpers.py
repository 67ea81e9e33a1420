"""Helpers for notice tests: an audit's problem ledger written straight into the tables (no
ledgers needed), and notices walked to a given state through the services."""
from __future__ import annotations

from datetime import date

from supervision import clock
from supervision.models import Audit, Problem, User
from supervision.services import notices as svc
from supervision.standard.rules import RULES

OFFICE = "省互联网信息办公室"
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PROBLEMS = (("TIM-01", "R-0003"), ("TIM-01", "R-0001"), ("TIM-01", "R-0002"), ("TIM-01", "R-0004"),
            ("PRO-02", "R-0005"), ("LED-03", "2026-10"), ("REC-03", "R-0006"))


def seed_audit(s, platform_id: int, creator_id: int, problems=PROBLEMS, title: str = "2026年10月重点检查",
               period: str = "2026-10") -> Audit:
    """A running audit whose problem ledger holds ``problems`` (rule code, report number) for the platform."""
    now = clock.now()
    audit = Audit(kind="focused", title=title, period_from=period, period_to=period, focus="", status="running",
                  due_date=date(2026, 12, 31), seed=1, created_by_id=creator_id, created_at=now, started_at=now)
    s.add(audit)
    s.flush()
    add_problems(s, audit, platform_id, problems)
    return audit


def add_problems(s, audit: Audit, platform_id: int, problems) -> None:
    now = clock.now()
    for code, report_id in problems:
        s.add(Problem(audit_id=audit.id, platform_id=platform_id, source="auto", rule_code=code,
                      severity=RULES[code].severity, period=audit.period_from, report_id=report_id, status="待整改",
                      created_at=now, updated_at=now))
    s.flush()


def user(s, username: str) -> User:
    from sqlalchemy import select

    return s.scalar(select(User).where(User.username == username))


def pending(s, drafter: str, audit: Audit, platform_id: int):
    notice = svc.create_draft(s, user(s, drafter), audit.id, platform_id)
    notice.contact_phone = "0571-87000000"
    svc.submit(s, notice, user(s, drafter))
    return notice


def issued(s, drafter: str, approver: str, audit: Audit, platform_id: int):
    notice = pending(s, drafter, audit, platform_id)
    svc.issue(s, notice, user(s, approver), OFFICE)
    return notice
