"""Properties over arbitrary valid frames: nothing raises, and the figures agree with plain
reference computations (pandas value_counts / duplicated and Python sets)."""
from __future__ import annotations

import math
from collections import Counter, defaultdict

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from importers import columns as C
from importers import read_ledger
from importers.synthetic import synthetic_ledger
from supervision.standard.account_watch import account_watch, normalise_account
from supervision.standard.signals import (SIGNAL_CODES, Signal, SignalParams, all_signals,
                                          monthly_profile)

MONTHS = ["2026-06", "2026-07", "2026-08", "2026-09"]
ACCOUNTS = [None, "", " ", "acc", "ACC", "ａｃｃ", " acc\u3000", "用户1", "用户１", "Straße", "strasse"]
MEASURES = ["", "删除", "屏蔽；澄清回应", "断开链接；谣言标签", "争议标记", "无需处置", "限时加私"]

# few distinct values so that equal seconds, nights, midnights and duplicates do occur
times = st.builds(
    lambda m, d, h, mi, s: f"{m}-{d:02d} {h:02d}:{mi:02d}:{s:02d}",
    st.sampled_from(MONTHS), st.integers(1, 28), st.sampled_from([0, 0, 3, 5, 6, 14]),
    st.sampled_from([0, 30]), st.sampled_from([0, 0, 1]),
)
row = st.fixed_dictionaries({
    "received_at": times,
    "disposed_at": st.one_of(st.none(), times),
    "acceptance": st.sampled_from(C.ACCEPTANCE),
    "status": st.sampled_from(C.STATUSES),
    "measures": st.sampled_from(MEASURES),
    "facts_clear": st.sampled_from([True, False, None]),
    "reported_account": st.sampled_from(ACCOUNTS),
    "account_action": st.sampled_from(C.ACCOUNT_ACTIONS),
    "category": st.sampled_from(C.ALL_CATEGORIES),
    "note": st.sampled_from([None, "重点关注"]),
})


def frame_of(make_frame, rows, copies):
    n = len(rows)
    columns = {k: [r[k] for r in rows] for k in rows[0]} if rows else {}
    columns["facts_clear"] = [pd.NA if v is None else v for v in columns.get("facts_clear", [])]
    columns["content_url"] = None  # so that duplicates can happen
    frame = make_frame(n, **columns) if n else make_frame(0)
    if n and copies:
        extra = frame.iloc[[i % n for i in copies]].copy()
        extra["report_id"] = [f"D{i:04d}" for i in range(len(copies))]
        frame = pd.concat([frame, extra], ignore_index=True)
    return frame


params = st.builds(SignalParams, min_trailing=st.integers(1, 4), same_second_min=st.integers(1, 5),
                   night_min=st.integers(0, 5), night_share=st.sampled_from([0.0, 0.2, 0.5]),
                   date_only_min=st.integers(0, 5), share_min_base=st.integers(0, 5),
                   duplicate_min_group=st.integers(0, 3), max_examples=st.integers(0, 5))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(row, max_size=40), copies=st.lists(st.integers(0, 39), max_size=4),
       month=st.sampled_from(["2026-05"] + MONTHS + ["2026-10"]), trailing=st.integers(0, 7),
       p=params)
