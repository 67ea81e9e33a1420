"""SQLite only: the intake journal of public complaint filings.

SQLite has one writer at a time. While a platform's million-row ledger is stored (one
transaction, a minute or more under load) every filing waited for the write lock, ten a second,
until the server's threads were all waiting and the filings that waited longest failed (found by
the load test). A member of the public must never lose a complaint, nor wait for a ledger.

So on SQLite a filing is first written to a journal: a small SQLite file of its own beside the
database (``<database file>.intake``, its own write lock, held for a millisecond), which also
holds the day's tracking-number counter. Then, in the same request, the filing is entered into
the database proper if the write lock can be had within ``ADMIT_WAIT_MS``; otherwise the
complainant gets the tracking number and query code at once and the filing is entered later
(the scheduler process every ``ADMIT_EVERY_SECONDS``, the next filing that gets through, the
public query), with the time it was filed. A journal row is deleted once its complaint is in
the database, so personal data stays in the journal only for the seconds it waits
(``secure_delete`` overwrites it).

The journal's counter takes over from the database's ``complaint_counters`` (which admission
keeps at least as high), so a journal file that is lost or reset starts again after the last
number entered; only filings still waiting in a lost journal would be lost with it.

PostgreSQL locks rows, not the database: filings go straight in (``complaints.file_complaint``).
"""
from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
import weakref
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

SUFFIX = ".intake"
ADMIT_WAIT_MS = 300  # how long a filing waits for the database's write lock before it is journalled
ADMIT_BATCH = 20  # filings a request enters besides its own
ADMIT_CHUNK = 50  # filings entered in one transaction
RETRY_AFTER_SECONDS = 300  # a filing that failed is tried again by a later pass, not this one
MAX_ATTEMPTS = 5  # a filing that failed this often waits for a person (it is logged each time)
ADMIT_EVERY_SECONDS = 15  # the scheduler process's pass
OWN_CLAIM_SECONDS = 30  # the filing's own request enters it; nobody else tries meanwhile
CLAIM_SECONDS = 120  # a pass entering a journalled filing
JOURNAL_BUSY_MS = 10000  # journal writes take a millisecond; this only bounds a pathological wait

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS counters (day TEXT PRIMARY KEY, last INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS filings (tracking_no TEXT PRIMARY KEY, filed_at TEXT NOT NULL, "
    "payload TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT NOT NULL DEFAULT '', "
    "claimed_until REAL NOT NULL DEFAULT 0)",
)

_PATHS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def journal_path(engine: Engine) -> Path | None:
    """The journal file of ``engine``'s database; None when filings go straight in
    (PostgreSQL, an in-memory SQLite database)."""
    if engine.dialect.name != "sqlite":
        return None
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database + SUFFIX)


