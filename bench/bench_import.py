"""End-to-end ledger import benchmark (issue: ledger intake, performance section).

Measures read + validate + store + commit of a synthetic ledger through the same service the
web, API and CLI use, next to the raw floor measured in the same run (pandas/calamine read of the
same file plus a bare bulk insert of the same rows), and the re-submission (hash check) time.

    .venv/bin/python bench/bench_import.py --rows 1000000 --format csv --db sqlite
    .venv/bin/python bench/bench_import.py --rows 1000000 --format csv --db postgresql
    .venv/bin/python bench/bench_import.py --rows 200000 --format xlsx --db sqlite

Peak memory is the importing process's maximum resident set size. Files go to bench/out/.
"""
from __future__ import annotations

import argparse
import shutil
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "out"


def make_file(rows: int, fmt: str, period: str, arrival_order: bool = False) -> Path:
    """The synthetic ledger's file (made once, then reused). Its report numbers ascend in file
    order while the times of receipt are drawn independently (the harder case for the
    database's indexes); ``arrival_order`` numbers the reports in order of receipt instead, as
    a platform's system that numbers reports as they arrive would."""
    from importers.synthetic import synthetic_ledger

    path = OUT / f"ledger-{rows}{'-arrival' if arrival_order else ''}.{fmt}"
    if path.exists():
        return path
    OUT.mkdir(parents=True, exist_ok=True)
    frame = synthetic_ledger(rows, period, seed=7)
    if arrival_order:
        numbers = frame["举报编号"].to_numpy()
        frame = frame.sort_values("受理时间", kind="stable", ignore_index=True)
        frame["举报编号"] = numbers
    if fmt == "csv":
        frame.to_csv(path, index=False)
    else:
        import openpyxl

        wb = openpyxl.Workbook(write_only=True)
        ws = wb.create_sheet("台账")
        ws.append(list(frame.columns))
        for row in frame.itertuples(index=False, name=None):
            ws.append(list(row))
        wb.save(path)
    return path


