"""Notifications: the bell's unread count, one's own notifications only, a platform user only
hears of its own platform, no complainant identity in any text, once per object and day, and
e-mail only when an SMTP server is configured."""
from __future__ import annotations

import socketserver
import threading
from datetime import datetime
from email import message_from_bytes
from email.policy import default as default_policy

import pytest
from sqlalchemy import func, select

from supervision import db as dbmod
from supervision.jobs.registry import overdue_scan
from supervision.models import AuditEvent, Notification, NotificationSetting, User
from supervision.services import ValidationError
from supervision.services import notifications as svc
from tests.complaint_helpers import file_one
from tests.conftest import login
from tests.test_jobs import collaborators, world  # noqa: F401  (fixtures)


def _notify(app, username: str, title: str, **kw) -> int:
    with app.app_context():
        s = dbmod.session()
        user = s.scalar(select(User).where(User.username == username))
        kw.setdefault("object_type", "test")
        kw.setdefault("object_id", title)
        svc.notify(s, user, "test", title, **kw)
        s.commit()
        return s.scalar(select(Notification.id).where(Notification.user_id == user.id, Notification.title == title))


def test_bell_shows_the_unread_count_and_reading_lowers_it(app, client, make_user, make_platform):
    make_user("insp", "inspector")
    make_user("insp2", "inspector")
    login(client, "insp")
    home = client.get("/").get_data(as_text=True)
    assert 'class="bell"' in home and "未读 0 条" in home
    first = _notify(app, "insp", "第一条提醒", link="/findings/")
    _notify(app, "insp", "第二条提醒")
    _notify(app, "insp2", "别人的提醒")
    home = client.get("/").get_data(as_text=True)
    assert "未读 2 条" in home and '<span class="tag tag-red">2</span>' in home
    page = client.get("/notifications/").get_data(as_text=True)
    assert "第一条提醒" in page and "第二条提醒" in page and "别人的提醒" not in page
    r = client.get(f"/notifications/{first}/open")
    assert r.status_code == 302 and r.headers["Location"] == "/findings/"
    assert "未读 1 条" in client.get("/").get_data(as_text=True)
    assert "第一条提醒" not in client.get("/notifications/?unread=1").get_data(as_text=True)
    r = client.post("/notifications/read-all", follow_redirects=True)
    assert "已将 1 条提醒标为已读" in r.get_data(as_text=True)
    assert "未读 0 条" in client.get("/").get_data(as_text=True)


def test_users_reach_only_their_own_notifications(app, client, make_user, session):
    make_user("insp", "inspector")
    make_user("insp2", "inspector")
    theirs = _notify(app, "insp2", "别人的提醒", link="/audits/")
    login(client, "insp")
    assert client.get(f"/notifications/{theirs}/open").status_code == 404
    assert client.post(f"/notifications/{theirs}/read").status_code == 404
    client.post("/notifications/read-all")
    assert session.get(Notification, theirs).read_at is None
    # A link that leaves the application is never followed.
    mine = _notify(app, "insp", "外部链接", link="//evil.example/")
    assert client.get(f"/notifications/{mine}/open").headers["Location"] == "/notifications/"


def test_a_notification_is_created_once_per_user_object_and_day(app, make_user, clock, session):
    make_user("insp", "inspector")
    with app.app_context():
        s = dbmod.session()
        user = s.scalar(select(User).where(User.username == "insp"))
        assert svc.notify(s, user, "ledger_missing", "甲平台台账逾期", object_type="ledger_month", object_id="1:2026-10")
        assert not svc.notify(s, user, "ledger_missing", "甲平台台账逾期", object_type="ledger_month", object_id="1:2026-10")
        assert svc.notify(s, user, "ledger_missing", "乙平台台账逾期", object_type="ledger_month", object_id="2:2026-10")
        clock.advance(days=1)
        assert svc.notify(s, user, "ledger_missing", "甲平台台账逾期", object_type="ledger_month", object_id="1:2026-10")
        s.commit()
    assert session.scalar(select(func.count()).select_from(Notification)) == 3


