"""SQLite: complaints filed while another transaction holds the database's write lock (a ledger
being stored) are journalled beside the database, answered at once with their tracking number
and query code, and entered once the lock is free, with the time they were filed.

These tests run on a SQLite file of their own whatever TEST_DATABASE_URL says: the journal
exists only there."""
from __future__ import annotations

import io
import re
import sqlite3
import time

import pytest
from sqlalchemy import func, select

from supervision import db as dbmod
from supervision.models import AuditEvent, Complaint, ComplaintEvent, ComplaintFile
from supervision.services import complaint_intake as intake
from tests.complaint_helpers import PNG, filing
from tests.test_complaints import _post_filing


@pytest.fixture(scope="module")
def sqlite_url(tmp_path_factory) -> str:
    url = "sqlite:///" + str(tmp_path_factory.mktemp("intake") / "main.sqlite3")
    engine = dbmod.make_engine(url)
    dbmod.upgrade(engine)
    engine.dispose()
    return url


@pytest.fixture
def app_config(app_config, sqlite_url) -> dict:
    return {**app_config, "DATABASE_URL": sqlite_url}


@pytest.fixture
def pa(make_platform):
    return make_platform("pa", "云帆平台")


class WriteLock:
    """Another process's long write transaction (a ledger being stored), held until released."""

    def __init__(self, app):
        self.conn = sqlite3.connect(app.extensions["db_engine"].url.database, timeout=5, isolation_level=None)
        self.conn.execute("BEGIN IMMEDIATE")

    def release(self):
        if self.conn is not None:
            self.conn.execute("COMMIT")
            self.conn.close()
            self.conn = None


@pytest.fixture
def write_lock(app):
    locks = []

    def take():
        locks.append(WriteLock(app))
        return locks[-1]

    yield take
    for lock in locks:
        lock.release()


def _filed_page(client) -> tuple[str, str]:
    page = client.get("/complaint/filed").get_data(as_text=True)
    return (re.search(r'data-testid="tracking-no">([^<]+)<', page).group(1),
            re.search(r'data-testid="query-code">([^<]+)<', page).group(1))


def _journal_bytes(app) -> bytes:
    path = intake.journal_path(app.extensions["db_engine"])
    return b"".join(p.read_bytes() for p in (path, path.with_name(path.name + "-wal")) if p.exists())


def test_a_complaint_filed_while_a_ledger_holds_the_write_lock_is_answered_at_once_and_entered_later(
        app, client, clock, pa, session, write_lock):
    lock = write_lock()
    started = time.monotonic()
    r = _post_filing(app, client, clock, files=[(io.BytesIO(PNG), "截图.png")], name="李四", contact="13800138000")
    filed_at = clock()
    assert time.monotonic() - started < 10  # not the 60 s a writer would wait for the lock
    assert r.status_code == 302 and r.headers["Location"].endswith("/complaint/filed")
    number, code = _filed_page(client)
    assert number == "TS20261120-00001" and len(code) == 10
    assert session.scalar(select(func.count()).select_from(Complaint)) == 0
    assert b"13800138000" in _journal_bytes(app)  # durable before the answer

    # the public query knows it is being entered, and does not open it with a wrong code
    r = client.post("/complaint/query", data={"tracking_no": number, "code": code})
    assert "已收到，正在登记入库" in r.get_data(as_text=True)
    r = client.post("/complaint/query", data={"tracking_no": number, "code": "WRONGCODE1"})
    assert "正在登记" not in r.get_data(as_text=True) and "投诉编号或查询码不正确" in r.get_data(as_text=True)

    lock.release()
    clock.advance(minutes=3)
    from supervision.jobs.scheduler import admit_journalled

    assert admit_journalled(app) == (1, 0)
    c = session.scalar(select(Complaint))
    assert (c.tracking_no, c.name, c.contact, c.filed_at) == (number, "李四", "13800138000", filed_at)
    assert [f.original_name for f in session.scalars(select(ComplaintFile))] == ["截图.png"]
    assert [e.at for e in session.scalars(select(ComplaintEvent))] == [c.filed_at]
    ev = session.scalar(select(AuditEvent).where(AuditEvent.action == "complaint.file"))
    assert ev.actor_role == "public" and '"entered_late": true' in ev.after and "13800138000" not in ev.after
    assert b"13800138000" not in _journal_bytes(app)  # the journal keeps no personal data once entered
    r = client.post("/complaint/query", data={"tracking_no": number, "code": code})
    assert r.status_code == 302 and r.headers["Location"].endswith("/complaint/track")


def test_filings_while_locked_and_after_keep_one_numbering_and_the_next_filing_enters_the_waiting(
        app, client, clock, pa, session, write_lock):
    lock = write_lock()
    for i in range(3):
        assert _post_filing(app, client, clock, report_number=f"R-{i}").status_code == 302
    assert session.scalar(select(func.count()).select_from(Complaint)) == 0
    lock.release()
    assert _post_filing(app, client, clock, report_number="R-9").status_code == 302  # gets in, enters the rest
    numbers = session.scalars(select(Complaint.tracking_no).order_by(Complaint.filed_at)).all()
    assert numbers == [f"TS20261120-{i:05d}" for i in range(1, 5)]
    assert intake.count_waiting(app.extensions["db_engine"]) == 0