def _open(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(str(path), timeout=JOURNAL_BUSY_MS / 1000, isolation_level=None,
                           check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")  # a filing acknowledged is on disk
    conn.execute("PRAGMA secure_delete=ON")  # personal data of entered filings is overwritten
    conn.execute(f"PRAGMA busy_timeout={JOURNAL_BUSY_MS}")
    return conn


def _journal(engine: Engine) -> sqlite3.Connection | None:
    """A new connection to the journal (created with its tables on first use); the caller closes it."""
    path = journal_path(engine)
    if path is None:
        return None
    with _LOCK:
        if _PATHS.get(engine) != path:
            path.parent.mkdir(parents=True, exist_ok=True)
            conn = _open(path)
            try:
                for stmt in _SCHEMA:
                    conn.execute(stmt)
            finally:
                conn.close()
            _PATHS[engine] = path
    return _open(path)


def in_use(session: Session) -> bool:
    return journal_path(session.get_bind().engine) is not None


@dataclass
class Waiting:
    tracking_no: str
    filed_at: datetime
    payload: dict
    attempts: int
    last_error: str


def record(session: Session, day: date, make_payload) -> tuple[str, dict]:
    """Draw the day's next tracking number and journal the filing in one journal transaction;
    ``make_payload(tracking_no)`` gives the filing's fields. Returns (tracking_no, payload).
    Durable when it returns."""
    from supervision.models import ComplaintCounter
    from supervision.standard import complaints as std

    engine = session.get_bind().engine
    entered = session.scalar(select(ComplaintCounter.last).where(ComplaintCounter.day == day)) or 0
    conn = _journal(engine)
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            seq = conn.execute(
                "INSERT INTO counters (day, last) VALUES (?, ?) "
                "ON CONFLICT (day) DO UPDATE SET last = max(last, excluded.last - 1) + 1 RETURNING last",
                (day.isoformat(), entered + 1)).fetchone()[0]
            tracking = std.tracking_number(day, seq)
            payload = make_payload(tracking)
            conn.execute("INSERT INTO filings (tracking_no, filed_at, payload, claimed_until) VALUES (?, ?, ?, ?)",
                         (tracking, payload["filed_at"], json.dumps(payload, ensure_ascii=False),
                          time.time() + OWN_CLAIM_SECONDS))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    finally:
        conn.close()
    return tracking, payload


def release(engine: Engine, tracking_nos: list[str]) -> None:
    """Let a pass take these filings now (their request or pass could not enter them)."""
    if not tracking_nos:
        return
    conn = _journal(engine)
    try:
        conn.executemany("UPDATE filings SET claimed_until = 0 WHERE tracking_no = ?", [(t,) for t in tracking_nos])
    finally:
        conn.close()


def _waiting(rows) -> list[Waiting]:
    return [Waiting(t, datetime.fromisoformat(f), json.loads(p), a, e) for t, f, p, a, e in rows]


def waiting(engine: Engine, tracking_no: str | None = None) -> list[Waiting]:
    """Journalled filings not yet known to be entered (all, or the one numbered so), oldest first."""
    conn = _journal(engine)
    if conn is None:
        return []
    try:
        sql = "SELECT tracking_no, filed_at, payload, attempts, last_error FROM filings"
        args: tuple = ()
        if tracking_no is not None:
            sql += " WHERE tracking_no = ?"
            args = (tracking_no,)
        rows = conn.execute(sql + " ORDER BY filed_at, tracking_no", args).fetchall()
    finally:
        conn.close()
    return _waiting(rows)


def is_waiting(engine: Engine, tracking_no: str, code: str) -> bool:
    """A journalled filing not yet entered, with this number and query code (the public query)."""
    from supervision.passwords import verify_generated_secret

    if journal_path(engine) is None:
        return False
    rows = waiting(engine, (tracking_no or "").strip().upper())
    return bool(rows) and verify_generated_secret(rows[0].payload["query_code_hash"], (code or "").strip().upper())


def count_waiting(engine: Engine) -> int:
    return counts(engine)[0]


def counts(engine: Engine) -> tuple[int, int]:
    """(filings waiting, of which failed ``MAX_ATTEMPTS`` times and wait for a person)."""
    conn = _journal(engine)
    if conn is None:
        return 0, 0
    try:
        total, stuck = conn.execute("SELECT count(*), coalesce(sum(attempts >= ?), 0) FROM filings",
                                    (MAX_ATTEMPTS,)).fetchone()
        return total, stuck
    finally:
        conn.close()


def forget(engine: Engine, tracking_nos: list[str]) -> None:
    """Delete the journal rows of filings now entered (call after the commit that entered them)."""
    if not tracking_nos:
        return
    conn = _journal(engine)
    if conn is None:
        return
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany("DELETE FROM filings WHERE tracking_no = ?", [(t,) for t in tracking_nos])
        empty = conn.execute("SELECT NOT EXISTS (SELECT 1 FROM filings)").fetchone()[0]
        conn.execute("COMMIT")
        if empty:
            # the write-ahead log still holds the pages as they were; fold it into the
            # (overwritten) file and empty it, so no personal data of an entered filing stays
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


def _failed(engine: Engine, w: Waiting, error: Exception) -> None:
    """A filing that could not be entered: entered meanwhile by another process (its row goes),
    or kept with the error for the next pass and the log."""
    if sweep(engine, [w.tracking_no]):
        return
    log.error("journalled complaint filing %s could not be entered: %r", w.tracking_no, error)
    conn = _journal(engine)
    try:
        conn.execute("UPDATE filings SET attempts = attempts + 1, last_error = ?, claimed_until = ? "
                     "WHERE tracking_no = ?",
                     (repr(error)[:500], time.time() + RETRY_AFTER_SECONDS, w.tracking_no))
    finally:
        conn.close()


def sweep(engine: Engine, numbers: list[str] | None = None) -> int:
    """Delete the journal rows (of ``numbers``, or all) whose complaints are in the database
    (entered by a transaction that committed before its journal row could be deleted).
    Returns how many."""
    from supervision.models import Complaint

    if numbers is None:
        conn = _journal(engine)
        if conn is None:
            return 0
        try:  # the numbers alone: every filing that gets in sweeps, however long the journal
            numbers = [t for (t,) in conn.execute("SELECT tracking_no FROM filings")]
        finally:
            conn.close()
    if not numbers:
        return 0
    with Session(engine) as s:
        entered = set(s.scalars(select(Complaint.tracking_no).where(Complaint.tracking_no.in_(numbers))))
    forget(engine, sorted(entered))
    return len(entered)


def _claim_batch(engine: Engine, n: int) -> list[Waiting]:
    """Take the ``n`` oldest journalled filings nobody holds (one atomic statement)."""
    conn = _journal(engine)
    try:
        now = time.time()
        rows = conn.execute(
            "UPDATE filings SET claimed_until = ? WHERE claimed_until <= ? AND tracking_no IN ("
            " SELECT tracking_no FROM filings WHERE claimed_until <= ? AND attempts < ?"
            " ORDER BY filed_at, tracking_no LIMIT ?) "
            "RETURNING tracking_no, filed_at, payload, attempts, last_error",
            (now + CLAIM_SECONDS, now, now, MAX_ATTEMPTS, n)).fetchall()
    finally:
        conn.close()
    return sorted(_waiting(rows), key=lambda w: (w.filed_at, w.tracking_no))


def admit_waiting(session_factory, engine: Engine, *, limit: int | None = None,
                  wait_ms: int = ADMIT_WAIT_MS) -> tuple[int, int]:
    """Enter journalled filings into the database, oldest first, up to ``ADMIT_CHUNK`` in a
    transaction (committed here: this is the job's use case, not a step of another); stops when
    the write lock cannot be had within ``wait_ms``. Returns (entered, still waiting); (0, 0)
    where filings go straight in (PostgreSQL)."""
    if journal_path(engine) is None:
        return 0, 0
    sweep(engine)
    entered = 0
    left = limit
    while left is None or left > 0:
        batch = _claim_batch(engine, ADMIT_CHUNK if left is None else min(ADMIT_CHUNK, left))
        if not batch:
            break
        done, busy = _enter(session_factory, engine, batch, wait_ms)
        entered += done
        if busy:
            break
        if left is not None:
            left -= len(batch)
    return entered, count_waiting(engine)


def _enter(session_factory, engine: Engine, batch: list[Waiting], wait_ms: int) -> tuple[int, bool]:
    """Enter the claimed filings in one transaction; when one of them fails, each on its own.
    Returns (entered, the database was busy)."""
    from supervision.db import brief_wait, is_busy
    from supervision.services import complaints as svc

    with session_factory() as s:
        try:
            with brief_wait(s.connection(), wait_ms):
                for w in batch:
                    svc.enter_filing(s, w.payload, late=True)
                s.commit()
        except Exception as e:  # noqa: BLE001 - one bad filing never holds up the others
            s.rollback()
            if is_busy(e):
                release(engine, [w.tracking_no for w in batch])
                return 0, True
            error = e
        else:
            forget(engine, [w.tracking_no for w in batch])
            return len(batch), False
    if len(batch) == 1:
        _failed(engine, batch[0], error)
        return 0, False
    entered = 0
    for i, w in enumerate(batch):
        done, busy = _enter(session_factory, engine, [w], wait_ms)
        if busy:
            release(engine, [x.tracking_no for x in batch[i + 1:]])
            return entered, True
        entered += done
    return entered, False
