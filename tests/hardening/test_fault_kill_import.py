"""Faults: the process importing a large ledger is killed (SIGKILL) while it stores the reports.
Nothing is half-stored (no report, no submission of that file) and running the same command
again stores every row. Runs against the suite's database: SQLite by default, PostgreSQL with
TEST_DATABASE_URL."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import create_engine, func, select, text

from supervision.models import LedgerSubmission, Report
from tests.ledger_samples import ledger_frame, to_csv_bytes

ROOT = Path(__file__).resolve().parents[2]
ROWS = 50_000


def _storing(engine, db_path: Path | None, wal_start: int) -> bool:
    """Has the importer begun writing the reports (in its still uncommitted transaction)?"""
    if db_path is not None:  # SQLite: the write-ahead log grows as the transaction's pages spill
        wal = Path(str(db_path) + "-wal")
        return wal.exists() and wal.stat().st_size > wal_start + 2 * 1024 * 1024
    with engine.connect() as conn:
        return bool(conn.execute(text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND state <> 'idle' "
            "AND (query ILIKE 'insert%reports%' OR query ILIKE 'copy%' OR query ILIKE '%staging%')")).scalar())


def test_import_killed_while_storing_leaves_nothing_and_the_retry_stores_every_row(
        app, app_config, make_platform, runner, session, tmp_path):
    make_platform("pa")
    path = tmp_path / "big.csv"
    path.write_bytes(to_csv_bytes(ledger_frame(ROWS, "2026-10", seed=7)))
    url = app_config["DATABASE_URL"]
    db_path = Path(url.split("///", 1)[1]) if url.startswith("sqlite") else None
    wal = Path(str(db_path) + "-wal") if db_path else None
    wal_start = wal.stat().st_size if wal is not None and wal.exists() else 0
    probe = create_engine(url) if db_path is None else None
    env = {**os.environ, "APP_ENV": "testing", "DATABASE_URL": url, "SECRET_KEY": app_config["SECRET_KEY"],
           "UPLOAD_DIR": app_config["UPLOAD_DIR"]}
    args = ["ledger", "import", "--platform", "pa", "--period", "2026-10", "--submitted-at", "2026-11-05 10:00",
            str(path)]
    proc = subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    killed = False
    try:
        deadline = time.monotonic() + 300
        while proc.poll() is None and time.monotonic() < deadline:
            if _storing(probe, db_path, wal_start):
                proc.send_signal(signal.SIGKILL)
                killed = True
                break
            time.sleep(0.05)
    finally:
        if proc.poll() is None:
            proc.kill()
            killed = True
        out = proc.communicate(timeout=60)[0].decode(errors="replace")
        if probe is not None:
            probe.dispose()

    stored = session.scalar(select(func.count()).select_from(Report))
    subs = session.scalars(select(LedgerSubmission)).all()
    if killed and proc.returncode == -signal.SIGKILL:
        assert stored == 0 and subs == [], f"half-stored after the kill: {stored} reports, {len(subs)} submissions"
    else:  # the import finished before it could be killed: then it must be complete
        assert proc.returncode == 0, out
        assert stored == ROWS and [s.status for s in subs] == ["accepted"]

    r = runner.invoke(args=args)
    assert r.exit_code == 0, r.output
    assert session.scalar(select(func.count()).select_from(Report)) == ROWS
    subs = session.scalars(select(LedgerSubmission)).all()
    assert [s.status for s in subs] == ["accepted"] and subs[0].row_count == ROWS
    assert killed is False or subs[0].created_count == ROWS
