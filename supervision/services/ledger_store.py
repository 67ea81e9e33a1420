"""Bulk storage of a validated ledger frame: classify rows against what is stored, then write
new reports, new versions and updated current states in a few set-based statements.

COPY on PostgreSQL, executemany on SQLite; never one ORM object per row.
"""
from __future__ import annotations

import re
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd
from sqlalchemy import text
from sqlalchemy.orm import Session

from importers.columns import DATETIME_KEYS, FLAG_KEYS, KEYS, MULTI_KEYS

META = ("platform_id", "version", "period", "submission_id", "row_hash")
STORED = KEYS + META


# Columns whose values are nearly all distinct: hashing them value by value is three to six
# times faster than pandas' default of hashing the distinct values once (a factorisation).
DISTINCT_KEYS = ("report_id", "reported_account", "content_url")
_U8MAX = np.iinfo(np.uint64).max


def row_hashes(frame: pd.DataFrame) -> np.ndarray:
    """A 64-bit content hash per row over the 40 fields (vectorised).

    Exactly ``pd.util.hash_pandas_object(frame[KEYS], index=False)`` (a test holds it to that,
    so hashes stored earlier still match), computed column by column so that the columns of
    DISTINCT_KEYS skip the factorisation. Hashes depend on the normalised frame's dtypes, which
    the importer fixes; after a pandas upgrade that changed its hashing, the first re-submission
    would record every row as a new version (nothing is lost, the history just grows once).
    """
    return _combine_hashes([_column_hash(frame[key], key in DISTINCT_KEYS) for key in KEYS],
                           len(frame)).view(np.int64)


def _column_hash(s: pd.Series, distinct: bool) -> np.ndarray:
    if not distinct or s.dtype != object:
        return pd.util.hash_pandas_object(s, index=False).to_numpy()
    values = s.to_numpy()
    missing = pd.isna(values)
    if missing.any():
        values = np.where(missing, "", values)
    out = pd.util.hash_array(values, categorize=False)
    out[missing] = _U8MAX  # what the factorised hashing gives a missing value
    return out


def _combine_hashes(columns: list[np.ndarray], n: int) -> np.ndarray:
    """pandas' combination of column hashes into row hashes (CPython's tuple hash)."""
    out = np.full(n, 0x345678, dtype=np.uint64)
    mult = np.uint64(1000003)
    for i, h in enumerate(columns):
        inverse = len(columns) - i
        out ^= h
        out *= mult
        mult += np.uint64(82520 + inverse + inverse)
    out += np.uint64(97531)
    return out


def to_storage(frame: pd.DataFrame) -> pd.DataFrame:
    """The normalised frame in storage form: empty text and empty multi-values become NULL."""
    out = frame[list(KEYS)].copy()
    for key in KEYS:
        if key in DATETIME_KEYS or key in FLAG_KEYS:
            continue
        values = out[key].to_numpy(dtype=object)
        empty = pd.isna(values) | (values == "")
        if empty.any():
            values = values.copy()
            values[empty] = None
        out[key] = pd.Series(values, index=out.index, dtype=object, copy=False)
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
SQLITE_BULK_CACHE_KIB = 65_536


def bulk_insert(session: Session, table_name: str, frame: pd.DataFrame) -> None:
    """Insert every row of ``frame`` (columns = table columns): COPY on PostgreSQL, executemany
    on SQLite, in chunks so that a million rows never exist twice in memory as text."""
    if frame.empty:
        return
    with insert_stream(session, table_name, list(frame.columns)) as write:
        write(frame)


