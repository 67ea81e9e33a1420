"""The hash-chained audit log: every change recorded, tampering detected, read-only in the app."""
from sqlalchemy import select, text

from supervision import auditlog, db
from supervision.models import AuditEvent
from tests.conftest import login


def _chain(app):
    with app.app_context():
        return auditlog.verify(db.session())


def _sql(app, statement, **params):
    with app.app_context():
        with db.engine().begin() as conn:
            conn.execute(text(statement), params)


def _events(session):
    return session.scalars(select(AuditEvent).order_by(AuditEvent.seq)).all()


def test_changes_are_recorded_with_before_and_after(client, make_user, make_platform, session):
    pid = make_platform("p1", "甲平台")
    make_user("adm", "admin")
    login(client, "adm")
    r = client.post(f"/admin/platforms/{pid}/edit", data={
        "code": "p1", "name": "甲平台（更名）", "uscc": session.scalar(text("SELECT uscc FROM platforms")),
        "is_local": "y", "onboarded": "2025-01", "active": "y", "contact1_name": "联系人",
        "contact1_phone": "13800000000"})
    assert r.status_code == 302
    ev = _events(session)[-1]
    assert ev.action == "platform.update" and ev.actor_name == "adm" and ev.actor_role == "admin"
    assert "甲平台" in ev.before and "甲平台（更名）" in ev.after and ev.ip == "127.0.0.1"
    assert _chain(client.application).ok


def test_edited_record_is_detected_and_named(app, make_platform):
    for code in ("p1", "p2", "p3"):
        make_platform(code)
    assert _chain(app).ok and _chain(app).checked == 3
    _sql(app, "UPDATE audit_events SET after = :a WHERE seq = 2", a='{"name": "forged"}')
    report = _chain(app)
    assert not report.ok and report.broken_seq == 2 and "被改动" in report.message


def test_deleted_record_is_detected(app, make_platform):
    for code in ("p1", "p2", "p3"):
        make_platform(code)
    _sql(app, "DELETE FROM audit_events WHERE seq = 2")
    report = _chain(app)
    assert not report.ok and report.broken_seq == 2 and "缺失" in report.message


def test_deleted_last_record_is_detected(app, make_platform):
    for code in ("p1", "p2"):
        make_platform(code)
    _sql(app, "DELETE FROM audit_events WHERE seq = 2")
    report = _chain(app)
    assert not report.ok and report.broken_seq == 2


def test_rehashed_forgery_still_breaks_the_link_to_the_next_record(app, make_platform):
    for code in ("p1", "p2", "p3"):
        make_platform(code)
    with app.app_context():
        s = db.session()
        ev = s.scalar(select(AuditEvent).where(AuditEvent.seq == 1))
        ev.after = '{"forged": true}'
        ev.hash = auditlog.compute_hash(ev)  # a forger who recomputes this record's hash
        s.commit()
    report = _chain(app)
    assert not report.ok and report.broken_seq == 2


def test_auditor_page_verifies_and_names_the_broken_record(client, app, make_user, make_platform):
    make_platform("p1")
    make_user("aud", "security_auditor")
    login(client, "aud")
    assert "哈希链无断裂" in client.get("/audit/verify").get_data(as_text=True)
    _sql(app, "UPDATE audit_events SET actor_name = 'x' WHERE seq = 1")
    page = client.get("/audit/verify").get_data(as_text=True)
    assert "第 1 号记录" in page and "被改动" in page


def test_auditor_browses_filters_and_exports(client, make_user, make_platform, session):
    make_platform("p1", "=HYPERLINK(\"http://evil\")")
    make_user("aud", "security_auditor")
    login(client, "aud")
    page = client.get("/audit/?action=platform").get_data(as_text=True)
    assert "登记平台" in page and "共 1 条" in page
    assert "不是 YYYY-MM-DD" in client.get("/audit/?from=2026-13-01").get_data(as_text=True)
    r = client.get("/audit/export.csv")
    assert r.status_code == 200 and r.headers["Content-Disposition"].startswith("attachment")
    body = r.data.decode("utf-8-sig")
    assert body.splitlines()[0].startswith("序号,时间,用户")
    assert "platform.create" in body
    assert _events(session)[-1].action == "audit.export"


