"""Fixtures for the signal and account-watch tests: a factory of normalised report frames
(docs/architecture.md) and of monthly profiles."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from importers import columns as C

# A clean, concluded, accepted report with a removal. Every generated row gets its own
# 举报编号, 受理时间 second and 侵权链接, so that no two default rows are duplicates.
BASE = {
    "report_id": "R1", "subject_type": "涉企", "category": "误导性信息",
    "received_at": None, "reporter_role": "企业", "enterprise_tier": "其他",
    "has_statement": True, "has_identity_proof": True, "has_contact": True, "has_locator": True,
    "has_evidence": True, "has_guarantee": True, "evidence_types": "源发新闻稿件",
    "acceptance": "受理", "rejection_reason": None, "rejection_note": None,
    "supplement_requested_at": None, "supplement_reason": None, "facts_clear": True,
    "circumstances": "", "interim_measure": "无", "interim_measure_at": None, "measures": "删除",
    "account_action": "无", "reported_account": "acc-1", "content_url": None,
    "status": "已办结", "disposed_at": None, "extended": False,
    "extension_note": None, "feedback_at": None, "feedback_channel": None,
    "stakeholder_report": False, "provincial_approval_ref": None, "publisher_notified": False,
    "reporter_redacted": False, "objection": False, "handler_id": "H001", "reviewer_id": "V002",
    "note": None,
}
assert tuple(BASE) == C.KEYS


def build_frame(n: int, month: str = "2026-09", start: int = 0, **columns) -> pd.DataFrame:
    """n reports received in ``month``: the i-th at day 1 00:00:07 + i minutes, disposed 36
    hours later (12:00–23:59 for n ≤ 720); ``columns`` override any column (a scalar or a
    sequence of n values). Ids are R000001… from ``start`` + 1."""
    first = pd.Timestamp(month + "-01 00:00:07")
    i = np.arange(n)
    received = first + pd.to_timedelta(i, unit="min")
    data = {k: [v] * n for k, v in BASE.items()}
    data["report_id"] = [f"R{start + j + 1:06d}" for j in i]
    data["received_at"] = received
    data["disposed_at"] = received + pd.Timedelta(hours=36)
    data["content_url"] = [f"https://example.cn/p/{month}/{start + j}" for j in i]
    for key, value in columns.items():
        if isinstance(value, (list, tuple, np.ndarray, pd.Series, pd.Index)):
            assert len(value) == n, key
            data[key] = list(value)
        else:
            data[key] = [value] * n
    return normalise(pd.DataFrame(data, columns=list(C.KEYS)))


def normalise(df: pd.DataFrame) -> pd.DataFrame:
    df = df.copy()
    for key in C.DATETIME_KEYS:
        df[key] = pd.to_datetime(pd.Series(df[key], dtype=object), format="mixed").astype("datetime64[ns]")
    for key in C.FLAG_KEYS:
        df[key] = df[key].astype("boolean") if key == "facts_clear" else df[key].astype(bool)
    for key in C.KEYS:
        if key not in C.DATETIME_KEYS and key not in C.FLAG_KEYS:
            df[key] = df[key].astype(object)
    return df


def build_profile(months: list[str], reports, rejected=None, concluded_accepted=None,
                  removals=None) -> pd.DataFrame:
    """A monthly profile as monthly_profile returns it."""
    size = len(months)
    reports = np.asarray(reports, dtype=np.int64)
    rejected = np.zeros(size, np.int64) if rejected is None else np.asarray(rejected, np.int64)
    ca = reports.copy() if concluded_accepted is None else np.asarray(concluded_accepted, np.int64)
    removals = np.zeros(size, np.int64) if removals is None else np.asarray(removals, np.int64)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = pd.DataFrame({
            "reports": reports, "rejected": rejected,
            "rejected_share": np.where(reports > 0, rejected / np.maximum(reports, 1), np.nan),
            "concluded_accepted": ca, "removals": removals,
            "removal_share": np.where(ca > 0, removals / np.maximum(ca, 1), np.nan),
        }, index=pd.Index(months, name="month", dtype=object))
    return out


TRAILING = ["2026-03", "2026-04", "2026-05", "2026-06", "2026-07", "2026-08"]


@pytest.fixture
def make_frame():
    return build_frame


@pytest.fixture
def make_profile():
    return build_profile


@pytest.fixture
def trailing_months():
    return list(TRAILING)
