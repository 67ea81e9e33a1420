"""Scheduled jobs: each period runs once however many runners or scheduler processes try, a
second run changes nothing, failures are recorded and retried with backoff, the jobs follow the
working-day calendar across a month end and the National Day holiday, the admin page, the CLI,
and the single-process lock."""
from __future__ import annotations

import importlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
import types
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from supervision import db as dbmod
from supervision.jobs import runner as job_runner
from supervision.jobs.registry import JOBS, Job, JobResult
from supervision.jobs.schedule import DAILY
from supervision.models import (AuditEvent, CheckRun, Finding, JobAttempt, JobRun, Notification, SchedulerState)
from tests.complaint_helpers import file_one, to_answered
from tests.conftest import login
from tests.ledger_samples import ledger_frame
from tests.test_checks import _import

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def collaborators(monkeypatch):
    """Recording stand-ins for the other areas' entry points the jobs call
    (``notices.scan_overdue``, ``scores.recompute_period``); ``fail`` makes them raise."""
    calls = {"scan_overdue": [], "recompute_period": [], "fail": set()}

    def scan_overdue(session, now):
        if "scan_overdue" in calls["fail"]:
            raise RuntimeError("整改通知书扫描失败")
        calls["scan_overdue"].append(now)
        return {"overdue": 0}

    def recompute_period(session, period, now):
        if "recompute_period" in calls["fail"]:
            raise RuntimeError("评分服务暂时不可用")
        calls["recompute_period"].append((now.date(), period))
        return 2

    for module_name, name, fn in (("supervision.services.notices", "scan_overdue", scan_overdue),
                                  ("supervision.services.scores", "recompute_period", recompute_period)):
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            module = types.ModuleType(module_name)
            monkeypatch.setitem(sys.modules, module_name, module)
        monkeypatch.setattr(module, name, fn, raising=False)
    return calls


@pytest.fixture
def world(app, runner, make_platform, make_user, tmp_path, clock):
    """Platform pa reports every month on time, pb never; staff of every role; one complaint
    closed in 2023 (its complainant's data is due for erasure)."""
    make_platform("pa", "甲平台")
    make_platform("pb", "乙平台")
    for month in ("2026-07", "2026-08", "2026-09", "2026-10"):
        _import(runner, tmp_path, ledger_frame(20, month, seed=int(month[-2:])), month, platform="pa")
    ids = {name: make_user(name, role, platform) for name, role, platform in (
        ("admin", "admin", None), ("handler", "complaint_handler", None), ("insp", "inspector", None),
        ("lead", "leader", None), ("user_a", "platform", "pa"), ("user_b", "platform", "pb"))}
    from supervision.services import complaints as csvc

    saved = clock.current
    clock.current = datetime(2023, 9, 1, 10, 0)
    with app.app_context():
        s = dbmod.session()
        c = file_one(s, app, report_date=date(2023, 8, 30), name="李旧案", contact="13700000000").complaint
        to_answered(s, app, c)
        csvc.close(s, c, "不成立", "经核查，平台已处理。")
        s.commit()
    clock.current = saved
    return ids


def dump(app) -> dict:
    """Every row of every table, to compare the whole database before and after."""
    out = {}
    with app.extensions["db_engine"].connect() as conn:
        for table in dbmod.Base.metadata.sorted_tables:
            rows = conn.execute(select(table)).all()
            out[table.name] = sorted((tuple(map(repr, r)) for r in rows))
    return out


def run_due(app, at: datetime, jobs=None):
    with app.app_context():
        return job_runner.run_due(app.extensions["db_sessionmaker"], at, jobs)