def test_a_platform_user_only_gets_its_own_platforms_items(app, world, clock, collaborators, session):
    from supervision.services import complaints as csvc

    with app.app_context():
        s = dbmod.session()
        clock.current = datetime(2026, 11, 11, 10, 0)
        for code in ("pa", "pb"):
            c = file_one(s, app, platform=code, report_number=f"R-{code}").complaint
            csvc.accept(s, c)
            csvc.transfer(s, c, "请核查并答复。")
        s.commit()
        clock.current = datetime(2026, 11, 20, 7, 0)  # the platform's answer was due Nov 18: overdue
        result = overdue_scan(s, clock())
        s.commit()
    assert result.counts["complaint_stages_overdue"] == 2 and result.counts["missing_ledgers"] == 1
    by_user = {}
    for n in session.scalars(select(Notification)):
        by_user.setdefault(n.user_id, []).append(n)
    ua, ub = by_user[world["user_a"]], by_user[world["user_b"]]
    assert all(n.platform_id == session.scalar(select(User.platform_id).where(User.id == world["user_a"])) for n in ua)
    assert all(n.platform_id == session.scalar(select(User.platform_id).where(User.id == world["user_b"])) for n in ub)
    assert {n.kind for n in ua} == {"complaint_respond_overdue"}
    assert {n.kind for n in ub} == {"complaint_respond_overdue", "ledger_missing"}
    assert all(n.link.startswith("/portal/complaints/") for n in ua)
    assert world["lead"] not in by_user  # leaders have no such work
    # The service refuses to address a platform user about another platform.
    with app.app_context():
        s = dbmod.session()
        user_a = s.get(User, world["user_a"])
        with pytest.raises(ValueError):
            svc.notify(s, user_a, "x", "别的平台", platform_id=user_a.platform_id + 1)


def test_complaint_reminders_carry_no_complainant_identity(app, world, clock, collaborators, session):
    name, phone, email = "欧阳明月", "13912345678", "mingyue@example.cn"
    with app.app_context():
        s = dbmod.session()
        clock.current = datetime(2026, 11, 16, 10, 0)
        c = file_one(s, app, name=name, contact=phone, report_number="R-7788",
                     description=f"我是{name}，电话{phone}，邮箱{email}，身份证110101199003074514。").complaint
        s.commit()
        clock.current = datetime(2026, 11, 18, 17, 0)  # accept due Nov 18 23:59: 89 % of the time used
        warn = overdue_scan(s, clock())
        clock.current = datetime(2026, 11, 19, 7, 0)
        late = overdue_scan(s, clock())
        s.commit()
        tracking = c.tracking_no
    assert warn.counts["complaint_stages_warning"] == 1 and late.counts["complaint_stages_overdue"] == 1
    notes = session.scalars(select(Notification).where(Notification.object_type == "complaint")).all()
    assert {n.user_id for n in notes} == {world["handler"]}
    assert [n.title for n in notes] == [f"投诉 {tracking}（甲平台，举报处置不及时）受理环节临近期限",
                                        f"投诉 {tracking}（甲平台，举报处置不及时）受理环节已超期"]
    for n in notes:
        text = n.title + n.body + n.link
        for secret in (name, name[:2], phone, phone[-4:], email, "110101199003074514", "R-7788"):
            assert secret not in text


def test_email_address_setting(app, client, make_user, session):
    uid = make_user("insp", "inspector")
    login(client, "insp")
    page = client.get("/notifications/").get_data(as_text=True)
    assert "系统尚未配置邮件服务器" in page
    r = client.post("/notifications/email", data={"email": "not-an-address"}, follow_redirects=True)
    assert "电子邮箱地址格式不正确" in r.get_data(as_text=True)
    assert session.get(NotificationSetting, uid) is None
    r = client.post("/notifications/email", data={"email": "insp@office.gov.cn"}, follow_redirects=True)
    assert "已保存接收提醒的电子邮箱" in r.get_data(as_text=True)
    assert session.get(NotificationSetting, uid).email == "insp@office.gov.cn"
    ev = session.scalar(select(AuditEvent).where(AuditEvent.action == "notification.email"))
    assert ev.actor_name == "insp" and "i***@office.gov.cn" in ev.after
    with app.app_context():
        with pytest.raises(ValidationError):
            svc.set_email(dbmod.session(), session.get(User, uid), "a@b")