def database_url(kind: str, workdir: Path) -> str:
    if kind == "sqlite":
        return "sqlite:///" + str(workdir / "bench.sqlite3")
    import psycopg

    name = f"bench_import_{int(time.time())}"
    with psycopg.connect("host=127.0.0.1 user=postgres dbname=postgres", autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{name}"')
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"


def drop_database(url: str) -> None:
    if url.startswith("postgresql"):
        import psycopg

        name = url.rsplit("/", 1)[1]
        with psycopg.connect("host=127.0.0.1 user=postgres dbname=postgres", autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def raw_floor(app, path: Path, fmt: str) -> tuple[float, float]:
    """Read the same file with pandas/calamine and bulk-insert the rows as they are: the
    seconds of the whole and of its reading."""
    import pandas as pd
    from sqlalchemy import text

    from supervision import db
    from supervision.services.ledger_store import bulk_insert

    t0 = time.perf_counter()
    if fmt == "csv":
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    else:
        frame = pd.read_excel(path, dtype=str, engine="calamine")
    read = time.perf_counter() - t0
    with app.app_context():
        s = db.session()
        cols = ", ".join(f'"c{i}" TEXT' for i in range(frame.shape[1]))
        s.execute(text(f"CREATE TABLE raw_floor ({cols})"))
        frame.columns = [f"c{i}" for i in range(frame.shape[1])]
        bulk_insert(s, "raw_floor", frame)
        s.commit()
        s.execute(text("DROP TABLE raw_floor"))
        s.commit()
    return time.perf_counter() - t0, read


def floor_apart(app, path: Path, fmt: str) -> tuple[float, float]:
    """raw_floor in a forked process, so that its memory does not count in this process's
    peak (the import's figure)."""
    import json
    import os

    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: the parent's connections stay the parent's
        code = 1
        try:
            app.extensions["db_engine"].dispose(close=False)
            os.write(write_end, json.dumps(raw_floor(app, path, fmt)).encode())
            code = 0
        finally:
            os._exit(code)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        answer = pipe.read()
    _, status = os.waitpid(pid, 0)
    if status != 0:
        raise SystemExit("the raw floor's process failed")
    total, read = json.loads(answer)
    return total, read


def phase_timer(spent: dict):
    """timed(label, fn): fn wrapped so that its time adds up in spent[label]."""
    def timed(label, fn):
        def wrapper(*args, **kwargs):
            t0 = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[label] = spent.get(label, 0.0) + time.perf_counter() - t0
        return wrapper
    return timed


def _time_phases() -> dict:
    """Wrap the phases of an import so that the benchmark reports where its time went."""
    import importers
    from supervision.services import ledger_store

    spent: dict[str, float] = {}
    timed = phase_timer(spent)

    # client-side work (on PostgreSQL the server inserts meanwhile, on its own core)
    importers.read_sheet = timed("read (whole)", importers.read_sheet)  # (PostgreSQL: parsing in parts is in "the rest")
    importers.validation.validate_columns = timed("validate", importers.validation.validate_columns)
    ledger_store.to_storage = timed("to storage form", ledger_store.to_storage)
    ledger_store.row_hashes = timed("row hashes", ledger_store.row_hashes)
    ledger_store._pg_csv = timed("COPY text", ledger_store._pg_csv)
    ledger_store._sqlite_rows = timed("executemany rows", ledger_store._sqlite_rows)
    return spent


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--format", choices=("csv", "xlsx"), default="csv")
    ap.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    ap.add_argument("--arrival-order", action="store_true",
                    help="number the reports in order of receipt (see make_file)")
    args = ap.parse_args()
    period = "2026-10"
    t0 = time.perf_counter()
    path = make_file(args.rows, args.format, period, args.arrival_order)
    print(f"file: {path.name} {path.stat().st_size / 1e6:.0f} MB (generated in {time.perf_counter() - t0:.1f} s)")

    from app import create_app
    from supervision import db
    from supervision.services.ledger_import import import_ledger
    from supervision.services.platforms import PlatformInput, register_platform

    workdir = Path(tempfile.mkdtemp(prefix="bench-import-"))
    url = database_url(args.db, workdir)
    try:
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "b" * 40, "UPLOAD_DIR": str(workdir / "up"),
                          "CLOCK": None, "APP_ENV": "production"})
        with app.app_context():
            db.upgrade()
            s = db.session()
            register_platform(s, PlatformInput("bench", "基准平台", "91440300708461136T", True, "2025-01"))
            s.commit()
        # The floor is measured before and after the import (the machine's speed drifts, and the
        # database file is larger afterwards): the ratio is to their mean.
        floors = [floor_apart(app, path, args.format)]
        data = path.read_bytes()
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        with app.app_context():
            from supervision.services.platforms import by_code

            s = db.session()
            phases = _time_phases()
            t0 = time.perf_counter()
            outcome = import_ledger(s, platform=by_code(s, "bench"), period=period, filename=path.name, data=data,
                                    channel="cli", upload_dir=app.config["UPLOAD_DIR"], max_bytes=2 ** 40)
            s.commit()
            elapsed = time.perf_counter() - t0
            phases = {**phases, "the rest (inserting, waiting for the server, commit)": elapsed - sum(phases.values())}
            sub = outcome.submission
            assert outcome.accepted, outcome.error_dicts()[:5]
            t1 = time.perf_counter()
            again = import_ledger(s, platform=by_code(s, "bench"), period=period, filename=path.name, data=data,
                                  channel="cli", upload_dir=app.config["UPLOAD_DIR"], max_bytes=2 ** 40)
            s.commit()
            resubmit = time.perf_counter() - t1
            assert again.duplicate
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        del data, outcome, again
        floors.append(floor_apart(app, path, args.format))
        floor = sum(f for f, _ in floors) / len(floors)
        print(f"database: {args.db}")
        print(f"import (read+validate+store+commit): {elapsed:.1f} s for {sub.row_count} rows "
              f"({sub.created_count} created)")
        print("  phases: " + ", ".join(f"{k} {v:.1f} s" for k, v in phases.items()))
        print("raw floor (pandas/calamine read + bare bulk insert), before and after the import: "
              + " and ".join(f"{f:.1f} s (read {r:.1f} s)" for f, r in floors)
              + f"; mean {floor:.1f} s -> ratio {elapsed / floor:.2f}")
        print(f"re-submission of the same file: {resubmit:.2f} s")
        print(f"peak RSS of the process: {peak:.0f} MiB (before import {rss_before / 1024:.0f} MiB)")
        app.extensions["db_engine"].dispose()
    finally:
        drop_database(url)
        shutil.rmtree(workdir, ignore_errors=True)  # the SQLite file and archived uploads


if __name__ == "__main__":
    main()
