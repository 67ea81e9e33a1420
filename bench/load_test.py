"""Load test of the whole system (issue: load, faults and hostile input), bounded in time.

    .venv/bin/python bench/load_test.py --db sqlite
    .venv/bin/python bench/load_test.py --db postgresql [--rows 1000000 --staff 50 --rate 10]

Serves the app with gunicorn on 127.0.0.1 (production settings, the demo province loaded, a
fresh database), then at the same time:

- ``--staff`` staff users (inspectors, supervisors, complaint handlers, leaders) each browse
  dashboards, findings, queues, ledgers and notices with a think time of 0.5-1.5 s;
- the public files complaints at ``--rate`` per second through the real form (CSRF token, the
  arithmetic challenge answered after the 3 s minimum fill time);
- a platform posts a ``--rows``-row ledger through ``POST /api/v1/ledgers`` with its token.

It stops when the import has answered and every filing started has finished, or after
``--max-seconds``. Reported: every failed request (5xx, connection error, or an answer other
than the expected one), staff page times (median, 95th percentile) overall and during the
import, complaints filed vs. stored in the database (none may be lost), the import's answer and
time, and the audit chain verified afterwards (``flask audit verify``). Only loopback traffic.

Rate limits are switched off for the run (``RATELIMIT_ENABLED=0``): every simulated user comes
from 127.0.0.1, where in production each has an address of its own.
"""
from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_import import OUT, database_url, drop_database  # noqa: E402

PERIOD = "2026-05"  # a month the demo's platform yunfan has not reported yet
PASSWORD = "Load-test-2026-pass"
STAFF_ROLES = ("inspector", "supervisor", "complaint_handler", "leader")
STAFF_PAGES = {
    "inspector": ["/", "/findings/", "/findings/?rule=TIM-01", "/scores", "/audits/", "/ledgers/",
                  "/problems/", "/notices/", "/signals"],
    "supervisor": ["/", "/notices/", "/scores", "/findings/", "/problems/"],
    "complaint_handler": ["/", "/complaints/", "/complaints/?status=待受理", "/complaints/satisfaction"],
    "leader": ["/", "/scores", "/scores/province", "/scores/platforms/yunfan", "/findings/"],
}
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
CHALLENGE_RE = re.compile(r'name="challenge"[^>]*value="([^"]+)"')
QUESTION_RE = re.compile(r"(\d+) 加 (\d+) 等于几")
WINDOW = 20  # seconds per line of the time series in the report


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.rows: list[tuple[str, float, float, int | str, str]] = []  # kind, start, seconds, status, what
        self.failures: list[str] = []

    def add(self, kind: str, start: float, seconds: float, status, ok: bool, what: str = "") -> None:
        with self.lock:
            self.rows.append((kind, start, seconds, status, what))
            if not ok:
                self.failures.append(f"{kind} {what} -> {status}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def flask(env: dict, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "flask", "--app", "app", *args], cwd=ROOT, env=env, input=stdin,
                          capture_output=True, text=True)


def prepare(env: dict, staff: int) -> str:
    """Schema, demo province, the staff accounts and the platform's API token."""
    for args in (("init-db",), ("demo",)):
        r = flask(env, *args)
        assert r.returncode == 0, r.stderr
    script = f"""
from app import create_app
from supervision import db
from supervision.services.accounts import create_user
from supervision.services.api_tokens import create_token
from supervision.models import User
from sqlalchemy import select
app = create_app()
with app.app_context():
    s = db.session()
    roles = {STAFF_ROLES!r}
    for i in range({staff}):
        create_user(s, f"load{{i:02d}}", roles[i % len(roles)], {PASSWORD!r}, f"压测用户{{i:02d}}",
                    must_change_password=False)
    user = s.scalar(select(User).where(User.username == "yunfan"))
    _, raw = create_token(s, user, "压测")
    s.commit()
    print(raw)
"""
    r = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True,
                       text=True)
    assert r.returncode == 0, r.stderr
    return r.stdout.strip().splitlines()[-1]


def ledger_file(rows: int) -> Path:
    from importers.synthetic import synthetic_ledger

    path = OUT / f"load-ledger-{rows}-{PERIOD}.csv"
    if not path.exists():
        OUT.mkdir(parents=True, exist_ok=True)
        synthetic_ledger(rows, PERIOD, seed=11).to_csv(path, index=False)
    return path