def test_a_job_run_twice_for_the_same_period_changes_nothing(app, world, clock, collaborators, session):
    clock.current = datetime(2026, 11, 20, 7, 0)
    first = run_due(app, clock())
    assert {(o.job, o.period) for o in first} == {
        ("overdue_scan", "2026-11-20"), ("led_checks", "2026-09"), ("led_checks", "2026-10"),
        ("score_recompute", "2026-11-20"), ("monthly_bulletin_draft", "2026-09"), ("monthly_bulletin_draft", "2026-10"),
        ("pii_erasure", "2026-11-20")}
    assert all(o.status == ("skipped" if o.message == "通报模块未启用" else "succeeded") for o in first), first
    by_job = {o.job: o for o in first}
    assert by_job["pii_erasure"].counts == {"erased": 1}
    assert by_job["overdue_scan"].counts["notifications"] == 2  # pb's missing October ledger: its user, the inspector
    before = dump(app)

    # The scheduler again (a later tick, or a second process): every period is done.
    again = run_due(app, clock() + timedelta(hours=1))
    assert {o.status for o in again} == {"done"}
    assert dump(app) == before

    # The job functions themselves, run a second time for the same period, change nothing either.
    with app.app_context():
        s = app.extensions["db_sessionmaker"]()
        for name in ("overdue_scan", "led_checks", "pii_erasure", "monthly_bulletin_draft"):
            result = JOBS[name].func(s, clock(), None)
            assert result.counts.get("notifications", 0) == 0 and result.counts.get("erased", 0) == 0
            assert result.counts.get("platforms_checked", 0) == 0
        s.commit()
        s.close()
    assert dump(app) == before


def test_two_runners_on_separate_engines_run_each_job_once_per_period(app, world, clock, collaborators, session):
    clock.current = datetime(2026, 11, 20, 7, 0)
    calls = []

    def counted(s, now, period=None):
        calls.append(period)
        time.sleep(0.3)  # long enough for the other runner to try the same period meanwhile
        return JobResult({"n": 1})

    jobs = [*JOBS.values(), Job("counted", "计数任务", "测试", counted, DAILY)]
    barrier = threading.Barrier(2)
    outcomes, errors = [], []

    def worker():
        engine = dbmod.make_engine(app.config["DATABASE_URL"])
        try:
            with app.app_context():
                barrier.wait()
                outcomes.extend(job_runner.run_due(sessionmaker(bind=engine, expire_on_commit=False), clock(), jobs))
        except Exception as e:  # noqa: BLE001
            errors.append(e)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors
    ran = [(o.job, o.period) for o in outcomes if o.ran]
    assert len(ran) == len(set(ran)) == 8  # 3 daily jobs, 2 LED months, 2 bulletin months, the counted job
    assert {o.status for o in outcomes if not o.ran} <= {"done", "busy"}
    assert calls == ["2026-11-20"]
    assert collaborators["scan_overdue"] == [clock()]
    assert sorted(collaborators["recompute_period"]) == [(date(2026, 11, 20), "2026-10"), (date(2026, 11, 20), "2026-11")]
    runs = session.scalars(select(JobRun)).all()
    assert len(runs) == 8 and all(r.attempts == 1 for r in runs)
    assert session.scalar(select(func.count()).select_from(JobAttempt)) == 8
    # LED checks: each supervised platform checked once per month by the scheduler.
    scheduled = session.execute(select(CheckRun.platform_id, CheckRun.period, func.count()).where(
        CheckRun.trigger == "scheduled").group_by(CheckRun.platform_id, CheckRun.period)).all()
    assert len(scheduled) == 4 and all(n == 1 for *_k, n in scheduled)


