"""The forms a validated ledger is stored in: its row hashes (compared with the hashes stored
by earlier submissions, so they must never drift) and the date-time texts sent to SQLite and
to PostgreSQL's COPY."""
from __future__ import annotations

import numpy as np
import pandas as pd

from importers import read_ledger
from importers.columns import KEYS
from supervision.services.ledger_store import DISTINCT_KEYS, datetime_texts, row_hashes
from tests.ledger_samples import ledger_frame, to_csv_bytes


def _normalised(n: int, seed: int) -> pd.DataFrame:
    frame = ledger_frame(n, "2026-10", seed=seed)
    frame.loc[frame.index[::3], "被举报账号"] = ""  # missing values in a column hashed value by value
    frame.loc[frame.index[1::4], "侵权链接"] = ""
    result = read_ledger(to_csv_bytes(frame), "2026-10.csv", "2026-10")
    assert result.ok, result.error_frame.head()
    return result.frame


def test_row_hashes_are_exactly_pandas_hashes_of_the_forty_fields():
    # Hashes stored by earlier submissions were pandas' own: a re-submission of unchanged
    # reports must find them unchanged, whatever the distinct-value columns hold.
    frame = _normalised(300, seed=5)
    assert frame["reported_account"].isna().any() and frame["content_url"].isna().any()
    assert set(DISTINCT_KEYS) <= set(KEYS)
    expected = pd.util.hash_pandas_object(frame[list(KEYS)], index=False).to_numpy().view(np.int64)
    np.testing.assert_array_equal(row_hashes(frame), expected)


def test_row_hashes_change_with_a_changed_or_cleared_cell_only():
    frame = _normalised(40, seed=6)
    before = row_hashes(frame)
    changed = frame.copy()
    changed.loc[changed.index[2], "report_id"] = "OTHER-0001"
    changed.loc[changed.index[6], "content_url"] = None  # a value cleared
    changed.loc[changed.index[7], "reported_account"] = "另一个账号"
    after = row_hashes(changed)
    assert np.flatnonzero(before != after).tolist() == [2, 6, 7]
    assert row_hashes(frame.copy()).tolist() == before.tolist()


def _numpy_texts(values: np.ndarray, unit: str, sep: str) -> list:
    out = np.datetime_as_string(values.astype(f"datetime64[{unit}]")).astype(object)
    return [None if t == "NaT" else t.replace("T", sep) for t in out]


def test_datetime_texts_match_numpy_for_any_instant_and_missing_values():
    rng = np.random.default_rng(11)
    span = np.int64(250 * 365 * 86_400 * 10**9)  # 1700 to 1950: before the epoch too
    values = np.datetime64("1700-01-01", "ns") + rng.integers(0, span, 5_000).astype("timedelta64[ns]")
    values[::9] = np.datetime64("NaT")
    values[1] = np.datetime64("1969-12-31T23:59:59.999999", "ns")
    values[2] = np.datetime64("2026-10-31T00:00:00", "ns")
    assert datetime_texts(values, " ", fraction=True).tolist() == _numpy_texts(values, "us", " ")
    assert datetime_texts(values, "T", fraction=False).tolist() == _numpy_texts(values, "s", "T")
    assert datetime_texts(values[2:3], " ", fraction=True).tolist() == ["2026-10-31 00:00:00.000000"]


def test_datetime_texts_of_nothing_and_of_only_missing_values():
    assert datetime_texts(np.array([], dtype="datetime64[ns]"), " ", fraction=True).tolist() == []
    missing = np.array(["NaT", "NaT"], dtype="datetime64[ns]")
    assert datetime_texts(missing, "T", fraction=False).tolist() == [None, None]


def test_copy_fields_keep_missing_empty_and_special_texts_apart():
    """PostgreSQL's COPY reads an unquoted empty field as NULL: a missing value is written so,
    an empty text quoted, and a text with a quote, comma or line break quoted with its quotes
    doubled; whether the column's values are all plain (one scan) or not (the general way)."""
    from supervision.services.ledger_store import _pg_csv

    def copy_text(values, dtype=object):
        return _pg_csv(pd.DataFrame({"c": pd.Series(values, dtype=dtype)}))

    assert copy_text(["a", "", None, "中文", np.nan]) == 'a\n""\n\n中文\n\n'
    assert copy_text(["a", "", None, "x,y", 'say "hi"', "two\nlines", "cr\r"]) == \
        'a\n""\n\n"x,y"\n"say ""hi"""\n"two\nlines"\n"cr\r"\n'
    assert copy_text([1, "a", None]) == "1\na\n\n"  # not only texts
    assert copy_text([7, 7, 7], "int64") == "7\n7\n7\n"
    assert copy_text([1, -2, 30], "int64") == "1\n-2\n30\n"
    assert copy_text([1, None, 3], "Int64") == "1\n\n3\n"
    frame = pd.DataFrame({"a": ["x", "y"], "b": pd.Series([5, 5], dtype="int64"), "c": ["", None]})
    assert _pg_csv(frame) == 'x,5,""\ny,5,\n'