def staff_user(base: str, i: int, rec: Recorder, stop: threading.Event) -> None:
    role = STAFF_ROLES[i % len(STAFF_ROLES)]
    s = requests.Session()
    try:
        page = s.get(base + "/login", timeout=60)
        token = CSRF_RE.search(page.text).group(1)
        r = s.post(base + "/login", data={"csrf_token": token, "username": f"load{i:02d}", "password": PASSWORD},
                   allow_redirects=False, timeout=60)
        assert r.status_code == 302, r.status_code
    except Exception as e:  # noqa: BLE001 - a failed log-in is a failure of the run
        rec.add("login", time.perf_counter(), 0, repr(e), False, f"load{i:02d}")
        return
    rng = random.Random(i)
    while not stop.is_set():
        path = rng.choice(STAFF_PAGES[role])
        t0 = time.perf_counter()
        try:
            r = s.get(base + path, timeout=60, allow_redirects=False)
            rec.add("staff", t0, time.perf_counter() - t0, r.status_code, r.status_code == 200, path)
        except requests.RequestException as e:
            rec.add("staff", t0, time.perf_counter() - t0, f"{type(e).__name__}: {e}"[:300], False, path)
        stop.wait(rng.uniform(0.5, 1.5))


def file_complaint(base: str, n: int, rec: Recorder, filed: list) -> None:
    s = requests.Session()
    t0 = time.perf_counter()
    try:
        page = s.get(base + "/complaint/new", timeout=60)
        csrf = CSRF_RE.search(page.text).group(1)
        challenge = CHALLENGE_RE.search(page.text).group(1)
        a, b = map(int, QUESTION_RE.search(page.text).groups())
        time.sleep(3.2)  # the form's minimum fill time
        t1 = time.perf_counter()
        r = s.post(base + "/complaint/new", data={
            "csrf_token": csrf, "challenge": challenge, "answer": str(a + b), "website": "",
            "name": f"压测网民{n}", "contact": f"139{n:08d}", "platform": "yunfan", "report_number": f"LOAD-{n}",
            "report_date": "2026-11-02", "complaint_type": "举报处置不及时", "consent": "y",
            "description": f"压测投诉第 {n} 件：举报后平台一直未处理。"}, allow_redirects=False, timeout=60)
        ok = r.status_code == 302 and "/filed" in r.headers.get("Location", "")
        rec.add("complaint", t1, time.perf_counter() - t1, r.status_code, ok, f"#{n}")
        if ok:
            filed.append(n)
    except Exception as e:  # noqa: BLE001
        rec.add("complaint", t0, time.perf_counter() - t0, f"{type(e).__name__}: {e}"[:300], False, f"#{n}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--staff", type=int, default=50)
    ap.add_argument("--rate", type=float, default=10.0, help="complaints filed per second")
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--threads", type=int, default=8)
    ap.add_argument("--max-seconds", type=int, default=900)
    args = ap.parse_args()
    signal.signal(signal.SIGTERM, _terminated)

    workdir = Path(tempfile.mkdtemp(prefix="load-"))
    url = database_url(args.db, workdir)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "APP_ENV": "production", "SECRET_KEY": "load-test-" + "k" * 40, "DATABASE_URL": url,
           "UPLOAD_DIR": str(workdir / "uploads"), "TOTP_REQUIRED": "0", "SESSION_COOKIE_SECURE": "0",
           "RATELIMIT_ENABLED": "0", "LEDGER_MAX_MB": "2000", "SCHEDULER_ENABLED": "0"}
    server = intake_pass = None
    try:
        t0 = time.perf_counter()
        token = prepare(env, args.staff)
        path = ledger_file(args.rows)
        print(f"prepared in {time.perf_counter() - t0:.0f} s: demo province, {args.staff} staff users, "
              f"{path.stat().st_size / 2**20:.0f} MB ledger of {args.rows:,} rows", flush=True)
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", str(args.workers), "--threads", str(args.threads),
             "--timeout", "900", "--keep-alive", "10", "-b", f"127.0.0.1:{port}", "--log-level", "warning", "app:create_app()"],
            cwd=ROOT, env=env, start_new_session=True)
        if args.db == "sqlite":
            # the scheduler process's pass over the complaint intake journal (its period jobs,
            # which would add load of their own, are left out)
            intake_pass = subprocess.Popen([sys.executable, "-c", INTAKE_PASS], cwd=ROOT, env=env,
                                           start_new_session=True)
        for _ in range(200):
            try:
                if requests.get(base + "/login", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.2)
        before = stored_complaints(env)
        rec, stop, filed = Recorder(), threading.Event(), []
        staff = [threading.Thread(target=staff_user, args=(base, i, rec, stop), daemon=True) for i in range(args.staff)]
        for t in staff:
            t.start()
        time.sleep(3)  # staff logged in and browsing before the import starts
        result: dict = {}

        def upload():
            t = time.perf_counter()
            result["start"] = t
            try:
                with path.open("rb") as fh:
                    r = requests.post(base + "/api/v1/ledgers", headers={"Authorization": f"Bearer {token}"},
                                      files={"file": (path.name, fh, "text/csv")}, data={"period": PERIOD},
                                      timeout=args.max_seconds)
                result["status"] = r.status_code
                result["body"] = r.text[:300]
            except requests.RequestException as e:
                result["status"] = type(e).__name__
            result["end"] = time.perf_counter()
            result["seconds"] = result["end"] - t
            rec.add("import", t, result["seconds"], result["status"], result["status"] == 201, "POST /api/v1/ledgers")

        importer = threading.Thread(target=upload, daemon=True)
        importer.start()
        begun = time.perf_counter()
        threading.Thread(target=progress, args=(rec, filed, result, begun, stop), daemon=True).start()
        pool = ThreadPoolExecutor(max_workers=int(args.rate * 8) + 4)
        deadline = time.perf_counter() + args.max_seconds
        n = 0
        futures = []
        next_at = time.perf_counter()
        while time.perf_counter() < deadline and (importer.is_alive() or n < args.rate * 30):
            futures.append(pool.submit(file_complaint, base, n, rec, filed))
            n += 1
            next_at += 1 / args.rate
            time.sleep(max(0.0, next_at - time.perf_counter()))
        importer.join(timeout=max(1.0, deadline - time.perf_counter()))
        # filings still waiting for a thread when the time is up were never sent: not started
        n -= sum(f.cancel() for f in futures)
        pool.shutdown(wait=True)
        stop.set()
        for t in staff:
            t.join(timeout=70)
        after = stored_complaints(env)
        report(rec, result, n, filed, after - before, args)
        verify = flask(env, "audit", "verify")
        print(f"audit chain after the run: exit {verify.returncode}: {verify.stdout.strip() or verify.stderr.strip()}")
    finally:
        if intake_pass is not None:
            os.killpg(intake_pass.pid, signal.SIGKILL)
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
        drop_database(url)
        shutil.rmtree(workdir, ignore_errors=True)  # the SQLite file and the uploads