@contextmanager
def insert_stream(session: Session, table_name: str, columns: list[str]):
    """An open bulk insert into ``table_name``: the context gives ``write(frame)``, called
    for as many frames (those columns) as the caller has, e.g. each part of a ledger as it is
    validated. PostgreSQL: one COPY, a writer thread sending each chunk while the next one is
    formatted, so the server's work (parsing, indexes, foreign keys) overlaps the client's;
    no other statement may run on the session until the context ends. SQLite: executemany per
    chunk with a larger page cache for the duration."""
    conn = session.connection()
    names = ", ".join(map(_quote, columns))
    if conn.dialect.name == "postgresql":
        from psycopg.copy import QueuedLibpqWriter

        raw = conn.connection.driver_connection
        with raw.cursor() as cur:
            with cur.copy(f"COPY {table_name} ({names}) FROM STDIN WITH (FORMAT csv)",
                          writer=QueuedLibpqWriter(cur)) as cp:
                def write(frame: pd.DataFrame) -> None:
                    for start in range(0, len(frame), CHUNK_ROWS):
                        cp.write(_pg_csv(frame.iloc[start:start + CHUNK_ROWS]))
                yield write
        return
    sql = f"INSERT INTO {table_name} ({names}) VALUES ({', '.join('?' * len(columns))})"
    # a large insert updates its indexes all over their pages: give SQLite a page cache of
    # 64 MiB for the duration instead of its default 2 MiB (restored afterwards)
    cache = conn.exec_driver_sql("PRAGMA cache_size").scalar()
    written, large = 0, False

    def write(frame: pd.DataFrame) -> None:
        nonlocal written, large
        if not large and written + len(frame) > CHUNK_ROWS:
            conn.exec_driver_sql(f"PRAGMA cache_size = {-SQLITE_BULK_CACHE_KIB}")
            large = True
        written += len(frame)
        for start in range(0, len(frame), CHUNK_ROWS):
            conn.exec_driver_sql(sql, _sqlite_rows(frame.iloc[start:start + CHUNK_ROWS]))
    try:
        yield write
    finally:
        if large:
            conn.exec_driver_sql(f"PRAGMA cache_size = {int(cache)}")


def _pg_csv(frame: pd.DataFrame) -> str:
    """The rows as PostgreSQL CSV (missing = NULL, an empty text = "", flags t/f, date-times to
    the second), built column by column with numpy."""
    cells = [_pg_cells(frame[c]) for c in frame.columns]
    return "\n".join(map(",".join, zip(*cells))) + "\n"


_QUOTE_MARKS = '",\r\n'  # a CSV field with any of these is quoted
_NEEDS_QUOTES = re.compile(f"[{_QUOTE_MARKS}]")


def _pg_cells(s: pd.Series) -> np.ndarray:
    """One column as an object array of CSV fields ("" for missing)."""
    if pd.api.types.is_datetime64_any_dtype(s):
        return datetime_texts(s.to_numpy(dtype="datetime64[ns]"), "T", fraction=False, missing="")
    if s.dtype == bool:
        return np.where(s.to_numpy(), "t", "f").astype(object)
    if isinstance(s.dtype, pd.BooleanDtype):
        codes = np.where(s.isna().to_numpy(), 2, s.fillna(False).to_numpy(dtype=bool).astype(np.int8))
        return np.array(["f", "t", ""], dtype=object)[codes]
    if isinstance(s.dtype, np.dtype) and s.dtype.kind in "iu":  # never missing
        values = s.to_numpy()
        if len(values) and values.min() == values.max():  # the platform, submission, version
            return np.full(len(values), str(values[0]), dtype=object)
        return values.astype(str).astype(object)
    if pd.api.types.is_integer_dtype(s) or pd.api.types.is_float_dtype(s):
        missing = s.isna().to_numpy()
        out = s.astype(object).astype(str).to_numpy(dtype=object)
        out[missing] = ""
        return out
    plain = _plain_texts(s)
    if plain is not None:
        return plain
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    texts = pd.Series(np.asarray(uniques, dtype=object)).astype(str)
    # an empty text is written quoted: unquoted empty is NULL to COPY, and "" must stay "" as it
    # does on SQLite (a file-level ledger error has the column "", which is NOT NULL)
    quote = (texts.str.contains(_NEEDS_QUOTES) | (texts == "")).to_numpy(dtype=bool)
    if quote.any():
        texts[quote] = '"' + texts[quote].str.replace('"', '""', regex=False) + '"'
    table = np.append(texts.to_numpy(dtype=object), "")
    return table[codes]


