"""A platform user reaches only its own platform's objects; another platform's answer 404."""
from sqlalchemy import select

from supervision.models import AuditEvent, Platform
from tests.conftest import login


def _two_platforms(make_platform, make_user):
    a = make_platform("pa", "甲平台")
    b = make_platform("pb", "乙平台")
    make_user("user_a", "platform", "pa")
    make_user("user_b", "platform", "pb")
    return a, b


def test_platform_sees_its_own_platform_only(client, make_platform, make_user):
    a, b = _two_platforms(make_platform, make_user)
    login(client, "user_a")
    r = client.get("/platforms/")
    assert r.status_code == 302 and r.headers["Location"] == f"/platforms/{a}"
    page = client.get(f"/platforms/{a}").get_data(as_text=True)
    assert "甲平台" in page and "user_a" in page and "user_b" not in page
    r = client.get(f"/platforms/{b}")
    assert r.status_code == 404 and "乙平台" not in r.get_data(as_text=True)
    assert client.get("/platforms/999999").status_code == 404  # same answer as a missing one


def test_platform_search_cannot_list_others(client, make_platform, make_user):
    _two_platforms(make_platform, make_user)
    login(client, "user_a")
    r = client.get("/platforms/?q=乙")
    assert "乙平台" not in r.get_data(as_text=True)
    home = client.get("/").get_data(as_text=True)
    assert "甲平台" in home and "乙平台" not in home


def test_platform_cannot_change_any_platform_or_user(client, make_platform, make_user, session):
    a, b = _two_platforms(make_platform, make_user)
    login(client, "user_a")
    before = session.scalar(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(1))
    for pid in (a, b):
        r = client.post(f"/admin/platforms/{pid}/edit", data={"code": "hack", "name": "x", "uscc": "x",
                                                              "onboarded": "2025-01"})
        assert r.status_code == 403
    assert client.post("/admin/users/1/reset-password", data={"password": "Hacked-passw0rd"}).status_code == 403
    assert {p.code for p in session.scalars(select(Platform))} == {"pa", "pb"}
    after = session.scalar(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(1))
    assert after == before  # nothing changed, nothing recorded


def test_staff_see_every_platform(client, make_platform, make_user):
    _two_platforms(make_platform, make_user)
    make_user("insp", "inspector")
    login(client, "insp")
    page = client.get("/platforms/").get_data(as_text=True)
    assert "甲平台" in page and "乙平台" in page
