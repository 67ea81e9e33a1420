"""The scheduler process: APScheduler 3.x in exactly one process, however many web workers run.

``flask --app app scheduler`` takes the scheduler lock and then runs a tick every few minutes
(``runner.run_due``: every job whose period is due and not done) plus a heartbeat each minute.
The lock is

- on PostgreSQL a session-level ``pg_try_advisory_lock`` held on a dedicated connection (it goes
  when the process or its connection dies; the heartbeat checks the connection and stops the
  scheduler when it is lost);
- on SQLite an exclusive ``fcntl.flock`` on ``<database file>.scheduler.lock`` (released by the
  operating system when the process dies).

A second copy does not run anything: the long-running command stands by and takes over when the
first one stops; ``--once`` refuses (exit 3). The runner's unique key on (job, period) is a second
guard: even two processes that both ran jobs would run each period once.
"""
from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import signal
import threading
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import Flask
from sqlalchemy import text
from sqlalchemy.engine import make_url

from supervision import clock
from supervision.jobs import runner
from supervision.services import complaint_intake as intake

log = logging.getLogger(__name__)

TIMEZONE = ZoneInfo("Asia/Shanghai")
STATE_NAME = "scheduler"
HEARTBEAT_SECONDS = 60
# A fixed 64-bit key for pg_try_advisory_lock, derived from the application's name.
ADVISORY_KEY = int.from_bytes(hashlib.sha256(b"supervision.scheduler").digest()[:8], "big", signed=True)


class AdvisoryLock:
    """PostgreSQL: a session-level advisory lock on a connection kept for the process's life."""

    kind = "advisory"

    def __init__(self, engine):
        self.engine = engine
        self.conn = None

    def acquire(self) -> bool:
        conn = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        got = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": ADVISORY_KEY}).scalar()
        if got:
            self.conn = conn
            return True
        conn.close()
        return False

    def alive(self) -> bool:
        try:
            held = self.conn.execute(text(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() "
                "AND granted")).scalar()
            return bool(held)
        except Exception:  # noqa: BLE001 - a broken connection means the lock is gone
            return False

    def release(self) -> None:
        if self.conn is not None:
            try:
                self.conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": ADVISORY_KEY})
                self.conn.close()
            except Exception:  # noqa: BLE001
                pass
            self.conn = None

    def describe(self) -> str:
        return f"PostgreSQL 咨询锁 {ADVISORY_KEY}"


class FileLock:
    """SQLite: an exclusive flock on a file next to the database file."""

    kind = "flock"

    def __init__(self, path: Path):
        self.path = path
        self.fd: int | None = None

    def acquire(self) -> bool:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        os.ftruncate(fd, 0)
        os.write(fd, runner.host_id().encode())
        self.fd = fd
        return True

    def alive(self) -> bool:
        return self.fd is not None

    def release(self) -> None:
        if self.fd is not None:
            try:
                fcntl.flock(self.fd, fcntl.LOCK_UN)
            finally:
                os.close(self.fd)
                self.fd = None

    def holder(self) -> str:
        try:
            return self.path.read_text().strip()
        except OSError:
            return ""

    def describe(self) -> str:
        return f"文件锁 {self.path}"


def lock_for(app: Flask):
    engine = app.extensions["db_engine"]
    if engine.dialect.name == "postgresql":
        return AdvisoryLock(engine)
    database = make_url(app.config["DATABASE_URL"]).database
    if database and database != ":memory:":
        return FileLock(Path(database + ".scheduler.lock"))
    return FileLock(Path(app.instance_path) / "scheduler.lock")


# The state row the admin page shows ----------------------------------------------------------

def _set_state(app: Flask, **values) -> None:
    from supervision.models import SchedulerState

    try:
        with app.extensions["db_sessionmaker"]() as s:
            row = s.get(SchedulerState, STATE_NAME)
            if row is None:
                row = SchedulerState(name=STATE_NAME)
                s.add(row)
            for k, v in values.items():
                setattr(row, k, v)
            s.commit()
    except Exception:  # noqa: BLE001 - reporting never stops the scheduler
        log.exception("could not update the scheduler state row")


# Running --------------------------------------------------------------------------------------

def tick(app: Flask) -> list[runner.Outcome]:
    """One pass: run whatever is due now."""
    with app.app_context():
        outcomes = runner.run_due(app.extensions["db_sessionmaker"], clock.now())
    for o in outcomes:
        if o.ran or o.status == "calendar":
            log.info("%s", o.describe())
    return outcomes