def test_a_failing_job_is_recorded_retried_with_backoff_and_flagged(app, world, clock, session):
    calls = []

    def flaky(s, now, period=None):
        calls.append(now)
        if len(calls) < 3:
            raise RuntimeError("数据库暂时不可用")
        return JobResult({"n": 7})

    job = Job("flaky", "易失败任务", "测试", flaky, DAILY)
    t0 = datetime(2026, 11, 20, 7, 0)
    [o] = run_due(app, t0, [job])
    assert o.status == "failed" and "数据库暂时不可用" in o.message and "07:05 重试" in o.message
    run = session.scalar(select(JobRun).where(JobRun.job == "flaky"))
    assert (run.status, run.attempts, run.next_retry_at, run.flagged) == ("failed", 1, t0 + timedelta(minutes=5), False)
    assert run.error == "RuntimeError: 数据库暂时不可用"
    att = session.scalar(select(JobAttempt).where(JobAttempt.run_id == run.id))
    assert att.outcome == "failed" and "Traceback" in att.error and att.finished_at is not None

    assert run_due(app, t0 + timedelta(minutes=4), [job])[0].status == "waiting"  # backoff not over
    assert len(calls) == 1
    assert run_due(app, t0 + timedelta(minutes=5), [job])[0].status == "failed"  # retry 1
    run = session.scalar(select(JobRun).where(JobRun.job == "flaky"))
    assert run.next_retry_at == t0 + timedelta(minutes=35)  # then 30 minutes
    assert run_due(app, t0 + timedelta(minutes=20), [job])[0].status == "waiting"
    o = run_due(app, t0 + timedelta(minutes=35), [job])[0]
    assert (o.status, o.attempt, o.counts) == ("succeeded", 3, {"n": 7})
    run = session.scalar(select(JobRun).where(JobRun.job == "flaky"))
    assert (run.status, run.error, run.next_retry_at, json.loads(run.counts)) == ("succeeded", "", None, {"n": 7})
    actions = session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "job_run")).all()
    assert actions == ["job.fail", "job.fail", "job.run"]

    # A job that keeps failing is flagged after the fourth attempt and admins are told.
    def broken(s, now, period=None):
        raise ValueError("配置错误")

    bad = Job("broken", "总失败任务", "测试", broken, DAILY)
    for minutes in (0, 5, 35, 155):
        assert run_due(app, t0 + timedelta(minutes=minutes), [bad])[0].status == "failed"
    run = session.scalar(select(JobRun).where(JobRun.job == "broken"))
    assert (run.attempts, run.flagged, run.next_retry_at) == (4, True, None)
    assert run_due(app, t0 + timedelta(hours=10), [bad])[0].status == "waiting"
    assert session.scalar(select(func.count()).select_from(JobAttempt).where(JobAttempt.run_id == run.id)) == 4
    notes = session.scalars(select(Notification).where(Notification.kind == "job_failed")).all()
    assert [n.user_id for n in notes] == [world["admin"]] and "连续 4 次失败" in notes[0].title
    # An admin may still run it by hand.
    with app.app_context():
        o = job_runner.run_job(app.extensions["db_sessionmaker"], bad, "2026-11-20", t0 + timedelta(hours=10),
                           trigger="manual", force=True)
    assert (o.status, o.attempt) == ("failed", 5)


WORKING_DAYS = ([date(2026, 9, d) for d in (28, 29, 30)] + [date(2026, 10, d) for d in (8, 9, 10, 12, 13, 14, 15, 16, 19, 20, 21, 22, 23, 26, 27, 28, 29, 30)]
                + [date(2026, 11, d) for d in (2, 3, 4, 5, 6, 9, 10)])


def test_jobs_driven_by_the_clock_across_the_national_day_holiday_and_a_month_end(app, world, clock, collaborators,
                                                                               session):
    day = date(2026, 9, 28)
    while day <= date(2026, 11, 10):
        clock.current = datetime(day.year, day.month, day.day, 7, 0)
        outcomes = run_due(app, clock())
        assert all(o.status in ("succeeded", "skipped", "done") for o in outcomes), outcomes
        day += timedelta(days=1)
    first = {(r.job, r.period): r.started_at.date() for r in session.scalars(select(JobRun))}
    assert sorted(date.fromisoformat(p) for j, p in first if j == "overdue_scan") == WORKING_DAYS
    assert len([1 for j, _p in first if j == "pii_erasure"]) == 44  # every calendar day
    assert {p: d for (j, p), d in first.items() if j == "led_checks"} == {
        "2026-07": date(2026, 9, 28), "2026-08": date(2026, 9, 28),  # caught up on the first morning
        "2026-09": date(2026, 10, 14),  # due Tuesday Oct 13 (5th working day after the holiday)
        "2026-10": date(2026, 11, 7)}  # due Friday Nov 6 → the Saturday after
    assert {p: d for (j, p), d in first.items() if j == "monthly_bulletin_draft"} == {
        "2026-07": date(2026, 9, 28), "2026-08": date(2026, 9, 28), "2026-09": date(2026, 10, 14),
        "2026-10": date(2026, 11, 9)}  # the working day after Nov 6
    # Scores: this month and the last, switching at the month end.
    assert (date(2026, 10, 31), "2026-09") in collaborators["recompute_period"]
    assert (date(2026, 11, 1), "2026-10") in collaborators["recompute_period"]
    assert (date(2026, 11, 1), "2026-11") in collaborators["recompute_period"]
    # LED-01 for pb's missing September ledger, recorded by the scheduler's check on Oct 14.
    pb_led = session.execute(select(Finding.period, CheckRun.ran_at).join(CheckRun, CheckRun.id == Finding.opened_run_id)
                             .where(Finding.rule_code == "LED-01", Finding.report_id == "2026-09")).all()
    assert [(p, ran.date()) for p, ran in pb_led] == [("2026-09", date(2026, 10, 14))]
    # Missing-ledger reminders: pb's users and inspectors, every working morning, never pa's.
    missing = session.execute(select(Notification.user_id, Notification.day, Notification.object_id).where(
        Notification.kind == "ledger_missing")).all()
    assert {u for u, _d, _o in missing} == {world["user_b"], world["insp"]}
    assert {d for _u, d, _o in missing} == set(WORKING_DAYS)
    days_09 = sorted({d for _u, d, o in missing if o.endswith(":2026-09")})
    assert days_09[0] == date(2026, 10, 14) and days_09[-1] == date(2026, 11, 6)


