"""Benchmark: plausibility signals and the cross-platform account watch on 1,000,000 reports.

    .venv/bin/python bench/bench_signals.py [--rows 1000000] [--seed 1]

Builds a normalised report frame (docs/architecture.md) of ``--rows`` reports, with anomalies
planted in the checked month 2026-09 (a volume jump, a batch closed in one second, night
disposals, duplicated rows), and times:

- ``all_signals`` over the rows spread across 12 months (2025-10 … 2026-09) — the usual case;
- ``all_signals`` with every row received in the checked month — the worst case for the
  timestamp and duplicate-row signals, which look at the month's rows only;
- ``account_watch`` over the same rows spread across 30 platforms (an ordinary account on
  one platform, 20 % of the reports on a few thousand heavy repeaters reported everywhere),
  as one frame with a ``platform_code`` column and as a {platform_code: frame} dict.

Prints the timings, the signals found and the size of the watch list.
"""
from __future__ import annotations

import argparse
import pathlib
import resource
import sys
import time

import numpy as np
import pandas as pd

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from importers import columns as C  # noqa: E402
from supervision.standard.account_watch import account_watch  # noqa: E402
from supervision.standard.signals import all_signals, monthly_profile  # noqa: E402

MONTH = "2026-09"


PLATFORMS = np.array([f"P{i:03d}" for i in range(30)], dtype=object)


