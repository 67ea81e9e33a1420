"""Faults: the database connection drops under a running app (PostgreSQL restarted, a backend
terminated; on SQLite the connection closed). The request that meets the dropped connection
fails cleanly and at once (a Chinese 503 page, JSON under /api), and the following requests
succeed without restarting the app: the pool drops the broken connection, and on PostgreSQL
``pool_pre_ping`` replaces pooled connections the server has closed meanwhile."""
from __future__ import annotations

from sqlalchemy import create_engine, event, text

from tests.conftest import login


def _drop_on_next_statement(engine):
    """Arm a one-shot fault: the next statement the app runs finds its connection gone."""
    fired = {"n": 0}

    def before(conn, cursor, statement, parameters, context, executemany):
        if fired["n"]:
            return
        fired["n"] += 1
        if engine.dialect.name == "postgresql":
            pid = conn.connection.dbapi_connection.info.backend_pid
            admin = create_engine(engine.url)
            with admin.connect() as c:
                assert c.execute(text("SELECT pg_terminate_backend(:pid, 10000)"), {"pid": pid}).scalar()
            admin.dispose()
        else:
            conn.connection.dbapi_connection.close()

    event.listen(engine, "before_cursor_execute", before)
    return lambda: event.remove(engine, "before_cursor_execute", before)


def _drop_idle_connections(engine):
    """The server goes away between requests: every pooled connection is dead."""
    if engine.dialect.name == "postgresql":
        admin = create_engine(engine.url)
        with admin.connect() as c:
            c.execute(text("SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity "
                           "WHERE datname = current_database() AND pid <> pg_backend_pid()"))
        admin.dispose()
    else:
        engine.pool.dispose()


def test_pool_pre_ping_is_on_for_postgresql():
    from supervision.db import make_engine

    engine = make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")
    assert engine.pool._pre_ping


def test_a_dropped_connection_fails_one_request_cleanly_and_the_next_succeeds(app, client, make_user):
    make_user("insp", "inspector")
    login(client, "insp")
    engine = app.extensions["db_engine"]
    assert client.get("/findings/").status_code == 200

    disarm = _drop_on_next_statement(engine)
    try:
        r = client.get("/findings/")
    finally:
        disarm()
    assert r.status_code == 503
    page = r.get_data(as_text=True)
    assert "数据库暂时不可用" in page and "未保存任何内容" in page

    r = client.get("/findings/")
    assert r.status_code == 200 and "问题清单" in r.get_data(as_text=True)

    _drop_idle_connections(engine)
    r = client.get("/findings/")
    assert r.status_code == 200, r.status_code


def test_a_dropped_connection_under_the_api_answers_json_503(app, make_platform, make_user):
    from supervision import db
    from supervision.models import User
    from supervision.services.api_tokens import create_token

    make_platform("pa")
    uid = make_user("user_a", "platform", "pa")
    with app.app_context():
        s = db.session()
        _t, raw = create_token(s, s.get(User, uid), "故障")
        s.commit()
    client = app.test_client()
    headers = {"Authorization": f"Bearer {raw}"}
    engine = app.extensions["db_engine"]
    disarm = _drop_on_next_statement(engine)
    try:
        r = client.get("/api/v1/findings", headers=headers)
    finally:
        disarm()
    assert r.status_code == 503 and r.get_json()["code"] == "http_503" and "数据库" in r.get_json()["message"]
    r = client.get("/api/v1/findings", headers=headers)
    assert r.status_code == 200 and r.get_json()["platform"] == "pa"


def test_the_public_complaint_window_recovers_too(app):
    client = app.test_client()
    engine = app.extensions["db_engine"]
    disarm = _drop_on_next_statement(engine)
    try:
        r = client.get("/complaint/new")
    finally:
        disarm()
    assert r.status_code == 503 and "数据库暂时不可用" in r.get_data(as_text=True)
    assert client.get("/complaint/new").status_code == 200