def test_signals_never_raise_and_agree_with_references(make_frame, rows, copies, month, trailing, p):
    frame = frame_of(make_frame, rows, copies)
    profile = monthly_profile(frame)
    assert profile["reports"].sum() == len(frame)
    assert (profile["rejected"] <= profile["reports"]).all()
    assert (profile["removals"] <= profile["concluded_accepted"]).all()
    for col in ("rejected_share", "removal_share"):
        s = profile[col].dropna()
        assert ((s >= 0) & (s <= 1)).all()

    signals = all_signals(frame, month, trailing, p)
    ids = set(frame["report_id"])
    for s in signals:
        assert isinstance(s, Signal) and s.code in SIGNAL_CODES and s.month == month
        assert s.title and s.message and math.isfinite(s.value)
        assert s.baseline is None or math.isfinite(s.baseline)
        assert set(s.examples) <= ids and len(s.examples) <= p.max_examples
    by_code = {s.code: s for s in signals}

    # SIG-DUP against pandas.duplicated
    in_month = frame[frame["received_at"].dt.strftime("%Y-%m") == month]
    others = [c for c in frame.columns if c != "report_id"]
    sizes = in_month.groupby(others, dropna=False, sort=False)["report_id"].transform("size")
    expected = int((sizes >= max(p.duplicate_min_group, 2)).sum()) if len(in_month) else 0
    assert (by_code["SIG-DUP"].value if "SIG-DUP" in by_code else 0) == expected

    # SIG-SAMESEC against value_counts (unless the month's disposals are dates only)
    disposed = frame["disposed_at"].dropna()
    disposed = disposed[disposed.dt.strftime("%Y-%m") == month]
    if "SIG-DATEONLY" not in {s.code for s in signals if s.title.startswith("处置")}:
        top = int(disposed.value_counts().max()) if len(disposed) else 0
        fires = top >= max(p.same_second_min, 2)
        assert ("SIG-SAMESEC" in by_code) is fires
        if fires:
            assert by_code["SIG-SAMESEC"].value == top


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parts=st.lists(st.lists(row, max_size=15), min_size=1, max_size=4),
       start=st.sampled_from([None, "2026-07", "2026-08-15"]), end=st.sampled_from([None, "2026-08", "2026-09-30"]),
       min_reports=st.integers(1, 6), min_platforms=st.integers(1, 3))
def test_account_watch_agrees_with_sets(make_frame, parts, start, end, min_reports, min_platforms):
    frames = {f"P{i}": frame_of(make_frame, rows, []) for i, rows in enumerate(parts)}
    table = account_watch(frames, start, end, min_reports=min_reports, min_platforms=min_platforms)
    lo = pd.Timestamp(start) if start else pd.Timestamp.min
    hi = (pd.Timestamp(end) + (pd.offsets.MonthBegin(1) if len(end) == 7 else pd.Timedelta(days=1))
          if end else pd.Timestamp.max)
    reports, platforms = Counter(), defaultdict(set)
    for code, f in frames.items():
        for acc, t in zip(f["reported_account"], f["received_at"]):
            key = normalise_account(acc)
            if key and lo <= t < hi:
                reports[key] += 1
                platforms[key].add(code)
    assert dict(zip(table["account"], table["reports"])) == dict(reports)
    assert dict(zip(table["account"], table["platforms"])) == {k: len(v) for k, v in platforms.items()}
    assert dict(zip(table["account"], table["platform_codes"])) == {
        k: "；".join(sorted(v)) for k, v in platforms.items()}
    flagged = {k for k in reports if reports[k] >= min_reports or len(platforms[k]) >= min_platforms}
    assert set(table.loc[table["flagged"], "account"]) == flagged
    assert list(table["reports"]) == sorted(table["reports"], reverse=True)
    assert (table["first_received_at"] <= table["last_received_at"]).all()
    assert (table["actioned"] <= table["reports"]).all()


def test_importer_frames_over_several_months():
    parts = []
    for i, month in enumerate(MONTHS):
        raw = synthetic_ledger(120 if month != "2026-09" else 400, month, seed=i + 1)
        result = read_ledger(raw.to_csv(index=False).encode("utf-8"), "x.csv", month)
        assert result.ok
        parts.append(result.frame)
    frame = pd.concat(parts, ignore_index=True)
    profile = monthly_profile(frame)
    assert profile["reports"].tolist() == [120, 120, 120, 400]
    signals = all_signals(frame, "2026-09")
    vol = [s for s in signals if s.code == "SIG-VOL"]
    assert len(vol) == 1 and vol[0].title == "受理量骤增" and vol[0].baseline == 120
    table = account_watch({"P1": frame.iloc[:300], "P2": frame.iloc[300:]})
    assert table["reports"].sum() == len(frame)