INTAKE_PASS = """
import time
from app import create_app
from supervision.jobs.scheduler import admit_journalled
from supervision.services.complaint_intake import ADMIT_EVERY_SECONDS
app = create_app()
while True:
    admit_journalled(app)
    time.sleep(ADMIT_EVERY_SECONDS)
"""


def progress(rec: Recorder, filed: list, result: dict, begun: float, stop: threading.Event) -> None:
    """A line a minute while the run goes on, so that a run stopped early still tells something."""
    while not stop.wait(60):
        staff = [sec for kind, _, sec, _, _ in list(rec.rows) if kind == "staff"]
        print(f"[{time.perf_counter() - begun:.0f} s] requests {len(rec.rows):,}, failed {len(rec.failures)}; "
              f"staff median {_ms(staff, 0.5)}, p95 {_ms(staff, 0.95)}; complaints filed {len(filed)}; "
              f"import: {result.get('status', 'running')}; load average {os.getloadavg()[0]:.1f}", flush=True)


def _terminated(*_):
    """SIGTERM (e.g. from timeout): once, then ignored while the finally block stops gunicorn,
    drops the database and removes the work folder."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise KeyboardInterrupt


def stored_complaints(env: dict) -> int:
    """Complaints in the database, after entering (SQLite) those still in the intake journal, as
    the scheduler process does every 15 s (it does not run here: its jobs would add their own load)."""
    r = subprocess.run([sys.executable, "-c", """
