from sqlalchemy import func, select, text

from supervision import db
from supervision.models import AuditEvent, Platform, User


def test_init_db_is_idempotent(runner, app):
    for _ in range(2):
        r = runner.invoke(args=["init-db"])
        assert r.exit_code == 0, r.output
        assert "最新版本" in r.output
    with app.app_context():
        assert db.current_revision() is not None
        assert "audit_events" in db.table_names()


def test_platform_add_registers_and_audits(runner, session):
    r = runner.invoke(args=["platform", "add", "--code", "tencent", "--name", "某某科技",
                            "--uscc", "91440300708461136T", "--onboarded", "2025-03"])
    assert r.exit_code == 0, r.output
    p = session.scalar(select(Platform).where(Platform.code == "tencent"))
    assert p.is_local and p.onboarded == "2025-03"
    ev = session.scalar(select(AuditEvent).where(AuditEvent.action == "platform.create"))
    assert ev.object_id == str(p.id) and ev.actor_name == "cli"


def test_platform_add_non_local(runner, session):
    r = runner.invoke(args=["platform", "add", "--code", "bd", "--name", "乙平台", "--uscc",
                            "91110108551385082Q", "--non-local", "--onboarded", "2026-01"])
    assert r.exit_code == 0, r.output
    assert session.scalar(select(Platform.is_local).where(Platform.code == "bd")) is False


def test_platform_add_rejects_wrong_check_digit_and_stores_nothing(runner, session):
    r = runner.invoke(args=["platform", "add", "--code", "x1", "--name", "错码平台", "--uscc", "91440300708461136A"])
    assert r.exit_code == 2
    assert "校验位错误" in r.output and "应为“T”" in r.output
    assert session.scalar(select(func.count()).select_from(Platform)) == 0
    assert session.scalar(select(func.count()).select_from(AuditEvent)) == 0


def test_platform_add_rejects_duplicates_and_bad_month(runner):
    ok = ["platform", "add", "--code", "aa", "--name", "甲", "--uscc", "91440300708461136T", "--onboarded", "2025-01"]
    assert runner.invoke(args=ok).exit_code == 0
    r = runner.invoke(args=["platform", "add", "--code", "aa", "--name", "乙", "--uscc", "91110108551385082Q",
                            "--onboarded", "2025-13"])
    assert r.exit_code == 2
    assert "平台简码“aa”已被平台“甲”使用" in r.output and "YYYY-MM" in r.output


def test_user_add_with_password_stdin(runner, session, make_platform):
    make_platform("p1")
    r = runner.invoke(args=["user", "add", "--username", "p1user", "--role", "platform", "--platform", "p1",
                            "--password-stdin"], input="Good-passw0rd\n")
    assert r.exit_code == 0, r.output
    u = session.scalar(select(User).where(User.username == "p1user"))
    assert u.must_change_password and u.password_hash.startswith("$argon2id$")


def test_user_add_refuses_bad_input(runner):
    r = runner.invoke(args=["user", "add", "--username", "x9", "--role", "inspector", "--password-stdin"],
                      input="short\n")
    assert r.exit_code == 2 and "用户名须为 3–64 位" in r.output
    r = runner.invoke(args=["user", "add", "--username", "x99", "--role", "inspector", "--password-stdin"],
                      input="short\n")
    assert r.exit_code == 2 and "密码至少 10 个字符" in r.output
    r = runner.invoke(args=["user", "add", "--username", "pu", "--role", "platform", "--platform", "nope",
                            "--password-stdin"], input="Good-passw0rd\n")
    assert r.exit_code == 2 and "平台简码“nope”未登记" in r.output
    r = runner.invoke(args=["user", "add", "--username", "boss", "--role", "king", "--password-stdin"],
                      input="Good-passw0rd\n")
    assert r.exit_code == 2 and "角色“king”无效" in r.output


def test_demo_is_idempotent_has_every_role_and_every_kind_of_mistake(runner, session):
    from supervision.models import Finding, LedgerSubmission
    from supervision.standard.rules import RULES

    r = runner.invoke(args=["demo"])
    assert r.exit_code == 0, r.output
    counts = (session.scalar(select(func.count()).select_from(LedgerSubmission)),
              session.scalar(select(func.count()).select_from(Finding)))
    r = runner.invoke(args=["demo"])
    assert r.exit_code == 0, r.output
    assert (session.scalar(select(func.count()).select_from(LedgerSubmission)),
            session.scalar(select(func.count()).select_from(Finding))) == counts
    roles = set(session.scalars(select(User.role)))
    assert roles == {"admin", "security_auditor", "inspector", "supervisor", "complaint_handler", "leader", "platform"}
    assert session.scalar(select(func.count()).select_from(Platform)) == 4
    assert "Demo2026pass" in r.output
    # six months of ledgers for three platforms, one month missing (LED-01)
    assert counts[0] == 17
    from supervision.models import Audit, Problem, SampleItem

    audit = session.scalar(select(Audit))
    assert audit.status == "running" and session.scalar(select(func.count()).select_from(Audit)) == 1
    assert session.scalar(select(func.count()).select_from(SampleItem).where(SampleItem.verdict.is_not(None))) == 12
    assert session.scalar(select(func.count()).select_from(Problem).where(Problem.excluded)) >= 1
    fired = set(session.scalars(select(Finding.rule_code).where(Finding.status == "open")))
    automatic = {code for code, rule in RULES.items() if rule.automatic}
    assert automatic <= fired, sorted(automatic - fired)
    # complaints in every state of the workflow, rated ones among them, a substantiated one in the
    # problem ledger; loading the demo again adds none.
    from supervision.models import Complaint

    states = set(session.scalars(select(Complaint.status)))
    assert {"待受理", "已受理", "已转办", "平台已答复", "已办结", "不予受理"} <= states, states
    assert session.scalar(select(func.count()).select_from(Complaint).where(Complaint.rating.is_not(None))) == 3
    assert session.scalar(select(func.count()).select_from(Problem).where(Problem.source == "complaint")) == 2
    assert session.scalar(select(func.count()).select_from(Complaint)) == 8


def test_audit_verify_command(runner, app, make_platform):
    make_platform("p1")
    r = runner.invoke(args=["audit", "verify"])
    assert r.exit_code == 0 and "完整" in r.output
    with app.app_context():
        with db.engine().begin() as conn:
            conn.execute(text("UPDATE audit_events SET actor_name = 'someone' WHERE seq = 1"))
    r = runner.invoke(args=["audit", "verify"])
    assert r.exit_code == 1 and "第 1 号记录" in r.output