def test_led_checks_for_a_month_by_hand_and_the_cli(app, world, runner, clock, collaborators, session):
    r = runner.invoke(args=["jobs", "run", "led_checks", "--period", "2026-09"])
    assert r.exit_code == 0, r.output
    assert "台账报送检查（LED） 2026-09：成功" in r.output and "已检查平台 2" in r.output
    r = runner.invoke(args=["jobs", "run", "led_checks", "--period", "2026-09"])
    assert r.exit_code == 0 and "已检查平台 0" in r.output and "此前已检查 2" in r.output
    run = session.scalar(select(JobRun).where(JobRun.job == "led_checks"))
    assert (run.attempts, run.trigger) == (2, "cli")
    assert session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "job.trigger")) == 2
    for args, message in ((["nope"], "没有名为"), (["led_checks", "--period", "2026-9"], "YYYY-MM"),
                          (["led_checks", "--period", "2026-11"], "尚未结束"),
                          (["pii_erasure", "--period", "2026-11-01"], "只能运行当天")):
        r = runner.invoke(args=["jobs", "run", *args])
        assert r.exit_code == 2 and message in r.output, (args, r.output)
    r = runner.invoke(args=["jobs", "list"])
    assert r.exit_code == 0 and "led_checks" in r.output and "下次 2026-11（2026-12-08 06:00）" in r.output


def test_scheduler_once_runs_the_due_jobs_and_refuses_while_another_holds_the_lock(app, world, runner, clock,
                                                                                collaborators, session):
    from supervision.jobs.scheduler import lock_for

    clock.current = datetime(2026, 11, 20, 7, 0)
    holder = lock_for(app)
    assert holder.acquire()
    assert not lock_for(app).acquire()  # one holder at a time
    r = runner.invoke(args=["scheduler", "--once"])
    assert r.exit_code == 3 and "另一个调度进程正在运行" in r.output
    assert session.scalar(select(func.count()).select_from(JobRun)) == 0
    holder.release()
    r = runner.invoke(args=["scheduler", "--once"])
    assert r.exit_code == 0, r.output
    assert "逾期扫描与提醒 2026-11-20：成功" in r.output and "运行 7 项" in r.output
    r = runner.invoke(args=["scheduler", "--once"])
    assert r.exit_code == 0 and "运行 0 项" in r.output


def test_the_long_running_scheduler_is_off_unless_enabled(runner):
    r = runner.invoke(args=["scheduler"])
    assert r.exit_code == 0 and "SCHEDULER_ENABLED" in r.output


class _Output:
    """Collects a process's output lines in a thread."""

    def __init__(self, proc):
        self.proc, self.lines = proc, []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.append(line.rstrip())

    def wait_for(self, text: str, timeout: float = 60) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(text in line for line in self.lines):
                return True
            time.sleep(0.1)
        return False


