"""The standard executed over stored ledgers: ledger check, findings kept and re-judged,
parameters and calendar versions, disclosures, LED rules."""
from sqlalchemy import func, select

from supervision.models import CheckRun, Finding
from tests.ledger_rows import ledger, row
from tests.ledger_samples import ledger_frame, to_csv_bytes


def _import(runner, tmp_path, frame, period, name=None, platform="pa", at="on time"):
    """Import as if submitted on the 6th of the next month (on time) unless ``at`` says otherwise."""
    path = tmp_path / (name or f"{period}.csv")
    path.write_bytes(to_csv_bytes(frame))
    if at == "on time":
        y, m = map(int, period.split("-"))
        at = f"{y + (m == 12)}-{m % 12 + 1:02d}-06 10:00"
    when = ["--submitted-at", at] if at else []
    r = runner.invoke(args=["ledger", "import", "--platform", platform, "--period", period, *when, str(path)])
    assert r.exit_code == 0, r.output
    return r


def _check(runner, period, platform="pa"):
    r = runner.invoke(args=["ledger", "check", "--platform", platform, "--period", period])
    assert r.exit_code == 0, r.output
    return r.output


def test_clean_report_has_no_finding_and_export_has_header(runner, make_platform, tmp_path):
    make_platform("pa")
    _import(runner, tmp_path, ledger(row("R1")), "2026-09")
    runner.invoke(args=["disclosure", "add", "--platform", "pa", "--period", "2026-09", "--url",
                        "https://example.cn/stat/2026-09", "--published-on", "2026-10-05"])
    assert _check(runner, "2026-09") == "report_id,rule_code\n"


def test_export_lists_each_finding_sorted(runner, make_platform, tmp_path):
    make_platform("pa")
    frame = ledger(
        row("R2", **{"处置完成时间": "2026-09-10 09:00:00", "反馈时间": "2026-09-10 10:00:00"}),  # TIM-01
        row("R1", **{"复核人": " h01 "}),  # PRO-01 (same person, case and spaces ignored)
        row("R3", **{"告知发布者": "是", "举报人信息已隐去": None}),  # PRO-02
    )
    _import(runner, tmp_path, frame, "2026-09")
    out = _check(runner, "2026-09")
    assert out.splitlines() == ["report_id,rule_code", "2026-09,LED-03", "R1,PRO-01", "R2,TIM-01", "R3,PRO-02"]


def test_findings_are_stored_with_facts_and_run_versions(runner, make_platform, tmp_path, session):
    make_platform("pa")
    _import(runner, tmp_path, ledger(row("R2", **{"处置完成时间": "2026-09-10 09:00:00",
                                                    "反馈时间": "2026-09-10 10:00:00"})), "2026-09")
    _check(runner, "2026-09")
    f = session.scalar(select(Finding).where(Finding.rule_code == "TIM-01"))
    assert f.status == "open" and f.severity == "较重"
    assert f.deadline.isoformat(sep=" ") == "2026-09-04 23:59:59"
    assert f.observed_at.isoformat(sep=" ") == "2026-09-10 09:00:00" and f.overdue_working_days == 4
    run = session.get(CheckRun, f.opened_run_id)
    assert run.parameter_version == 1 and run.calendar_version.startswith("wc-")


def test_a_cohort_is_rejudged_after_a_later_submission(runner, make_platform, tmp_path, session):
    make_platform("pa")
    open_late = row("R1", **{"受理时间": "2026-09-21 10:00:00", "办理状态": "办理中", "处置完成时间": None,
                             "反馈时间": None, "反馈方式": None, "处置措施": None, "事实清楚举证充分": None,
                             "复核人": None})
    _import(runner, tmp_path, ledger(open_late), "2026-09")
    assert "R1,TIM-06" in _check(runner, "2026-09")
    concluded = row("R1", **{"受理时间": "2026-09-21 10:00:00", "处置完成时间": "2026-10-09 15:00:00",
                             "反馈时间": "2026-10-09 16:00:00"})
    _import(runner, tmp_path, ledger(concluded), "2026-10")  # the automatic check re-judges September
    rows = {(f.rule_code, f.status) for f in session.scalars(select(Finding).where(Finding.period == "2026-09"))}
    assert ("TIM-06", "closed") in rows and ("TIM-01", "open") in rows
    closed = session.scalar(select(Finding).where(Finding.rule_code == "TIM-06"))
    assert closed.closed_run_id is not None and closed.closed_at is not None
    assert "R1,TIM-06" not in _check(runner, "2026-09")


