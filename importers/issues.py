"""Issues (errors and warnings) found while reading a ledger, as objects and as a DataFrame.

Validation produces issues column by column as small DataFrames (vectorised); they are only
turned into `Issue` objects when a caller asks for the list.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from importers.columns import BY_HEADER

ISSUE_COLUMNS = ("row", "column", "value", "message")
_COLUMN_ORDER = {header: column.number for header, column in BY_HEADER.items()}


@dataclass(frozen=True, slots=True)
class Issue:
    """One error or warning.

    row: spreadsheet row number as the user sees it (header = 1, first data row = 2);
         None for a problem of the whole file (unreadable, wrong encoding, …).
    column: Chinese header of the column concerned (or the header text as submitted for an
         unknown column); None when the issue concerns no single column.
    value: the offending cell text ("" for an empty cell); None when there is no cell.
    message: Chinese, says what is wrong and what is allowed.
    """

    row: int | None
    column: str | None
    value: str | None
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "value": self.value, "message": self.message}


def empty_issue_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "row": pd.Series([], dtype="Int64"),
            "column": pd.Series([], dtype=object),
            "value": pd.Series([], dtype=object),
            "message": pd.Series([], dtype=object),
        }
    )


def issue_frame(rows, column: str | None, values, messages) -> pd.DataFrame:
    """Issues of one column: `rows`, `values` array-likes of equal length; `messages` either one
    string for all or an array-like of the same length."""
    rows = np.asarray(rows)
    n = len(rows)
    if isinstance(messages, str):
        messages = np.full(n, messages, dtype=object)
    return pd.DataFrame(
        {
            "row": pd.array(rows, dtype="Int64"),
            "column": np.full(n, column, dtype=object),
            "value": np.asarray(values, dtype=object),
            "message": np.asarray(messages, dtype=object),
        }
    )


def issues_to_frame(issues: list[Issue]) -> pd.DataFrame:
    if not issues:
        return empty_issue_frame()
    frame = pd.DataFrame([i.as_dict() for i in issues], columns=list(ISSUE_COLUMNS))
    frame["row"] = frame["row"].astype("Int64")
    frame["column"] = frame["column"].astype(object)
    frame["value"] = frame["value"].astype(object)
    frame["message"] = frame["message"].astype(object)
    return frame


def combine_issue_frames(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate and sort by row, then by the column's position in ledger.md (file-level
    issues without a row first)."""
    frames = [f for f in frames if len(f)]
    if not frames:
        return empty_issue_frame()
    frame = pd.concat(frames, ignore_index=True)
    order = frame["column"].map(_COLUMN_ORDER).fillna(0)
    sort_row = frame["row"].fillna(0).astype("int64")
    keys = pd.DataFrame({"r": sort_row, "c": order.astype("int64")})
    index = keys.sort_values(["r", "c"], kind="stable").index
    return frame.loc[index].reset_index(drop=True)


def frame_to_issues(frame: pd.DataFrame) -> list[Issue]:
    rows = [None if pd.isna(r) else int(r) for r in frame["row"].tolist()]
    return [
        Issue(r, c, v, m)
        for r, c, v, m in zip(rows, frame["column"].tolist(), frame["value"].tolist(), frame["message"].tolist())
    ]
