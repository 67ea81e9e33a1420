"""Log-in, lockout, throttling, server-side sessions, password change, TOTP, CSRF, headers."""
import pyotp
import pytest
from sqlalchemy import select

from app import create_app
from supervision import clock as clockmod
from supervision import db
from supervision.models import AuditEvent, User, UserSession
from supervision.services.accounts import GENERIC_LOGIN_ERROR
from tests.conftest import PASSWORD, csrf_token_from, login


def _home_ok(client) -> bool:
    r = client.get("/platforms/")
    return r.status_code == 200


def test_login_opens_a_server_side_session_and_audits(client, make_user, session):
    make_user("insp", "inspector")
    r = login(client, "insp")
    assert r.status_code == 302 and r.headers["Location"] == "/"
    assert _home_ok(client)
    rows = session.scalars(select(UserSession)).all()
    assert len(rows) == 1 and rows[0].ended_at is None
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "login")).actor_name == "insp"


def test_wrong_password_and_unknown_user_get_the_same_message(client, make_user, session):
    make_user("insp", "inspector")
    a = login(client, "insp", "wrong-password-1").get_data(as_text=True)
    b = login(client, "nobody", "wrong-password-1").get_data(as_text=True)
    assert GENERIC_LOGIN_ERROR in a and GENERIC_LOGIN_ERROR in b
    actions = [e.action for e in session.scalars(select(AuditEvent).order_by(AuditEvent.seq))]
    assert actions.count("login.failed") == 2


def test_lockout_after_repeated_failures_then_unlock_after_time(client, make_user, clock, session):
    make_user("insp", "inspector")
    for _ in range(5):
        login(client, "insp", "wrong-password-1")
    r = login(client, "insp")  # right password, but locked
    assert r.status_code == 200 and GENERIC_LOGIN_ERROR in r.get_data(as_text=True)
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "user.locked")) is not None
    clock.advance(minutes=14)
    assert login(client, "insp").status_code == 200
    clock.advance(minutes=2)
    assert login(client, "insp").status_code == 302


def test_login_attempts_are_throttled_per_address(app_config):
    app = create_app({**app_config, "RATELIMIT_ENABLED": True, "LOGIN_RATE_LIMIT": "3 per minute"})
    try:
        client = app.test_client()
        codes = [login(client, "ghost", "wrong-password-1").status_code for _ in range(4)]
        assert codes[:3] == [200, 200, 200] and codes[3] == 429
        r = login(client, "ghost", "wrong-password-1")
        assert "登录尝试过于频繁" in r.get_data(as_text=True)
        with app.app_context():  # the throttled attempts never reached the password check
            assert len(db.session().scalars(select(AuditEvent).where(AuditEvent.action == "login.failed")).all()) == 3
    finally:
        from tests.conftest import _empty_tables

        _empty_tables(app.extensions["db_engine"])
        app.extensions["db_engine"].dispose()


def test_cookie_replayed_after_logout_is_rejected(app, make_user):
    make_user("insp", "inspector")
    client = app.test_client()
    login(client, "insp")
    cookie = client.get_cookie("sv_session").value
    assert _home_ok(client)
    client.post("/logout")
    thief = app.test_client()
    thief.set_cookie("sv_session", cookie)
    r = thief.get("/platforms/")
    assert r.status_code == 302 and "/login" in r.headers["Location"]


def test_session_id_is_renewed_at_login(app, make_user, session):
    make_user("insp", "inspector")
    client = app.test_client()
    client.get("/login")
    login(client, "insp")
    first = client.get_cookie("sv_session").value
    client.post("/logout")
    login(client, "insp")
    second = client.get_cookie("sv_session").value
    assert first != second
    thief = app.test_client()
    thief.set_cookie("sv_session", first)
    assert thief.get("/platforms/").status_code == 302
    assert len(session.scalars(select(UserSession)).all()) == 2


def test_idle_timeout_is_enforced_on_the_server(client, make_user, clock):
    make_user("insp", "inspector")
    login(client, "insp")
    clock.advance(minutes=29)
    assert _home_ok(client)
    clock.advance(minutes=29)  # activity above reset the idle timer
    assert _home_ok(client)
    clock.advance(minutes=30, seconds=1)
    r = client.get("/platforms/")
    assert r.status_code == 302
    r = client.get(r.headers["Location"])
    assert "长时间未操作" in r.get_data(as_text=True)


