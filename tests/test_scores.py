"""Scorecards computed from stored ledgers, findings and audits: command line and page."""
from scoring import compute_league
from supervision.services.scores import month_input
from tests.conftest import login
from tests.ledger_rows import ledger, row
from tests.test_checks import _import

LATE = {"处置完成时间": "2026-09-10 09:00:00", "反馈时间": "2026-09-10 10:00:00"}


def _province(runner, make_platform, tmp_path):
    make_platform("pa", "甲平台")
    make_platform("pb", "乙平台")
    make_platform("pc", "丙平台")  # never submits: 未报送
    _import(runner, tmp_path, ledger(*[row(f"A{i}") for i in range(10)]), "2026-09", name="a.csv", platform="pa")
    _import(runner, tmp_path, ledger(*[row(f"B{i}", **(LATE if i < 5 else {})) for i in range(10)]), "2026-09",
            name="b.csv", platform="pb")
    for code in ("pa", "pb"):
        runner.invoke(args=["disclosure", "add", "--platform", code, "--period", "2026-09", "--url",
                            f"https://{code}.example.cn/s", "--published-on", "2026-10-05"])
        runner.invoke(args=["ledger", "check", "--platform", code, "--period", "2026-09"])
    runner.invoke(args=["ledger", "check", "--platform", "pc", "--period", "2026-09"])  # LED-01 for pc


def test_counts_fed_to_the_model(app, runner, make_platform, tmp_path):
    from supervision import db
    from supervision.services.platforms import by_code

    _province(runner, make_platform, tmp_path)
    with app.app_context():
        s = db.session()
        b = month_input(s, by_code(s, "pb"), "2026-09")
        c = month_input(s, by_code(s, "pc"), "2026-09")
    assert (b.timeliness_total, b.timeliness_ok, b.concluded_total, b.received_total) == (10, 5, 10, 10)
    assert b.months_reported == 1 and c.months_reported == 0 and c.led01 == 1


def test_scores_compute_command_and_page(client, runner, make_platform, make_user, tmp_path, app):
    _province(runner, make_platform, tmp_path)
    r = runner.invoke(args=["scores", "compute", "--period", "2026-09"])
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert lines[0] == ("platform_code,score,grade,rank,timeliness,correctness,feedback,process,complaints,"
                        "rectification,satisfaction")
    assert [line.split(",")[0] for line in lines[1:]] == ["pa", "pb", "pc"]
    assert lines[3].startswith("pc,,未报送,")
    out = tmp_path / "scores.csv"
    assert runner.invoke(args=["scores", "compute", "--period", "2026-09", "--out", str(out)]).exit_code == 0
    assert out.read_text(encoding="utf-8").splitlines() == lines
    assert runner.invoke(args=["scores", "compute", "--period", "9/2026"]).exit_code == 2
    make_user("boss", "leader")
    login(client, "boss")
    page = client.get("/scores?period=2026-09").get_data(as_text=True)
    assert "甲平台" in page and "乙平台" in page and "未报送" in page and "排名区间" in page
    make_user("user_b", "platform", "pb")
    other = app.test_client()
    login(other, "user_b")
    page = other.get("/scores?period=2026-09").get_data(as_text=True)
    assert "乙平台" in page and "甲平台" not in page


def test_pure_model_agrees_with_the_command(app, runner, make_platform, tmp_path):
    from scoring import scores_csv
    from supervision import db
    from supervision.services.scores import scored_platforms

    _province(runner, make_platform, tmp_path)
    with app.app_context():
        s = db.session()
        expected = scores_csv(compute_league([month_input(s, p, "2026-09") for p in scored_platforms(s, "2026-09")]))
    assert runner.invoke(args=["scores", "compute", "--period", "2026-09"]).output == expected.decode()


# --------------------------------------------------------------------------- stored scores


def _session(app):
    from supervision import db

    return db.session()


def _runs(app, period):
    from sqlalchemy import select

    from supervision.models import ScoreRun

    with app.app_context():
        return [(r.id, r.trigger, r.weight_version, r.provisional)
                for r in _session(app).scalars(select(ScoreRun).where(ScoreRun.period == period).order_by(ScoreRun.id))]


