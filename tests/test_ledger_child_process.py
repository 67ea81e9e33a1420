"""Large ledgers are imported in a child process while the request waits (so the web server's
process keeps serving everyone else): the platform gets exactly the answers of an import in
the request itself, through the API and the web, and the checks run and are audit-logged as
the uploader's."""
from __future__ import annotations

import io
import os
import threading
from datetime import datetime

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from supervision import auditlog
from supervision import db as dbmod
from supervision.models import AuditEvent, CheckRun, LedgerSubmission, Platform, Report
from supervision.services.ledger_submit import at_lower_priority
from tests.conftest import login
from tests.ledger_samples import ledger_frame, to_csv_bytes
from tests.test_ledger_intake import _token


def _post(api, headers, data: bytes, period="2026-10", name="l.csv"):
    return api.post("/api/v1/ledgers", headers=headers, content_type="multipart/form-data",
                    data={"period": period, "file": (io.BytesIO(data), name)})


def test_the_api_answers_a_child_process_import_as_an_import_in_the_request(app, client, make_platform, make_user,
                                                                            session):
    make_platform("pa", "甲平台")
    make_platform("pb", "乙平台")
    make_user("user_a", "platform", "pa")
    make_user("user_b", "platform", "pb")
    headers_a = {"Authorization": f"Bearer {_token(client, 'user_a')}"}
    headers_b = {"Authorization": f"Bearer {_token(client, 'user_b')}"}
    api = app.test_client()
    bad = ledger_frame(6)
    bad.loc[1, "办理状态"] = "已完成"
    bad.loc[4, "受理时间"] = "2026-13-01"
    inline_rejected = _post(api, headers_b, to_csv_bytes(bad))  # platform b: in the request
    assert inline_rejected.status_code == 422

    app.config["LEDGER_ISOLATE_BYTES"] = 0  # platform a: every file in a child process
    data = to_csv_bytes(ledger_frame(9))
    r = _post(api, headers_a, data)
    assert r.status_code == 201, r.json
    assert r.json["created"] == 9 and r.json["status"] == "accepted" and r.json["check_error"] is None
    sub_id = r.json["id"]
    assert session.scalar(select(func.count()).select_from(Report)) == 9
    runs = session.scalars(select(CheckRun).where(CheckRun.trigger == "submission")).all()
    assert {run.platform_id for run in runs} == {session.get(LedgerSubmission, sub_id).platform_id}  # b's file was rejected
    check_event = session.scalar(select(AuditEvent).where(AuditEvent.action == "check.run"))
    assert check_event.actor_name.startswith("api:") and check_event.actor_role == "platform"
    accepted = session.scalar(select(AuditEvent).where(AuditEvent.action == "ledger.accepted"))
    assert accepted.actor_name == check_event.actor_name

    again = _post(api, headers_a, data, name="again.csv")
    assert again.status_code == 200 and again.json["duplicate"] is True and again.json["id"] == sub_id

    rejected = _post(api, headers_a, to_csv_bytes(bad))
    assert rejected.status_code == 422 and rejected.json["errors"] == inline_rejected.json["errors"]
    assert len(rejected.json["errors"]) == 2 and session.scalar(select(func.count()).select_from(Report)) == 9

    refused = _post(api, headers_a, data, period="2026-13")
    assert refused.status_code == 400 and "报送月份" in refused.json["message"]
    assert session.scalar(select(func.count()).select_from(LedgerSubmission)) == 3  # b's, a's accepted and rejected


def test_a_web_upload_imported_in_a_child_process(app, client, make_platform, make_user, session):
    make_platform("pa", "甲平台")
    make_user("user_a", "platform", "pa")
    app.config["LEDGER_ISOLATE_BYTES"] = 0
    login(client, "user_a")
    r = client.post("/ledgers/upload", data={"period": "2026-10",
                                              "file": (io.BytesIO(to_csv_bytes(ledger_frame(5))), "l.csv")})
    assert r.status_code == 302
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "台账已接收" in page
    sub = session.scalar(select(LedgerSubmission))
    assert sub.status == "accepted" and sub.created_count == 5 and sub.submitted_by_name == "user_a"
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "check.run"))
    assert event.actor_name == "user_a"


def _nice_of_this_thread() -> int:
    return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())


def test_a_child_import_works_below_the_server_priority_and_commits_at_it(app, make_platform, session):
    # The import gives way to the web server's requests when the CPU is short, but its commit,
    # which takes the audit chain's head, never waits at the lower priority.
    make_platform("pa")
    seen: dict = {}

    def at_commit(_session):
        seen.setdefault("commits", []).append((threading.get_native_id(), _nice_of_this_thread()))

    def work(s):
        seen["work"] = (threading.get_native_id(), _nice_of_this_thread())
        auditlog.record(s, "test.child", "platform", 1, None, {"n": 1}, actor=auditlog.SYSTEM)
        s.commit()
        return "done"

    here = (threading.get_native_id(), _nice_of_this_thread())
    event.listen(Session, "before_commit", at_commit)
    try:
        assert at_lower_priority(app, work, 3) == "done"
    finally:
        event.remove(Session, "before_commit", at_commit)
    assert seen["work"][0] != here[0] and seen["work"][1] == min(here[1] + 3, 19)
    assert seen["commits"] == [here]
    stored = session.scalar(select(AuditEvent).where(AuditEvent.action == "test.child"))
    assert stored is not None and stored.seq is not None
    with app.app_context():
        assert auditlog.verify(dbmod.session()).ok


def test_a_child_import_sees_its_failed_commit_and_its_own_errors(app, make_platform, session):
    make_platform("pa")

    def duplicate_platform(s):
        s.add(Platform(code="pa", name="重复", uscc="91440300708461136T", onboarded="2025-01",
                       created_at=datetime(2026, 11, 1), updated_at=datetime(2026, 11, 1)))
        try:
            s.commit()
        except IntegrityError:
            s.rollback()
            return "refused"
        return "stored"

    assert at_lower_priority(app, duplicate_platform, 2) == "refused"
    with pytest.raises(ValueError, match="坏文件"):
        at_lower_priority(app, lambda s: (_ for _ in ()).throw(ValueError("坏文件")), 2)
    assert session.scalar(select(func.count()).select_from(Platform)) == 1



def test_the_childs_database_work_takes_no_parallel_workers(app):
    """The child imports below the server's priority; on PostgreSQL its queries run in its one
    backend (parallel workers would run at the database's full priority beside it), while the
    web server's connections keep the server's setting. (SQLite has no such workers: nothing to
    change there, and the PostgreSQL pass of the suite runs this.)"""
    url = app.config["DATABASE_URL"]
    if not url.startswith("postgresql"):
        pytest.skip("PostgreSQL only: SQLite runs no parallel workers")
    child, web = dbmod.make_engine(url), dbmod.make_engine(url)
    try:
        with web.connect() as c:
            default = c.exec_driver_sql("SHOW max_parallel_workers_per_gather").scalar()
        assert default != "0"  # (the server's default is 2)
        with child.connect() as c:  # open before the change: not handed out again as it was
            c.exec_driver_sql("SELECT 1")
        dbmod.without_parallel_workers(child)
        for _ in range(2):  # each connection, also once it has been back in the pool
            with child.connect() as c:
                assert c.exec_driver_sql("SHOW max_parallel_workers_per_gather").scalar() == "0"
                c.commit()
        with web.connect() as c:
            assert c.exec_driver_sql("SHOW max_parallel_workers_per_gather").scalar() == default
    finally:
        child.dispose()
        web.dispose()