def test_absolute_lifetime_ends_even_an_active_session(client, make_user, clock, session):
    make_user("insp", "inspector")
    login(client, "insp")
    for _ in range(12 * 3 - 1):  # active every 20 minutes for 11 h 40 min
        clock.advance(minutes=20)
        assert _home_ok(client)
    clock.advance(minutes=20)
    assert client.get("/platforms/").status_code == 302
    row = session.scalars(select(UserSession)).one()
    assert row.end_reason == "absolute_timeout"


def test_deactivating_a_user_ends_their_sessions(app, make_user, session):
    uid = make_user("insp", "inspector")
    make_user("adm", "admin")
    victim = app.test_client()
    login(victim, "insp")
    admin = app.test_client()
    login(admin, "adm")
    r = admin.post(f"/admin/users/{uid}", data={"display_name": "x", "role": "inspector", "platform": ""})
    assert r.status_code == 302
    assert victim.get("/platforms/").status_code == 302


def test_admin_created_account_must_change_password_first(client, make_user, session):
    make_user("newbie", "leader", must_change=True)
    r = login(client, "newbie")
    assert r.headers["Location"] == "/account/password"
    r = client.get("/platforms/")
    assert r.status_code == 302 and r.headers["Location"] == "/account/password"
    r = client.post("/account/password", data={"current": "wrong-one-11", "new": "Brand-new-pass1",
                                               "confirm": "Brand-new-pass1"})
    assert "当前密码不正确" in r.get_data(as_text=True)
    r = client.post("/account/password", data={"current": PASSWORD, "new": "short1", "confirm": "short1"})
    assert "至少 10 个字符" in r.get_data(as_text=True)
    r = client.post("/account/password", data={"current": PASSWORD, "new": "Brand-new-pass1",
                                               "confirm": "Brand-new-pass1"})
    assert r.status_code == 302
    assert _home_ok(client)
    client.post("/logout")
    assert login(client, "newbie", PASSWORD).status_code == 200
    assert login(client, "newbie", "Brand-new-pass1").status_code == 302


def test_password_change_ends_the_users_other_sessions(app, make_user):
    make_user("insp", "inspector")
    a, b = app.test_client(), app.test_client()
    login(a, "insp")
    login(b, "insp")
    a.post("/account/password", data={"current": PASSWORD, "new": "Another-pass-22", "confirm": "Another-pass-22"})
    assert _home_ok(a)
    assert b.get("/platforms/").status_code == 302


def test_staff_need_totp_when_required_and_platform_users_do_not(app_config, make_platform):
    app = create_app({**app_config, "TOTP_REQUIRED": True})
    try:
        with app.app_context():
            from supervision.services.accounts import create_user
            from supervision.services.platforms import PlatformInput, register_platform

            s = db.session()
            register_platform(s, PlatformInput("pp", "平台甲", "91440300708461136T", True, "2025-01"))
            create_user(s, "insp", "inspector", PASSWORD, must_change_password=False)
            create_user(s, "plat", "platform", PASSWORD, platform_code="pp", must_change_password=False)
            s.commit()
        client = app.test_client()
        r = login(client, "insp")
        assert r.headers["Location"] == "/login/totp"
        assert client.get("/platforms/").status_code == 302  # not logged in yet
        page = client.get("/login/totp").get_data(as_text=True)
        assert "绑定动态验证码" in page
        secret = page.split('data-testid="totp-secret">')[1].split("<")[0]
        r = client.post("/login/totp", data={"code": "000000"})
        assert "动态验证码不正确" in r.get_data(as_text=True)
        code = pyotp.TOTP(secret).at(int(_ts(app)))  # what the netizen's authenticator app shows now
        r = client.post("/login/totp", data={"code": code})
        assert r.status_code == 302 and r.headers["Location"] == "/"
        assert _home_ok(client)
        client.post("/logout")
        # next time: no enrolment, the stored secret is asked for
        login(client, "insp")
        assert "请输入验证器应用显示的 6 位数字" in client.get("/login/totp").get_data(as_text=True)
        other = app.test_client()
        r = login(other, "plat")
        assert r.headers["Location"] == "/"
    finally:
        from tests.conftest import _empty_tables

        _empty_tables(app.extensions["db_engine"])
        app.extensions["db_engine"].dispose()


