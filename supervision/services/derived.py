"""Figures derived from a platform's reports or findings, computed once per version of its data.

Every change of a platform's reports or findings raises the platform's data version in the
same transaction (``bump``: an accepted ledger, a check run, a complaint's CMP finding); an
accepted ledger raises its reports' version too, which the figures read from reports alone
(异常信号, the account watch) are kept with. A page
that aggregates a whole month (异常信号, the findings behind a scorecard's lost points, the
findings list's counts) asks ``cached`` for the figure: it is read from ``derived_figures`` while
the version it was computed from is still current, and computed again (and stored) otherwise.
Before this, every such page view aggregated up to a million rows, which the load test showed
saturating the machine.

The stored figure is a cache: it is written in a short transaction of its own (a page view's
session writes nothing), and a write that cannot get its lock within a moment is skipped,
never waited for long. The process then keeps the figure in memory for its version
(``_UNSTORED``), so that while a large import holds SQLite's write lock each page view does not
compute it again (seen in the load test: every view of 异常信号 aggregating eight months).
"""
from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session

from supervision import clock
from supervision.db import brief_wait, dialect_insert
from supervision.models import DataVersion, DerivedFigure

log = logging.getLogger(__name__)

# SQLite has one writer at a time: the store waits this long for the lock between other
# transactions (complaints filed, sessions touched), never for a long import.
SQLITE_STORE_WAIT_MS = 250

# Figures computed but not stored (the database was busy), by (key, version): a version never
# comes back once outdated, so an entry is right for as long as it is asked for.
UNSTORED_KEEP = 64
_UNSTORED: OrderedDict[tuple[str, str], str] = OrderedDict()
_unstored_guard = threading.Lock()

_key_locks: dict[str, threading.Lock] = {}
_key_locks_guard = threading.Lock()


def bump(session: Session, platform_id: int, now: datetime | None = None, *, reports: bool = False) -> None:
    """Raise the platform's data version in the caller's transaction; with ``reports`` (its
    reports changed, not only its findings) its reports' version as well."""
    now = now or clock.now()
    step = 1 if reports else 0
    stmt = dialect_insert(session.get_bind().dialect.name)(DataVersion).values(
        platform_id=platform_id, version=1, reports_version=step, changed_at=now)
    session.execute(stmt.on_conflict_do_update(index_elements=["platform_id"], set_={
        "version": DataVersion.version + 1, "reports_version": DataVersion.reports_version + step,
        "changed_at": now}))


def version_of(session: Session, platform_id: int | None, *, reports_only: bool = False) -> str:
    """The data version of one platform, or of all of them (``None``) as one string; with
    ``reports_only`` the version of the reports alone, for figures that read no findings
    (a check run leaves them current)."""
    column = DataVersion.reports_version if reports_only else DataVersion.version
    kind = "r" if reports_only else ""
    if platform_id is None:
        total, count = session.execute(select(func.coalesce(func.sum(column), 0),
                                              func.count()).select_from(DataVersion)).one()
        return f"all:{kind}{int(total)}:{int(count)}"
    version = session.scalar(select(column).where(DataVersion.platform_id == platform_id))
    return f"{platform_id}:{kind}{int(version or 0)}"


def _lock(key: str) -> threading.Lock:
    with _key_locks_guard:
        return _key_locks.setdefault(key, threading.Lock())


def _stored(session: Session, key: str, version: str):
    payload = session.scalar(select(DerivedFigure.payload).where(DerivedFigure.key == key,
                                                                DerivedFigure.version == version))
    return None if payload is None else json.loads(payload)


def cached(session: Session, key: str, version: str, compute: Callable[[], object]):
    """The figure stored under ``key`` for ``version``, or ``compute()`` (a JSON-able value)
    stored for it. Either way the caller gets the value as JSON gives it back (lists, not tuples),
    so a computed and a stored figure look the same."""
    assert len(key) <= 255 and len(version) <= 255, key
    found = _stored(session, key, version)
    if found is not None:
        return found["value"]
    engine = session.get_bind()
    with _lock(key):  # one computation per process and key; the others wait for its result
        payload = _unstored(key, version)
        if payload is not None:
            return json.loads(payload)["value"]
        with Session(bind=engine) as fresh:
            _one_process_at_a_time(fresh, key)
            found = _stored(fresh, key, version)
            if found is not None:
                return found["value"]
            payload = json.dumps({"value": compute()}, ensure_ascii=False)
            if not _store(engine, key, version, payload):
                _keep_unstored(key, version, payload)
    return json.loads(payload)["value"]


def _unstored(key: str, version: str) -> str | None:
    with _unstored_guard:
        payload = _UNSTORED.get((key, version))
        if payload is not None:
            _UNSTORED.move_to_end((key, version))
        return payload


def _keep_unstored(key: str, version: str, payload: str) -> None:
    with _unstored_guard:
        for old in [k for k in _UNSTORED if k[0] == key]:  # this key's outdated versions
            del _UNSTORED[old]
        _UNSTORED[(key, version)] = payload
        while len(_UNSTORED) > UNSTORED_KEEP:
            _UNSTORED.popitem(last=False)


# How long a server process waits for another that computes the same figure before computing
# it as well.
CROSS_PROCESS_WAIT_MS = 60_000


def _one_process_at_a_time(fresh: Session, key: str) -> None:
    """PostgreSQL: take a transaction-level advisory lock on ``key`` in ``fresh`` (held until
    ``fresh`` ends), so that of the server's processes one computes a figure and the others
    wait and read what it stored. When a ledger's commit made a figure outdated, every worker
    process recomputed it at once (a figure of eight months of a million-row platform each),
    and the machine's cores went to that (found by the load test). A wait that times out
    computes the figure after all."""
    if fresh.get_bind().dialect.name != "postgresql":
        return
    lock_id = int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big", signed=True)
    try:
        with brief_wait(fresh.connection(), CROSS_PROCESS_WAIT_MS):
            fresh.execute(select(func.pg_advisory_xact_lock(lock_id)))
    except OperationalError:
        log.warning("derived figure %s: another process computes it for too long; computing it here", key)
        fresh.rollback()


def _store(engine, key: str, version: str, payload: str) -> bool:
    """Store the figure; False when the database was too busy (or refused)."""
    now = clock.now()
    try:
        with engine.connect() as conn:
            wait = SQLITE_STORE_WAIT_MS if conn.dialect.name == "sqlite" else 1000
            with brief_wait(conn, wait):
                stmt = dialect_insert(conn.dialect.name)(DerivedFigure).values(key=key, version=version,
                                                                               payload=payload, computed_at=now)
                conn.execute(stmt.on_conflict_do_update(index_elements=["key"], set_={
                    "version": version, "payload": payload, "computed_at": now}))
                conn.commit()
    except SQLAlchemyError as e:  # a cache: kept in memory here, stored by a later computation
        log.warning("derived figure %s not stored: %s", key, getattr(e, "orig", None) or type(e).__name__)
        return False
    return True
