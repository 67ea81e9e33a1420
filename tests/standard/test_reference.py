"""run_rules (vectorised) against a plain per-report reading of rules.md on random reports."""
from __future__ import annotations

import unicodedata
from datetime import datetime, timedelta

import pandas as pd
from hypothesis import HealthCheck, given, settings, strategies as st

from importers import columns as C
from supervision.standard.parameters import Parameters
from supervision.standard.rules import REPORT_RULE_CODES, run_rules
from supervision.standard.workdays import default_calendar

T = datetime
CAL = default_calendar()
P = Parameters()


def reference(r: dict, cutoff: datetime) -> set[str]:
    """rules.md, one report at a time, with the scalar deadline."""
    def blank(v):
        return v is None or str(v).strip() == ""

    def toks(v):
        return set() if blank(v) else {x for x in str(v).split("；") if x}

    def late(x, t, n):
        return x is not None and t is not None and x > CAL.deadline(t, n)

    rec, disp, fb = r["received_at"], r["disposed_at"], r["feedback_at"]
    interim_at, supp_at = r["interim_measure_at"], r["supplement_requested_at"]
    concluded, open_ = r["status"] == "已办结", r["status"] == "办理中"
    accepted, ent = r["acceptance"] == "受理", r["subject_type"] == "涉企"
    fc = r["facts_clear"]
    complex_ = supp_at is not None or r["acceptance"] == "待补充材料" or (accepted and fc is False)
    ext_ok = r["extended"] and not blank(r["extension_note"])
    measures = toks(r["measures"])
    circ = toks(r["circumstances"])
    removal = bool(measures & {"删除", "屏蔽", "断开链接"})
    light = r["category"] in C.LIGHTWEIGHT_CATEGORIES
    cond = all(r[k] for k in ("has_statement", "has_identity_proof", "has_contact", "has_locator",
                              "has_guarantee")) and (r["has_evidence"] or light)
    s, c, fbn = P.simple_case_working_days, P.complex_case_working_days, P.feedback_working_days
    out = set()
    if not complex_ and not ext_ok and concluded and late(disp, rec, s):
        out.add("TIM-01")
    if complex_ and not ext_ok and concluded and late(disp, rec, c):
        out.add("TIM-02")
    if r["extended"] and blank(r["extension_note"]):
        out.add("TIM-03")
    if ent and accepted and complex_ and measures != {"无需处置"}:
        obs = disp if concluded else (cutoff if open_ else None)
        if late(obs, rec, s):
            dl = CAL.deadline(rec, s)
            if not (r["interim_measure"] in ("限时加私", "争议标记") and interim_at is not None and interim_at <= dl):
                out.add("TIM-04")
    if r["category"] in ("网络暴力", "涉未成年人") and accepted:
        obs = disp if concluded else (cutoff if open_ else None)
        if obs is not None and obs - rec > timedelta(hours=P.fast_channel_hours):
            out.add("TIM-05")
    if open_ and not ext_ok and late(cutoff, rec, c if complex_ else s):
        out.add("TIM-06")
    if concluded and fb is None and late(cutoff, disp, fbn):
        out.add("TIM-07")
    if concluded and fb is not None and late(fb, disp, fbn):
        out.add("TIM-08")
    rejected = r["acceptance"] == "不予受理"
    if ent and rejected and r["rejection_reason"] in ("材料不全", "证据不足") and cond:
        out.add("ACC-01")
    if ent and light and r["has_identity_proof"] and (
            r["supplement_reason"] == "证据不足" or (rejected and r["rejection_reason"] == "证据不足")):
        out.add("ACC-02")
    if ent and rejected and r["rejection_reason"] == "恶意举报" and blank(r["rejection_note"]):
        out.add("ACC-03")
    if accepted and concluded and fc is True and not removal:
        out.add("DIS-01")
    if ent and ("限时加私" in measures or r["interim_measure"] == "限时加私") and not circ & set(C.TEMP_PRIVATE_GROUNDS):
        out.add("DIS-02")
    if ent and (measures & {"争议标记", "澄清回应"} or r["interim_measure"] == "争议标记") and not circ & set(C.DISPUTE_GROUNDS):
        out.add("DIS-03")
    if ent and accepted and concluded and fc is False and removal:
        out.add("DIS-04")
    if ent and accepted and concluded and fc is True and circ & set(C.ACCOUNT_GROUNDS) and r["account_action"] in (None, "无"):
        out.add("DIS-05")
    if ent and r["stakeholder_report"] and concluded and (measures - {"无需处置"} or r["account_action"] not in (None, "无")) \
            and blank(r["provincial_approval_ref"]):
        out.add("DIS-06")
    norm = lambda v: unicodedata.normalize("NFKC", v or "").strip().casefold()  # noqa: E731
    if concluded and norm(r["handler_id"]) and norm(r["handler_id"]) == norm(r["reviewer_id"]):
        out.add("PRO-01")
    if r["publisher_notified"] and not r["reporter_redacted"]:
        out.add("PRO-02")
    if concluded and r["acceptance"] == "待补充材料":
        out.add("PRO-03")
    if any(t is not None and t < rec for t in (disp, fb, interim_at, supp_at)) or (
            fb is not None and disp is not None and fb < disp):
        out.add("PRO-04")
    return out