def synthetic_frame(n: int, seed: int = 1, one_month: bool = False) -> tuple[pd.DataFrame, np.ndarray]:
    """(frame, platform code of each row): an ordinary account is reported on its own platform,
    a heavy repeater on any of the 30."""
    rng = np.random.default_rng(seed)

    def pick(values, p=None):
        values = np.array(values, dtype=object)
        return values[rng.choice(len(values), size=n, p=p)]

    # 受理时间: 12 months, the last one with ~40 % more reports (a SIG-VOL jump)
    if one_month:
        start, span = np.datetime64("2026-09-01T00:00:00"), 30 * 86400
        received = start + rng.integers(0, span, n).astype("timedelta64[s]")
    else:
        months = np.arange(np.datetime64("2025-10"), np.datetime64("2026-10"))
        weights = np.ones(len(months))
        weights[-1] = 1.4
        m = rng.choice(len(months), size=n, p=weights / weights.sum())
        first = months[m].astype("datetime64[s]")
        length = (months[m] + 1).astype("datetime64[s]") - first
        received = first + (rng.random(n) * length.astype(np.int64)).astype("timedelta64[s]")
    received = received.astype("datetime64[ns]")
    subject = pick(C.SUBJECT_TYPES, [0.6, 0.4])
    category = np.where(subject == "涉企", pick(C.ENTERPRISE_CATEGORIES), pick(C.PERSONAL_CATEGORIES))
    acceptance = pick(C.ACCEPTANCE, [0.8, 0.12, 0.08])
    status = pick(C.STATUSES, [0.1, 0.9])
    concluded = status == "已办结"
    # disposals during working hours (08:00–20:00) a few days later
    day = (received.astype("datetime64[D]") + rng.integers(1, 5, n).astype("timedelta64[D]"))
    clock = (8 * 3600 + rng.integers(0, 12 * 3600, n)).astype("timedelta64[s]")
    disposed = np.where(concluded, day.astype("datetime64[ns]") + clock, np.datetime64("NaT")).astype("datetime64[ns]")
    facts = pd.array(np.where(rng.random(n) < 0.7, True, False), dtype="boolean")
    facts[(acceptance != "受理") | ~concluded] = pd.NA
    measures = np.where((acceptance == "受理") & concluded,
                        pick(["删除", "屏蔽", "断开链接", "限时加私", "争议标记", "删除；谣言标签", "澄清回应", "无需处置"],
                             [0.4, 0.15, 0.05, 0.05, 0.1, 0.05, 0.05, 0.15]), "")
    # accounts: 80 % spread over 400,000 accounts, 20 % on a few thousand heavy repeaters
    # (Zipf), spelled in several ways
    heavy = rng.random(n) < 0.2
    number = np.where(heavy, rng.zipf(1.8, n) % 5_000, 5_000 + rng.integers(0, 400_000, n))
    platform = PLATFORMS[np.where(heavy, rng.integers(0, 30, n), number % 30)]
    pool = pd.Series(number).astype(str)
    variant = rng.choice(4, size=n, p=[0.85, 0.05, 0.05, 0.05])
    accounts = np.select([variant == 1, variant == 2, variant == 3],
                         [("  user" + pool).to_numpy(dtype=object), ("user" + pool + "\u3000").to_numpy(dtype=object),
                          ("USER" + pool).to_numpy(dtype=object)],
                         ("user" + pool).to_numpy(dtype=object)).astype(object)
    accounts[rng.random(n) < 0.1] = None
    staff = np.array([f"S{i:04d}" for i in range(400)], dtype=object)
    frame = pd.DataFrame({
        "report_id": pd.array([f"R{i:08d}" for i in range(n)], dtype=object),
        "subject_type": subject, "category": category, "received_at": received,
        "reporter_role": pick(C.REPORTER_ROLES),
        "enterprise_tier": np.where(subject == "涉企", pick(C.ENTERPRISE_TIERS), None),
        **{k: rng.random(n) < 0.95 for k in ("has_statement", "has_identity_proof", "has_contact",
                                             "has_locator", "has_evidence", "has_guarantee")},
        "evidence_types": pick(["", "源发新闻稿件", "权威辟谣信息；第三方机构证明"]),
        "acceptance": acceptance,
        "rejection_reason": np.where(acceptance == "不予受理", pick(C.REJECTION_REASONS), None),
        "rejection_note": pick([None, "经核查属重复举报"]),
        "supplement_requested_at": np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]"),
        "supplement_reason": None,
        "facts_clear": facts,
        "circumstances": pick(["", "关键节点", "无法证实", "屡罚屡犯"]),
        "interim_measure": "无",
        "interim_measure_at": np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]"),
        "measures": measures,
        "account_action": pick(C.ACCOUNT_ACTIONS, [0.85, 0.05, 0.02, 0.02, 0.02, 0.02, 0.02]),
        "reported_account": accounts,
        "content_url": pd.Series(np.arange(n)).astype(str).radd("https://example.cn/p/").to_numpy(dtype=object),
        "status": status, "disposed_at": disposed,
        "extended": rng.random(n) < 0.03,
        "extension_note": None,
        "feedback_at": np.where(concluded, disposed + np.timedelta64(2, "h"), np.datetime64("NaT")).astype("datetime64[ns]"),
        "feedback_channel": np.where(concluded, "站内信", None),
        "stakeholder_report": rng.random(n) < 0.02,
        "provincial_approval_ref": None,
        "publisher_notified": rng.random(n) < 0.1,
        "reporter_redacted": rng.random(n) < 0.95,
        "objection": rng.random(n) < 0.05,
        "handler_id": staff[rng.integers(0, 400, n)],
        "reviewer_id": staff[rng.integers(0, 400, n)],
        "note": None,
    }, columns=list(C.KEYS))

    # anomalies in the checked month
    sept = np.flatnonzero((received >= np.datetime64("2026-09-01")) & (received < np.datetime64("2026-09-25"))
                          & concluded)
    batch, night = sept[:500], sept[500:500 + len(sept) // 2]
    frame.loc[batch, "disposed_at"] = pd.Timestamp("2026-09-27 16:00:00")
    night_at = (received[night].astype("datetime64[D]") + np.timedelta64(1, "D")
                + rng.integers(3600, 5 * 3600, len(night)).astype("timedelta64[s]"))
    frame.loc[night, "disposed_at"] = night_at.astype("datetime64[ns]")
    source = sept[sept < n - 200][-200:]
    copies = frame.iloc[source].copy()
    copies["report_id"] = [f"D{i:08d}" for i in range(len(copies))]
    frame = pd.concat([frame.iloc[: n - len(copies)], copies], ignore_index=True)
    platform = np.concatenate([platform[: n - len(copies)], platform[source]])
    return frame, platform


def timed(fn, *args, repeat: int = 2, **kwargs):
    best, result = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn(*args, **kwargs)
        best = min(best, time.perf_counter() - t0)
    return best, result


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    for one_month in (False, True):
        t0 = time.perf_counter()
        frame, platform = synthetic_frame(args.rows, args.seed, one_month=one_month)
        built = time.perf_counter() - t0
        in_month = int((frame["received_at"].dt.strftime("%Y-%m") == MONTH).sum())
        label = "all rows in 2026-09" if one_month else "rows over 12 months"
        print(f"== {label}: {len(frame):,} reports ({in_month:,} received in {MONTH}), "
              f"frame {frame.memory_usage(deep=True).sum() / 2**20:,.0f} MiB, built in {built:.1f} s")
        t_profile, _ = timed(monthly_profile, frame)
        t_all, signals = timed(all_signals, frame, MONTH)
        print(f"monthly_profile: {t_profile:.2f} s; all_signals({MONTH}): {t_all:.2f} s (best of 2)")
        for s in signals:
            print(f"  {s.code:<12} {s.title}：{s.message}")

        frame["platform_code"] = platform
        t_one, table = timed(account_watch, frame, "2025-10", MONTH)
        frames = {code: part.drop(columns="platform_code") for code, part in frame.groupby("platform_code")}
        t_dict, table2 = timed(account_watch, frames, "2025-10", MONTH)
        assert table.equals(table2)
        flagged = table[table["flagged"]]
        print(f"account_watch: {t_one:.2f} s (one frame, platform_code column); "
              f"{t_dict:.2f} s (dict of 30 frames) — {len(table):,} accounts, {len(flagged):,} flagged, "
              f"top: {table.iloc[0]['account']} {table.iloc[0]['reports']:,} reports on "
              f"{table.iloc[0]['platforms']} platforms")
        del frame, frames, table, table2
    print(f"process max RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB")


if __name__ == "__main__":
    main()
