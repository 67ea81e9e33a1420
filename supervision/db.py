"""Database engine, sessions and schema upgrades.

One SQLAlchemy engine per application; one session per request (or CLI command), removed at
teardown. Services take a session and never commit; the caller commits once.
"""
from __future__ import annotations

import threading
import time
import weakref
from contextlib import contextmanager
from pathlib import Path

from flask import Flask, current_app, g
from sqlalchemy import MetaData, create_engine, event, inspect
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# A writer waits this long for another to finish: longer than the longest write transaction
# (storing a 1,000,000-row ledger holds the lock for about 20 s on SQLite), so a complaint filed
# meanwhile waits instead of failing.
SQLITE_BUSY_TIMEOUT_MS = 60000


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False}
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # pragma: no branch
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        @event.listens_for(engine, "checkout")
        def _sqlite_default_wait(dbapi_conn, _record, _proxy):  # pragma: no branch
            # a connection whose wait was shortened for one write (a session's touch, a stored
            # figure) waits the full time again for whoever takes it next
            dbapi_conn.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def without_parallel_workers(engine: Engine) -> None:
    """PostgreSQL: every connection ``engine`` opens from now on runs each query in its own
    backend alone, without parallel workers. For work below the server's priority (a large
    ledger's child process): its backend and its parallel workers run at the database's normal
    priority, which the child's lower one does not reach, and on a small server two parallel
    workers beside the backend took every core from the pages for minutes (a scorecard's month
    query, seen in the load test). Connections already open are closed first."""
    if engine.dialect.name != "postgresql":
        return

    @event.listens_for(engine, "connect")
    def _serial(dbapi_conn, _record):  # pragma: no branch
        with dbapi_conn.cursor() as cur:
            cur.execute("SET max_parallel_workers_per_gather = 0")
        dbapi_conn.commit()

    engine.dispose()


_SIDE_ENGINES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_SIDE_LOCK = threading.Lock()


def side_engine(main: Engine) -> Engine:
    """A small pool of autocommit connections beside ``main``, for a one-statement transaction
    made while the caller's session holds a connection of the main pool (a complaint's number).
    Taken from the main pool, fifty such callers each holding one connection and waiting for a
    second would wait until the pool's timeout; here nobody holding one waits for another.
    Disposed with ``main``."""
    with _SIDE_LOCK:
        side = _SIDE_ENGINES.get(main)
        if side is None:
            side = create_engine(main.url, pool_pre_ping=True, pool_size=2, max_overflow=8,
                                 isolation_level="AUTOCOMMIT")
            _SIDE_ENGINES[main] = side
            event.listen(main, "engine_disposed", lambda _engine, side=side: side.dispose())
    return side


# SQLite: once a brief wait has found the single write lock held beyond its time (a large
# ledger's transaction holds it for minutes), the process expects it to be held a while longer:
# for this many seconds its deferrable writes wait only SQLITE_BUSY_WAIT_MS, then one of them
# waits in full again, while the others keep to the short wait. Without this every page view of
# every user due for a session touch waited its 250 ms in vain, for the whole of a large import
# (the staff median in the SQLite load test).
SQLITE_BUSY_BACKOFF_SECONDS = 5.0
SQLITE_BUSY_WAIT_MS = 20
_busy_guard = threading.Lock()
_sqlite_busy_until: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # engine -> monotonic time
_sqlite_probing: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # engine -> a full wait under way


def _monotonic() -> float:
    return time.monotonic()


def _sqlite_wait_ms(engine: Engine, milliseconds: int) -> tuple[int, bool]:
    """The wait a deferrable write gets now, and whether it is the process's one full wait."""
    with _busy_guard:
        if sqlite_busy_lately(engine) or _sqlite_probing.get(engine):
            return min(milliseconds, SQLITE_BUSY_WAIT_MS), False
        _sqlite_probing[engine] = True
        return milliseconds, True