def _ts(app) -> float:
    with app.app_context():
        return clockmod.now_utc_timestamp()


def test_csrf_is_enforced_on_forms(app_config, make_user):
    app = create_app({**app_config, "WTF_CSRF_ENABLED": True})
    try:
        with app.app_context():
            from supervision.services.accounts import create_user

            create_user(db.session(), "insp", "inspector", PASSWORD, must_change_password=False)
            db.session().commit()
        client = app.test_client()
        r = client.post("/login", data={"username": "insp", "password": PASSWORD})
        assert r.status_code == 400 and "CSRF" in r.get_data(as_text=True)
        token = csrf_token_from(client.get("/login").get_data(as_text=True))
        r = client.post("/login", data={"username": "insp", "password": PASSWORD, "csrf_token": token})
        assert r.status_code == 302
        assert client.post("/logout").status_code == 400  # log-out without token is refused
        assert client.get("/platforms/").status_code == 200
    finally:
        from tests.conftest import _empty_tables

        _empty_tables(app.extensions["db_engine"])
        app.extensions["db_engine"].dispose()


def test_logout_is_post_only(client, make_user):
    make_user("insp", "inspector")
    login(client, "insp")
    assert client.get("/logout").status_code == 405
    assert _home_ok(client)


def test_security_headers_and_cookie_flags(client, make_user):
    make_user("insp", "inspector")
    r = client.get("/login")
    csp = r.headers["Content-Security-Policy"]
    for part in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "default-src 'self'"):
        assert part in csp
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Referrer-Policy"] == "same-origin"
    r = login(client, "insp")
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_open_redirect_after_login_is_refused(client, make_user):
    make_user("insp", "inspector")
    r = client.post("/login?next=https://evil.example/x", data={"username": "insp", "password": PASSWORD})
    assert r.headers["Location"] == "/"
    client.post("/logout")
    r = client.post("/login?next=/platforms/", data={"username": "insp", "password": PASSWORD})
    assert r.headers["Location"] == "/platforms/"


def test_a_page_view_does_not_wait_for_a_busy_database_to_touch_its_session(app, client, make_user, clock, session):
    """While another transaction holds the lock a session's periodic touch needs (on SQLite: a
    large import holding the single write lock; on PostgreSQL: the session's row), pages still
    answer: the touch is left to a later request, and made by it."""
    from sqlalchemy import create_engine, text

    make_user("insp", "inspector")
    login(client, "insp")
    clock.advance(minutes=2)  # the session is due for its touch
    seen = session.scalar(select(UserSession.last_seen_at))
    url = app.config["DATABASE_URL"]
    holder = create_engine(url)
    with holder.connect() as conn:
        if url.startswith("sqlite"):
            conn.exec_driver_sql("BEGIN IMMEDIATE")  # the single write lock, as an import holds it
        else:
            conn.execute(text("SELECT 1 FROM user_sessions FOR UPDATE"))
        assert _home_ok(client)  # with a 60 s wait this gave up with a 503 page
        conn.rollback()
    holder.dispose()
    session.expire_all()
    assert session.scalar(select(UserSession.last_seen_at)) == seen  # not touched meanwhile
    assert _home_ok(client)
    session.expire_all()
    assert session.scalar(select(UserSession.last_seen_at)) > seen  # the next request touched it



def test_a_brief_wait_around_a_commit_leaves_the_connection_the_pool_closed_alone(app):
    """A session's touch commits inside its brief wait, which gives the connection back to the
    pool; a connection beyond the pool's size is closed there when the pool is full again, and
    restoring its wait afterwards failed with a server error on every page (seen in the SQLite
    load test, with every pool slot busy)."""
    from sqlalchemy import text
    from sqlalchemy.orm import Session

    engine = app.extensions["db_engine"]
    held = [engine.connect() for _ in range(engine.pool.size())]  # every pooled slot taken by others
    s = Session(bind=engine)
    try:
        conn = s.connection()  # an overflow connection
        for h in held:
            h.close()  # the pool is full again: the overflow connection is closed when returned
        held = []
        with db.brief_wait(conn, 250):
            s.execute(text("UPDATE audit_head SET seq = seq WHERE id = 1"))
            s.commit()
        assert conn.closed
    finally:
        s.close()
        for h in held:
            h.close()