def test_numbering_goes_on_after_the_last_entered_number_when_the_journal_file_is_lost(app, pa, session):
    from supervision.services.complaints import file_complaint

    with app.app_context():
        s = dbmod.session()
        for i in range(2):
            file_complaint(s, filing(report_number=f"R-{i}"), app.config["UPLOAD_DIR"])
        s.commit()
        path = intake.journal_path(dbmod.engine())
        for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            p.unlink(missing_ok=True)
        intake._PATHS.clear()  # as after a restart
        third = file_complaint(s, filing(report_number="R-3"), app.config["UPLOAD_DIR"])
        s.commit()
    assert third.tracking_no == "TS20261120-00003"
    assert session.scalar(select(func.count()).select_from(Complaint)) == 3


def test_a_filing_entered_whose_journal_row_was_not_yet_deleted_is_not_entered_twice(app, pa, session):
    """The process ended between the commit that entered the filing and deleting its journal row."""
    from supervision.services.complaints import file_complaint

    with app.app_context():
        s = dbmod.session()
        filed = file_complaint(s, filing(), app.config["UPLOAD_DIR"])
        s.commit()
        engine = dbmod.engine()
        assert [w.tracking_no for w in intake.waiting(engine)] == [filed.tracking_no]  # not forgotten yet
        assert intake.admit_waiting(app.extensions["db_sessionmaker"], engine) == (0, 0)
    assert session.scalar(select(func.count()).select_from(Complaint)) == 1
    assert session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "complaint.file")) == 1


def test_a_filing_that_cannot_be_entered_is_kept_with_its_error_and_holds_up_no_other(app, pa, session, write_lock):
    from supervision.services.complaints import file_complaint

    with app.app_context():
        lock = write_lock()
        s = dbmod.session()
        bad = file_complaint(s, filing(report_number="R-1"), app.config["UPLOAD_DIR"])
        good = file_complaint(s, filing(report_number="R-2"), app.config["UPLOAD_DIR"])
        s.rollback()
        assert bad.complaint is None and good.complaint is None
        lock.release()
        engine = dbmod.engine()
        conn = sqlite3.connect(str(intake.journal_path(engine)))
        conn.execute("UPDATE filings SET payload = json_set(payload, '$.complaint_type', NULL) WHERE tracking_no = ?",
                     (bad.tracking_no,))  # a column the database refuses
        conn.commit()
        conn.close()
        assert intake.admit_waiting(app.extensions["db_sessionmaker"], engine) == (1, 1)
        [left] = intake.waiting(engine)
    assert left.tracking_no == bad.tracking_no and left.attempts == 1 and "complaint_type" in left.last_error
    assert session.scalars(select(Complaint.tracking_no)).all() == [good.tracking_no]


def test_a_backup_holds_the_complaints_journalled_before_it(app, pa, write_lock, tmp_path):
    from supervision.services.backup import create_backup
    from supervision.services.complaints import file_complaint

    with app.app_context():
        lock = write_lock()
        s = dbmod.session()
        assert file_complaint(s, filing(), app.config["UPLOAD_DIR"]).complaint is None
        s.rollback()
        lock.release()
        manifest = create_backup(app, tmp_path / "b.sqlite3")
    assert manifest["tables"]["complaints"] == 1 and manifest["complaints_not_yet_entered"] == 0


def test_the_jobs_page_shows_the_filings_waiting_and_those_that_need_a_person(app, client, pa, make_user, write_lock):
    from supervision.services.complaints import file_complaint
    from tests.conftest import login

    with app.app_context():
        lock = write_lock()
        s = dbmod.session()
        for i in range(2):
            file_complaint(s, filing(report_number=f"R-{i}"), app.config["UPLOAD_DIR"])
        s.rollback()
        lock.release()
        conn = sqlite3.connect(str(intake.journal_path(dbmod.engine())))
        conn.execute("UPDATE filings SET attempts = ? WHERE tracking_no = 'TS20261120-00001'", (intake.MAX_ATTEMPTS,))
        conn.commit()
        conn.close()
    make_user("admin1", "admin")
    login(client, "admin1")
    page = client.get("/admin/jobs/").get_data(as_text=True)
    assert re.search(r"暂存待登记的投诉：<strong>2</strong> 件，.*其中 1 件多次登记失败", page)


def test_where_filings_go_straight_in_there_is_no_journal_to_enter():
    """PostgreSQL (and an in-memory SQLite database): the pass over the journal finds nothing."""
    from sqlalchemy import create_engine
    from sqlalchemy.orm import sessionmaker

    for url in ("sqlite://", "postgresql+psycopg://nobody@127.0.0.1:1/none"):  # never connected to
        engine = create_engine(url)
        assert intake.journal_path(engine) is None
        assert intake.admit_waiting(sessionmaker(bind=engine), engine) == (0, 0)
        assert intake.counts(engine) == (0, 0) and intake.sweep(engine) == 0
