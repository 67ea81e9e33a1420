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
