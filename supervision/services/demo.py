"""The demo province loaded by ``flask --app app demo`` (idempotent).

Later issues add their demo data (ledgers, complaints, an audit, notices, a bulletin) here.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from supervision.models import User
from supervision.roles import (ADMIN, AUDITOR, COMPLAINT_HANDLER, INSPECTOR, LEADER, PLATFORM, ROLE_LABELS,
                               SUPERVISOR)
from supervision.services import accounts, platforms
from supervision.standard.uscc import check_character

DEMO_PASSWORD = "Demo2026pass"


def _uscc(first17: str) -> str:
    return first17 + check_character(first17)


DEMO_PLATFORMS = (
    ("yunfan", "云帆社区", _uscc("91330100MA2CD0001"), True, "2025-01",
     [("王敏", "合规部经理", "13800000001", "compliance@yunfan.example.cn")]),
    ("xinghe", "星河短视频", _uscc("91330100MA2CD0002"), True, "2025-01",
     [("李强", "法务总监", "13800000002", "legal@xinghe.example.cn")]),
    ("chenfeng", "晨风资讯", _uscc("91330100MA2CD0003"), True, "2025-06",
     [("赵丽", "内容安全主管", "0571-88880003", "safety@chenfeng.example.cn")]),
    ("yuanshan", "远山问答", _uscc("91110000MA0D00004"), False, "2025-03",
     [("陈刚", "客服经理", "13800000004", "")]),
)

DEMO_USERS = (
    ("admin", "系统管理员", ADMIN, None),
    ("auditor", "审计管理员", AUDITOR, None),
    ("inspector", "张检查", INSPECTOR, None),
    ("inspector2", "刘检查", INSPECTOR, None),
    ("supervisor", "孙审核", SUPERVISOR, None),
    ("supervisor2", "周审核", SUPERVISOR, None),
    ("handler", "吴投诉", COMPLAINT_HANDLER, None),
    ("leader", "郑领导", LEADER, None),
    ("yunfan", "云帆社区合规专员", PLATFORM, "yunfan"),
    ("xinghe", "星河短视频合规专员", PLATFORM, "xinghe"),
)


def load_demo(session: Session, upload_dir: str | None = None) -> list[tuple[str, str, str]]:
    """Create what is missing; return (role label, username, password) of the demo log-ins."""
    for code, name, uscc, local, onboarded, contacts in DEMO_PLATFORMS:
        if platforms.by_code(session, code) is None:
            platforms.register_platform(session, platforms.PlatformInput(
                code=code, name=name, uscc=uscc, is_local=local, onboarded=onboarded,
                contacts=[platforms.ContactInput(*c) for c in contacts]))
    logins = []
    for username, display, role, platform_code in DEMO_USERS:
        if session.scalar(select(User).where(User.username == username)) is None:
            accounts.create_user(session, username, role, DEMO_PASSWORD, display, platform_code,
                                 must_change_password=False)
        logins.append((ROLE_LABELS[role], username, DEMO_PASSWORD))
    if upload_dir is not None:
        from supervision import clock
        from supervision.services.demo_ledgers import load_demo_audit, load_demo_ledgers

        from supervision.services.demo_complaints import load_demo_complaints

        load_demo_ledgers(session, clock.now(), upload_dir)
        load_demo_audit(session, clock.now())
        from supervision.services.notices import load_demo_notice

        load_demo_notice(session)
        load_demo_complaints(session, clock.now(), upload_dir)
        from supervision.services.bulletins import load_demo_bulletin

        load_demo_bulletin(session)
    return logins