def test_changed_parameters_give_new_findings_and_old_runs_stay_reproducible(app, runner, make_platform, tmp_path,
                                                                              session):
    from supervision import db
    from supervision.services.checks import run_check, save_parameters
    from supervision.services.platforms import by_code

    make_platform("pa")
    _import(runner, tmp_path, ledger(row("R2", **{"处置完成时间": "2026-09-08 09:00:00",
                                                    "反馈时间": "2026-09-08 10:00:00"})), "2026-09")
    assert "R2,TIM-01" in _check(runner, "2026-09")
    with app.app_context():
        s = db.session()
        save_parameters(s, {"simple_case_working_days": 5, "complex_case_working_days": 9}, "试行放宽", "adm")
        s.commit()
    assert "R2,TIM-01" not in _check(runner, "2026-09")
    with app.app_context():
        s = db.session()
        again = run_check(s, by_code(s, "pa"), "2026-09", trigger="manual", parameter_version=1)
        assert "TIM-01" in set(again.findings["rule_code"])
        s.rollback()
    runs = session.scalars(select(CheckRun).order_by(CheckRun.id)).all()
    assert [r.parameter_version for r in runs][-2:] == [1, 2]


def test_led_rules_and_disclosures(runner, make_platform, tmp_path, clock):
    make_platform("pa")
    out = _check(runner, "2026-09")  # nothing submitted, due 2026-10-14 has passed on 2026-11-20
    assert out.splitlines() == ["report_id,rule_code", "2026-09,LED-01", "2026-09,LED-03"]
    r = runner.invoke(args=["disclosure", "add", "--platform", "pa", "--period", "2026-09", "--url", "ftp://x",
                            "--published-on", "2026-10-05"])
    assert r.exit_code == 2 and "https://" in r.output
    r = runner.invoke(args=["disclosure", "add", "--platform", "pa", "--period", "2026-09", "--url",
                            "https://example.cn/stat", "--published-on", "2026-10-05"])
    assert r.exit_code == 0, r.output
    _import(runner, tmp_path, ledger(row("R1")), "2026-09", at=None)  # submitted now, late: LED-02
    assert _check(runner, "2026-09").splitlines() == ["report_id,rule_code", "2026-09,LED-02"]


def test_a_year_outside_the_calendar_fails_loudly(runner, make_platform, tmp_path, clock):
    from datetime import datetime

    make_platform("pa")
    clock.current = datetime(2028, 2, 10, 9, 0)
    r = row("R1", **{"受理时间": "2027-12-30 10:00:00", "处置完成时间": "2028-01-05 10:00:00",
                     "反馈时间": "2028-01-05 11:00:00"})
    path = tmp_path / "l.csv"
    path.write_bytes(to_csv_bytes(ledger(r)))
    out = runner.invoke(args=["ledger", "import", "--platform", "pa", "--period", "2027-12", "--submitted-at",
                              "2028-01-06 10:00", str(path)])
    assert out.exit_code == 0 and "自动检查未能完成" in out.output and "2027年" in out.output
    out = runner.invoke(args=["ledger", "check", "--platform", "pa", "--period", "2027-12"])
    assert out.exit_code == 1 and "工作日历未包含2027年" in out.output


def test_stored_and_reloaded_ledger_gives_the_same_findings_as_the_file(app, runner, make_platform, tmp_path):
    """The database round trip changes nothing the rules look at."""
    from importers import read_ledger
    from supervision.standard.export import findings_csv
    from supervision.standard.parameters import Parameters
    from supervision.standard.rules import run_rules
    from supervision.standard.workdays import WorkCalendar

    make_platform("pa")
    frame = ledger_frame(400, "2026-09", seed=3)
    _import(runner, tmp_path, frame, "2026-09")
    direct = read_ledger(to_csv_bytes(frame), "x.csv", "2026-09").frame
    from datetime import datetime

    with app.app_context():
        now = app.config["CLOCK"]()
    expected = findings_csv(run_rules(direct, "2026-09", WorkCalendar(), Parameters(), now,
                                      submissions=[("2026-09", datetime(2026, 10, 6, 10))], disclosures=[],
                                      onboarding_month="2025-01"))
    assert _check(runner, "2026-09") == expected.decode()
    assert len(expected.splitlines()) > 10


