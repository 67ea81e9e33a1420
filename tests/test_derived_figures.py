"""Figures that aggregate a whole month (signals, the findings list's counts, the scorecard's lost
points) are stored with the platform's data version and computed again once the data changes."""
from __future__ import annotations

from sqlalchemy import func, select, text

from supervision import db
from supervision.models import DataVersion, DerivedFigure, Finding, Platform
from tests.conftest import login
from tests.ledger_rows import ledger, row
from tests.test_checks import _import


def _duplicates(prefix: str, n: int) -> list[dict]:
    return [row(f"{prefix}{i}", **{"受理时间": "2026-10-01 09:00:00", "处置完成时间": "2026-10-01 12:00:00",
                                   "反馈时间": "2026-10-01 13:00:00"}) for i in range(n)]


def test_a_stored_figure_is_used_until_the_platform_data_changes(app, make_platform):
    from supervision.services import derived

    pa, pb = make_platform("pa", "甲平台"), make_platform("pb", "乙平台")
    calls = []

    def compute():
        calls.append(1)
        return {"n": len(calls), "ids": ("A", "B")}

    with app.app_context():
        s = db.session()
        v = derived.version_of(s, pa)
        assert derived.cached(s, "test|pa", v, compute) == {"n": 1, "ids": ["A", "B"]}  # as JSON gives it back
        assert derived.cached(s, "test|pa", derived.version_of(s, pa), compute) == {"n": 1, "ids": ["A", "B"]}
        everyone = derived.version_of(s, None)
        derived.bump(s, pb)
        s.commit()
        assert derived.version_of(s, pa) == v  # another platform's change leaves pa's figures
        assert derived.version_of(s, None) != everyone  # but not the figures over all platforms
        derived.bump(s, pa)
        s.commit()
        assert derived.cached(s, "test|pa", derived.version_of(s, pa), compute)["n"] == 2
        assert len(calls) == 2 and s.scalar(select(func.count()).select_from(DerivedFigure)) == 1


def test_a_figure_another_server_process_is_computing_is_waited_for(app, make_platform):
    """PostgreSQL: of the server's processes, one computes an outdated figure and the others
    wait for it and read what it stored (each computing it at once took the machine's cores
    after a large ledger's commit). SQLite: each process computes it (no such lock there)."""
    import json
    import threading

    from sqlalchemy.orm import Session

    from supervision.services import derived

    pa = make_platform("pa", "甲平台")
    calls, result = [], {}

    def compute():
        calls.append(1)
        return {"by": "this process"}

    def page_view(version):
        with app.app_context():
            result["value"] = derived.cached(db.session(), "test|pa", version, compute)

    with app.app_context():
        postgres = db.is_postgres()
        version = derived.version_of(db.session(), pa)
        other = Session(bind=db.engine())  # another process, computing the figure
        try:
            derived._one_process_at_a_time(other, "test|pa")
            view = threading.Thread(target=page_view, args=(version,))
            view.start()
            view.join(timeout=1.0)
            if postgres:
                assert view.is_alive() and not calls  # waiting for the other process
                derived._store(db.engine(), "test|pa", version, json.dumps({"value": {"by": "the other"}}))
        finally:
            other.close()  # the other process is done: its lock ends with its transaction
        view.join(timeout=30)
    assert not view.is_alive()
    if postgres:
        assert result["value"] == {"by": "the other"} and calls == []
    else:
        assert result["value"] == {"by": "this process"} and calls == [1]


def test_the_signals_page_follows_a_new_ledger_of_the_month(client, runner, make_platform, make_user, tmp_path,
                                                            session):
    make_platform("pa", "甲平台")
    make_user("insp", "inspector")
    _import(runner, tmp_path, ledger(*_duplicates("A", 4)), "2026-10", name="a.csv")
    login(client, "insp")
    page = client.get("/signals?period=2026-10").get_data(as_text=True)
    assert "除编号外完全相同的记录" in page and "A0" in page
    assert session.scalar(select(func.count()).select_from(DerivedFigure).where(
        DerivedFigure.key.like("signals|%|2026-10"))) == 1
    # the platform corrects its ledger: the same reports, no longer identical
    fixed = [{**r, "侵权网址": "否" if i % 2 else "是", "承办人": f"H{i}"} for i, r in enumerate(_duplicates("A", 4))]
    _import(runner, tmp_path, ledger(*fixed), "2026-10", name="b.csv")
    page = client.get("/signals?period=2026-10").get_data(as_text=True)
    assert "甲平台 · 2026-10" in page and "除编号外完全相同的记录" not in page


