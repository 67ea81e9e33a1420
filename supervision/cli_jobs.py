"""``flask --app app scheduler|jobs|backup|restore``: the scheduler process, running a job by
hand, and the database backup and restore (docs/operations.md)."""
from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from supervision import auditlog, clock, db


@click.command("scheduler")
@click.option("--once", is_flag=True, help="run the jobs that are due now and exit")
@click.option("--tick-seconds", default=300, show_default=True, type=click.IntRange(1, 3600),
              help="how often to look for due jobs")
@click.option("--standby-seconds", default=30, show_default=True, type=click.IntRange(1, 3600),
              help="how often a standing-by copy tries to take the lock")
@with_appcontext
def scheduler_command(once, tick_seconds, standby_seconds):
    """Run the scheduled jobs (one process at a time; a second copy stands by, or with --once refuses)."""
    import logging

    from supervision.jobs import scheduler

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # not every tick and heartbeat
    app = current_app._get_current_object()
    if once:
        sys.exit(scheduler.run_once(app, echo=lambda m: click.echo(m)))
    if not app.config["SCHEDULER_ENABLED"]:
        click.echo("定时任务未启用（SCHEDULER_ENABLED 未开启），调度进程不启动。")
        return
    sys.exit(scheduler.serve(app, tick_seconds=tick_seconds, standby_seconds=standby_seconds,
                             echo=lambda m: click.echo(m, err=False)))


jobs_group = AppGroup("jobs", help="Scheduled jobs.")


@jobs_group.command("list")
def jobs_list():
    """The jobs, their schedules, next due period and latest run."""
    from sqlalchemy import select

    from supervision.jobs.registry import JOBS, job_context
    from supervision.models import JobRun
    from supervision.models.jobs import RUN_STATUS_LABELS

    s = db.session()
    calendar, params = job_context(s)
    now = clock.now()
    for job in JOBS.values():
        latest = s.scalar(select(JobRun).where(JobRun.job == job.name).order_by(JobRun.started_at.desc()).limit(1))
        try:
            period, at = job.schedule.next_due(now, calendar, params.ledger_due_working_day)
            nxt = f"下次 {period}（{at:%Y-%m-%d %H:%M}）"
        except Exception as e:  # noqa: BLE001 - e.g. the calendar lacks a year
            nxt = f"下次到期无法确定：{e}"
        last = (f"最近 {latest.period} {RUN_STATUS_LABELS[latest.status]}" if latest else "尚未运行")
        click.echo(f"{job.name}\t{job.label}\t{job.schedule.describe(params.ledger_due_working_day)}\t{nxt}\t{last}")


@jobs_group.command("run")
@click.argument("name")
@click.option("--period", default=None, help="YYYY-MM for monthly jobs; daily jobs run for today only")
def jobs_run(name, period):
    """Run job NAME now (again, if its period is done: the jobs are idempotent). Exit 1 if it fails."""
    from supervision.jobs import runner
    from supervision.jobs.registry import JOBS, job_context

    job = JOBS.get(name)
    if job is None:
        click.echo(f"错误：没有名为“{name}”的定时任务；可用：{'、'.join(JOBS)}。", err=True)
        sys.exit(2)
    now = clock.now()
    problem = period_problem(job, period, now)
    if problem:
        click.echo(f"错误：{problem}", err=True)
        sys.exit(2)
    if period is None:
        calendar, params = job_context(db.session())
        period = job.schedule.current_period(now, calendar, params.ledger_due_working_day)
    outcome = runner.run_job(current_app.extensions["db_sessionmaker"], job, period, now, trigger="cli",
                             actor=auditlog.Actor(None, "cli", "system"), force=True)
    click.echo(outcome.describe())
    sys.exit(1 if outcome.status in ("failed", "busy") else 0)


def period_problem(job, period: str | None, now) -> str | None:
    """Why ``period`` cannot be run by hand for ``job`` now (None: it can)."""
    from supervision.jobs.schedule import month_of

    if period is None:
        return None
    if not job.schedule.valid_period(period):
        return f"--period 应为 {'YYYY-MM' if job.schedule.monthly else 'YYYY-MM-DD'} 格式；填写的是“{period}”。"
    if job.schedule.monthly and period >= month_of(now):
        return f"只能对已经结束的月份运行“{job.label}”；{period} 尚未结束。"
    if not job.schedule.monthly and period != now.date().isoformat():
        return f"“{job.label}”是每日任务，只能运行当天（{now.date().isoformat()}）。"
    return None


@click.command("backup")
@click.option("--out", "out_file", default=None, type=click.Path(dir_okay=False),
              help="where to write it (default: instance/backups/…)")
@with_appcontext
def backup_command(out_file):
    """Back up the database (SQLite online backup API / pg_dump --format=custom) with a manifest."""
    from supervision.services import backup

    try:
        manifest = backup.create_backup(current_app._get_current_object(), out_file)
    except backup.BackupError as e:
        click.echo(f"错误：{e}", err=True)
        sys.exit(1)
    click.echo(f"备份已写入 {manifest['file']}（{manifest['size']} 字节，SHA-256 {manifest['sha256']}）。")
    click.echo(f"数据库版本 {manifest['revision']}，{len(manifest['tables'])} 张表，共 {sum(manifest['tables'].values())} 行；"
               f"关键表校验值 {manifest['checksum']}。清单：{manifest['manifest']}")
    if manifest.get("complaints_not_yet_entered"):
        click.echo(f"注意：{manifest['complaints_not_yet_entered']} 件投诉在数据库繁忙时暂存、尚未登记入库，"
                   "不在本备份中（登记后的下一次备份包含）。")


@click.command("restore")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="replace a database that already holds data")
@with_appcontext
def restore_command(file, force):
    """Restore a backup into this database (refuses a non-empty database unless --force)."""
    from supervision.services import backup

    try:
        report = backup.restore_backup(current_app._get_current_object(), file, force=force)
    except backup.BackupError as e:
        click.echo(f"错误：{e}", err=True)
        sys.exit(e.exit_code)
    click.echo(f"已从 {file} 恢复：{len(report['tables'])} 张表，共 {sum(report['tables'].values())} 行，"
               f"数据库版本 {report['revision']}；关键表校验值 {report['checksum']}。")
    if report["matches"] is True:
        click.echo("与备份清单一致。")
    elif report["matches"] is False:
        click.echo("警告：与备份清单不一致：" + "；".join(report["differences"]), err=True)
        sys.exit(1)
    else:
        click.echo("未找到备份清单，无法比对。")


def init_app(app) -> None:
    for command in (scheduler_command, jobs_group, backup_command, restore_command):
        app.cli.add_command(command)