def _plain_texts(s: pd.Series) -> np.ndarray | None:
    """A text column as CSV fields when none of its values needs quoting (no quote, comma or
    line break: one scan of the column's joined text), else None. Missing is "", an empty text
    '""'. Cheaper than factorising for the columns whose values are nearly all distinct
    (举报编号, 被举报账号, 侵权链接)."""
    values = s.to_numpy(dtype=object)
    missing = pd.isna(values)
    texts = values
    if missing.any():
        texts = values.copy()
        texts[missing] = ""
    try:
        joined = "".join(texts)
    except TypeError:  # not only texts: the general way
        return None
    if any(mark in joined for mark in _QUOTE_MARKS):  # a few scans in C: faster than the regex
        return None
    empty = (texts == "") & ~missing
    if empty.any():
        texts = texts.copy() if texts is values else texts
        texts[empty] = '""'
    return texts


_DAY_US = 86_400_000_000


def datetime_texts(values: np.ndarray, sep: str, fraction: bool, missing: str | None = None) -> np.ndarray:
    """Date-times (datetime64[ns], so years 1677-2262) as ISO texts "YYYY-MM-DD{sep}HH:MM:SS",
    with ".ffffff" if ``fraction`` (the seconds truncated otherwise), ``missing`` for NaT: an
    object array. Built as code points; a ledger's few distinct days and (whole-second) times of day
    are each formatted once. Twice as fast as numpy's datetime_as_string on a ledger's column."""
    micros = values.astype("datetime64[us]")
    nat = np.isnat(micros)
    ticks = np.where(nat, 0, micros.view(np.int64))
    days = ticks // _DAY_US
    codes, distinct = pd.factorize(days)
    dates = np.datetime_as_string(np.asarray(distinct, dtype=np.int64).astype("datetime64[D]"))
    width = 26 if fraction else 19
    cells = np.empty((len(ticks), width), dtype=np.uint32)
    if len(dates):
        cells[:, :10] = dates.astype("<U10").view(np.uint32).reshape(-1, 10)[codes]
        # times of day, also formatted once each (a ledger's are whole seconds: at most 86,400)
        times, distinct = pd.factorize(ticks - days * _DAY_US)
        cells[:, 10:] = _time_cells(np.asarray(distinct, dtype=np.int64), sep, fraction)[times]
    out = cells.view(f"<U{width}").ravel().astype(object)
    out[nat] = missing
    return out


def _time_cells(rest: np.ndarray, sep: str, fraction: bool) -> np.ndarray:
    """Code points of "{sep}HH:MM:SS[.ffffff]" for microseconds since midnight."""
    cells = np.empty((len(rest), 16 if fraction else 9), dtype=np.uint32)
    cells[:, 0] = ord(sep)
    cells[:, 3] = cells[:, 6] = ord(":")
    for start, unit in ((1, 3_600_000_000), (4, 60_000_000), (7, 1_000_000)):
        part = rest // unit
        rest = rest - part * unit
        _digits(cells, start, 2, part)
    if fraction:
        cells[:, 9] = ord(".")
        _digits(cells, 10, 6, rest)
    return cells


def _digits(cells: np.ndarray, start: int, width: int, numbers: np.ndarray) -> None:
    for i in range(width - 1, -1, -1):
        numbers, digit = np.divmod(numbers, 10)
        cells[:, start + i] = digit + ord("0")


def _sqlite_rows(frame: pd.DataFrame):
    """The rows as tuples of Python values sqlite3 binds (None for missing)."""
    return list(zip(*[_sqlite_cells(frame[c]) for c in frame.columns]))


def _sqlite_cells(s: pd.Series) -> list:
    if pd.api.types.is_datetime64_any_dtype(s):
        # "YYYY-MM-DD HH:MM:SS.ffffff", the text SQLAlchemy stores for a DateTime on SQLite
        return datetime_texts(s.to_numpy(dtype="datetime64[ns]"), " ", fraction=True).tolist()
    if s.dtype == bool or str(s.dtype) == "boolean":
        missing = s.isna().to_numpy()
        out = np.where(s.fillna(False).to_numpy(dtype=bool), 1, 0).astype(object)
        out[missing] = None
        return out.tolist()
    values = s.to_numpy(dtype=object)
    missing = pd.isna(values)
    if missing.any():
        values = values.copy()
        values[missing] = None
    return values.tolist()