@contextmanager
def brief_wait(conn, milliseconds: int):
    """Within the block, a write on ``conn`` (a Connection in a transaction) waits at most
    ``milliseconds`` for a lock another transaction holds, then fails with OperationalError:
    for writes that can as well be done later (a session's touch, a stored figure, a filing the
    intake journal takes). SQLite: the connection's busy timeout, restored afterwards; only
    ``SQLITE_BUSY_WAIT_MS`` while another thread of the process waits in full, or for
    ``SQLITE_BUSY_BACKOFF_SECONDS`` after a full wait found the database busy
    (``sqlite_busy_lately``). PostgreSQL: ``SET LOCAL lock_timeout``, which ends with the
    transaction (a lock there is one row's, not the database's)."""
    sqlite = conn.dialect.name == "sqlite"
    raw = conn.connection.driver_connection
    engine = conn.engine
    full = False
    if sqlite:
        wait, full = _sqlite_wait_ms(engine, int(milliseconds))
        raw.execute(f"PRAGMA busy_timeout = {wait}")
    else:
        conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{int(milliseconds)}ms'")
    try:
        yield
    except OperationalError as e:
        if full and is_busy(e):
            with _busy_guard:
                _sqlite_busy_until[engine] = _monotonic() + SQLITE_BUSY_BACKOFF_SECONDS
        raise
    finally:
        if full:
            with _busy_guard:
                _sqlite_probing.pop(engine, None)
        # A block that commits its session has given the connection back to the pool by now
        # (closed outright when it was an overflow connection; perhaps already taken by another
        # thread): it is no longer ours to touch, and the pool's checkout resets its wait for
        # whoever takes it next.
        if sqlite and not conn.closed and not conn.invalidated:
            raw.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")


def sqlite_busy_lately(engine: Engine) -> bool:
    """SQLite: whether a brief wait of this process found ``engine``'s database busy within the
    last ``SQLITE_BUSY_BACKOFF_SECONDS``."""
    return _sqlite_busy_until.get(engine, 0.0) > _monotonic()


def is_busy(e: BaseException) -> bool:
    """Whether ``e`` is SQLite's "database is locked" / busy error (as SQLAlchemy wraps it, or
    from the sqlite3 module directly): another connection held the write lock too long."""
    import sqlite3

    if not isinstance(e, (OperationalError, sqlite3.OperationalError)):
        return False
    text = str(getattr(e, "orig", e)).lower()
    return "locked" in text or "busy" in text


def dialect_insert(dialect_name: str):
    """The ``insert`` construct with ``on_conflict_do_update/do_nothing`` for the dialect."""
    if dialect_name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


def init_app(app: Flask) -> None:
    from supervision import auditlog

    auditlog.install()
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["db_engine"] = engine
    app.extensions["db_sessionmaker"] = sessionmaker(bind=engine, expire_on_commit=False)
    app.teardown_appcontext(_close_session)


def engine() -> Engine:
    return current_app.extensions["db_engine"]


def session() -> Session:
    """The session of the current request or command."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["db_sessionmaker"]()
    return g.db_session


def _close_session(_exc=None) -> None:
    s = g.pop("db_session", None)
    if s is not None:
        s.close()


def is_postgres(bind=None) -> bool:
    return (bind or engine()).dialect.name == "postgresql"


def alembic_config(connection=None):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def upgrade(bind: Engine | None = None) -> None:
    """Bring the schema to the newest migration; does nothing when already there."""
    from alembic import command

    bind = bind or engine()
    with bind.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            # SQLite migrations recreate a table to alter it (copy, drop, rename); with foreign
            # keys enforced, dropping a referenced table would refuse, or cascade-delete its
            # referencing rows. The pragma only takes effect outside a transaction.
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            conn.commit()
        try:
            with conn.begin():
                command.upgrade(alembic_config(conn), "head")
                if sqlite:
                    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise RuntimeError(f"schema upgrade left rows without their referenced rows: {broken[:5]}")
        finally:
            if sqlite:
                conn.exec_driver_sql("PRAGMA foreign_keys=ON")
                conn.commit()


def current_revision(bind: Engine | None = None) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with (bind or engine()).connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def table_names(bind: Engine | None = None) -> list[str]:
    return inspect(bind or engine()).get_table_names()