def _stored(app, run_id):
    from sqlalchemy import select

    from supervision.models import Score

    with app.app_context():
        return {s.platform_code: (s.score, s.grade, s.rank, s.rank_low, s.rank_high, s.card, s.inputs)
                for s in _session(app).scalars(select(Score).where(Score.run_id == run_id))}


def test_accepted_submission_stores_the_month(app, runner, make_platform, tmp_path):
    make_platform("pa", "甲平台")
    _import(runner, tmp_path, ledger(*[row(f"A{i}") for i in range(4)]), "2026-09", name="a.csv")
    runs = _runs(app, "2026-09")
    assert len(runs) == 1 and runs[0][1] == "submission" and runs[0][2] == 1
    stored = _stored(app, runs[0][0])
    assert set(stored) == {"pa"} and stored["pa"][2] == 1


def test_recompute_is_reproducible_and_stores_nothing_new_when_nothing_changed(app, runner, make_platform, tmp_path,
                                                                              clock):
    import json

    from scoring import card_to_dict, compute_league, input_from_dict
    from supervision.services.scores import recompute_period, weights_of_version

    _province(runner, make_platform, tmp_path)
    with app.app_context():
        s = _session(app)
        assert recompute_period(s, "2026-09", clock()) == 3
        s.commit()
        first = _runs(app, "2026-09")[-1]
        assert recompute_period(s, "2026-09", clock()) == 3
        s.commit()
    assert _runs(app, "2026-09")[-1] == first  # same inputs and versions: no new run
    stored = _stored(app, first[0])
    # the stored numbers are what the model gives for the stored inputs and weight version
    items = [input_from_dict(json.loads(v[6])) for v in stored.values()]
    with app.app_context():
        model = weights_of_version(_session(app), first[2])
    for card in compute_league(items, model):
        assert json.loads(stored[card.platform_code][5]) == json.loads(
            json.dumps(card_to_dict(card), sort_keys=True))
        assert stored[card.platform_code][0] == card.score


def test_new_weights_are_a_new_version_and_leave_stored_scores_alone(app, client, runner, make_platform,
                                                                     make_user, tmp_path, clock):
    from supervision.services.scores import recompute_period
    _province(runner, make_platform, tmp_path)
    assert runner.invoke(args=["scores", "compute", "--period", "2026-09"]).exit_code == 0
    old_run = _runs(app, "2026-09")[-1]
    before = _stored(app, old_run[0])
    make_user("root", "admin")
    login(client, "root")
    page = client.get("/admin/score-weights").get_data(as_text=True)
    assert "当前为第 1 版" in page
    form = {f: v for f, v in __import__("re").findall(r'name="([\w-]+)" value="([^"]*)"', page)}
    form.update({"weight_timeliness": "40", "weight_correctness": "10", "note": "更重视时效"})
    r = client.post("/admin/score-weights", data=form)
    assert r.status_code == 302
    # refused input: named field, nothing stored
    bad = client.post("/admin/score-weights", data={**form, "weight_feedback": "11"}).get_data(as_text=True)
    assert "七项指标权重之和必须为 100" in bad and "当前为第 2 版" in bad
    with app.app_context():
        s = _session(app)
        recompute_period(s, "2026-09", clock())
        s.commit()
    runs = _runs(app, "2026-09")
    assert runs[-1][2] == 2 and old_run in runs  # new run with version 2; the old one kept
    assert _stored(app, old_run[0]) == before  # old stored scores unchanged
    after = _stored(app, runs[-1][0])
    assert after["pb"][0] < before["pb"][0]  # pb is late: timeliness now weighs 40
    csv_now = runner.invoke(args=["scores", "compute", "--period", "2026-09"]).output
    assert csv_now.splitlines()[2].startswith(f"pb,{round(after['pb'][0], 1)}")