def test_findings_pages_read_from_their_months_equal_one_ordered_list(app, runner, make_platform, tmp_path):
    """The list takes each page from the months that hold it (by the stored counts per month),
    a month at a time: every page must be exactly the slice of the whole list in its order,
    across month borders, with two platforms using the same report numbers (the platform
    breaks the tie, so no finding is on two pages and none is left out)."""
    from importers.synthetic import synthetic_ledger
    from supervision.services import findings as svc

    for code, name in (("pa", "甲平台"), ("pb", "乙平台")):
        make_platform(code, name)
        for i, m in enumerate(("2026-07", "2026-08", "2026-09")):
            frame = synthetic_ledger(60, m, seed=20 + i)
            frame["举报编号"] = m.replace("-", "") + "-" + frame["举报编号"].astype(str)
            _import(runner, tmp_path, frame, m, name=f"{code}-{m}.csv", platform=code)
    with app.app_context():
        s = db.session()
        every = s.scalars(select(Finding.id).where(Finding.status == "open").order_by(
            Finding.period.desc(), Finding.report_id, Finding.rule_code, Finding.platform_id)).all()
        periods = s.scalars(select(Finding.period).where(Finding.status == "open").distinct()).all()
        shared = s.scalar(select(func.count()).select_from(
            select(Finding.period, Finding.report_id, Finding.rule_code).where(Finding.status == "open")
            .group_by(Finding.period, Finding.report_id, Finding.rule_code).having(func.count() > 1).subquery()))
        assert len(periods) >= 3 and len(every) > 80 and shared > 10
        flt = svc.FindingFilter()
        size = 7
        for page_no in range(1, len(every) // size + 3):
            total, rows = svc.page(s, flt, page_no, size)
            assert total == len(every)
            assert [f.id for f in rows] == every[(page_no - 1) * size:page_no * size], page_no
        counts = {c["code"]: c["count"] for c in svc.counts_by_rule(s, flt)}
        assert sum(counts.values()) == len(every)


def test_a_page_of_findings_is_read_in_index_order_not_sorted(app, runner, make_platform, tmp_path):
    """The office's list across platforms reads a month's page through an index in page order
    and stops at its end; it sorted every finding of the month before (half a second per view
    with a million-row month, seconds under load). Checked on each query the page runs: the
    index exists on both databases, and SQLite's plan uses it with no sort."""
    from sqlalchemy import event, inspect

    from importers.synthetic import synthetic_ledger
    from supervision.services import findings as svc

    make_platform("pa", "甲平台")
    _import(runner, tmp_path, synthetic_ledger(40, "2026-09", seed=3), "2026-09")
    engine = app.extensions["db_engine"]
    assert any(ix["name"] == "ix_findings_period_order" and ix["column_names"][:4] == [
        "period", "report_id", "rule_code", "platform_id"] for ix in inspect(engine).get_indexes("findings"))
    seen = []

    def keep(_conn, _cursor, statement, parameters, _context, _many):
        if "FROM findings" in statement and "LIMIT" in statement:
            seen.append((statement, parameters))

    with app.app_context():
        s = db.session()
        event.listen(engine, "before_cursor_execute", keep)
        try:
            for flt in (svc.FindingFilter(), svc.FindingFilter(rule_code="TIM-01"),
                        svc.FindingFilter(severity="一般", status="all")):
                svc.page(s, flt, 1)
        finally:
            event.remove(engine, "before_cursor_execute", keep)
        assert len(seen) >= 2
        if engine.dialect.name == "sqlite":
            raw = s.connection().connection.driver_connection
            for statement, parameters in seen:
                plan = " | ".join(r[-1] for r in raw.execute("EXPLAIN QUERY PLAN " + statement, parameters))
                assert "ix_findings_period_order" in plan and "TEMP B-TREE FOR ORDER BY" not in plan, plan


def test_a_check_and_a_withdrawn_complaint_finding_raise_the_data_version(app, runner, make_platform, tmp_path):
    """The writers of reports and findings raise the version in their own transaction."""
    from supervision.services import derived
    from supervision.services.checks import run_check

    pa = make_platform("pa", "甲平台")
    with app.app_context():
        s = db.session()

        def version():
            return s.scalar(select(DataVersion.version).where(DataVersion.platform_id == pa)) or 0

        _import(runner, tmp_path, ledger(row("R1")), "2026-09")
        after_import = version()
        assert after_import >= 2  # the accepted ledger, then its check
        reports_only = derived.version_of(s, pa, reports_only=True)
        everyone_reports = derived.version_of(s, None, reports_only=True)
        run_check(s, s.get(Platform, pa), "2026-09", trigger="manual", actor_name="t")
        s.commit()
        assert version() == after_import + 1
        # a check changes findings only: the figures read from reports alone stay current
        assert derived.version_of(s, pa, reports_only=True) == reports_only
        assert derived.version_of(s, None, reports_only=True) == everyone_reports
        _import(runner, tmp_path, ledger(row("R1"), row("R2")), "2026-09", name="again.csv")
        assert derived.version_of(s, pa, reports_only=True) != reports_only
        assert derived.version_of(s, None, reports_only=True) != everyone_reports


def test_the_signals_stay_stored_through_a_check_and_follow_a_new_ledger(app, runner, make_platform, tmp_path):
    """异常信号 read reports only: a check run (or a complaint's finding) leaves the stored
    signals current, and an accepted ledger of the platform makes them computed again."""
    from supervision.services import signals
    from supervision.services.checks import run_check

    pa = make_platform("pa", "甲平台")
    _import(runner, tmp_path, ledger(*_duplicates("A", 3)), "2026-10")
    calls = []
    real = signals.signal_frame

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    with app.app_context():
        s = db.session()
        from unittest import mock

        with mock.patch.object(signals, "signal_frame", counted):
            first = signals.month_signals(s, pa, "2026-10")
            run_check(s, s.get(Platform, pa), "2026-10", trigger="manual", actor_name="t")
            s.commit()
            assert signals.month_signals(s, pa, "2026-10") == first and len(calls) == 1
            _import(runner, tmp_path, ledger(*_duplicates("A", 3), row("B1")), "2026-10", name="b.csv")
            s.expire_all()
            signals.month_signals(s, pa, "2026-10")
            assert len(calls) == 2


def test_statistics_and_page_figures_are_refreshed_after_a_large_write(app, runner, make_platform, tmp_path,
                                                                       monkeypatch):
    """After a large import and its check, the planner's row counts of reports and findings are
    brought up to date on PostgreSQL (no wait for autovacuum; SQLite has nothing to do), and the
    figures the pages ask for first are computed and stored."""
    from supervision.services import checks

    monkeypatch.setattr(checks, "LARGE_WRITE_ROWS", 2)
    make_platform("pa", "甲平台")
    _import(runner, tmp_path, ledger(row("R1", **{"处置完成时间": "2026-09-30 10:00:00"}), row("R2"), row("R3")),
            "2026-09")
    with app.app_context():
        s = db.session()
        if s.get_bind().dialect.name == "postgresql":
            estimated = dict(s.execute(text("SELECT relname, reltuples FROM pg_class WHERE relname IN "
                                            "('reports', 'findings')")).all())
            assert estimated["reports"] == 3
            assert estimated["findings"] == s.scalar(select(func.count()).select_from(Finding)) > 0
        else:
            assert s.scalar(select(func.count()).select_from(Finding)) > 0
        pid = s.scalar(select(Platform.id).where(Platform.code == "pa"))
        keys = set(s.scalars(select(DerivedFigure.key)).all())
    # the month checked, and last month as the clock (2026-11-20) has it
    assert {f"signals|{pid}|2026-09", f"signals|{pid}|2026-10", f"lost_points|{pid}|2026-10|2026-10",
            'findings|[null, "", "", "", "open"]', f'findings|[{pid}, "", "", "", "open"]'} <= keys, keys


def test_the_account_watch_is_stored_and_follows_new_ledgers(client, runner, make_platform, make_user, tmp_path,
                                                            session):
    make_platform("pa", "甲平台")
    make_platform("pb", "乙平台")
    make_user("insp", "inspector")
    _import(runner, tmp_path, ledger(*[row(f"A{i}", **{"被举报账号": "水军账号A"}) for i in range(3)]), "2026-09",
            name="a.csv")
    login(client, "insp")
    url = "/accounts?from=2026-09&to=2026-09&min_reports=5&min_platforms=2"
    assert "水军账号A" not in client.get(url).get_data(as_text=True)  # 3 reports on one platform: not flagged
    assert session.scalar(select(func.count()).select_from(DerivedFigure).where(
        DerivedFigure.key.like("accounts|%"))) == 1
    _import(runner, tmp_path, ledger(row("B1", **{"被举报账号": "水军账号Ａ "})), "2026-09", name="b.csv", platform="pb")
    page = client.get(url).get_data(as_text=True)
    assert "水军账号A" in page and "pa:3" in page and "pb:1" in page and "2026-09-01 10:00:00" in page


def test_a_figure_the_busy_database_could_not_store_is_not_computed_again_by_the_process(app, make_platform):
    """While another transaction holds the lock the store needs (SQLite: an import holding the
    single write lock), a computed figure cannot be stored; the process keeps it for its
    version instead of computing it on every page view, and a new version is computed."""
    from sqlalchemy import create_engine

    from supervision.services import derived

    pa = make_platform("pa", "甲平台")
    calls = []

    def compute():
        calls.append(1)
        return {"n": len(calls)}

    url = app.config["DATABASE_URL"]
    holder = create_engine(url)
    with app.app_context():
        s = db.session()
        version = derived.version_of(s, pa)
        with holder.connect() as conn:
            if url.startswith("sqlite"):
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            else:
                conn.exec_driver_sql("LOCK TABLE derived_figures IN EXCLUSIVE MODE")
            assert derived.cached(s, "busy|pa", version, compute) == {"n": 1}
            assert derived.cached(s, "busy|pa", version, compute) == {"n": 1}  # not computed again
            assert calls == [1]
            conn.rollback()
        holder.dispose()
        assert s.scalar(select(func.count()).select_from(DerivedFigure).where(DerivedFigure.key == "busy|pa")) == 0
        derived.bump(s, pa)
        s.commit()
        assert derived.cached(s, "busy|pa", derived.version_of(s, pa), compute) == {"n": 2}  # the new data's
        assert s.scalar(select(DerivedFigure.payload).where(DerivedFigure.key == "busy|pa")) == '{"value": {"n": 2}}'
