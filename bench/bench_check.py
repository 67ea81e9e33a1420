"""Checking a 1,000,000-report platform-month: all rules, findings stored (issue: the standard).

    .venv/bin/python bench/bench_check.py --rows 1000000 --db sqlite
    .venv/bin/python bench/bench_check.py --rows 1000000 --db postgresql

Loads a synthetic month through the import service (not timed), then times run_check + commit
(load the cohort from the database, evaluate every rule, store the findings), the rule
evaluation alone on the in-memory frame, and a bare vectorised pandas pass over the same frame
(the reference of the ratio), and a second check of the same month (findings kept, none new).
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_import import database_url, drop_database, make_file, phase_timer  # noqa: E402


def bare_pass(frame) -> float:
    """One vectorised pass of the same shape: a few masks and a date difference per report."""
    import numpy as np

    t0 = time.perf_counter()
    concluded = frame["status"].to_numpy() == "已办结"
    accepted = frame["acceptance"].to_numpy() == "受理"
    elapsed = (frame["disposed_at"] - frame["received_at"]).dt.total_seconds().to_numpy()
    late = concluded & accepted & (elapsed > 3 * 86400)
    same = frame["handler_id"].astype(str).str.strip().str.lower() == frame["reviewer_id"].astype(str).str.strip().str.lower()
    np.count_nonzero(late | same.to_numpy())
    return time.perf_counter() - t0


def _time_phases() -> dict:
    """Wrap the phases of run_check (load the cohort, evaluate the rules, store the findings)
    so that each check reports where its time went."""
    from supervision.services import checks

    spent: dict[str, float] = {}
    timed = phase_timer(spent)

    checks.load_frame = timed("load cohort", checks.load_frame)
    checks.run_rules = timed("rules", checks.run_rules)
    checks._reconcile = timed("store findings", checks._reconcile)
    checks._fact_hash = timed("(of which hashing facts", checks._fact_hash)
    checks.bulk_insert = timed("inserting)", checks.bulk_insert)
    return spent


def _phase_text(spent: dict) -> str:
    return ", ".join(f"{k} {v:.1f} s" for k, v in spent.items())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    args = ap.parse_args()
    period = "2026-10"
    path = make_file(args.rows, "csv", period)

    from app import create_app
    from supervision import db
    from supervision.services.checks import load_calendar, run_check
    from supervision.services.ledger_import import import_ledger
    from supervision.services.ledger_store import load_frame
    from supervision.services.platforms import PlatformInput, by_code, register_platform
    from supervision.standard.parameters import Parameters
    from supervision.standard.rules import run_rules

    now = datetime(2026, 11, 20, 10, 0)
    workdir = Path(tempfile.mkdtemp(prefix="bench-check-"))
    url = database_url(args.db, workdir)
    try:
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "b" * 40, "UPLOAD_DIR": str(workdir / "up"),
                          "CLOCK": lambda: now, "APP_ENV": "production"})
        with app.app_context():
            db.upgrade()
            s = db.session()
            register_platform(s, PlatformInput("bench", "基准平台", "91440300708461136T", True, "2025-01"))
            s.commit()
            outcome = import_ledger(s, platform=by_code(s, "bench"), period=period, filename=path.name,
                                    data=path.read_bytes(), channel="cli", upload_dir=app.config["UPLOAD_DIR"],
                                    submitted_at=datetime(2026, 11, 6, 10), max_bytes=2 ** 40)
            s.commit()
            assert outcome.accepted
            platform = by_code(s, "bench")
            phases = _time_phases()
            t0 = time.perf_counter()
            result = run_check(s, platform, period, trigger="cli", actor_name="bench", now=now)
            s.commit()
            full = time.perf_counter() - t0
            first_phases = dict(phases)
            phases.clear()
            t0 = time.perf_counter()
            again = run_check(s, platform, period, trigger="cli", actor_name="bench", now=now)
            s.commit()
            second = time.perf_counter() - t0
            second_phases = dict(phases)
            frame = load_frame(s, platform.id)
            cal = load_calendar(s)
            t0 = time.perf_counter()
            findings = run_rules(frame, period, cal, Parameters(), now, submissions=[(period, datetime(2026, 11, 6, 10))],
                                 disclosures=[], onboarding_month="2025-01")
            rules_only = time.perf_counter() - t0
            bare = bare_pass(frame)
        print(f"database: {args.db}; reports: {result.run.report_count}; findings: {result.run.finding_count}")
        print(f"check (load cohort + all rules + store findings + commit): {full:.1f} s")
        print("  phases: " + _phase_text(first_phases))
        print(f"second check of the same month (findings kept, {again.run.opened_count} new): {second:.1f} s")
        print("  phases: " + _phase_text(second_phases))
        print(f"rule evaluation alone (frame in memory -> findings frame): {rules_only:.2f} s, {len(findings)} findings")
        print(f"bare vectorised pandas pass over the same frame: {bare:.2f} s -> ratio {rules_only / bare:.1f}")
        app.extensions["db_engine"].dispose()
    finally:
        drop_database(url)
        shutil.rmtree(workdir, ignore_errors=True)  # the SQLite file and archived uploads


if __name__ == "__main__":
    main()
