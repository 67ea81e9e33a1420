"""Bulk storage of a validated ledger frame: classify rows against what is stored, then write
new reports, new versions and updated current states in a few set-based statements.

COPY on PostgreSQL, executemany on SQLite; never one ORM object per row.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd
from sqlalchemy import text
from sqlalchemy.orm import Session

from importers.columns import DATETIME_KEYS, FLAG_KEYS, KEYS, MULTI_KEYS

META = ("platform_id", "version", "period", "submission_id", "row_hash")
STORED = KEYS + META


def row_hashes(frame: pd.DataFrame) -> np.ndarray:
    """A 64-bit content hash per row over the 40 fields (vectorised).

    Hashes depend on the normalised frame's dtypes, which the importer fixes; after a pandas
    upgrade that changed its hashing, the first re-submission would record every row as a new
    version (nothing is lost, the history just grows once).
    """
    return pd.util.hash_pandas_object(frame[list(KEYS)], index=False).to_numpy().view(np.int64)


def to_storage(frame: pd.DataFrame) -> pd.DataFrame:
    """The normalised frame in storage form: empty text and empty multi-values become NULL."""
    out = frame[list(KEYS)].copy()
    for key in KEYS:
        if key in DATETIME_KEYS or key in FLAG_KEYS:
            continue
        col = out[key].astype("string")
        out[key] = col.mask(col.str.len() == 0)
    return out


def from_storage(frame: pd.DataFrame) -> pd.DataFrame:
    """Stored rows back in the normalised frame form of docs/architecture.md."""
    out = frame.copy()
    for key in MULTI_KEYS:
        out[key] = out[key].fillna("").astype(object)
    for key in ("interim_measure", "account_action"):
        out[key] = out[key].fillna("无")
    for key in FLAG_KEYS:
        if key == "facts_clear":
            out[key] = out[key].astype("boolean")
        else:
            out[key] = out[key].fillna(False).astype(bool)
    for key in KEYS:
        if out[key].dtype == object or str(out[key].dtype).startswith("str"):
            if key not in MULTI_KEYS:
                out[key] = out[key].astype(object).where(out[key].notna(), None)
    for key in DATETIME_KEYS:
        out[key] = pd.to_datetime(out[key], format="ISO8601").astype("datetime64[ns]")
    return out


# Writing -------------------------------------------------------------------------------------

def _quote(name: str) -> str:
    return '"' + name + '"'


CHUNK_ROWS = 100_000  # rows converted and sent at a time: bounds the memory of large inserts


def bulk_insert(session: Session, table_name: str, frame: pd.DataFrame) -> None:
    """Insert every row of ``frame`` (columns = table columns): COPY on PostgreSQL, executemany
    on SQLite, in chunks so that a million rows never exist twice in memory as text."""
    if frame.empty:
        return
    conn = session.connection()
    cols = list(frame.columns)
    names = ", ".join(map(_quote, cols))
    if conn.dialect.name == "postgresql":
        raw = conn.connection.driver_connection
        with raw.cursor() as cur:
            with cur.copy(f"COPY {table_name} ({names}) FROM STDIN WITH (FORMAT csv)") as cp:
                for start in range(0, len(frame), CHUNK_ROWS):
                    cp.write(_pg_csv(frame.iloc[start:start + CHUNK_ROWS]))
        return
    sql = f"INSERT INTO {table_name} ({names}) VALUES ({', '.join('?' * len(cols))})"
    for start in range(0, len(frame), CHUNK_ROWS):
        chunk = _sqlite_values(frame.iloc[start:start + CHUNK_ROWS])
        conn.exec_driver_sql(sql, list(chunk.itertuples(index=False, name=None)))


def _pg_csv(frame: pd.DataFrame) -> str:
    out = frame.copy()
    for c in out.columns:
        if out[c].dtype == bool or str(out[c].dtype) == "boolean":
            out[c] = out[c].map({True: "t", False: "f"}, na_action="ignore")
    return out.to_csv(index=False, header=False, na_rep="", date_format="%Y-%m-%d %H:%M:%S")


def _sqlite_values(frame: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame(index=frame.index)
    for c in frame.columns:
        s = frame[c]
        if pd.api.types.is_datetime64_any_dtype(s):
            out[c] = s.dt.strftime("%Y-%m-%d %H:%M:%S.%f").astype(object).where(s.notna(), None)
        elif s.dtype == bool or str(s.dtype) == "boolean":
            out[c] = s.astype("Int64").astype(object).where(s.notna(), None)
        elif pd.api.types.is_integer_dtype(s):
            # nullable Int64: <NA> is no value sqlite3 can bind
            out[c] = s.astype(object).where(s.notna(), None)
        else:
            out[c] = s.astype(object).where(s.notna(), None)
    return out


def _existing(session: Session, platform_id: int) -> pd.DataFrame:
    rows = session.execute(
        text("SELECT report_id, row_hash, version, period FROM reports WHERE platform_id = :p"), {"p": platform_id}
    ).all()
    return pd.DataFrame(rows, columns=["report_id", "old_hash", "old_version", "old_period"])


@dataclass(frozen=True)
class StoreCounts:
    created: int
    updated: int
    unchanged: int


def store_frame(session: Session, frame: pd.DataFrame, platform_id: int, submission_id: int,
                period: str) -> StoreCounts:
    """Upsert the reports of an accepted submission, keeping every earlier state.

    ``reports`` holds each report's newest state; when a submission changes a report, its
    previous state is moved to ``report_versions`` (set-based, in SQL) before the update, so the
    history is versions + current. A re-submitted earlier period does not replace a state that
    a later period already set: its state goes into the history instead.
    """
    data = to_storage(frame)
    data["row_hash"] = row_hashes(frame)
    existing = _existing(session, platform_id)
    if existing.empty:  # a platform's first ledger: everything is new, no merge copy needed
        data["platform_id"] = platform_id
        data["submission_id"] = submission_id
        data["period"] = period
        data["version"] = 1
        bulk_insert(session, "reports", data[list(STORED)])
        return StoreCounts(len(data), 0, 0)
    merged = data.merge(existing, on="report_id", how="left")
    is_new = merged["old_hash"].isna().to_numpy()
    is_changed = ~is_new & (merged["old_hash"].fillna(0).astype(np.int64).to_numpy() != merged["row_hash"].to_numpy())
    merged["platform_id"] = platform_id
    merged["submission_id"] = submission_id
    merged["period"] = period
    merged["version"] = np.where(is_new, 1, merged["old_version"].fillna(0).astype(np.int64) + 1)

    bulk_insert(session, "reports", merged.loc[is_new, list(STORED)])
    moves_forward = is_changed & (merged["old_period"].fillna("").to_numpy() <= period)
    if moves_forward.any():
        _stage(session, merged.loc[moves_forward, list(STORED)])
        _archive_current(session)
        _update_reports(session, STORED)
        _drop_staging(session)
    late = is_changed & ~moves_forward
    if late.any():
        # The late state enters the history under the current version number; the current
        # state keeps its content and takes the next number.
        history = merged.loc[late, list(STORED)].copy()
        history["version"] = history["version"] - 1
        bulk_insert(session, "report_versions", history)
        _stage(session, merged.loc[late, list(STORED)])
        _update_reports(session, ("version",))
        _drop_staging(session)
    return StoreCounts(int(is_new.sum()), int(is_changed.sum()), int((~is_new & ~is_changed).sum()))


STAGING = "staging_reports"


def _stage(session: Session, frame: pd.DataFrame) -> None:
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"CREATE TEMP TABLE {STAGING} (LIKE reports) ON COMMIT DROP")
        conn.exec_driver_sql(f"ALTER TABLE {STAGING} ALTER COLUMN id DROP NOT NULL")
    else:
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS temp.{STAGING}")
        conn.exec_driver_sql(f"CREATE TEMP TABLE {STAGING} AS SELECT * FROM reports WHERE 0")
    bulk_insert(session, STAGING, frame)


def _archive_current(session: Session) -> None:
    """Copy the current state of every staged report into the history."""
    cols = ", ".join(_quote(c) for c in STORED)
    r_cols = ", ".join("r." + _quote(c) for c in STORED)
    session.connection().exec_driver_sql(
        f"INSERT INTO report_versions ({cols}) SELECT {r_cols} FROM reports AS r JOIN {STAGING} AS s "
        "ON r.platform_id = s.platform_id AND r.report_id = s.report_id"
    )


def _update_reports(session: Session, columns) -> None:
    sets = ", ".join(f"{_quote(c)} = s.{_quote(c)}" for c in columns if c not in ("platform_id", "report_id"))
    session.connection().exec_driver_sql(
        f"UPDATE reports SET {sets} FROM {STAGING} AS s "
        "WHERE reports.platform_id = s.platform_id AND reports.report_id = s.report_id"
    )


def _drop_staging(session: Session) -> None:
    conn = session.connection()
    prefix = "" if conn.dialect.name == "postgresql" else "temp."
    conn.exec_driver_sql(f"DROP TABLE IF EXISTS {prefix}{STAGING}")


def fetch_frame(session: Session, sql: str, params: dict, columns: list[str]) -> pd.DataFrame:
    """Run ``sql`` (named ``:param`` placeholders) on the raw DB-API cursor and build a frame
    from plain tuples: far faster than going through SQLAlchemy Row objects for large results.
    Values come back as the driver gives them (SQLite: date-times as text, flags as 0/1)."""
    conn = session.connection()
    raw = conn.connection.driver_connection
    if conn.dialect.name == "postgresql":
        import re

        sql = re.sub(r":(\w+)", r"%(\1)s", sql)
    else:
        params = {k: (v.strftime("%Y-%m-%d %H:%M:%S") if isinstance(v, datetime) else v) for k, v in params.items()}
    cur = raw.cursor()
    try:
        cur.execute(sql, params)
        rows = cur.fetchall()
    finally:
        cur.close()
    return pd.DataFrame.from_records(rows, columns=columns, coerce_float=False)


def load_frame(session: Session, platform_id: int, where: str = "", params: dict | None = None,
               skip: tuple[str, ...] = ()) -> pd.DataFrame:
    """Current reports of a platform as a normalised frame (plus ``id``, ``version``, ``period``).

    ``skip`` leaves long text columns out of the query (they come back empty), for callers
    such as the rule checks that never read them.
    """
    names = ["id", *[k for k in KEYS if k not in skip], "version", "period", "submission_id"]
    cols = ", ".join(_quote(c) for c in names)
    sql = f"SELECT {cols} FROM reports WHERE platform_id = :platform_id {where}"
    frame = fetch_frame(session, sql, {"platform_id": platform_id, **(params or {})}, names)
    for key in skip:
        frame[key] = None
    return from_storage(frame)
