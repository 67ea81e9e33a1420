"""Benchmark: run_rules over 1,000,000 synthetic reports in the normalised frame.

    .venv/bin/python bench/bench_rules.py [--rows 1000000] [--seed 1]

Prints the time to build the frame, the time of run_rules (all report rules + LED rules for
the checked months), the number of findings per code, the peak of Python-tracked memory during
run_rules (tracemalloc, which numpy and pandas report to) and the process's maximum RSS.
"""
from __future__ import annotations

import argparse
import pathlib
import resource
import sys
import time
import tracemalloc
from datetime import datetime

import numpy as np
import pandas as pd

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from importers import columns as C  # noqa: E402
from supervision.standard.parameters import Parameters  # noqa: E402
from supervision.standard.rules import run_rules  # noqa: E402
from supervision.standard.workdays import default_calendar  # noqa: E402

MONTHS = ["2026-04", "2026-05", "2026-06", "2026-07", "2026-08", "2026-09"]


def synthetic_frame(n: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)

    def pick(values, p=None):
        values = np.array(values, dtype=object)
        return values[rng.choice(len(values), size=n, p=p)]

    def maybe_time(base, p_set, max_hours):
        t = base + (rng.exponential(max_hours / 3, n) * 3600).astype("timedelta64[s]")
        return np.where(rng.random(n) < p_set, t, np.datetime64("NaT")).astype("datetime64[ns]")

    start = np.datetime64("2026-04-01T00:00:00")
    span = int((np.datetime64("2026-10-01T00:00:00") - start) / np.timedelta64(1, "s"))
    received = (start + rng.integers(0, span, n).astype("timedelta64[s]")).astype("datetime64[ns]")
    subject = pick(C.SUBJECT_TYPES, [0.6, 0.4])
    category = np.where(subject == "涉企", pick(C.ENTERPRISE_CATEGORIES), pick(C.PERSONAL_CATEGORIES))
    acceptance = pick(C.ACCEPTANCE, [0.8, 0.12, 0.08])
    status = pick(C.STATUSES, [0.1, 0.9])
    concluded = status == "已办结"
    disposed = np.where(concluded, received + (rng.exponential(60, n) * 3600).astype("timedelta64[s]"),
                        np.datetime64("NaT")).astype("datetime64[ns]")
    feedback = np.where(concluded & (rng.random(n) < 0.9),
                        disposed + (rng.exponential(20, n) * 3600).astype("timedelta64[s]"),
                        np.datetime64("NaT")).astype("datetime64[ns]")
    facts = pd.array(np.where(rng.random(n) < 0.7, True, False), dtype="boolean")
    facts[(acceptance != "受理") | ~concluded] = pd.NA
    measures = np.where(acceptance == "受理",
                        pick(["删除", "屏蔽", "断开链接", "限时加私", "争议标记", "删除；谣言标签", "澄清回应", "无需处置"],
                             [0.4, 0.15, 0.05, 0.05, 0.1, 0.05, 0.05, 0.15]), "")
    staff = np.array([f"S{i:04d}" for i in range(400)], dtype=object)
    interim = pick(C.INTERIM_MEASURES, [0.05, 0.05, 0.9])
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
        "rejection_note": pick([None, "经核查属重复举报", "伪造营业执照"], [0.5, 0.25, 0.25]),
        "supplement_requested_at": maybe_time(received, 0.1, 24),
        "supplement_reason": pick([None, *C.SUPPLEMENT_REASONS], [0.9, 0.04, 0.02, 0.02, 0.02]),
        "facts_clear": facts,
        "circumstances": pick(["", "关键节点", "无法证实", "屡罚屡犯", "权益纠纷；敲诈勒索"], [0.7, 0.05, 0.1, 0.1, 0.05]),
        "interim_measure": interim,
        "interim_measure_at": np.where(interim != "无", maybe_time(received, 1.0, 48), np.datetime64("NaT")).astype("datetime64[ns]"),
        "measures": measures,
        "account_action": pick(C.ACCOUNT_ACTIONS, [0.85, 0.05, 0.02, 0.02, 0.02, 0.02, 0.02]),
        "reported_account": pick(["acc-1", "acc-2", None]),
        "content_url": pick(["https://example.cn/p/1", None]),
        "status": status, "disposed_at": disposed,
        "extended": rng.random(n) < 0.03,
        "extension_note": pick([None, "等待司法机关结论"], [0.5, 0.5]),
        "feedback_at": feedback,
        "feedback_channel": np.where(np.isnat(feedback), None, "站内信"),
        "stakeholder_report": rng.random(n) < 0.02,
        "provincial_approval_ref": pick([None, "审〔2026〕7号"], [0.7, 0.3]),
        "publisher_notified": rng.random(n) < 0.1,
        "reporter_redacted": rng.random(n) < 0.95,
        "objection": rng.random(n) < 0.05,
        "handler_id": staff[rng.integers(0, 400, n)],
        "reviewer_id": staff[rng.integers(0, 400, n)],
        "note": None,
    }, columns=list(C.KEYS))
    return frame


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    t0 = time.perf_counter()
    frame = synthetic_frame(args.rows, args.seed)
    t1 = time.perf_counter()
    frame_mb = frame.memory_usage(deep=True).sum() / 2**20
    calendar, params = default_calendar(), Parameters()
    submissions = [(m, datetime(2026, int(m[5:]) + 1, 6, 10)) for m in MONTHS]
    now = datetime(2026, 11, 22, 9, 0)

    tracemalloc.start()
    t2 = time.perf_counter()
    findings = run_rules(frame, MONTHS, calendar, params, now, submissions=submissions,
                         disclosures=MONTHS[:-1])
    t3 = time.perf_counter()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    # a second, untraced run (tracemalloc slows allocation-heavy code)
    t4 = time.perf_counter()
    run_rules(frame, MONTHS, calendar, params, now, submissions=submissions, disclosures=MONTHS[:-1])
    t5 = time.perf_counter()

    print(f"reports: {len(frame):,}  (frame {frame_mb:,.0f} MiB, built in {t1 - t0:.1f} s)")
    print(f"run_rules: {t5 - t4:.2f} s untraced; {t3 - t2:.2f} s under tracemalloc")
    print(f"findings: {len(findings):,}")
    print(findings["rule_code"].value_counts().sort_index().to_string())
    print(f"peak traced memory during run_rules: {peak / 2**20:,.0f} MiB")
    print(f"process max RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB")


if __name__ == "__main__":
    main()