def _existing(session: Session, platform_id: int) -> pd.DataFrame:
    rows = session.execute(
        text("SELECT report_id, row_hash, version, period FROM reports WHERE platform_id = :p"), {"p": platform_id}
    ).all()
    existing = pd.DataFrame(rows, columns=["report_id", "old_hash", "old_version", "old_period"])
    # nullable integers: merged with a ledger's new reports (no old row), a float64 column
    # would round the 64-bit hashes and every old report would look changed
    return existing.astype({"old_hash": "Int64", "old_version": "Int64"})


@dataclass(frozen=True)
class StoreCounts:
    created: int
    updated: int
    unchanged: int


def store_frame(session: Session, frame: pd.DataFrame, platform_id: int, submission_id: int,
                period: str) -> StoreCounts:
    """Upsert the reports of an accepted submission (one frame); see store_parts."""
    return store_parts(session, [frame], platform_id, submission_id, period)


def store_parts(session: Session, parts, platform_id: int, submission_id: int, period: str) -> StoreCounts:
    """Upsert the reports of an accepted submission, given as consecutive parts of its frame
    (an iterable: each part is stored as it comes, e.g. while the importer validates the
    next), keeping every earlier state.

    ``reports`` holds each report's newest state; when a submission changes a report, its
    previous state is moved to ``report_versions`` (set-based, in SQL) before the update, so the
    history is versions + current. A re-submitted earlier period does not replace a state that
    a later period already set: its state goes into the history instead. New reports go
    straight into one bulk insert; changed ones are applied after the last part.
    """
    existing = _existing(session, platform_id)
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    forward: list[pd.DataFrame] = []
    late: list[pd.DataFrame] = []
    with insert_stream(session, "reports", list(STORED)) as write:
        for frame in parts:
            data = to_storage(frame)
            data["row_hash"] = row_hashes(frame)
            data["platform_id"] = platform_id
            data["submission_id"] = submission_id
            data["period"] = period
            if existing.empty:  # a platform's first ledger: everything is new, no merge needed
                data["version"] = 1
                write(data[list(STORED)])
                counts["created"] += len(data)
                continue
            merged = data.merge(existing, on="report_id", how="left")
            is_new = merged["old_hash"].isna().to_numpy()
            old_hash = merged["old_hash"].fillna(0).astype(np.int64).to_numpy()
            is_changed = ~is_new & (old_hash != merged["row_hash"].to_numpy())
            merged["version"] = np.where(is_new, 1, merged["old_version"].fillna(0).astype(np.int64) + 1)
            write(merged.loc[is_new, list(STORED)])
            moves_forward = is_changed & (merged["old_period"].fillna("").to_numpy() <= period)
            forward.append(merged.loc[moves_forward, list(STORED)])
            late.append(merged.loc[is_changed & ~moves_forward, list(STORED)])
            counts["created"] += int(is_new.sum())
            counts["updated"] += int(is_changed.sum())
            counts["unchanged"] += int((~is_new & ~is_changed).sum())
    forward = [f for f in forward if len(f)]
    if forward:
        _stage(session, pd.concat(forward, ignore_index=True))
        _archive_current(session)
        _update_reports(session, STORED)
        _drop_staging(session)
    late = [f for f in late if len(f)]
    if late:
        # The late state enters the history under the current version number; the current
        # state keeps its content and takes the next number.
        rows = pd.concat(late, ignore_index=True)
        history = rows.copy()
        history["version"] = history["version"] - 1
        bulk_insert(session, "report_versions", history)
        _stage(session, rows)
        _update_reports(session, ("version",))
        _drop_staging(session)
    return StoreCounts(counts["created"], counts["updated"], counts["unchanged"])


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


def _pg_placeholders(sql: str) -> str:
    """SQLAlchemy's named ``:param`` placeholders as psycopg's ``%(param)s``, for raw cursors."""
    return re.sub(r":(\w+)", r"%(\1)s", sql)


