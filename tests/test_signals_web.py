"""Inspectors see plausibility signals and the cross-platform account watch built from stored ledgers."""
from tests.conftest import login
from tests.ledger_rows import ledger, row
from tests.test_checks import _import


def test_duplicate_rows_and_repeat_accounts_are_shown(client, runner, make_platform, make_user, tmp_path):
    make_platform("pa", "甲平台")
    make_platform("pb", "乙平台")
    make_user("insp", "inspector")
    same = {"被举报账号": "水军账号A"}
    rows_a = [row(f"A{i}", **same) for i in range(4)]  # identical except the number: SIG-DUP
    rows_b = [row(f"B{i}", **{"被举报账号": "水军账号Ａ ", "受理时间": f"2026-10-0{i + 1} 09:00:00",
                                "处置完成时间": f"2026-10-0{i + 1} 12:00:00", "反馈时间": f"2026-10-0{i + 1} 13:00:00"})
              for i in range(3)]
    _import(runner, tmp_path, ledger(*[{**r, "受理时间": "2026-10-01 09:00:00", "处置完成时间": "2026-10-01 12:00:00",
                                        "反馈时间": "2026-10-01 13:00:00"} for r in rows_a]), "2026-10", name="a.csv",
            platform="pa")
    _import(runner, tmp_path, ledger(*rows_b), "2026-10", name="b.csv", platform="pb")
    login(client, "insp")
    page = client.get("/signals?period=2026-10").get_data(as_text=True)
    assert "甲平台 · 2026-10" in page and "A0" in page
    page = client.get("/accounts?from=2026-10&to=2026-10").get_data(as_text=True)
    assert "水军账号" in page and "pa:4" in page and "pb:3" in page  # one account after normalisation
    assert "不是 YYYY-MM" in client.get("/signals?period=10/2026").get_data(as_text=True)
