"""The command line of shared/spec/interfaces.md (``flask --app app …``).

Exit codes: 0 success; 2 invalid input (click's usage errors use 2 as well).
"""
from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext

from supervision import auditlog, db
from supervision.services import ValidationError


def _fail(messages, code: int = 2):
    for m in messages:
        click.echo(f"错误：{m}", err=True)
    sys.exit(code)


@click.command("init-db")
@with_appcontext
def init_db_command():
    """Create or upgrade the schema to the newest version (idempotent)."""
    db.upgrade()
    click.echo(f"数据库已是最新版本（{db.current_revision()}）。")


platform_group = AppGroup("platform", help="Platforms (网站平台).")


@platform_group.command("add")
@click.option("--code", required=True, help="short code")
@click.option("--name", required=True)
@click.option("--uscc", required=True, help="统一社会信用代码")
@click.option("--non-local", is_flag=True, help="not a local (属地) platform")
@click.option("--onboarded", default=None, help="onboarding month YYYY-MM (default: this month)")
def platform_add(code, name, uscc, non_local, onboarded):
    """Register a platform."""
    from supervision import clock
    from supervision.services.platforms import PlatformInput, register_platform

    s = db.session()
    data = PlatformInput(code=code, name=name, uscc=uscc, is_local=not non_local,
                         onboarded=onboarded or clock.now().strftime("%Y-%m"))
    try:
        platform = register_platform(s, data)
    except ValidationError as e:
        s.rollback()
        _fail(e.errors.values())
    s.commit()
    click.echo(f"已登记平台 {platform.code}（{platform.name}），{'属地' if platform.is_local else '非属地'}，"
               f"纳管月份 {platform.onboarded}。")


user_group = AppGroup("user", help="User accounts.")


@user_group.command("add")
@click.option("--username", required=True)
@click.option("--role", required=True, help="admin, security_auditor, inspector, supervisor, "
              "complaint_handler, leader or platform")
@click.option("--platform", "platform_code", default=None, help="platform code (platform users)")
@click.option("--display-name", default="")
@click.option("--password-stdin", is_flag=True, help="read the password from standard input")
def user_add(username, role, platform_code, display_name, password_stdin):
    """Create a user; the password must be changed at first log-in."""
    from supervision.services.accounts import create_user

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("密码", hide_input=True, confirmation_prompt="再次输入密码")
    s = db.session()
    try:
        user = create_user(s, username, role, password, display_name, platform_code)
    except ValidationError as e:
        s.rollback()
        _fail(e.errors.values())
    s.commit()
    click.echo(f"已创建用户 {user.username}（{user.role_label}），首次登录须修改密码。")


audit_group = AppGroup("audit", help="Audit log and audit sampling.")


@audit_group.command("sample-size")
@click.option("--confidence", type=float, required=True, help="e.g. 0.95")
@click.option("--tolerable-rate", type=float, required=True, help="e.g. 0.05")
@click.option("--expected-deviations", type=int, required=True, help="e.g. 0")
@click.option("--population", type=int, default=None, help="N reports (hypergeometric)")
def audit_sample_size(confidence, tolerable_rate, expected_deviations, population):
    """Print the attribute-sampling sample size n (binomial; hypergeometric with --population)."""
    from supervision.standard.sampling import sample_size

    try:
        n = sample_size(confidence, tolerable_rate, expected_deviations, population=population)
    except ValueError as e:
        _fail([str(e)])
    click.echo(n)


@audit_group.command("verify")
def audit_verify():
    """Check the audit log's hash chain; exit 1 and name the first broken record if it is broken."""
    report = auditlog.verify(db.session())
    click.echo(report.message)
    sys.exit(0 if report.ok else 1)


ledger_group = AppGroup("ledger", help="Platform ledgers (工作台账).")