def fetch_frame(session: Session, sql: str, params: dict, columns: list[str]) -> pd.DataFrame:
    """Run ``sql`` (named ``:param`` placeholders) on the raw DB-API cursor and build a frame
    from plain tuples: far faster than going through SQLAlchemy Row objects for large results.
    Values come back as the driver gives them (SQLite: date-times as text, flags as 0/1)."""
    conn = session.connection()
    raw = conn.connection.driver_connection
    if conn.dialect.name == "postgresql":
        sql = _pg_placeholders(sql)
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
    such as the rule checks that never read them. Rows come in ascending ``id`` order.
    """
    names = ["id", *[k for k in KEYS if k not in skip], "version", "period", "submission_id"]
    params = {"platform_id": platform_id, **(params or {})}
    frame = _load_columnar(session, names, f"platform_id = :platform_id {where}", params)
    if frame is not None:
        for key in skip:
            frame[key] = None
        return frame
    # no rows, or a separator inside a value: the row-wise fetch, same result
    cols = ", ".join(_quote(c) for c in names)
    sql = f"SELECT {cols} FROM reports WHERE platform_id = :platform_id {where} ORDER BY id"
    frame = fetch_frame(session, sql, params, names)
    for key in skip:
        frame[key] = None
    return from_storage(frame)


# Column-wise fetch ----------------------------------------------------------------------------
# Building a million Python tuples (sqlite3/psycopg rows) and transposing them costs far more
# than the query. Instead each column of a chunk of rows comes back as ONE string: the values
# joined by a separator (group_concat / string_agg; every aggregate of a query sees the rows in
# the same order) plus a string of NULL marks, which numpy splits and parses at C speed.

_SEP = "\x1f"  # ASCII unit separator; a value containing it makes the loader fall back
FETCH_CHUNK = 100_000  # rows per query: keeps each joined string far below the 1 GB limits
_INT_COLUMNS = ("id", "version", "submission_id", "platform_id", "row_hash")


def _kind(name: str) -> str:
    if name in _INT_COLUMNS:
        return "int"
    if name in DATETIME_KEYS:
        return "datetime"
    if name in FLAG_KEYS:
        return "flag"
    return "text"


def _aggregates(dialect: str, name: str, kind: str) -> tuple[str, str]:
    """(values, NULL marks) aggregate expressions of one column. Flags carry NULL as 2 and
    date-times as an empty value, so only text needs a separate string of marks."""
    q = _quote(name)
    if dialect == "postgresql":
        if kind == "int":
            return f"string_agg(coalesce(CAST({q} AS text), '0'), ',')", "''"
        if kind == "datetime":  # ISO text (DateStyle set for the query), as SQLite stores it;
            # NULL as an empty value. Cheaper for the server than extract(epoch), a numeric.
            return f"string_agg(coalesce(CAST({q} AS text), ''), '{_SEP}')", "''"
        if kind == "flag":
            return f"string_agg(CASE WHEN {q} THEN '1' WHEN NOT {q} THEN '0' ELSE '2' END, '')", "''"
        return (f"string_agg(coalesce({q}, ''), '{_SEP}')",
                f"string_agg(CASE WHEN {q} IS NULL THEN '1' ELSE '0' END, '')")
    if kind == "int":
        return f"group_concat(coalesce({q}, 0), ',')", "''"
    if kind == "flag":
        return f"group_concat(CASE WHEN {q} THEN 1 WHEN NOT {q} THEN 0 ELSE 2 END, '')", "''"
    if kind == "datetime":  # the text SQLAlchemy stores; NULL as an empty value
        return f"group_concat(coalesce({q}, ''), '{_SEP}')", "''"
    return f"group_concat(coalesce({q}, ''), '{_SEP}')", f"group_concat({q} IS NULL, '')"


def _ids(session: Session, where: str, params: dict) -> np.ndarray:
    """SQLite: the sorted ids of the matching reports (from the index alone)."""
    joined = fetch_frame(session, f"SELECT group_concat(id, ',') FROM reports WHERE {where}", params, ["ids"])["ids"][0]
    if not joined:
        return np.zeros(0, dtype=np.int64)
    return np.sort(np.array(joined.split(","), dtype=np.int64))


def _load_columnar(session: Session, names: list[str], where: str, params: dict) -> pd.DataFrame | None:
    """The reports matching ``where`` as a normalised frame, column-wise (None when a value
    holds the separator, then the caller fetches row-wise)."""
    conn = session.connection()
    dialect = conn.dialect.name
    if dialect == "postgresql":
        return _load_pg(session, names, where, params)
    ids = _ids(session, where, params)
    if not len(ids):
        return None  # nothing to gain; the row-wise fetch gives the empty frame its dtypes
    kinds = {n: _kind(n) for n in names}
    select = ", ".join(e for n in names for e in _aggregates(dialect, n, kinds[n]))
    # rows fetched by id in ascending order: SQLite reads the table sequentially instead of
    # jumping around it in the order of the (platform, received_at) index
    sql = f"SELECT count(*), {select} FROM reports WHERE id IN (SELECT value FROM json_each(:ids))"
    parts: dict[str, list] = {n: [] for n in names}
    for start in range(0, len(ids), FETCH_CHUNK):
        chunk = ids[start:start + FETCH_CHUNK]
        arg = "[" + ",".join(map(str, chunk.tolist())) + "]"
        try:  # a string over SQLite's length limit: the row-wise fetch instead
            row = fetch_frame(session, sql, {"ids": arg}, ["n", *[f"{n}{s}" for n in names for s in ("", "?")]])
        except sqlite3.Error:
            return None
        row = row.iloc[0].tolist()
        n = int(row[0])
        if n != len(chunk):
            return None
        for i, name in enumerate(names):
            col = _parse_column(row[1 + 2 * i] or "", row[2 + 2 * i] or "", n, kinds[name])
            if col is None:
                return None
            parts[name].append(col)
    data = {}
    for name in names:
        kind = kinds[name]
        if parts[name]:
            values = np.concatenate([p[0] for p in parts[name]])
            null = np.concatenate([p[1] for p in parts[name]])
        else:
            values = np.zeros(0, dtype={"int": np.int64, "datetime": "datetime64[ns]", "flag": bool}.get(kind, object))
            null = np.zeros(0, dtype=bool)
        data[name] = _normalise(name, kind, values, null)
    return _frame_of(data, kinds, names)


def _frame_of(data: dict, kinds: dict, names: list[str]) -> pd.DataFrame:
    """The frame of the normalised columns, in ascending ``id`` order."""
    if "id" in data and len(data["id"]) > 1 and not (np.diff(data["id"]) > 0).all():
        order = np.argsort(data["id"], kind="stable")
        data = {k: (v[order] if isinstance(v, np.ndarray) else v.take(order)) for k, v in data.items()}
    # the ledger's text columns stay object, as from_storage leaves them (pandas would
    # otherwise infer its "str" dtype); others (period) are inferred, as from rows
    return pd.DataFrame({k: pd.Series(v, dtype=object, copy=False) if kinds[k] == "text" and k in KEYS else v
                         for k, v in data.items()}, columns=names)


PG_PIPELINE_CHUNKS = 6  # id ranges of a large cohort, each fetched while the last is parsed


def _load_pg(session: Session, names: list[str], where: str, params: dict) -> pd.DataFrame | None:
    """PostgreSQL: every column of the cohort in aggregate queries, one per range of ids; a
    helper thread fetches the next range (the connection is free while the client parses,
    and psycopg serialises its use) so that the server aggregates it while the client parses
    the last one: one core each. A joined string beyond PostgreSQL's 1 GB limit (a
    huge cohort of long texts) fails inside a savepoint and the caller fetches row-wise."""
    import psycopg
    from sqlalchemy.exc import DBAPIError

    kinds = {n: _kind(n) for n in names}
    select = ", ".join(e for n in names for e in _aggregates("postgresql", n, kinds[n]))
    conn = session.connection()
    raw = conn.connection.driver_connection
    pg_where = _pg_placeholders(where)
    parts: dict[str, list] = {n: [] for n in names}
    total = 0
    try:
        with session.begin_nested():
            session.connection()  # emits the SAVEPOINT (the raw driver calls below would not)
            # a plain index scan jumps around the heap (and is what the planner picks right
            # after a bulk load, before ANALYZE); SET LOCAL ends with the transaction
            conn.exec_driver_sql("SET LOCAL enable_indexscan = off")
            conn.exec_driver_sql("SET LOCAL DateStyle = 'ISO, YMD'")
            lo, hi, count = raw.execute(f"SELECT min(id), max(id), count(*) FROM reports WHERE {pg_where}",
                                        params).fetchone()
            if not count:
                conn.exec_driver_sql("SET LOCAL enable_indexscan = on")
                return None  # the row-wise fetch gives the empty frame its dtypes
            pieces = PG_PIPELINE_CHUNKS if count > FETCH_CHUNK else 1
            edges = np.linspace(lo, hi + 1, pieces + 1).astype(np.int64)
            sql = f"SELECT count(*), {select} FROM reports WHERE {pg_where} AND id >= %(_lo)s AND id < %(_hi)s"
            split = True

            def fetch(a, b):
                with raw.cursor() as cur:
                    cur.execute(sql, {**params, "_lo": int(a), "_hi": int(b)})
                    return cur.fetchone()

            ranges = list(zip(edges[:-1], edges[1:]))
            with ThreadPoolExecutor(max_workers=1) as pool:
                pending = pool.submit(fetch, *ranges[0])
                for k in range(len(ranges)):
                    row = pending.result()
                    if k + 1 < len(ranges):  # the server works on the next range meanwhile
                        pending = pool.submit(fetch, *ranges[k + 1])
                    n = int(row[0])
                    total += n
                    for i, name in enumerate(names if n and split else ()):
                        col = _parse_column(row[1 + 2 * i] or "", row[2 + 2 * i] or "", n, kinds[name])
                        if col is None:  # a value holds the separator
                            split = False
                            break
                        parts[name].append(col)
                    del row
            conn.exec_driver_sql("SET LOCAL enable_indexscan = on")
    except (DBAPIError, psycopg.Error):  # raw driver calls raise psycopg's own errors
        return None
    if not split or total != count:
        return None
    data = {}
    for name in names:
        values = np.concatenate([p[0] for p in parts[name]])
        null = np.concatenate([p[1] for p in parts[name]])
        data[name] = _normalise(name, kinds[name], values, null)
    return _frame_of(data, kinds, names)


def _parse_column(joined: str, marks: str, n: int, kind: str):
    """(values, is_null) arrays of one column of one chunk; None if it does not split into n."""
    if kind == "flag":
        codes = np.frombuffer(joined.encode("ascii"), dtype=np.uint8)
        return (codes == ord("1"), codes == ord("2")) if len(codes) == n else None
    if kind == "int":
        values = np.array(joined.split(","), dtype=np.int64)
        return (values, np.zeros(n, dtype=bool)) if len(values) == n else None
    pieces = joined.split(_SEP)
    if len(pieces) != n:
        return None
    if kind == "datetime":  # "YYYY-MM-DD HH:MM:SS[.ffffff]": SQLAlchemy's text (SQLite), ISO output (PostgreSQL)
        try:
            values = np.array(pieces, dtype="datetime64[us]").astype("datetime64[ns]")  # "" -> NaT
        except ValueError:
            values = pd.to_datetime(pd.Series(pieces).replace("", None), format="ISO8601").to_numpy("datetime64[ns]")
        return values, np.isnat(values)
    null = np.frombuffer(marks.encode("ascii"), dtype=np.uint8) == ord("1")
    if len(null) != n:
        return None
    values = np.empty(n, dtype=object)
    values[:] = pieces
    return values, null


def _normalise(name: str, kind: str, values: np.ndarray, null: np.ndarray):
    """One column in the form of from_storage (the normalised frame of docs/architecture.md)."""
    if kind == "int":
        return values
    if kind == "datetime":
        values[null] = np.datetime64("NaT")
        return values
    if kind == "flag":
        if name == "facts_clear":
            return pd.arrays.BooleanArray(values & ~null, null.copy())
        return values & ~null
    if name in MULTI_KEYS:
        values[null] = ""
    elif name in ("interim_measure", "account_action"):
        values[null] = "无"
    else:
        values[null] = None
    return values