def test_quarter_is_computed_from_the_months_counts_not_their_scores(app, runner, make_platform, tmp_path, clock):
    import json

    from scoring import aggregate, compute_league, input_from_dict
    from supervision.services.scores import latest_run, recompute_period

    make_platform("pa", "甲平台")
    make_platform("pb", "乙平台")
    _import(runner, tmp_path, ledger(*[row(f"A8-{i}", 受理时间="2026-08-03 10:00:00", 处置完成时间="2026-08-20 10:00:00",
                                           反馈时间="2026-08-20 11:00:00") for i in range(4)]), "2026-08", name="a8.csv")
    _import(runner, tmp_path, ledger(*[row(f"A9-{i}") for i in range(30)]), "2026-09", name="a9.csv")
    _import(runner, tmp_path, ledger(*[row(f"B9-{i}", **(LATE if i < 3 else {})) for i in range(12)]), "2026-09",
            name="b9.csv", platform="pb")
    with app.app_context():
        s = _session(app)
        recompute_period(s, "2026-Q3", clock())
        s.commit()
        months = {m: latest_run(s, m) for m in ("2026-07", "2026-08", "2026-09")}
        assert all(months.values())  # the months were computed and stored on the way
    quarter = _runs(app, "2026-Q3")
    assert len(quarter) == 1
    stored_q = _stored(app, quarter[0][0])
    by_month = {m: _stored(app, r.id) for m, r in months.items()}
    summed = [aggregate([input_from_dict(json.loads(by_month[m][code][6])) for m in by_month])
              for code in ("pa", "pb")]
    expected = {c.platform_code: c for c in compute_league(summed)}
    for code in ("pa", "pb"):
        assert json.loads(stored_q[code][6]) == json.loads(json.dumps(
            __import__("scoring").input_to_dict(summed[0 if code == "pa" else 1])))
        assert stored_q[code][0] == expected[code].score
    monthly = [by_month[m]["pa"][0] for m in ("2026-08", "2026-09")]
    assert stored_q["pa"][0] != sum(monthly) / 2  # not the average of the months' scores
    # storing a month again refreshes the quarter already stored
    _import(runner, tmp_path, ledger(*[row(f"B9-{i}") for i in range(12)]), "2026-09", name="b9fix.csv",
            platform="pb")
    refreshed = _runs(app, "2026-Q3")[-1]
    assert refreshed[0] != quarter[0][0] and refreshed[1] == "submission"
    assert _stored(app, refreshed[0])["pb"][0] > stored_q["pb"][0]  # pb's corrected reports count


def test_provisional_until_the_ledgers_are_due_and_checked(app, runner, make_platform, tmp_path, clock):
    from datetime import datetime, timedelta

    from supervision.services.checks import current_parameters, load_calendar
    from supervision.services.scores import recompute_period

    with app.app_context():
        s = _session(app)
        due = load_calendar(s).ledger_due("2026-09", current_parameters(s)[1].ledger_due_working_day)
    clock.current = due - timedelta(days=1)
    make_platform("pa", "甲平台")
    make_platform("pb", "乙平台")
    _import(runner, tmp_path, ledger(*[row(f"A{i}") for i in range(4)]), "2026-09", name="a.csv",
            at=(due - timedelta(days=2)).strftime("%Y-%m-%d %H:%M"))
    first = _runs(app, "2026-09")
    assert [r[3] for r in first] == [True]  # before the due date
    clock.current = due + timedelta(hours=1)
    for code in ("pa", "pb"):
        runner.invoke(args=["ledger", "check", "--platform", code, "--period", "2026-09"])
        with app.app_context():
            s = _session(app)
            recompute_period(s, "2026-09", clock())
            s.commit()
        runs = _runs(app, "2026-09")
        # after pa's check pb is still unchecked: provisional; after both: final
        assert runs[-1][3] is (code == "pa")
    assert first[0] not in _runs(app, "2026-09")  # superseded provisional runs are working copies
    assert isinstance(due, datetime)


def test_leader_reads_everything_but_changes_nothing(app, client, runner, make_platform, make_user, tmp_path):
    from sqlalchemy import func, select

    from supervision.models import ScoreRun, ScoreWeightSet

    _province(runner, make_platform, tmp_path)
    make_user("boss", "leader")
    login(client, "boss")
    for path in ("/scores?period=2026-09", "/scores?period=2026-Q3&sort=score", "/scores?period=2026",
                 "/scores/platforms/pb?period=2026-09", "/scores/province?period=2026-09",
                 "/scores/export.xlsx?period=2026-09", "/scores/export.pdf?period=2026-09", "/scores.csv?period=2026-09",
                 "/scores/platforms/pb/export.xlsx?period=2026-09", "/scores/platforms/pb/export.pdf?period=2026-09"):
        assert client.get(path).status_code == 200, path
    with app.app_context():
        runs_before = _session(app).scalar(select(func.count()).select_from(ScoreRun))
    assert client.post("/scores/recompute", data={"period": "2026-09"}).status_code == 403
    assert client.post("/admin/score-weights", data={"weight_timeliness": "40"}).status_code == 403
    assert client.get("/admin/score-weights").status_code == 403
    with app.app_context():
        s = _session(app)
        assert s.scalar(select(func.count()).select_from(ScoreRun)) == runs_before
        assert s.scalar(select(func.count()).select_from(ScoreWeightSet)) <= 1


