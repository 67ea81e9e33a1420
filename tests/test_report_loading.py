"""Loading stored reports column-wise (one aggregate string per column, PostgreSQL in a
pipeline of id ranges) gives exactly the frame of the plain row-wise fetch."""
from __future__ import annotations

import pandas as pd
from pandas.testing import assert_frame_equal

from supervision import db as dbmod
from supervision.services import ledger_store
from supervision.services.platforms import by_code
from tests.ledger_samples import ledger_frame, to_csv_bytes


def _stored(runner, make_platform, tmp_path, frame) -> None:
    make_platform("pa")
    path = tmp_path / "2026-10.csv"
    path.write_bytes(to_csv_bytes(frame))
    r = runner.invoke(args=["ledger", "import", "--platform", "pa", "--period", "2026-10",
                            "--submitted-at", "2026-11-06 10:00", str(path)])
    assert r.exit_code == 0, r.output


def _both_ways(app, monkeypatch, **kwargs) -> tuple[pd.DataFrame, pd.DataFrame]:
    with app.app_context():
        s = dbmod.session()
        pid = by_code(s, "pa").id
        columnar = ledger_store.load_frame(s, pid, **kwargs)
        with monkeypatch.context() as m:
            m.setattr(ledger_store, "_load_columnar", lambda *a, **k: None)
            rowwise = ledger_store.load_frame(s, pid, **kwargs)
        s.rollback()
    return columnar, rowwise


def test_column_wise_load_in_several_pieces_equals_the_row_wise_fetch(app, runner, make_platform, tmp_path,
                                                                      monkeypatch):
    frame = ledger_frame(60, "2026-10", seed=3)  # empty cells, flags, multi-values, date-times
    _stored(runner, make_platform, tmp_path, frame)
    monkeypatch.setattr(ledger_store, "FETCH_CHUNK", 7)  # several pieces (SQLite chunks, PostgreSQL ranges)
    columnar, rowwise = _both_ways(app, monkeypatch)
    assert len(columnar) == 60
    assert_frame_equal(columnar, rowwise)
    # a month's cohort, as the checks load it
    where = "AND received_at >= :start AND received_at < :end"
    middle = pd.to_datetime(frame["受理时间"]).sort_values().iloc[30]
    params = {"start": pd.Timestamp("2026-10-01").to_pydatetime(), "end": middle.to_pydatetime()}
    columnar, rowwise = _both_ways(app, monkeypatch, where=where, params=params)
    assert 0 < len(columnar) < 60
    assert_frame_equal(columnar, rowwise)


def test_a_value_holding_the_separator_falls_back_to_the_row_wise_fetch(app, runner, make_platform, tmp_path,
                                                                      monkeypatch):
    frame = ledger_frame(12, "2026-10", seed=4)
    frame.loc[5, "被举报账号"] = "含分隔符\x1f的账号"
    _stored(runner, make_platform, tmp_path, frame)
    monkeypatch.setattr(ledger_store, "FETCH_CHUNK", 5)
    columnar, rowwise = _both_ways(app, monkeypatch)
    assert columnar.loc[5, "reported_account"] == "含分隔符\x1f的账号"
    assert_frame_equal(columnar, rowwise)


def test_a_failing_column_wise_query_falls_back_to_the_row_wise_fetch(app, runner, make_platform, tmp_path,
                                                                      monkeypatch):
    """E.g. a joined string beyond the database's length limit: the query fails, the frame
    comes row-wise, the same, and the transaction goes on."""
    _stored(runner, make_platform, tmp_path, ledger_frame(9, "2026-10", seed=6))
    real = ledger_store._aggregates

    def failing(dialect, name, kind):
        return ("no_such_column", "''") if name == "report_id" else real(dialect, name, kind)

    monkeypatch.setattr(ledger_store, "_aggregates", failing)
    columnar, rowwise = _both_ways(app, monkeypatch)
    assert len(columnar) == 9
    assert_frame_equal(columnar, rowwise)