def _scheduler_process(app_config, tmp_path):
    env = {**os.environ, "APP_ENV": "testing", "DATABASE_URL": app_config["DATABASE_URL"],
           "SECRET_KEY": app_config["SECRET_KEY"], "UPLOAD_DIR": str(tmp_path / "uploads"), "SCHEDULER_ENABLED": "1",
           "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "scheduler", "--tick-seconds", "1",
                             "--standby-seconds", "1"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    return proc, _Output(proc)


def test_two_scheduler_processes_run_each_job_once_and_the_second_takes_over(app, app_config, tmp_path, session):
    """Two real `flask scheduler` processes on the same database: the second stands by while the
    first holds the lock, runs nothing twice, and takes over when the first stops."""
    first, out1 = _scheduler_process(app_config, tmp_path)
    second = None
    try:
        assert out1.wait_for("已取得调度锁"), out1.lines
        second, out2 = _scheduler_process(app_config, tmp_path)
        assert out2.wait_for("本进程待命"), out2.lines
        deadline = time.monotonic() + 60
        while session.scalar(select(func.count()).select_from(JobRun).where(JobRun.status == "running")) != 0 \
                or session.scalar(select(func.count()).select_from(JobRun)) == 0:
            assert time.monotonic() < deadline, "the first scheduler ran nothing"
            time.sleep(0.2)
        time.sleep(3)  # several more ticks of the first process
        first.send_signal(signal.SIGTERM)
        assert first.wait(60) == 0, out1.lines
        assert out2.wait_for("已取得调度锁"), out2.lines
        time.sleep(3)  # several ticks of the second
        holder = session.get(SchedulerState, "scheduler").holder
        assert holder.endswith(f":{second.pid}")
    finally:
        for p in (first, second):
            if p is not None and p.poll() is None:
                p.send_signal(signal.SIGTERM)
                p.wait(60)
    runs = session.scalars(select(JobRun)).all()
    attempts = session.scalars(select(JobAttempt)).all()
    assert {r.job for r in runs} >= {"led_checks", "monthly_bulletin_draft"}  # monthly jobs are always due
    assert all(r.attempts == 1 for r in runs) and len(attempts) == len(runs)
    assert {a.host.rsplit(":", 1)[1] for a in attempts} == {str(first.pid)}


def test_admin_jobs_page_shows_runs_and_runs_a_job_by_hand(app, world, client, clock, collaborators, session):
    collaborators["fail"].add("recompute_period")
    clock.current = datetime(2026, 11, 20, 7, 0)
    run_due(app, clock())
    login(client, "admin")
    page = client.get("/admin/jobs/").get_data(as_text=True)
    for text in ("逾期扫描与提醒", "台账报送检查（LED）", "评分重算", "月度通报草稿", "删除到期个人信息", "未运行",
                 "RuntimeError: 评分服务暂时不可用", "07:05 重试", "每个工作日 06:00"):
        assert text in page, text
    detail = client.get("/admin/jobs/score_recompute").get_data(as_text=True)
    assert "Traceback" in detail and "评分服务暂时不可用" in detail
    assert client.get("/admin/jobs/no_such_job").status_code == 404

    collaborators["fail"].clear()
    clock.advance(minutes=1)
    r = client.post("/admin/jobs/score_recompute/run", follow_redirects=True)
    assert "评分重算 2026-11-20：成功（评分 4）" in r.get_data(as_text=True)
    run = session.scalar(select(JobRun).where(JobRun.job == "score_recompute"))
    assert (run.status, run.attempts, run.trigger) == ("succeeded", 2, "manual")
    ev = session.scalar(select(AuditEvent).where(AuditEvent.action == "job.trigger"))
    assert ev.actor_name == "admin" and json.loads(ev.after)["job"] == "score_recompute"
    other = app.test_client()
    login(other, "insp")
    assert other.post("/admin/jobs/score_recompute/run").status_code == 403


def test_score_recompute_stores_this_and_last_months_scores_once(app, world, clock, session):
    """With the scores module's own recompute_period: stored runs for October and November, and
    nothing new on a second run with unchanged inputs."""
    from supervision.models import ScoreRun

    clock.current = datetime(2026, 11, 20, 7, 0)
    with app.app_context():
        s = app.extensions["db_sessionmaker"]()
        assert JOBS["score_recompute"].func(s, clock()).counts == {"scores": 4}  # pa and pb, two months
        s.commit()
        stored = session.scalars(select(ScoreRun.period).order_by(ScoreRun.id)).all()
        JOBS["score_recompute"].func(s, clock())
        s.commit()
        s.close()
    assert set(stored) >= {"2026-10", "2026-11"}
    assert session.scalars(select(ScoreRun.period).order_by(ScoreRun.id)).all() == stored


def test_the_bulletin_month_is_the_latest_whose_ledgers_are_due(app, session):
    """November's ledgers are due on Monday 7 December 2026 (the 5th working day): on the 6th the
    latest bulletin due is October's (what the demo publishes), from the 8th November's."""
    from supervision.jobs.registry import current_period

    assert current_period("monthly_bulletin_draft", session, datetime(2026, 12, 6, 10)) == "2026-10"
    assert current_period("monthly_bulletin_draft", session, datetime(2026, 12, 8, 7)) == "2026-11"