base = T(2026, 9, 1)
times = st.one_of(
    st.none(),
    st.integers(0, 60 * 24 * 3600).map(lambda s: base + timedelta(seconds=s)),
    st.sampled_from([T(2026, 9, 4, 23, 59, 59), T(2026, 9, 5), T(2026, 9, 30, 23, 59, 59),
                     T(2026, 10, 8, 23, 59, 59), T(2026, 10, 9), T(2026, 9, 2, 10, 0)]),
)
maybe = lambda values: st.sampled_from([None, *values])  # noqa: E731
multi = lambda values: st.lists(st.sampled_from(values), max_size=3, unique=True).map(  # noqa: E731
    lambda xs: "；".join(v for v in values if v in xs))

report = st.fixed_dictionaries({
    "subject_type": st.sampled_from(C.SUBJECT_TYPES),
    "category": st.sampled_from(C.ALL_CATEGORIES),
    "received_at": st.integers(0, 40 * 24 * 3600).map(lambda s: base + timedelta(seconds=s)),
    **{k: st.booleans() for k in ("has_statement", "has_identity_proof", "has_contact", "has_locator",
                                  "has_evidence", "has_guarantee", "extended", "stakeholder_report",
                                  "publisher_notified", "reporter_redacted")},
    "acceptance": st.sampled_from(C.ACCEPTANCE),
    "rejection_reason": maybe(C.REJECTION_REASONS),
    "rejection_note": maybe(["依据", " "]),
    "supplement_requested_at": times, "supplement_reason": maybe(C.SUPPLEMENT_REASONS),
    "facts_clear": st.sampled_from([None, True, False]),
    "circumstances": multi(C.CIRCUMSTANCES),
    "interim_measure": st.sampled_from(C.INTERIM_MEASURES), "interim_measure_at": times,
    "measures": st.one_of(st.just("无需处置"), multi(C.MEASURES[:-1])),
    "account_action": maybe(C.ACCOUNT_ACTIONS),
    "status": st.sampled_from(C.STATUSES), "disposed_at": times,
    "extension_note": maybe(["说明", "\u3000"]), "feedback_at": times,
    "provincial_approval_ref": maybe(["审〔2026〕1号"]),
    "handler_id": st.sampled_from(["H1", "h1 ", "Ｈ１", "V2"]),
    "reviewer_id": st.sampled_from([None, "H1", "v2", "X9"]),
})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(report, min_size=1, max_size=25),
       cutoff=st.sampled_from([T(2026, 9, 30, 23, 59, 59), T(2026, 10, 31, 23, 59, 59)]))
def test_vectorised_engine_equals_reference(rows, cutoff):
    records = []
    for i, r in enumerate(rows):
        full = {k: None for k in C.KEYS}
        full.update(r, report_id=f"R{i}")
        records.append(full)
    frame = pd.DataFrame.from_records(records, columns=list(C.KEYS))
    for k in C.DATETIME_KEYS:
        frame[k] = pd.to_datetime(frame[k]).astype("datetime64[ns]")
    frame["facts_clear"] = frame["facts_clear"].astype("boolean")
    for k in C.FLAG_KEYS:
        if k != "facts_clear":
            frame[k] = frame[k].fillna(False).astype(bool)
    found = run_rules(frame, None, CAL, P, T(2026, 12, 1), cutoff=cutoff)
    got = set(zip(found["report_id"], found["rule_code"]))
    expected = {(f"R{i}", code) for i, r in enumerate(records) for code in reference(r, cutoff)}
    assert got == expected
    assert set(found["rule_code"]) <= set(REPORT_RULE_CODES)