def admit_journalled(app: Flask) -> tuple[int, int]:
    """SQLite: enter the complaint filings journalled while the database was busy
    (``services.complaint_intake``). Returns (entered, still waiting)."""
    engine = app.extensions["db_engine"]
    try:
        with app.app_context():
            entered, left = intake.admit_waiting(app.extensions["db_sessionmaker"], engine)
    except Exception:  # noqa: BLE001 - the next pass tries again; the scheduler goes on
        log.exception("journalled complaint filings could not be entered")
        return 0, -1
    if entered or left:
        log.info("journalled complaint filings: %d entered, %d waiting", entered, left)
    return entered, left


def run_once(app: Flask, echo=print) -> int:
    """``scheduler --once``: run the due jobs now and return the exit status (3: another scheduler
    holds the lock; 1: a job failed)."""
    lock = lock_for(app)
    if not lock.acquire():
        echo(f"另一个调度进程正在运行（{lock.describe()}），本次不执行。")
        return 3
    try:
        entered, left = admit_journalled(app)  # SQLite's intake journal; (0, 0) elsewhere
        if entered or left:
            echo(f"登记暂存的投诉：{entered} 件已登记，{max(left, 0)} 件仍在等待。")
        with app.app_context():
            sm = app.extensions["db_sessionmaker"]
            runner.recover_interrupted(sm, clock.now())
            outcomes = runner.run_due(sm, clock.now())
        for o in outcomes:
            if o.status != "done":
                echo(o.describe())
        ran = [o for o in outcomes if o.ran]
        echo(f"到期任务已处理：运行 {len(ran)} 项，失败 {sum(o.status == 'failed' for o in outcomes)} 项。")
        return 1 if any(o.status in ("failed", "calendar") for o in outcomes) else 0
    finally:
        lock.release()


def serve(app: Flask, *, tick_seconds: int = 300, standby_seconds: int = 30, echo=print,
          stop: threading.Event | None = None) -> int:
    """The long-running scheduler. Stands by while another process holds the lock."""
    from apscheduler.schedulers.blocking import BlockingScheduler

    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_a: stop.set())
    lock = lock_for(app)
    waiting = False
    while not lock.acquire():
        if not waiting:
            echo(f"另一个调度进程正在运行（{lock.describe()}），本进程待命，每 {standby_seconds} 秒重试。")
            waiting = True
        if stop.wait(standby_seconds):
            return 0
    host = runner.host_id()
    echo(f"已取得调度锁（{lock.describe()}），调度进程 {host} 开始运行，每 {tick_seconds} 秒检查到期任务。")
    with app.app_context():
        now = clock.now()
        runner.recover_interrupted(app.extensions["db_sessionmaker"], now)
    _set_state(app, holder=host, lock_kind=lock.kind, started_at=now, heartbeat_at=now, stopped_at=None)

    sched = BlockingScheduler(timezone=TIMEZONE)
    lost = threading.Event()

    def heartbeat():
        if not lock.alive():
            echo("调度锁已丢失（数据库连接中断），调度进程停止。")
            lost.set()
            stop.set()
            return
        with app.app_context():
            _set_state(app, holder=host, heartbeat_at=clock.now())

    start = datetime.now(TIMEZONE)
    if intake.journal_path(app.extensions["db_engine"]) is not None:
        sched.add_job(admit_journalled, "interval", args=[app], seconds=intake.ADMIT_EVERY_SECONDS,
                      next_run_time=start, id="intake", max_instances=1, coalesce=True)
    sched.add_job(tick, "interval", args=[app], seconds=tick_seconds, next_run_time=start, id="tick",
                  max_instances=1, coalesce=True, misfire_grace_time=tick_seconds)
    sched.add_job(heartbeat, "interval", seconds=HEARTBEAT_SECONDS, next_run_time=start, id="heartbeat",
                  max_instances=1, coalesce=True)

    def stopper():
        # Stopping waits for a running job to finish, so the lock is only released afterwards.
        stop.wait()
        for _ in range(100):
            if sched.running:
                sched.shutdown(wait=True)
                return
            threading.Event().wait(0.1)

    threading.Thread(target=stopper, daemon=True).start()
    try:
        if not stop.is_set():
            sched.start()
    finally:
        with app.app_context():
            _set_state(app, stopped_at=clock.now())
        lock.release()
        echo("调度进程已停止。")
    return 1 if lost.is_set() else 0