class _SMTPHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP for smtplib: EHLO, MAIL, RCPT, DATA, QUIT."""

    def handle(self):
        self.wfile.write(b"220 test ESMTP\r\n")
        rcpts = []
        while line := self.rfile.readline():
            cmd = line.decode().strip()
            verb = cmd.split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                self.wfile.write(b"250 test\r\n")
            elif verb == "MAIL":
                self.wfile.write(b"250 ok\r\n")
            elif verb == "RCPT":
                rcpts.append(cmd.split(":", 1)[1].strip("<> "))
                self.wfile.write(b"250 ok\r\n")
            elif verb == "DATA":
                self.wfile.write(b"354 go\r\n")
                data = b""
                while (chunk := self.rfile.readline()) != b".\r\n":
                    data += chunk
                self.server.messages.append((rcpts, message_from_bytes(data, policy=default_policy)))
                rcpts = []
                self.wfile.write(b"250 queued\r\n")
            elif verb == "QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 ok\r\n")


@pytest.fixture
def smtp_server():
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SMTPHandler)
    server.messages = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_email_goes_out_only_when_smtp_is_configured(app, make_user, clock, session, smtp_server):
    make_user("insp", "inspector")
    make_user("insp2", "inspector")
    with app.app_context():
        s = dbmod.session()
        insp = s.scalar(select(User).where(User.username == "insp"))
        svc.set_email(s, insp, "insp@office.gov.cn")
        for title in ("甲平台 2026-10 月台账逾期未报送", "乙平台 2026-10 月台账逾期未报送"):
            svc.notify(s, insp, "ledger_missing", title, object_id=title, body="请跟进。")
        svc.notify(s, s.scalar(select(User).where(User.username == "insp2")), "ledger_missing", "无邮箱的人")
        s.commit()
        assert svc.deliver_email(s, app.config) == 0  # no SMTP_HOST: nothing is sent, nothing breaks
        assert smtp_server.messages == []
        config = {**app.config, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": smtp_server.server_address[1],
                  "SMTP_FROM": "noreply@office.gov.cn"}
        assert svc.deliver_email(s, config) == 1
        s.commit()
        assert svc.deliver_email(s, config) == 0  # each notification is mailed once
        clock.advance(days=3)
        svc.notify(s, insp, "ledger_missing", "三天后的新提醒")
        s.commit()
        assert svc.deliver_email(s, config) == 1
        s.commit()
    [(to1, first), (to2, second)] = smtp_server.messages
    assert to1 == to2 == ["insp@office.gov.cn"]
    assert first["Subject"].endswith("您有 2 条新提醒") and first["From"] == "noreply@office.gov.cn"
    body = first.get_content()
    assert "甲平台 2026-10 月台账逾期未报送" in body and "乙平台" in body and "无邮箱的人" not in body
    assert "三天后的新提醒" in second.get_content() and "甲平台" not in second.get_content()
    assert session.scalar(select(func.count()).select_from(Notification).where(
        Notification.emailed_at.is_(None))) == 1  # insp2 gave no address


def test_an_unreachable_smtp_server_breaks_nothing(app, make_user):
    make_user("insp", "inspector")
    with app.app_context():
        s = dbmod.session()
        insp = s.scalar(select(User).where(User.username == "insp"))
        svc.set_email(s, insp, "insp@office.gov.cn")
        svc.notify(s, insp, "x", "提醒")
        s.commit()
        config = {**app.config, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": 1}
        assert svc.deliver_email(s, config, datetime(2026, 11, 20, 9, 31)) == 0
        assert s.scalar(select(Notification.emailed_at)) is None


def test_smtp_settings_default_to_none():
    from supervision.config import load

    config = load("/tmp", {"APP_ENV": "testing"})
    assert all(config[k] is None for k in ("SMTP_HOST", "SMTP_PORT", "SMTP_USERNAME", "SMTP_PASSWORD", "SMTP_FROM",
                                           "SMTP_SECURITY"))
    config = load("/tmp", {"APP_ENV": "testing", "SMTP_HOST": "mail.gov.cn", "SMTP_PORT": "465",
                           "SMTP_SECURITY": "SSL"})
    assert (config["SMTP_HOST"], config["SMTP_PORT"], config["SMTP_SECURITY"]) == ("mail.gov.cn", 465, "ssl")


def test_overdue_notices_surface_for_their_platform_and_the_inspectors(app, world, make_user, clock, session):
    """With the notices module's own scan: the notice turns 逾期 and its platform and the
    inspectors are reminded each morning; a second scan the same day changes nothing."""
    from supervision.models import Notice
    from tests.notices.helpers import issued, seed_audit

    make_user("sup", "supervisor")
    with app.app_context():
        s = dbmod.session()
        pa = s.scalar(select(User.platform_id).where(User.id == world["user_a"]))
        audit = seed_audit(s, pa, world["insp"])
        notice = issued(s, "insp", "sup", audit, pa)  # issued Friday 2026-11-20, due 2026-12-11
        s.commit()
        nid, number = notice.id, notice.number
        clock.current = datetime(2026, 12, 14, 7, 0)
        first = overdue_scan(s, clock())
        s.commit()
        again = overdue_scan(s, clock())
        s.commit()
    assert session.get(Notice, nid).status == "逾期"
    assert (first.counts["notices_notices"], first.counts["overdue_notices"]) == (1, 1)
    assert again.counts["notices_notices"] == 0 and again.counts["notifications"] == 0
    notes = session.scalars(select(Notification).where(Notification.kind == "notice_overdue")).all()
    assert {n.user_id for n in notes} == {world["user_a"], world["insp"]}
    mine = next(n for n in notes if n.user_id == world["user_a"])
    assert mine.title == f"整改通知书 {number} 已逾期" and mine.link == f"/portal/notices/{nid}"
    assert "2026-12-11 23:59" in mine.body