def test_inspector_recomputes_on_demand(app, client, runner, make_platform, make_user, tmp_path):
    _province(runner, make_platform, tmp_path)
    make_user("insp", "inspector")
    login(client, "insp")
    before = _runs(app, "2026-09")
    r = client.post("/scores/recompute", data={"period": "2026-09"}, follow_redirects=True)
    assert "已重新计算并保存 2026年9月 的评分（3 个平台）" in r.get_data(as_text=True)
    runs = _runs(app, "2026-09")
    assert runs[-1][1] == "manual" and runs[-1][0] > before[-1][0]
    assert before[-1][3] is False or before[-1] not in runs  # a provisional run is replaced, a final one kept
    bad = client.post("/scores/recompute", data={"period": "2026/9"}, follow_redirects=True).get_data(as_text=True)
    assert "应为月份 YYYY-MM" in bad


def test_platform_sees_only_its_own_card(app, client, runner, make_platform, make_user, tmp_path):
    import io

    from openpyxl import load_workbook

    _province(runner, make_platform, tmp_path)
    make_user("user_b", "platform", "pb")
    login(client, "user_b")
    assert client.get("/scores/platforms/pb?period=2026-09").status_code == 200
    for path in ("/scores/platforms/pa?period=2026-09", "/scores/platforms/pa/export.xlsx?period=2026-09",
                 "/scores/platforms/pa/export.pdf?period=2026-09", "/scores/platforms/nosuch"):
        assert client.get(path).status_code == 404, path
    assert client.get("/scores/province?period=2026-09").status_code == 403
    wb = load_workbook(io.BytesIO(client.get("/scores/export.xlsx?period=2026-09").data))
    codes = [r[1] for r in wb.active.iter_rows(values_only=True) if r[1] in ("pa", "pb", "pc")]
    assert codes == ["pb"]
    csv = client.get("/scores.csv?period=2026-09").get_data(as_text=True).splitlines()
    assert [line.split(",")[0] for line in csv[1:]] == ["pb"]
    page = client.get("/scores?period=2026-09&sort=score").get_data(as_text=True)
    assert "乙平台" in page and "甲平台" not in page and "丙平台" not in page


def test_card_drills_down_to_the_findings_behind_lost_points(app, client, runner, make_platform, make_user, tmp_path):
    from sqlalchemy import select

    from supervision.models import Finding, Platform

    _province(runner, make_platform, tmp_path)
    with app.app_context():
        s = _session(app)
        pb = s.scalar(select(Platform).where(Platform.code == "pb"))
        rules = sorted({f.rule_code for f in s.scalars(select(Finding).where(
            Finding.platform_id == pb.id, Finding.status == "open", Finding.rule_code.like("TIM-0%")))})
    assert rules  # pb concluded five reports late
    make_user("boss", "leader")
    login(client, "boss")
    page = client.get("/scores/platforms/pb?period=2026-09").get_data(as_text=True)
    for rule in rules:
        link = f"/findings/?platform=pb&amp;period=2026-09&amp;rule={rule}"
        assert link in page, rule
    listing = client.get(f"/findings/?platform=pb&period=2026-09&rule={rules[0]}").get_data(as_text=True)
    assert "B0" in listing  # the reports behind them
    assert "近 12 个月趋势" in page and "<svg" in page and "各项指标趋势" in page


