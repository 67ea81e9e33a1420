"""Fixtures for the standard's tests: a clean report and a frame factory."""
from __future__ import annotations

from datetime import datetime

import pandas as pd
import pytest

from importers import columns as C
from supervision.standard.parameters import Parameters
from supervision.standard.rules import run_rules
from supervision.standard.workdays import default_calendar

# A clean enterprise report: received Tuesday 2026-09-01, concluded and fed back the next day.
# It breaks no rule.
BASE = {
    "report_id": "R1", "subject_type": "涉企", "category": "误导性信息",
    "received_at": "2026-09-01 10:00:00", "reporter_role": "企业", "enterprise_tier": "其他",
    "has_statement": True, "has_identity_proof": True, "has_contact": True, "has_locator": True,
    "has_evidence": True, "has_guarantee": True, "evidence_types": "源发新闻稿件",
    "acceptance": "受理", "rejection_reason": None, "rejection_note": None,
    "supplement_requested_at": None, "supplement_reason": None, "facts_clear": True,
    "circumstances": "", "interim_measure": "无", "interim_measure_at": None, "measures": "删除",
    "account_action": "无", "reported_account": "acc-1", "content_url": "https://example.cn/p/1",
    "status": "已办结", "disposed_at": "2026-09-02 10:00:00", "extended": False,
    "extension_note": None, "feedback_at": "2026-09-02 11:00:00", "feedback_channel": "站内信",
    "stakeholder_report": False, "provincial_approval_ref": None, "publisher_notified": False,
    "reporter_redacted": False, "objection": False, "handler_id": "H001", "reviewer_id": "V002",
    "note": None,
}
assert tuple(BASE) == C.KEYS

CUTOFF = datetime(2026, 9, 30, 23, 59, 59)
NOW = datetime(2026, 11, 22, 9, 0, 0)


def make_frame(*rows: dict) -> pd.DataFrame:
    """Normalised frame (docs/architecture.md) from BASE updated by each dict."""
    records = []
    for i, changes in enumerate(rows or ({},)):
        r = dict(BASE)
        r["report_id"] = f"R{i + 1}"
        r.update(changes)
        records.append(r)
    df = pd.DataFrame.from_records(records, columns=list(C.KEYS))
    for key in C.DATETIME_KEYS:
        df[key] = pd.to_datetime(df[key], format="mixed").astype("datetime64[ns]")
    for key in C.FLAG_KEYS:
        if key == "facts_clear":
            df[key] = df[key].astype("boolean")
        else:
            df[key] = df[key].astype(bool)
    for key in C.KEYS:
        if key not in C.DATETIME_KEYS and key not in C.FLAG_KEYS:
            df[key] = df[key].astype(object).where(df[key].notna(), None)
    return df


@pytest.fixture
def calendar():
    return default_calendar()


@pytest.fixture
def params():
    return Parameters()


@pytest.fixture
def check(calendar, params):
    """check(rows..., code=..., cutoff=..., params=...) -> set of (report_id, rule_code)."""

    def run(*rows, code=None, cutoff=CUTOFF, params=params, now=NOW):
        frame = make_frame(*rows)
        codes = [code] if isinstance(code, str) else code
        found = run_rules(frame, None, calendar, params, now, cutoff=cutoff, codes=codes)
        return set(zip(found["report_id"], found["rule_code"]))

    return run


@pytest.fixture
def fires(check):
    """fires(changes, code, **kw) -> whether R1 built from BASE+changes gets that code."""

    def run(changes, code, **kw):
        return ("R1", code) in check(changes, code=code, **kw)

    return run


@pytest.fixture
def make():
    return make_frame