from app import create_app
from supervision import db
from supervision.services import complaint_intake
from sqlalchemy import text
app = create_app()
with app.app_context():
    entered, left = complaint_intake.admit_waiting(app.extensions["db_sessionmaker"], db.engine(), wait_ms=30000)
    late = db.session().scalar(text("SELECT COUNT(*) FROM audit_events WHERE action = 'complaint.file' "
                                    "AND after LIKE '%entered_late%'"))
    print(f"intake journal: {late} filings entered after their request ({entered} of them now), {left} waiting")
    print(db.session().scalar(text("SELECT COUNT(*) FROM complaints")))
"""], cwd=ROOT, env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.strip().splitlines()
    if env.get("DATABASE_URL", "").startswith("sqlite"):
        print(lines[-2], flush=True)
    return int(lines[-1])


def _ms(values: list[float], q: float) -> str:
    if not values:
        return "-"
    values = sorted(values)
    return f"{values[min(len(values) - 1, int(q * len(values)))] * 1000:.0f} ms"


def report(rec: Recorder, result: dict, started: int, filed: list, stored: int, args) -> None:
    staff = [(start, sec) for kind, start, sec, _, _ in rec.rows if kind == "staff"]
    during = [sec for start, sec in staff if result.get("start", 0) <= start <= result.get("end", 0)]
    all_times = [sec for _, sec in staff]
    complaints = [sec for kind, _, sec, _, _ in rec.rows if kind == "complaint"]
    print(f"database: {args.db}; gunicorn {args.workers} workers x {args.threads} threads; load average "
          f"{os.getloadavg()[0]:.1f}")
    print(f"requests: {len(rec.rows):,}; failed: {len(rec.failures)}")
    for line in rec.failures[:20]:
        print("  failed:", line)
    print(f"staff pages: {len(all_times):,} requests, median {_ms(all_times, 0.5)}, p95 {_ms(all_times, 0.95)}; "
          f"during the import: {len(during):,} requests, median {_ms(during, 0.5)}, p95 {_ms(during, 0.95)} "
          "(targets: median 300 ms, p95 1 s)")
    print(f"complaints: {started} started, {len(filed)} filed (answered with a tracking number), {stored} stored "
          f"-> lost: {max(0, len(filed) - stored)}"
          + (f" ({stored - len(filed)} stored whose answer did not reach the client in time)" if stored > len(filed) else "")
          + f"; POST time median {_ms(complaints, 0.5)}, p95 {_ms(complaints, 0.95)}")
    print(f"import of {args.rows:,} rows through the API: {result.get('status')} in {result.get('seconds', 0):.1f} s "
          f"{result.get('body', '')[:120]!r}")
    by_path: dict[str, list[float]] = {}
    for kind, _, sec, _, what in rec.rows:
        if kind == "staff":
            by_path.setdefault(what, []).append(sec)
    print("staff pages by path (slowest p95 first):")
    for path, secs in sorted(by_path.items(), key=lambda kv: -sorted(kv[1])[int(0.95 * (len(kv[1]) - 1))])[:12]:
        print(f"  {path:32s} {len(secs):5d} requests, median {_ms(secs, 0.5)}, p95 {_ms(secs, 0.95)}, "
              f"max {_ms(secs, 1.0)}")
    if staff:
        first = min(start for start, _ in staff)
        print(f"staff pages per {WINDOW} s window (import from {result.get('start', first) - first:.0f} s "
              f"to {result.get('end', first) - first:.0f} s):")
        windows: dict[int, list[float]] = {}
        for start, sec in staff:
            windows.setdefault(int((start - first) // WINDOW), []).append(sec)
        for w in sorted(windows):
            print(f"  {w * WINDOW:4d}-{(w + 1) * WINDOW:4d} s: {len(windows[w]):5d} requests, median "
                  f"{_ms(windows[w], 0.5)}, p95 {_ms(windows[w], 0.95)}")
    if statistics.median(all_times or [0]) > 0.3:
        print("NOTE: staff median above the 300 ms target")


if __name__ == "__main__":
    main()
