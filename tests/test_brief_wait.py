"""Writes that can as well be done later (a session's touch, a stored figure, a public filing the
intake journal takes) wait only briefly for a lock; on SQLite, once the single write lock was
found held beyond that, the process does not wait the full time again for a few seconds."""
from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from supervision import db


def _effective_wait_ms(conn) -> int:
    if conn.dialect.name == "sqlite":
        return int(conn.connection.driver_connection.execute("PRAGMA busy_timeout").fetchone()[0])
    return int(conn.exec_driver_sql("SHOW lock_timeout").scalar().removesuffix("ms"))


def _touch_while_held(engine) -> None:
    """A deferrable write that finds the lock held by another transaction and gives up."""
    with Session(engine) as s:
        with pytest.raises(OperationalError):
            with db.brief_wait(s.connection(), 50):
                s.execute(text("UPDATE audit_head SET seq = seq WHERE id = 1"))
                s.commit()
        s.rollback()


def test_after_finding_the_database_busy_deferrable_writes_wait_briefly_for_a_while(app, monkeypatch):
    engine = app.extensions["db_engine"]
    now = [1000.0]
    monkeypatch.setattr(db, "_monotonic", lambda: now[0])
    sqlite = engine.dialect.name == "sqlite"

    with Session(engine) as s, Session(engine) as other:
        with db.brief_wait(s.connection(), 250):
            assert _effective_wait_ms(s.connection()) == 250  # the database was not found busy
            with db.brief_wait(other.connection(), 250):
                # SQLite: while one write of the process waits its full time for the database,
                # another does not wait as well
                assert _effective_wait_ms(other.connection()) == (db.SQLITE_BUSY_WAIT_MS if sqlite else 250)
            other.rollback()
        s.rollback()
    with Session(engine) as s:
        with db.brief_wait(s.connection(), 250):
            assert _effective_wait_ms(s.connection()) == 250  # that write is done: the full wait again
        s.rollback()

    holder = create_engine(app.config["DATABASE_URL"])
    try:
        with holder.connect() as conn:
            if sqlite:
                conn.exec_driver_sql("BEGIN IMMEDIATE")  # the single write lock, as an import holds it
            else:
                conn.execute(text("SELECT 1 FROM audit_head FOR UPDATE"))
            _touch_while_held(engine)
            conn.rollback()
    finally:
        holder.dispose()

    assert db.sqlite_busy_lately(engine) is sqlite
    with engine.connect() as conn:
        # an ordinary write (a handler's decision, a ledger) still waits its full time
        assert _effective_wait_ms(conn) == (db.SQLITE_BUSY_TIMEOUT_MS if sqlite else 0)
    with Session(engine) as s:
        with db.brief_wait(s.connection(), 250):
            # SQLite: the whole database was busy a moment ago, so the next deferrable write
            # tries without waiting out its 250 ms again; PostgreSQL: a lock is one row's, and
            # another row's write waits its full time
            assert _effective_wait_ms(s.connection()) == (db.SQLITE_BUSY_WAIT_MS if sqlite else 250)
            s.execute(text("UPDATE audit_head SET seq = seq WHERE id = 1"))  # the lock is free again
            s.commit()

    now[0] += db.SQLITE_BUSY_BACKOFF_SECONDS + 0.1
    assert not db.sqlite_busy_lately(engine)
    with Session(engine) as s:
        with db.brief_wait(s.connection(), 250):
            assert _effective_wait_ms(s.connection()) == 250  # after a while, the full wait again
        s.rollback()


def test_only_sqlites_lock_errors_count_as_busy():
    import sqlite3

    assert db.is_busy(sqlite3.OperationalError("database is locked"))
    assert db.is_busy(OperationalError("INSERT ...", {}, sqlite3.OperationalError("database is busy")))
    assert not db.is_busy(sqlite3.OperationalError("no such table: complaints"))
    assert not db.is_busy(ValueError("the handler is busy"))
