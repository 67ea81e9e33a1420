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


def test_signals_from_the_slim_trailing_months_equal_those_of_the_whole_ledger(app, runner, make_platform, tmp_path):
    """The page loads only the columns the trend and timestamp checks read for the trailing
    months: the signals must be exactly those of the full ledger (a volume jump, duplicate rows,
    reports of earlier months disposed at night in the month)."""
    import pandas as pd
    from sqlalchemy import text

    from importers.columns import KEYS
    from importers.synthetic import synthetic_ledger
    from supervision import db
    from supervision.services.checks import month_bounds
    from supervision.services.ledger_store import load_frame
    from supervision.standard.signals import all_signals
    from supervision.services.signals import signal_frame

    make_platform("pa", "甲平台")
    months = ["2026-03", "2026-04", "2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10"]
    for i, m in enumerate(months):
        frame = synthetic_ledger(120 if m != "2026-10" else 600, m, seed=i + 3)
        frame["举报编号"] = m.replace("-", "") + "-" + frame["举报编号"].astype(str)
        if m == "2026-10":
            dup = frame.iloc[[0] * 4].copy()
            dup["举报编号"] = [f"DUP-{k}" for k in range(4)]
            frame = pd.concat([frame, dup], ignore_index=True)
        _import(runner, tmp_path, frame, m, name=f"{m}.csv")
    with app.app_context():
        s = db.session()
        pid = s.scalar(text("SELECT id FROM platforms WHERE code = 'pa'"))
        start = (month_bounds("2026-10")[0] - pd.DateOffset(months=7)).to_pydatetime()
        full = load_frame(s, pid, "AND received_at >= :start AND received_at < :end",
                          {"start": start, "end": month_bounds("2026-10")[1]})[list(KEYS)]
        slim = signal_frame(s, pid, "2026-10")
        assert len(slim) == len(full) == 7 * 120 + 604
        expected = all_signals(full, "2026-10")
        assert {sig.code for sig in expected} >= {"SIG-VOL", "SIG-DUP"}, expected
        assert all_signals(slim, "2026-10") == expected
