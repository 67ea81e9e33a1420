"""Cross-platform account watch: accounts reported again and again, or on several platforms.

意见 (九)(十一) ask the office to watch the accounts that first post and spread infringing
content and the accounts reported over and over. This module counts, over the ledgers of many
platforms, the reports naming each 被举报账号, vectorised over the normalised report frames of
docs/architecture.md. It is a watch list for inspectors, not a finding: the same account name
on two platforms is not proof of one person behind both.

    from supervision.standard.account_watch import account_watch
    table = account_watch({"P001": frame1, "P002": frame2}, "2026-04", "2026-09")
    table[table["flagged"]]

Accounts are compared after NFKC (full-width letters, digits and spaces become half-width),
removing surrounding white space and folding letter case; an empty account is ignored. A report
listed twice (same platform and 举报编号) counts once, its last row wins.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd

from importers import columns as C

from .workdays import as_datetime64

__all__ = ["ACCOUNT_WATCH_COLUMNS", "account_watch", "normalise_account"]

ACCOUNT_WATCH_COLUMNS = (
    "account",  # the normalised account (NFKC, trimmed, case-folded)
    "spelling",  # its most frequent spelling in the reports (trimmed; ties: the smallest)
    "reports",  # reports naming it in the window
    "platforms",  # number of platforms with such a report
    "platform_codes",  # those platforms, sorted, joined by '；'
    "platform_reports",  # reports per platform, e.g. 'P001:3；P002:1'
    "categories",  # distinct 侵权类别, in the order of ledger.md, joined by '；'
    "first_received_at",  # earliest 受理时间 among them
    "last_received_at",  # latest 受理时间 among them
    "actioned",  # reports with 账号处置 other than 无
    "flagged",  # reports >= min_reports or platforms >= min_platforms
)

_MONTH = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")
_DAY = re.compile(r"^\s*\d{4}[-/年]\d{1,2}[-/月]\d{1,2}日?\s*$")
_SEP = C.MULTI_SEP


# The ledger columns the watch reads (callers may load only these).
LEDGER_COLUMNS_READ = ("report_id", "reported_account", "category", "received_at", "account_action")

def normalise_account(value) -> str:
    """The key an account is compared by; '' for an empty or missing account."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    text = unicodedata.normalize("NFKC", str(value)).strip().casefold()
    return unicodedata.normalize("NFKC", text).strip()


def _bound(value, end: bool) -> np.int64 | None:
    """A window bound as int64 ns; an end bound is exclusive. A month ('YYYY-MM') or a date
    covers the whole month or day; a date-time is an exact instant (included)."""
    if value is None:
        return None
    if isinstance(value, pd.Period):
        value = f"{value.year:04d}-{value.month:02d}"
    if isinstance(value, str):
        m = _MONTH.match(value)
        if m:
            year, month = int(m.group(1)), int(m.group(2))
            if not 1 <= month <= 12:
                raise ValueError(f"月份格式应为YYYY-MM：{value!r}")
            first = pd.Timestamp(year=year, month=month, day=1)
            t = first + pd.offsets.MonthBegin(1) if end else first
            return np.int64(t.value)
        if _DAY.match(value):
            value = pd.Timestamp(re.sub(r"[年月/]", "-", value.strip()).rstrip("日")).date()
    if isinstance(value, date) and not isinstance(value, datetime):
        t = pd.Timestamp(value) + (timedelta(days=1) if end else timedelta())
        return np.int64(t.value)
    t = pd.Timestamp(as_datetime64(value)[0])
    if pd.isna(t):
        return None
    return np.int64(t.value + (1 if end else 0))


def _gather(frames) -> dict[str, np.ndarray]:
    """The columns the watch needs from every frame as arrays, one row per report, with a
    platform (plain arrays: no DataFrame, whose constructor would re-infer text dtypes)."""
    wanted = list(LEDGER_COLUMNS_READ)

    def pick(frame: pd.DataFrame, platform) -> dict[str, np.ndarray]:
        n = len(frame)
        out = {"platform": (np.full(n, str(platform), dtype=object) if platform is not None
                            else _trimmed(frame["platform_code"]))}
        for key in wanted:
            if key == "received_at":
                out[key] = (as_datetime64(frame[key]) if key in frame.columns
                            else np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]"))
            else:
                out[key] = (frame[key].to_numpy(dtype=object) if key in frame.columns
                            else np.full(n, None, dtype=object))
        return out

    if isinstance(frames, pd.DataFrame):
        if "platform_code" not in frames.columns:
            raise ValueError("单个台账数据须含 platform_code 列；多个平台请按平台代码传入字典")
        parts = [pick(frames, None)]
    elif isinstance(frames, Mapping):
        parts = [pick(f, code) for code, f in frames.items() if f is not None and len(f)]
    else:
        raise TypeError("frames 应为 {平台代码: 台账数据} 字典或含 platform_code 列的 DataFrame")
    if not parts:
        parts = [pick(pd.DataFrame({k: [] for k in wanted}), "")]
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


