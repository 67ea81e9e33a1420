"""Admins register platforms and manage users through the web screens."""
from sqlalchemy import func, select

from supervision.models import AuditEvent, Platform, User, UserSession
from tests.conftest import PASSWORD, login

FORM = {"code": "newp", "name": "新平台", "uscc": "91440300708461136T", "is_local": "y", "onboarded": "2026-02",
        "active": "y", "contact1_name": "张三", "contact1_title": "合规经理", "contact1_phone": "13912345678",
        "contact1_email": "zs@example.cn"}


def _admin(client, make_user):
    make_user("adm", "admin")
    login(client, "adm")


def test_register_platform_with_contacts(client, make_user, session):
    _admin(client, make_user)
    r = client.post("/admin/platforms/new", data=FORM)
    assert r.status_code == 302
    p = session.scalar(select(Platform).where(Platform.code == "newp"))
    assert p.name == "新平台" and p.onboarded == "2026-02" and p.is_local
    assert [(c.name, c.phone) for c in p.contacts] == [("张三", "13912345678")]
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "已登记平台“新平台”" in page and "zs@example.cn" in page


def test_wrong_check_digit_is_refused_with_the_reason_and_input_kept(client, make_user, session):
    _admin(client, make_user)
    r = client.post("/admin/platforms/new", data={**FORM, "uscc": "91440300708461136A"})
    page = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "校验位错误" in page and "应为“T”" in page
    assert 'value="新平台"' in page and 'value="13912345678"' in page  # nothing typed is lost
    assert session.scalar(select(func.count()).select_from(Platform)) == 0
    assert session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "platform.create")) == 0


def test_contact_validation(client, make_user):
    _admin(client, make_user)
    page = client.post("/admin/platforms/new", data={**FORM, "contact1_phone": "12345"}).get_data(as_text=True)
    assert "第 1 位联系人的电话“12345”不是有效的手机号或固定电话" in page
    page = client.post("/admin/platforms/new", data={**FORM, "contact1_email": "bad@", "contact1_phone": ""}
                       ).get_data(as_text=True)
    assert "邮箱“bad@”格式不正确" in page


def test_admin_creates_users_and_they_must_change_password(client, app, make_user, make_platform, session):
    make_platform("pa")
    _admin(client, make_user)
    r = client.post("/admin/users/new", data={"username": "plat1", "display_name": "平台甲专员",
                                              "role": "platform", "platform": "", "password": PASSWORD})
    assert "平台用户必须指定所属平台" in r.get_data(as_text=True)
    r = client.post("/admin/users/new", data={"username": "insp9", "role": "inspector", "platform": "pa",
                                              "password": PASSWORD})
    assert "只有平台用户可以关联平台" in r.get_data(as_text=True)
    r = client.post("/admin/users/new", data={"username": "plat1", "display_name": "平台甲专员",
                                              "role": "platform", "platform": "pa", "password": PASSWORD})
    assert r.status_code == 302
    u = session.scalar(select(User).where(User.username == "plat1"))
    assert u.must_change_password and u.platform.code == "pa"
    other = app.test_client()
    assert login(other, "plat1").headers["Location"] == "/account/password"


def test_admin_resets_a_password_which_ends_the_users_sessions(client, app, make_user, session):
    uid = make_user("insp", "inspector")
    victim = app.test_client()
    login(victim, "insp")
    _admin(client, make_user)
    r = client.post(f"/admin/users/{uid}/reset-password", data={"password": "short"})
    assert r.status_code == 302
    assert "未重置" in client.get(r.headers["Location"]).get_data(as_text=True)
    r = client.post(f"/admin/users/{uid}/reset-password", data={"password": "Temporary-pass9"})
    assert victim.get("/platforms/").status_code == 302
    assert login(victim, "insp", "Temporary-pass9").headers["Location"] == "/account/password"
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "user.password_reset")) is not None
    ended = session.scalars(select(UserSession).where(UserSession.end_reason == "password_reset")).all()
    assert len(ended) == 1


def test_admin_unlocks_by_reset_and_sees_locked_users_on_home(client, app, make_user):
    make_user("insp", "inspector")
    other = app.test_client()
    for _ in range(5):
        login(other, "insp", "wrong-password-1")
    _admin(client, make_user)
    home = client.get("/").get_data(as_text=True)
    assert "被锁定的账户" in home and "insp" in home