@ledger_group.command("import")
@click.option("--platform", "platform_code", required=True)
@click.option("--period", required=True, help="YYYY-MM")
@click.option("--submitted-at", default=None, help='"YYYY-MM-DD HH:MM" to back-date a historical ledger')
@click.argument("file", type=click.Path(dir_okay=False))
def ledger_import(platform_code, period, submitted_at, file):
    """Validate and store a ledger file (exit 0 accepted, 1 rejected, 2 bad arguments)."""
    from datetime import datetime
    from pathlib import Path

    from flask import current_app

    from supervision.services.ledger_import import import_ledger
    from supervision.services.platforms import by_code

    s = db.session()
    platform = by_code(s, platform_code)
    if platform is None:
        _fail([f"平台简码“{platform_code}”未登记。"])
    path = Path(file)
    if not path.is_file():
        _fail([f"文件不存在：{file}"])
    when = None
    if submitted_at:
        try:
            when = datetime.strptime(submitted_at.strip(), "%Y-%m-%d %H:%M")
        except ValueError:
            _fail([f"--submitted-at 应为 \"YYYY-MM-DD HH:MM\" 格式；填写的是“{submitted_at}”。"])
    try:
        outcome = import_ledger(s, platform=platform, period=period, filename=path.name, data=path.read_bytes(),
                                channel="cli", upload_dir=current_app.config["UPLOAD_DIR"], submitted_at=when,
                                max_bytes=current_app.config["LEDGER_MAX_BYTES"])
    except ValidationError as e:
        s.rollback()
        _fail(e.errors.values())
    except OSError as e:  # e.g. the disk filled up while archiving the file: nothing is kept
        from supervision.uploads import storage_message

        s.rollback()
        click.echo(f"台账未能保存：{storage_message(e)}", err=True)
        sys.exit(1)
    s.commit()
    sub = outcome.submission
    from supervision.services.checks import check_after_submission_and_commit, needs_check

    if outcome.duplicate:
        click.echo(f"该文件与第 {sub.id} 号报送（{sub.period}，{sub.submitted_at:%Y-%m-%d %H:%M}）完全相同，未做任何更改。")
        if needs_check(s, outcome):
            click.echo("该报送的自动检查尚未完成，现在补做。")
            problem = check_after_submission_and_commit(s, sub, "cli")
            if problem:
                click.echo(f"警告：自动检查未能完成：{problem}", err=True)
        return
    if not outcome.accepted:
        click.echo(f"台账被退回：共 {outcome.error_count} 处错误，未入库任何记录（报送编号 {sub.id}）。", err=True)
        click.echo("行号\t列\t值\t说明")
        for e in outcome.error_dicts():
            value = "" if e["value"] is None else str(e["value"]).replace("\t", " ").replace("\n", " ")
            row = "" if e["row"] is None else int(e["row"])
            click.echo(f"{row}\t{e['column'] or ''}\t{value}\t{e['message']}")
        sys.exit(1)
    click.echo(f"台账已接收（报送编号 {sub.id}，{platform.code} {sub.period}）：读取 {sub.row_count} 行，"
               f"新增 {sub.created_count} 条，更新 {sub.updated_count} 条，未变 {sub.unchanged_count} 条，"
               f"提示 {sub.warning_count} 条。" + ("（补录，报送时间 " + f"{sub.submitted_at:%Y-%m-%d %H:%M}）" if sub.backdated else ""))
    for w in outcome.warnings:
        click.echo(f"提示：{w.message}")
    problem = check_after_submission_and_commit(s, sub, "cli")
    if problem:
        click.echo(f"警告：台账已接收，但自动检查未能完成：{problem}", err=True)


