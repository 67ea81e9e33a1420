"""The normalised report frame of docs/architecture.md, and the public API."""
import ast
import pathlib

import numpy as np
import pandas as pd
import pytest

import importers
from importers import Issue, LedgerResult, read_ledger
from importers.columns import COLUMNS, DATETIME_KEYS, FLAG_KEYS, KEYS, MULTI_KEYS


def test_frame_columns_and_dtypes(kit):
    rows = [kit.valid_row(), kit.valid_row(report_id="B", **{"status": "办理中", "disposed_at": "", "reviewer_id": "",
                                                             "facts_clear": "", "measures": "", "note": " 备注 "})]
    result = kit.read_rows(rows)
    assert result.ok, result.errors
    frame = result.frame
    assert isinstance(frame.index, pd.RangeIndex) and len(frame) == 2
    assert tuple(frame.columns) == KEYS
    for key in DATETIME_KEYS:
        assert frame[key].dtype == np.dtype("datetime64[ns]")
    for key in FLAG_KEYS:
        assert frame[key].dtype == (pd.BooleanDtype() if key == "facts_clear" else np.dtype(bool))
    text_keys = [c.key for c in COLUMNS if c.key not in DATETIME_KEYS + FLAG_KEYS]
    for key in text_keys:
        assert frame[key].dtype == object
        assert all(v is None or type(v) is str for v in frame[key])
    assert frame.loc[1, "note"] == "备注"
    assert frame.loc[0, "note"] is None and frame.loc[1, "reviewer_id"] is None
    assert pd.isna(frame.loc[1, "disposed_at"])
    for key in MULTI_KEYS:
        assert frame[key].map(type).eq(str).all()
    assert frame.loc[1, "measures"] == ""


def test_result_fields(kit):
    result = read_ledger(kit.csv_bytes([kit.valid_row()]), "x.csv", "2026-10")
    assert isinstance(result, LedgerResult)
    assert result.ok and result.errors == [] and result.warnings == [] and result.rows_read == 1
    assert result.kind == "csv" and result.encoding == "utf-8" and result.sheet is None
    assert len(result.error_frame) == 0 and list(result.error_frame.columns) == ["row", "column", "value", "message"]


def test_errors_are_issues_with_plain_python_values(kit):
    result = kit.read_rows([kit.valid_row(handler_id="")])
    [issue] = result.errors
    assert isinstance(issue, Issue) and type(issue.row) is int
    assert issue.as_dict() == {"row": 2, "column": "承办人", "value": "", "message": issue.message}
    assert result.sheet is not None  # kept for the error workbook


def test_file_level_error_has_no_row(kit):
    result = read_ledger(b"\xff\xfe\x00\x00", "x.csv", "2026-10")
    [issue] = result.errors
    assert issue.row is None and issue.column is None and issue.value is None
    assert result.rows_read == 0 and result.frame is None


def test_xlsx_and_csv_give_the_same_frame(kit):
    rows = [kit.valid_row(), kit.valid_row(report_id="B", evidence_types="其他，权属证书", note="说明")]
    from_csv = kit.read_rows(rows).frame
    from_xlsx = kit.read_rows(rows, kind="xlsx").frame
    pd.testing.assert_frame_equal(from_csv, from_xlsx)


PACKAGE = pathlib.Path(importers.__file__).parent


@pytest.mark.parametrize("path", sorted(PACKAGE.glob("*.py")), ids=lambda p: p.name)
def test_no_flask_or_database_imports(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    assert not names & {"flask", "sqlalchemy", "supervision", "alembic", "psycopg", "werkzeug"}
