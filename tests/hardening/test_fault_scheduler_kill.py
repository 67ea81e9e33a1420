"""Faults: the scheduler process is killed (SIGKILL) in the middle of a job, after the job has
written its changes but before they are committed. The next scheduler run finds the run left
``running``, records the interrupted attempt, runs the period again and completes it once: the
job's effects exist exactly once, and a further run does not repeat it."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, select

from supervision.models import CheckRun, JobAttempt, JobRun
from tests.ledger_samples import ledger_frame
from tests.test_checks import _import

ROOT = Path(__file__).resolve().parents[2]
JOB = "led_checks"
PERIOD = "2026-10"  # the month the platforms report; led_checks on 2026-11-20 checks the months due

DRIVER = r'''
import dataclasses, sys, time
from datetime import datetime
from app import create_app
from supervision.jobs import registry, scheduler

now = datetime(2026, 11, 20, 9, 30)
app = create_app({"DATABASE_URL": sys.argv[1], "SECRET_KEY": "k" * 40, "UPLOAD_DIR": sys.argv[2],
                  "CLOCK": lambda: now, "SCHEDULER_ENABLED": True})
job = registry.JOBS[sys.argv[3]]

def stalled(session, at, period):
    result = job.func(session, at, period)
    session.flush()  # the job's changes are written, not committed
    print("JOB-WRITTEN", flush=True)
    time.sleep(600)
    return result

registry.JOBS[job.name] = dataclasses.replace(job, func=stalled)
sys.exit(scheduler.run_once(app))
'''


def test_scheduler_killed_during_a_job_and_the_next_run_completes_the_period_once(
        app, app_config, make_platform, runner, session, tmp_path):
    for code in ("pa", "pb"):
        make_platform(code)
        _import(runner, tmp_path, ledger_frame(5, PERIOD, seed=len(code)), PERIOD, platform=code,
                name=f"{code}.csv")
    env = {**os.environ, "APP_ENV": "testing", "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-c", DRIVER, app_config["DATABASE_URL"], app_config["UPLOAD_DIR"], JOB],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = []
    try:
        for line in proc.stdout:
            lines.append(line)
            if "JOB-WRITTEN" in line:
                break
        assert any("JOB-WRITTEN" in line for line in lines), "".join(lines)[-3000:]
        proc.send_signal(signal.SIGKILL)
        assert proc.wait(60) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(60)

    run = session.scalar(select(JobRun).where(JobRun.job == JOB, JobRun.status == "running"))
    assert run is not None, "no run left behind by the dead process"
    scheduled = select(func.count()).select_from(CheckRun).where(CheckRun.trigger == "scheduled",
                                                                 CheckRun.period == run.period)
    assert session.scalar(scheduled) == 0  # its work was not committed

    deadline = time.monotonic() + 60
    while True:  # the dead process's locks are released by the OS at once; allow a moment on a busy machine
        r = runner.invoke(args=["scheduler", "--once"])
        if r.exit_code != 3 or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert r.exit_code in (0, 1), r.output
    run = session.get(JobRun, run.id)
    assert run.status == "succeeded" and run.attempts == 2, (run.status, run.attempts, run.error)
    attempts = session.scalars(select(JobAttempt).where(JobAttempt.run_id == run.id).order_by(JobAttempt.number)).all()
    assert [(a.outcome, a.error) for a in attempts] == [("failed", "调度进程中断"), ("succeeded", "")]
    checks = session.scalar(scheduled)
    assert checks == 2  # one LED check per platform, once

    r = runner.invoke(args=["scheduler", "--once"])
    assert r.exit_code in (0, 1), r.output
    assert session.scalar(select(func.count()).select_from(JobAttempt).where(JobAttempt.run_id == run.id)) == 2
    assert session.scalar(scheduled) == checks