def test_dashboard_lists_warnings_with_their_reason(app, client, runner, make_platform, make_user, tmp_path, clock):
    from datetime import date, datetime

    from supervision.services.scores import league_view, recompute_period
    from scoring import parse_period
    from tests.complaint_helpers import file_one

    make_platform("pa", "甲平台")
    make_platform("pb", "乙平台")
    aug = dict(受理时间="2026-08-03 10:00:00", 处置完成时间="2026-08-04 10:00:00", 反馈时间="2026-08-04 11:00:00")
    for code in ("pa", "pb"):
        _import(runner, tmp_path, ledger(*[row(f"{code}8-{i}", **aug) for i in range(10)]), "2026-08",
                name=f"{code}8.csv", platform=code)
    _import(runner, tmp_path, ledger(*[row(f"A9-{i}") for i in range(10)]), "2026-09", name="a9.csv")
    _import(runner, tmp_path, ledger(*[row(f"B9-{i}", **(LATE if i < 5 else {})) for i in range(10)]), "2026-09",
            name="b9.csv", platform="pb")
    # complaints about pa: one a month for six months, then five in the seventh (limit of Poisson(1) at 99 %: 4)
    with app.app_context():
        s = _session(app)
        n = 0
        for month, count in (("05", 1), ("06", 1), ("07", 1), ("08", 1), ("09", 1), ("10", 1), ("11", 4)):
            for _ in range(count):
                n += 1
                clock.current = datetime(2026, int(month), 15, 10, 0)
                file_one(s, app, contact=f"139000000{n:02d}", report_date=date(2026, int(month), 10))
        s.commit()
        clock.current = datetime(2026, 12, 20, 9, 0)
        recompute_period(s, "2026-11", clock())
        s.commit()
        four = [w for w in league_view(s, parse_period("2026-11")).warnings if w.kind == "complaint_surge"]
        assert four == []  # 4 complaints: at the limit, no warning
        clock.current = datetime(2026, 11, 16, 10, 0)
        file_one(s, app, contact="13900000099", report_date=date(2026, 11, 10))
        s.commit()
        clock.current = datetime(2026, 12, 20, 9, 0)
        five = [w for w in league_view(s, parse_period("2026-11")).warnings if w.kind == "complaint_surge"]
        assert [w.platform_code for w in five] == ["pa"] and "本月投诉 5 件" in five[0].message
    make_user("boss", "leader")
    login(client, "boss")
    page = client.get("/scores?period=2026-09").get_data(as_text=True)
    assert "乙平台</a>：办理时效较上月下降" in page
    page = client.get("/scores?period=2026-11").get_data(as_text=True)
    assert "甲平台</a>：本月投诉 5 件，超过近 6 个月均值 1.00 件的 99% 泊松上限 4 件" in page


def test_rectification_counts_come_from_the_notices_module(app, runner, make_platform, tmp_path, monkeypatch):
    from supervision.services import scores as svc
    from supervision.services.platforms import by_code

    make_platform("pa", "甲平台")
    _import(runner, tmp_path, ledger(*[row(f"A{i}") for i in range(4)]), "2026-09", name="a.csv")
    with app.app_context():
        s = _session(app)
        pa = by_code(s, "pa")
        assert month_input(s, pa, "2026-09").notice_items_due == svc.rectification_counts(s, "2026-09").get(pa.id, (0,))[0]
        monkeypatch.setattr(svc, "rectification_counts", lambda session, period: {pa.id: (4, 3)})
        item = month_input(s, pa, "2026-09")
    assert (item.notice_items_due, item.notice_items_on_time) == (4, 3)
    card = compute_league([item])[0]
    assert card.indicators["rectification"].raw == 75.0


def test_a_submission_reads_only_its_platform_again(app, runner, make_platform, tmp_path, monkeypatch):
    from supervision.services import scores as svc

    _province(runner, make_platform, tmp_path)
    seen = []
    original = svc.month_inputs
    monkeypatch.setattr(svc, "month_inputs", lambda s, platforms, period: seen.append(
        sorted(p.code for p in platforms)) or original(s, platforms, period))
    _import(runner, tmp_path, ledger(*[row(f"A{i}") for i in range(12)]), "2026-09", name="a2.csv")
    assert seen and all(codes == ["pa"] for codes in seen)
    stored = _stored(app, _runs(app, "2026-09")[-1][0])
    assert set(stored) == {"pa", "pb", "pc"}