@ledger_group.command("check")
@click.option("--platform", "platform_code", required=True)
@click.option("--period", required=True, help="YYYY-MM")
@click.option("--out", "out_file", default=None, type=click.Path(dir_okay=False), help="write the export here")
def ledger_check(platform_code, period, out_file):
    """Run every rule of rules.md for the reports received in PERIOD and the LED rules of PERIOD."""
    from pathlib import Path

    from supervision.services.checks import CheckError, run_check
    from supervision.services.ledger_import import PERIOD_RE
    from supervision.services.platforms import by_code
    from supervision.standard.export import findings_csv

    s = db.session()
    platform = by_code(s, platform_code)
    if platform is None:
        _fail([f"平台简码“{platform_code}”未登记。"])
    if not PERIOD_RE.match(period):
        _fail([f"--period 应为 YYYY-MM 格式；填写的是“{period}”。"])
    try:
        result = run_check(s, platform, period, trigger="cli", actor_name="cli")
    except CheckError as e:
        s.rollback()
        _fail([str(e)], code=1)
    s.commit()
    data = findings_csv(result.findings)
    if out_file:
        Path(out_file).write_bytes(data)
        click.echo(f"{platform.code} {period}：{len(result.findings)} 条问题，已写入 {out_file}。", err=True)
    else:
        click.echo(data.decode("utf-8"), nl=False)


disclosure_group = AppGroup("disclosure", help="Platforms' monthly public disclosures (rule LED-03).")


@disclosure_group.command("add")
@click.option("--platform", "platform_code", required=True)
@click.option("--period", required=True, help="YYYY-MM")
@click.option("--url", required=True)
@click.option("--published-on", required=True, help="YYYY-MM-DD")
def disclosure_add(platform_code, period, url, published_on):
    """Record a platform's public monthly statistics for a month."""
    from datetime import datetime

    from supervision.services.checks import record_disclosure
    from supervision.services.platforms import by_code

    s = db.session()
    platform = by_code(s, platform_code)
    if platform is None:
        _fail([f"平台简码“{platform_code}”未登记。"])
    try:
        day = datetime.strptime(published_on.strip(), "%Y-%m-%d").date()
    except ValueError:
        _fail([f"--published-on 应为 YYYY-MM-DD 格式；填写的是“{published_on}”。"])
    try:
        record_disclosure(s, platform, period.strip(), url, day, "cli")
    except ValidationError as e:
        s.rollback()
        _fail(e.errors.values())
    s.commit()
    click.echo(f"已记录 {platform.code} {period} 的公开情况：{day} {url}")


scores_group = AppGroup("scores", help="Scorecards (scoring.md).")


@scores_group.command("compute")
@click.option("--period", required=True, help="YYYY-MM (also YYYY-Qn or YYYY)")
@click.option("--out", "out_file", default=None, type=click.Path(dir_okay=False))
def scores_compute(period, out_file):
    """Compute and store the period's scorecards; CSV platform_code,score,grade,rank + one column per indicator."""
    from pathlib import Path

    from scoring import PeriodError, parse_period, scores_csv
    from supervision import clock
    from supervision.services.scores import league_view, recompute_period

    try:
        p = parse_period(period)
    except PeriodError as e:
        _fail([f"--period：{e}"])
    s = db.session()
    recompute_period(s, p.key, clock.now(), trigger="cli")
    s.commit()
    data = scores_csv(league_view(s, p).cards)
    if out_file:
        Path(out_file).write_bytes(data)
        click.echo(f"已写入 {out_file}。", err=True)
    else:
        click.echo(data.decode("utf-8"), nl=False)


@click.command("demo")
@with_appcontext
def demo_command():
    """Load the demo province (idempotent)."""
    from supervision.services.demo import load_demo

    from flask import current_app

    db.upgrade()
    s = db.session()
    logins = load_demo(s, current_app.config["UPLOAD_DIR"])
    s.commit()
    from supervision.services import complaint_intake

    complaint_intake.sweep(db.engine())  # SQLite: the demo's filings are in; their journal rows go
    click.echo("演示数据已就绪。演示账号（密码均为下列所示）：")
    for role_label, username, password in logins:
        click.echo(f"  {role_label:<8} {username:<16} {password}")


def init_app(app: Flask) -> None:
    for command in (init_db_command, platform_group, user_group, audit_group, ledger_group, disclosure_group, scores_group,
                    demo_command):
        app.cli.add_command(command)
    from supervision.cli_complaints import complaints_group

    app.cli.add_command(complaints_group)
    # -- notices (issue 7) --
    # -- scheduler, backup (issue 9) --
    from supervision import cli_jobs

    cli_jobs.init_app(app)