def _text(value) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value).strip()


def _trimmed(values) -> np.ndarray:
    """Trimmed text of each value ('' for missing), computed once per distinct value."""
    codes, uniques = pd.factorize(np.asarray(values, dtype=object), use_na_sentinel=True)
    table = np.array([_text(u) for u in uniques] + [""], dtype=object)
    return table[np.asarray(codes)]


def _empty() -> pd.DataFrame:
    text = ("account", "spelling", "platform_codes", "platform_reports", "categories")
    dtypes = {c: str for c in text} | {"first_received_at": "datetime64[ns]",
                                       "last_received_at": "datetime64[ns]", "flagged": bool}
    return pd.DataFrame({c: pd.Series([], dtype=dtypes.get(c, np.int64))
                         for c in ACCOUNT_WATCH_COLUMNS})


def _unique_counts(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted distinct int64 values and how often each occurs (a sort, no hashing)."""
    ordered = np.sort(values, kind="stable")
    if len(ordered) == 0:
        return ordered, np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    return ordered[starts], np.diff(np.r_[starts, len(ordered)])


def _joined(keys: np.ndarray, labels: np.ndarray, size: int) -> np.ndarray:
    """For sorted group ``keys`` (every key 0..size-1 present) the group's labels joined by
    '；' (one C-level reduction, no Python loop per group)."""
    if size == 0:
        return np.empty(0, dtype=object)
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    with_sep = (pd.Series(labels, dtype=object) + _SEP).to_numpy(dtype=object)
    joined = np.add.reduceat(with_sep, starts)
    return pd.Series(joined, dtype=object).str[: -len(_SEP)].to_numpy(dtype=object)


def account_watch(frames, start=None, end=None, *, min_reports: int = 5, min_platforms: int = 2,
                  only_flagged: bool = False) -> pd.DataFrame:
    """One row per reported account over reports with 受理时间 in [start, end] (module doc).

    ``frames``: {platform_code: frame} or one frame with a ``platform_code`` column. ``start``
    and ``end``: 'YYYY-MM' (whole month), a date or 'YYYY-MM-DD' (whole day), a date-time (that
    instant, included), or None (unbounded; then reports without 受理时间 count too). Columns:
    ``ACCOUNT_WATCH_COLUMNS``; sorted by reports, then platforms (both descending), then
    account. ``only_flagged`` keeps the flagged rows only.
    """
    data = _gather(frames)
    lo, hi = _bound(start, end=False), _bound(end, end=True)
    ids = pd.Series(data["report_id"], dtype=object)
    if ids.notna().any():
        both = pd.DataFrame({"p": pd.Series(data["platform"], dtype=object), "r": ids})
        keep = ~both.duplicated(keep="last").to_numpy()
        keep |= ids.isna().to_numpy()  # rows without an id cannot be told apart; keep them
        data = {k: v[keep] for k, v in data.items()}

    # the account key, computed once per distinct spelling (raw → trimmed → normalised)
    raw_codes, raw_uniques = pd.factorize(data["reported_account"],
                                          use_na_sentinel=True)
    raw_codes = np.asarray(raw_codes, dtype=np.int64)
    trimmed_of_raw = np.array([_text(u) for u in raw_uniques] + [""], dtype=object)
    norm_of_raw = np.array([normalise_account(u) for u in raw_uniques] + [""], dtype=object)
    mask = norm_of_raw[raw_codes] != ""
    received = data["received_at"]
    ns = received.view(np.int64)
    nat = np.isnat(received)
    if lo is not None:
        mask &= ~nat & (ns >= lo)
    if hi is not None:
        mask &= ~nat & (ns < hi)
    rows = np.flatnonzero(mask)
    if len(rows) == 0:
        return _empty()

    raw_codes = raw_codes[rows]
    # accounts in ascending order, so that ties in the final order go by account
    key_of_raw, accounts = pd.factorize(norm_of_raw, sort=True)
    key = np.asarray(key_of_raw, dtype=np.int64)[raw_codes]
    used = np.flatnonzero(np.bincount(key))
    accounts = np.asarray(accounts, dtype=object)[used]  # drop keys of filtered-out rows and ''
    key = np.searchsorted(used, key)
    size = len(accounts)
    sub = {k: v[rows] for k, v in data.items()}

    reports = np.bincount(key, minlength=size)

    # platforms: distinct (account, platform) pairs, platforms in sorted order
    plat_id, plat_names = pd.factorize(sub["platform"], sort=True)
    plat_id = np.asarray(plat_id, dtype=np.int64)
    n_plat = max(len(plat_names), 1)
    pair, pair_count = _unique_counts(key * n_plat + plat_id)
    pair_key, pair_plat = pair // n_plat, pair % n_plat
    platforms = np.bincount(pair_key, minlength=size)
    names = np.asarray(plat_names, dtype=object)[pair_plat]
    platform_codes = _joined(pair_key, names, size)
    per_platform = (pd.Series(names, dtype=object) + ":" + pd.Series(pair_count).astype(str))
    platform_reports = _joined(pair_key, per_platform.to_numpy(dtype=object), size)

    # categories: distinct (account, category), in the order of ledger.md, unknown ones after
    cat_text = _trimmed(sub["category"])
    cat_codes, cat_uniques = pd.factorize(cat_text)
    rank = {c: i for i, c in enumerate(C.ALL_CATEGORIES)}
    order = sorted(range(len(cat_uniques)), key=lambda i: (rank.get(cat_uniques[i], len(rank)),
                                                           str(cat_uniques[i])))
    position = np.empty(len(cat_uniques), dtype=np.int64)
    position[order] = np.arange(len(cat_uniques))
    ordered_names = np.asarray(cat_uniques, dtype=object)[order] if len(order) else np.empty(0, object)
    cat_pos = position[np.asarray(cat_codes)] if len(cat_uniques) else np.zeros(len(key), np.int64)
    has_cat = cat_text != ""
    categories = np.full(size, "", dtype=object)
    if has_cat.any():
        n_cat = len(cat_uniques)
        cpair, _ = _unique_counts(key[has_cat] * n_cat + cat_pos[has_cat])
        ckey = cpair // n_cat
        present = np.flatnonzero(np.bincount(ckey))
        compact = np.searchsorted(present, ckey)
        categories[present] = _joined(compact, ordered_names[cpair % n_cat], len(present))

    # first and last 受理时间
    times = pd.Series(sub["received_at"])
    grouped = times.groupby(key)
    first = grouped.min().reindex(range(size)).to_numpy(dtype="datetime64[ns]")
    last = grouped.max().reindex(range(size)).to_numpy(dtype="datetime64[ns]")

    # reports with 账号处置 other than 无
    act_codes, act_uniques = pd.factorize(sub["account_action"], use_na_sentinel=True)
    acted_of = np.array([_text(u) not in ("", "无") for u in act_uniques] + [False], dtype=bool)
    actioned = np.bincount(key, weights=acted_of[np.asarray(act_codes)].astype(np.int64),
                           minlength=size).astype(np.int64)

    # the most frequent spelling (trimmed); among equally frequent ones the smallest
    spell_of_raw, spell_uniques = pd.factorize(trimmed_of_raw, sort=True)
    spell_code = np.asarray(spell_of_raw, dtype=np.int64)[raw_codes]
    n_spell = max(len(spell_uniques), 1)
    spair, spair_count = _unique_counts(key * n_spell + spell_code)
    skey, sname = spair // n_spell, spair % n_spell
    best = np.lexsort((sname, -spair_count, skey))
    chosen = best[np.r_[True, skey[best][1:] != skey[best][:-1]]]
    spelling = np.asarray(spell_uniques, dtype=object)[sname[chosen]]

    out = pd.DataFrame({
        "account": np.asarray(accounts, dtype=object),
        "spelling": spelling,
        "reports": reports.astype(np.int64),
        "platforms": platforms.astype(np.int64),
        "platform_codes": platform_codes,
        "platform_reports": platform_reports,
        "categories": categories,
        "first_received_at": first,
        "last_received_at": last,
        "actioned": actioned,
        "flagged": (reports >= min_reports) | (platforms >= min_platforms),
    }, columns=list(ACCOUNT_WATCH_COLUMNS))
    if only_flagged:
        out = out[out["flagged"].to_numpy()]
    # accounts are already in ascending order: a stable sort on the counts keeps it for ties
    out = out.sort_values(["reports", "platforms"], ascending=[False, False], kind="stable")
    return out.reset_index(drop=True)