def test_findings_keep_their_row_refresh_facts_and_reopen(runner, make_platform, tmp_path, session):
    make_platform("pa")
    open_late = row("R1", **{"受理时间": "2026-09-21 10:00:00", "办理状态": "办理中", "处置完成时间": None,
                             "反馈时间": None, "反馈方式": None, "处置措施": None, "事实清楚举证充分": None,
                             "复核人": None})
    _import(runner, tmp_path, ledger(open_late), "2026-09")
    first = session.scalar(select(Finding).where(Finding.rule_code == "TIM-06"))
    assert first.observed_at.isoformat(sep=" ") == "2026-09-30 23:59:59"
    first_id = first.id
    first_run = session.scalar(select(func.max(CheckRun.id)).where(CheckRun.period == "2026-09"))
    _import(runner, tmp_path, ledger(open_late), "2026-10", name="oct.csv")  # still open a month later
    again = session.scalar(select(Finding).where(Finding.rule_code == "TIM-06"))
    assert again.id == first_id and again.observed_at.isoformat(sep=" ") == "2026-10-31 23:59:59"
    rechecked = session.scalar(select(func.max(CheckRun.id)).where(CheckRun.period == "2026-09"))
    assert rechecked > first_run and again.opened_run_id < rechecked and again.status == "open"
    # the platform's ledger for September is corrected (report concluded in time), then reverted
    fixed = row("R1", **{"受理时间": "2026-09-21 10:00:00", "处置完成时间": "2026-09-22 10:00:00",
                         "反馈时间": "2026-09-22 11:00:00"})
    _import(runner, tmp_path, ledger(fixed), "2026-10", name="oct2.csv")
    assert session.scalar(select(Finding).where(Finding.rule_code == "TIM-06")).status == "closed"
    reverted = {**open_late, "备注": "此前更正有误，恢复为办理中"}
    _import(runner, tmp_path, ledger(reverted), "2026-10", name="oct3.csv", at="2026-11-07 10:00")
    reopened = session.scalar(select(Finding).where(Finding.rule_code == "TIM-06"))
    assert reopened.id == first_id and reopened.status == "open" and reopened.closed_at is None


def test_a_resubmission_runs_the_checks_that_a_killed_import_never_ran(runner, make_platform, tmp_path,
                                                                        session, monkeypatch):
    """The checks run in their own transaction after the submission is stored: when the process
    dies in between, sending the same file again runs them instead of answering "unchanged";
    once they have run, an identical file changes nothing and checks nothing."""
    from supervision.services import checks

    make_platform("pa")
    frame = ledger(row("R2", **{"处置完成时间": "2026-09-10 09:00:00", "反馈时间": "2026-09-10 10:00:00"}))

    def killed(*_a, **_k):
        raise SystemExit(9)  # the process ends after the submission's commit, before any check

    monkeypatch.setattr(checks, "check_after_submission_and_commit", killed)
    path = tmp_path / "2026-09.csv"
    path.write_bytes(to_csv_bytes(frame))
    args = ["ledger", "import", "--platform", "pa", "--period", "2026-09", "--submitted-at", "2026-10-06 10:00",
            str(path)]
    assert runner.invoke(args=args).exit_code == 9
    assert session.scalar(select(CheckRun)) is None
    monkeypatch.undo()

    r = runner.invoke(args=args)
    assert r.exit_code == 0 and "完全相同" in r.output and "补做" in r.output, r.output
    session.expire_all()
    runs = session.scalars(select(CheckRun)).all()
    assert len(runs) == 1 and session.scalar(select(Finding).where(Finding.rule_code == "TIM-01")) is not None
    r = runner.invoke(args=args)
    assert r.exit_code == 0 and "补做" not in r.output
    session.expire_all()
    assert len(session.scalars(select(CheckRun)).all()) == 1



def test_stored_reports_and_findings_cannot_move_to_another_platform(runner, make_platform, tmp_path, app):
    """One composite foreign key per bulk-inserted row guards both its source (submission or
    check run) and its platform: the source's platform must be the row's."""
    import pytest
    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    make_platform("pa")
    other = make_platform("pb")
    _import(runner, tmp_path, ledger(row("R2", **{"处置完成时间": "2026-09-10 09:00:00",
                                                    "反馈时间": "2026-09-10 10:00:00"})), "2026-09")
    _check(runner, "2026-09")
    engine = app.extensions["db_engine"]
    for table in ("reports", "findings"):
        with pytest.raises(IntegrityError):
            with engine.begin() as conn:
                conn.execute(text(f"UPDATE {table} SET platform_id = :p"), {"p": other})
        with engine.connect() as conn:
            assert conn.execute(text(f"SELECT count(*) FROM {table} WHERE platform_id = :p"),
                                {"p": other}).scalar() == 0


def test_the_calendar_in_force_follows_an_override_at_once_and_cannot_be_altered_by_a_reader(app):
    """The built calendar is shared between requests: a day the office corrects is in force for
    the next reader, and no reader can change the shared one."""
    from datetime import date, datetime

    import numpy as np
    import pytest

    from supervision.models import CalendarDay
    from sqlalchemy.orm import Session

    from supervision.services.checks import load_calendar

    session = Session(bind=app.extensions["db_engine"])
    first = load_calendar(session)
    assert load_calendar(session) is first  # built once for the same content
    assert first.is_workday(date(2026, 10, 1)) is False  # 国庆节
    session.add(CalendarDay(day=date(2026, 10, 1), is_workday=True, note="测试", updated_by="t",
                            updated_at=datetime(2026, 9, 1)))
    session.flush()
    changed = load_calendar(session)
    assert changed.is_workday(date(2026, 10, 1)) is True and changed.version != first.version
    assert first.is_workday(date(2026, 10, 1)) is False
    with pytest.raises(ValueError):
        np.asarray(changed._work)[0] = True
    session.rollback()
    assert load_calendar(session) is first
    session.close()