def test_no_route_can_change_the_audit_log(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("audit."):
            assert rule.methods <= {"GET", "HEAD", "OPTIONS"}, rule


def test_concurrent_appends_do_not_fork_the_chain(app, make_platform):
    import threading

    from supervision.services.platforms import PlatformInput, register_platform
    from supervision.standard.uscc import check_character

    errors = []

    def worker(i):
        try:
            with app.app_context():
                s = db.session()
                first17 = f"91330100MA2CE{i:04d}"
                register_platform(s, PlatformInput(f"c{i}", f"并发平台{i}", first17 + check_character(first17),
                                                   True, "2025-01"))
                s.commit()
        except Exception as e:  # noqa: BLE001 - collected and asserted below
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    report = _chain(app)
    assert report.ok and report.checked == 8


def _record_quickly(action, object_id):
    """Record and commit an action in a session of its own, failing within 5 s instead of
    waiting for ever if another transaction holds the chain's head."""
    from sqlalchemy.orm import Session

    other = Session(bind=db.engine())
    try:
        if db.is_postgres():
            other.execute(text("SET LOCAL lock_timeout = '5s'"))
        else:
            other.connection().exec_driver_sql("PRAGMA busy_timeout = 5000")
        auditlog.record(other, action, "x", object_id, actor=auditlog.SYSTEM)
        other.commit()
        if not db.is_postgres():
            other.connection().exec_driver_sql(f"PRAGMA busy_timeout = {db.SQLITE_BUSY_TIMEOUT_MS}")
    finally:
        other.close()


def test_records_join_the_chain_at_commit_so_a_long_transaction_blocks_no_one(app, session):
    """A transaction that recorded an action and works on (a check recomputing scores for a
    minute) does not hold the chain's head: another action is recorded and committed meanwhile,
    and each record takes its place in the order of the commits."""
    from sqlalchemy.orm import Session

    with app.app_context():
        long = Session(bind=db.engine())
        auditlog.record(long, "test.long", "x", 1, actor=auditlog.SYSTEM)
        _record_quickly("test.quick", 2)  # would wait for `long` if the head were taken when recording
        long.commit()
        long.close()
    assert [(e.seq, e.action) for e in _events(session)] == [(1, "test.quick"), (2, "test.long")]
    assert _chain(app).ok


def test_a_released_savepoint_does_not_take_the_chains_head(app, session):
    """A check records its run, reads reports through a savepoint (released) and works on: the
    head is still free for a complaint filed meanwhile (SQLAlchemy's before_commit fires at a
    savepoint's release too; chaining there held the head to the end of the check)."""
    from sqlalchemy.orm import Session

    with app.app_context():
        long = Session(bind=db.engine())
        try:
            auditlog.record(long, "test.long", "x", 1, actor=auditlog.SYSTEM)
            with long.begin_nested():
                auditlog.record(long, "test.inside", "x", 2, actor=auditlog.SYSTEM)
                long.execute(text("SELECT 1"))
            _record_quickly("test.quick", 3)
            long.commit()
        finally:
            long.close()
    assert [(e.seq, e.action) for e in _events(session)] == [
        (1, "test.quick"), (2, "test.long"), (3, "test.inside")]
    assert _chain(app).ok


def test_a_commit_with_a_savepoint_still_open_chains_every_record(app, session):
    with app.app_context():
        s = db.session()
        auditlog.record(s, "test.outer", "x", 1, actor=auditlog.SYSTEM)
        s.begin_nested()
        auditlog.record(s, "test.nested", "x", 2, actor=auditlog.SYSTEM)
        s.commit()  # releases the savepoint and commits the transaction
        s.close()
    assert [(e.seq, e.action) for e in _events(session)] == [(1, "test.outer"), (2, "test.nested")]
    assert _chain(app).ok


def test_a_record_made_in_a_rolled_back_savepoint_is_dropped(app, session):
    with app.app_context():
        s = db.session()
        auditlog.record(s, "test.kept", "x", 1, actor=auditlog.SYSTEM)
        nested = s.begin_nested()
        auditlog.record(s, "test.undone", "x", 2, actor=auditlog.SYSTEM)
        nested.rollback()
        with s.begin_nested():
            auditlog.record(s, "test.released", "x", 3, actor=auditlog.SYSTEM)
        s.commit()
        s.close()
        abandoned = db.engine()
        from sqlalchemy.orm import Session

        gone = Session(bind=abandoned)
        auditlog.record(gone, "test.never", "x", 4, actor=auditlog.SYSTEM)
        gone.close()  # closed without committing
        gone.commit()  # the same session used again keeps nothing of before
    assert [e.action for e in _events(session)] == ["test.kept", "test.released"]
    assert _chain(app).ok
