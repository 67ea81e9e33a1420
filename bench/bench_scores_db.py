"""Scorecards from the database (issue: scorecards): 100 platforms x 6 months, about 5,000,000
reports with their findings, in SQLite or PostgreSQL.

    .venv/bin/python bench/bench_scores_db.py --db sqlite
    .venv/bin/python bench/bench_scores_db.py --db postgresql [--platforms 100 --per-month 8334]

Loading (not timed): for each platform one synthetic six-month ledger (``importers.synthetic``,
with report numbers of its own) stored through the ledger store, one accepted submission per
month, then every platform-month checked through ``run_check`` so the findings are the rule
engine's own. Timed:

- ``recompute_period`` of the last month for every platform + commit (target 30 s);
- the league table page (``/scores?period=…``, rank ranges of 1,000 weight perturbations
  included) as a leader, 50 requests through the WSGI app (target: median under 300 ms);
- the league computed without a stored run (first view of a period nobody stored yet).
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_import import database_url, drop_database  # noqa: E402

MONTHS = ["2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10"]


def uscc(i: int) -> str:
    """A valid 统一社会信用代码 for platform number ``i`` (check character per GB 32100-2015)."""
    from supervision.standard.uscc import check_character

    body = f"91440300{i:09d}"
    return body + check_character(body)


def load(s, platforms: int, per_month: int, now: datetime) -> int:
    import pandas as pd

    from importers import read_ledger
    from importers.synthetic import synthetic_ledger
    from supervision.models import LedgerSubmission
    from supervision.services.checks import run_check
    from supervision.services.ledger_store import store_frame
    from supervision.services.platforms import PlatformInput, by_code, register_platform

    total = 0
    frames = {}
    for m in MONTHS:  # one validated month frame, reused with other report numbers per platform
        raw = synthetic_ledger(per_month, m, seed=int(m[-2:]))
        data = raw.to_csv(index=False).encode("utf-8")
        result = read_ledger(data, f"{m}.csv", m)
        assert result.ok, result.error_frame.head()
        frames[m] = result.frame
    for i in range(platforms):
        code = f"p{i:03d}"
        register_platform(s, PlatformInput(code, f"基准平台{i:03d}", uscc(i), True, "2025-01"))
        s.flush()
        platform = by_code(s, code)
        for m in MONTHS:
            frame = frames[m].copy()
            frame["report_id"] = code.upper() + "-" + frame["report_id"].astype(str)
            sub = LedgerSubmission(platform_id=platform.id, period=m, channel="cli", filename=f"{m}.csv",
                                   file_sha256=f"{code}{m}".ljust(64, "0"), file_size=0, archive_name="-",
                                   submitted_by_name="bench", submitted_at=pd.Timestamp(m + "-01") + pd.DateOffset(
                                       months=1, days=3), recorded_at=now, backdated=True, row_count=len(frame),
                                   warning_count=0, error_count=0, status="accepted")
            s.add(sub)
            s.flush()
            store_frame(s, frame, platform.id, sub.id, m)
            total += len(frame)
        s.commit()
        for m in MONTHS:
            run_check(s, platform, m, trigger="cli", actor_name="bench", now=now)
        s.commit()
        if (i + 1) % 10 == 0:
            print(f"  loaded {i + 1} platforms, {total:,} reports", flush=True)
    return total


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    ap.add_argument("--platforms", type=int, default=100)
    ap.add_argument("--per-month", type=int, default=8334, help="reports per platform and month")
    ap.add_argument("--requests", type=int, default=50)
    ap.add_argument("--reuse", help="SQLite file of an earlier run to time again (skips loading; kept)")
    args = ap.parse_args()

    from sqlalchemy import func, select

    from app import create_app
    from supervision import db
    from supervision.models import Finding, Report
    from supervision.services.accounts import create_user
    from supervision.services.scores import recompute_period

    now = datetime(2026, 11, 20, 10, 0)
    workdir = Path(tempfile.mkdtemp(prefix="bench-scores-"))
    url = "sqlite:///" + args.reuse if args.reuse else database_url(args.db, workdir)
    try:
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "b" * 40, "UPLOAD_DIR": str(workdir / "up"),
                          "CLOCK": lambda: now, "APP_ENV": "production", "TOTP_REQUIRED": False,
                          "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})
        with app.app_context():
            db.upgrade()
            s = db.session()
            t0 = time.perf_counter()
            if not args.reuse:
                load(s, args.platforms, args.per_month, now)
            reports = s.scalar(select(func.count()).select_from(Report))
            findings = s.scalar(select(func.count()).select_from(Finding))
            print(f"database: {args.db}; platforms: {args.platforms}; reports: {reports:,}; findings: {findings:,}; "
                  f"loaded in {time.perf_counter() - t0:.0f} s")
            if not args.reuse:
                create_user(s, "bench-leader", "leader", password="Bench-password-2026", must_change_password=False)
                s.commit()

            t0 = time.perf_counter()
            n = recompute_period(s, MONTHS[-1], now, trigger="cli", actor_name="bench")
            s.commit()
            compute = time.perf_counter() - t0
            print(f"computing all scores of {MONTHS[-1]} ({n} platforms, stored, committed): {compute:.1f} s "
                  f"(target 30 s)")

        client = app.test_client()
        r = client.post("/login", data={"username": "bench-leader", "password": "Bench-password-2026"})
        assert r.status_code in (302, 303), r.status_code
        times = []
        for _ in range(args.requests):
            t0 = time.perf_counter()
            r = client.get(f"/scores?period={MONTHS[-1]}")
            times.append(time.perf_counter() - t0)
            assert r.status_code == 200 and "p099".encode() in r.data or args.platforms < 100
        times.sort()
        print(f"league page ({args.requests} requests): median {statistics.median(times) * 1000:.0f} ms, "
              f"p95 {times[int(len(times) * 0.95) - 1] * 1000:.0f} ms, max {times[-1] * 1000:.0f} ms "
              "(target: median 300 ms)")
        t0 = time.perf_counter()
        r = client.get(f"/scores?period={MONTHS[-2]}")
        assert r.status_code == 200
        print(f"league page of a month never stored (computed on the fly): {(time.perf_counter() - t0) * 1000:.0f} ms")
        app.extensions["db_engine"].dispose()
    finally:
        if not args.reuse:
            drop_database(url)
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
