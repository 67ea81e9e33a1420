"""Use case: a platform submits a ledger through the web or the API and is answered at once
with the outcome: the file validated and stored (one transaction), then its checks run and
its months' scores stored again (a second one).

A large file is imported in a child process of its own (``LEDGER_ISOLATE_MB``, default 20 MB)
while the request's thread waits for it. A million-row ledger keeps a core busy for a minute
or two in pandas and Python; in the web server's process that holds the interpreter lock, and
every other request that process serves (staff pages, complaints) stalled for seconds behind
it (found by the load test). The child also gives the import's gigabytes back to the system
when it ends, and is killed with the server process that started it (nothing is half-stored:
the import is one transaction).
"""
from __future__ import annotations

import os
import pickle
import shutil
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from multiprocessing import get_context
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy.orm import Session

from supervision import auditlog, clock, db


@dataclass
class Submitted:
    submission_id: int
    duplicate: bool
    accepted: bool
    error_count: int
    errors: list[dict] = field(default_factory=list)  # row, column, value, message (rejected)
    warnings: list[dict] = field(default_factory=list)
    check_error: str | None = None  # the checks could not run (the submission stands)


def submit_ledger(session: Session, *, platform_id: int, period: str, filename: str, source: Path, channel: str,
                  submitter_id: int | None, actor: auditlog.Actor, checker: str) -> Submitted:
    """Import the file at ``source`` for the platform, commit, and run the checks it calls for.
    Raises ValidationError for a refused period or file (nothing stored), OSError when the
    archive cannot be written."""
    app = current_app._get_current_object()
    if source.stat().st_size >= app.config["LEDGER_ISOLATE_BYTES"]:
        session.commit()  # whatever the request did before is kept, as the import's commit would have kept it
        return _in_child_process(app, dict(platform_id=platform_id, period=period, filename=filename, source=str(source),
                                           channel=channel, submitter_id=submitter_id, actor=actor, checker=checker))
    return _submit(session, platform_id, period, filename, source, channel, submitter_id, actor, checker)


def _submit(session, platform_id, period, filename, source, channel, submitter_id, actor, checker) -> Submitted:
    from supervision.models import Platform, User
    from supervision.services import ValidationError
    from supervision.services.checks import check_after_submission_and_commit, needs_check
    from supervision.services.ledger_import import import_ledger

    config = current_app.config
    try:
        with auditlog.acting_as(actor):
            outcome = import_ledger(session, platform=session.get(Platform, platform_id), period=period,
                                    filename=filename, data=Path(source).read_bytes(), channel=channel,
                                    upload_dir=config["UPLOAD_DIR"],
                                    submitter=session.get(User, submitter_id) if submitter_id else None,
                                    actor=actor, max_bytes=config["LEDGER_MAX_BYTES"])
    except ValidationError:
        session.rollback()
        raise  # (an OSError goes to the caller's error page, which discards the session)
    session.commit()
    with auditlog.acting_as(actor):
        check_error = check_after_submission_and_commit(session, outcome.submission, checker) \
            if needs_check(session, outcome) else None
    return Submitted(outcome.submission.id, outcome.duplicate, outcome.accepted, outcome.error_count,
                     outcome.error_dicts(), [w.as_dict() for w in outcome.warnings], check_error)


@contextmanager
def saved_upload(upload, upload_dir: str):
    """The uploaded file saved to a temporary file under ``upload_dir`` (streamed, never read
    into memory whole), removed afterwards; the import archives its own copy."""
    folder = Path(upload_dir, "tmp")
    folder.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix="upload-", dir=folder)
    try:
        with os.fdopen(fd, "wb") as out:
            shutil.copyfileobj(upload.stream, out, 1024 * 1024)
        yield Path(name)
    finally:
        Path(name).unlink(missing_ok=True)


# The child process ----------------------------------------------------------------------------

def _portable_config(app: Flask) -> dict:
    """The parent's settings that can cross to the child (the test clock cannot: it is
    replaced by the parent's time, running on from the moment of the hand-over)."""
    out = {}
    for key, value in app.config.items():
        if key == "CLOCK":
            continue
        try:
            pickle.dumps(value)
        except Exception:  # noqa: BLE001 - whatever cannot be pickled stays behind
            continue
        out[key] = value
    return out


def _in_child_process(app: Flask, job: dict) -> Submitted:
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn"), initializer=_child_setup) as pool:
        return pool.submit(_child_main, _portable_config(app), clock.now(), job).result()


def _child_setup() -> None:
    """The child is killed when the server process that waits for it dies (Linux)."""
    import ctypes
    import signal

    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the child finishes its transaction alone
        pass


def _child_main(config: dict, parent_now: datetime, job: dict) -> Submitted:
    from app import create_app

    app = create_app(config)
    if config.get("APP_ENV") == "testing":  # keep a test's clock: its time then, running on
        started = time.monotonic()
        app.config["CLOCK"] = lambda: (parent_now + timedelta(seconds=time.monotonic() - started)).replace(
            microsecond=0)

    def work(session: Session) -> Submitted:
        return _submit(session, job["platform_id"], job["period"], job["filename"], Path(job["source"]),
                       job["channel"], job["submitter_id"], job["actor"], job["checker"])

    with app.app_context():
        try:
            niceness = app.config["LEDGER_CHILD_NICE"]
            if niceness and db.engine().dialect.name == "postgresql":
                db.without_parallel_workers(db.engine())
                return at_lower_priority(app, work, niceness)
            return work(db.session())
        finally:
            db.engine().dispose()


def at_lower_priority(app: Flask, work, niceness: int):
    """``work(session)`` run in a thread ``niceness`` steps below this one's CPU priority
    (Linux: a thread's nice value is its own), while this thread, at the server's priority,
    performs every commit of that session; the answer or exception of ``work``.

    An import's reading, validation, storing and checks then give way to the web server's
    requests when the CPU is short. Its commits do not: a commit takes the audit chain's head
    row, and a starved commit (the whole child once ran at nice 10) held it while every
    complaint filed meanwhile queued behind it for 20 s (a priority inversion, seen in the
    load test). Only for PostgreSQL: on SQLite the import holds the database's single write
    lock from its first write, and a slower import is a longer wait for every writer."""
    import queue
    import threading

    commits: queue.Queue = queue.Queue()
    outcome: dict = {}

    def commit_here(session: Session) -> None:
        done, answer = threading.Event(), {}
        commits.put((session, answer, done))
        done.wait()
        if "error" in answer:
            raise answer["error"]

    def run() -> None:
        try:
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), os.getpriority(os.PRIO_PROCESS, 0) + niceness)
        except (OSError, AttributeError):  # not Linux: the thread runs at the process's priority
            pass
        try:
            with app.app_context():
                session = db.session()
                session.commit = lambda: commit_here(session)
                outcome["value"] = work(session)
        except BaseException as exc:  # noqa: BLE001 - handed to the waiting thread as it is
            outcome["error"] = exc
        finally:
            commits.put(None)

    worker = threading.Thread(target=run, name="ledger-import", daemon=True)
    worker.start()
    while (item := commits.get()) is not None:
        session, answer, done = item
        try:
            Session.commit(session)  # the method itself: the instance's is commit_here
        except BaseException as exc:  # noqa: BLE001 - raised again in the worker, where it belongs
            answer["error"] = exc
        finally:
            done.set()
    worker.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]
