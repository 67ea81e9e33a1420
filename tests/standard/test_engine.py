"""run_rules: cohorts, cutoff versus now, LED rules, catalogue, export and explanations."""
from __future__ import annotations

import re
from datetime import date, datetime

import pandas as pd
import pytest

from supervision.standard.explain import explain, explain_findings
from supervision.standard.export import findings_csv
from supervision.standard.parameters import Parameters
from supervision.standard.rules import (AUTOMATIC_CODES, FINDING_COLUMNS, RULES,
                                        REPORT_RULE_CODES, SEVERITIES, catalogue, reconcile,
                                        retention_window, run_ledger_rules, run_rules)
from supervision.standard.workdays import UnknownYearError, WorkCalendar

T = datetime
OPEN = {"status": "办理中", "disposed_at": None, "feedback_at": None, "measures": "", "facts_clear": None}


def pairs(findings):
    return set(zip(findings["report_id"], findings["rule_code"]))


# -- catalogue -------------------------------------------------------------------------------

SPEC_CODES = {
    "TIM-01": ("简单件超时办结", "较重"), "TIM-02": ("复杂件超时办结", "较重"),
    "TIM-03": ("延期未说明", "一般"), "TIM-04": ("复杂件未采取临时措施", "较重"),
    "TIM-05": ("快速通道超时", "严重"), "TIM-06": ("超期未办结", "严重"),
    "TIM-07": ("未反馈举报人", "较重"), "TIM-08": ("反馈不及时", "一般"),
    "ACC-01": ("符合条件不予受理", "严重"), "ACC-02": ("超范围要求举证", "较重"),
    "ACC-03": ("恶意举报认定无依据", "一般"), "DIS-01": ("应删未删", "严重"),
    "DIS-02": ("限时加私无依据", "一般"), "DIS-03": ("争议标记无依据", "一般"),
    "DIS-04": ("举证不足即删除", "较重"), "DIS-05": ("应处置账号未处置", "较重"),
    "DIS-06": ("利益相关方举报未报审", "严重"), "PRO-01": ("承办复核未分离", "较重"),
    "PRO-02": ("举报人信息未隐去", "严重"), "PRO-03": ("办结状态矛盾", "一般"),
    "PRO-04": ("时间记录矛盾", "较重"), "LED-01": ("台账未报送", "严重"),
    "LED-02": ("台账逾期报送", "一般"), "LED-03": ("未按月公开处置情况", "一般"),
    "REC-01": ("台账记录与原始材料不符", "严重"), "REC-02": ("研判结论错误", "较重"),
    "REC-03": ("原始材料未留存", "较重"), "REC-04": ("其他问题", "一般"),
}


def test_catalogue_matches_rules_md():
    for code, (name, severity) in SPEC_CODES.items():
        assert (RULES[code].name, RULES[code].severity) == (name, severity), code
    assert set(AUTOMATIC_CODES) == {c for c in SPEC_CODES if not c.startswith("REC")}
    assert list(RULES)[:24] == list(SPEC_CODES)[:24]  # order of rules.md
    assert RULES["CMP-02"].severity == "严重" and RULES["CMP-01"].severity == "较重"
    for r in RULES.values():
        assert r.severity in SEVERITIES and r.scope and r.condition
        assert (r.evaluate is not None) == r.automatic
    assert "《上海网站平台受理处置涉企网络侵权信息举报工作指引（试行版）》五(二)1" in RULES["TIM-01"].reference
    assert "5个工作日" in RULES["TIM-01"].describe(Parameters(simple_case_working_days=5))
    rows = catalogue()
    assert rows[0]["code"] == "TIM-01" and "3个工作日" in rows[0]["description"]


# -- a clean report ----------------------------------------------------------------------------

def test_clean_report_has_no_finding(make, calendar, params):
    found = run_rules(make({}), "2026-09", calendar, params, T(2026, 11, 1),
                      cutoff=T(2026, 9, 30, 23, 59, 59))
    assert len(found) == 0
    assert list(found.columns) == list(FINDING_COLUMNS)


def test_every_report_rule_can_fire_together(make, calendar, params):
    # one row per report rule, each built to fire (the rule tests check each in detail)
    rows = {
        "TIM-01": {"disposed_at": "2026-09-08 10:00", "feedback_at": None},
        "TIM-02": {"supplement_requested_at": "2026-09-01 12:00", "supplement_reason": "其他",
                   "disposed_at": "2026-09-14 10:00", "feedback_at": None},
        "TIM-03": {"extended": True},
        "TIM-04": {**OPEN, "facts_clear": False, "acceptance": "受理",
                   "supplement_requested_at": "2026-09-01 12:00", "supplement_reason": "其他"},
        "TIM-05": {"subject_type": "涉个人", "category": "网络暴力", "disposed_at": "2026-09-03 10:00",
                   "feedback_at": None},
        "TIM-06": {**OPEN},
        "TIM-07": {"feedback_at": None},
        "TIM-08": {"feedback_at": "2026-09-10 10:00"},
        "ACC-01": {"acceptance": "不予受理", "rejection_reason": "材料不全", "measures": "", "facts_clear": None},
        "ACC-02": {"category": "侮辱性信息", "supplement_requested_at": "2026-09-01 12:00",
                   "supplement_reason": "证据不足"},
        "ACC-03": {"acceptance": "不予受理", "rejection_reason": "恶意举报", "measures": "", "facts_clear": None},
        "DIS-01": {"measures": "谣言标签"},
        "DIS-02": {"measures": "删除；限时加私"},
        "DIS-03": {"measures": "删除；澄清回应"},
        "DIS-04": {"facts_clear": False},
        "DIS-05": {"circumstances": "屡罚屡犯"},
        "DIS-06": {"stakeholder_report": True},
        "PRO-01": {"reviewer_id": "h001"},
        "PRO-02": {"publisher_notified": True},
        "PRO-03": {"acceptance": "待补充材料", "measures": "", "facts_clear": None},
        "PRO-04": {"feedback_at": "2026-09-01 09:00"},
    }
    assert list(rows) == list(REPORT_RULE_CODES)
    frame = make(*[{**changes, "report_id": code} for code, changes in rows.items()])
    found = run_rules(frame, "2026-09", calendar, params, T(2026, 11, 1), cutoff=T(2026, 9, 30, 23, 59, 59))
    for code in rows:
        assert (code, code) in pairs(found), code
    # the findings frame is sorted by report_id then rule_code
    keys = list(zip(found["report_id"], found["rule_code"]))
    assert keys == sorted(keys)


# -- cohort and cutoff -------------------------------------------------------------------------------

def test_cohort_is_by_month_of_receipt(make, calendar, params):
    frame = make({"received_at": "2026-08-31 23:59:59", "disposed_at": "2026-09-10 10:00", "feedback_at": None},
                 {"received_at": "2026-09-01 00:00:00", "disposed_at": "2026-09-10 10:00", "feedback_at": None},
                 {"received_at": "2025-03-02 10:00", "disposed_at": "2025-03-20 10:00", "feedback_at": None})
    found = run_rules(frame, "2026-09", calendar, params, T(2026, 11, 1), cutoff=T(2026, 9, 30, 23, 59, 59))
    assert {r for r, _ in pairs(found)} == {"R2"}
    both = run_rules(frame, ["2026-08", "2026-09"], calendar, params, T(2026, 11, 1), cutoff=T(2026, 9, 30, 23, 59, 59))
    assert {r for r, _ in pairs(both)} == {"R1", "R2"}
    # reports received before the platform's onboarding month are checked like any other
    old = run_rules(frame, "2025-03", calendar, params, T(2026, 11, 1), cutoff=T(2026, 9, 30, 23, 59, 59),
                    submissions=[("2026-09", T(2026, 10, 9))], disclosures=[], onboarding_month="2026-06")
    assert ("R3", "TIM-01") in pairs(old)
    assert not any(c.startswith("LED") for _, c in pairs(old))  # but never its months' LED rules
    assert set(found["period"]) == {"2026-09"}


def test_open_reports_are_judged_at_the_cutoff_not_now(make, calendar, params):
    frame = make({**OPEN, "received_at": "2026-09-28 10:00"})  # simple deadline 10-08 23:59:59
    for now in (T(2026, 10, 9), T(2027, 6, 1), T(2030, 1, 1)):
        found = run_rules(frame, "2026-09", calendar, params, now, cutoff=T(2026, 9, 30, 23, 59, 59))
        assert len(found) == 0
    # September's ledger only: not yet due at its cutoff, so no finding yet
    subs = [("2026-09", T(2026, 10, 9, 10))]
    assert len(run_rules(frame, "2026-09", calendar, params, T(2026, 10, 20), submissions=subs,
                         disclosures=["2026-09"])) == 0
    # October's ledger still lists it open: re-judging September's cohort now finds TIM-06
    subs.append(("2026-10", T(2026, 11, 5, 10)))
    found = run_rules(frame, "2026-09", calendar, params, T(2026, 11, 6), submissions=subs,
                      disclosures=["2026-09"])
    assert pairs(found) == {("R1", "TIM-06")}
    row = found.iloc[0]
    assert row["observed_at"] == pd.Timestamp("2026-10-31 23:59:59")
    assert row["deadline"] == pd.Timestamp("2026-10-08 23:59:59")
    assert row["state"] == "open"


def test_rejudging_on_newer_data_closes_findings(make, calendar, params):
    before = make({**OPEN, "received_at": "2026-09-28 10:00"})
    first = run_rules(before, "2026-09", calendar, params, T(2026, 11, 6), cutoff=T(2026, 10, 31, 23, 59, 59))
    assert pairs(first) == {("R1", "TIM-06")}
    # November's ledger: concluded 10-15 and fed back the same day
    after = make({"received_at": "2026-09-28 10:00", "disposed_at": "2026-10-15 10:00",
                  "feedback_at": "2026-10-15 12:00"})
    second = run_rules(after, "2026-09", calendar, params, T(2026, 12, 5), cutoff=T(2026, 11, 30, 23, 59, 59))
    assert pairs(second) == {("R1", "TIM-01")}
    diff = reconcile(pairs(first), second)
    assert diff == {"new": {("R1", "TIM-01")}, "kept": set(), "closed": {("R1", "TIM-06")}}


def test_cutoff_from_latest_accepted_submission(make, calendar, params):
    frame = make({**OPEN, "received_at": "2026-09-01 10:00"})
    subs = [("2026-09", T(2026, 10, 9)), ("2026-10", T(2026, 11, 3)), ("2026-11", T(2026, 12, 2))]
    # the November submission does not exist yet at 2026-11-20: cutoff is 10-31
    found = run_rules(frame, "2026-09", calendar, params, T(2026, 11, 20), submissions=subs, disclosures=["2026-09"])
    assert found.loc[found["rule_code"] == "TIM-06", "observed_at"].iloc[0] == pd.Timestamp("2026-10-31 23:59:59")
    with pytest.raises(ValueError, match="截止时间"):
        run_rules(frame, "2026-09", calendar, params, T(2026, 11, 20))
    with pytest.raises(TypeError):
        run_rules(frame, "2026-09", calendar, params, T(2026, 11, 20), submissions=subs)
    latest = run_rules(frame, "2026-09", calendar, params, T(2026, 11, 20), latest_period="2026-09")
    assert latest.loc[0, "observed_at"] == pd.Timestamp("2026-09-30 23:59:59")


def test_cutoff_per_row_and_carried_columns(make, calendar, params):
    frame = make({**OPEN, "received_at": "2026-09-01 10:00"}, {**OPEN, "received_at": "2026-09-01 10:00"})
    frame["platform_code"] = ["A", "B"]
    found = run_rules(frame, "2026-09", calendar, params, T(2026, 11, 1),
                      cutoff=[T(2026, 9, 3, 23, 59, 59), T(2026, 9, 30, 23, 59, 59)],
                      codes=["TIM-06"], carry=["platform_code"])
    assert list(zip(found["platform_code"], found["report_id"])) == [("B", "R2")]


def test_unknown_year_in_a_check(make, calendar, params):
    late_dec = make({**OPEN, "received_at": "2026-12-30 10:00"})
    # the deadline lies in 2027, certainly after the 2026-12-31 cutoff: no calendar needed
    assert len(run_rules(late_dec, "2026-12", calendar, params, T(2026, 12, 31, 23, 0),
                         cutoff=T(2026, 12, 31, 23, 59, 59))) == 0
    concluded = make({"received_at": "2026-12-30 10:00", "disposed_at": "2027-01-06 10:00", "feedback_at": None})
    with pytest.raises(UnknownYearError, match=r"2027年.*R1"):
        run_rules(concluded, "2026-12", calendar, params, T(2027, 1, 20), cutoff=T(2027, 1, 31, 23, 59, 59))
    cal27 = WorkCalendar({date(2027, 1, 1): False}, known_years=[2027])
    found = run_rules(concluded, "2026-12", cal27, params, T(2027, 1, 20), cutoff=T(2027, 1, 31, 23, 59, 59))
    assert ("R1", "TIM-01") in pairs(found)  # deadline 2027-01-05 (01-01 off)


# -- LED rules ----------------------------------------------------------------------------------------
# September 2026: due deadline(09-30, 5) = 10-08, 10-09, 10-10 (Sat), 10-12, 10-13 -> 2026-10-13 23:59:59

def led(now, submissions=(), disclosures=(), months="2026-09", onboarding=None, params=None, calendar=None):
    from supervision.standard.workdays import default_calendar
    found = run_ledger_rules(months, calendar or default_calendar(), params or Parameters(), now,
                             submissions=list(submissions), disclosures=list(disclosures),
                             onboarding_month=onboarding)
    return pairs(found)


def test_led01_ledger_missing():
    assert ("2026-09", "LED-01") in led(T(2026, 10, 14, 0, 0, 0))
    assert ("2026-09", "LED-01") not in led(T(2026, 10, 13, 23, 59, 59))
    assert ("2026-09", "LED-01") not in led(T(2026, 10, 20), submissions=[("2026-09", T(2026, 10, 12))])
    assert led(T(2026, 10, 20), onboarding="2026-10") == set()  # before onboarding: never checked
    # a submission accepted after the check's time does not exist yet
    assert ("2026-09", "LED-01") in led(T(2026, 10, 20), submissions=[("2026-09", T(2026, 10, 25))])


def test_led02_ledger_late():
    assert ("2026-09", "LED-02") in led(T(2026, 11, 1), submissions=[("2026-09", T(2026, 10, 14, 0, 0, 0))])
    assert ("2026-09", "LED-02") not in led(T(2026, 11, 1), submissions=[("2026-09", T(2026, 10, 13, 23, 59, 59))])
    # only the first accepted submission counts
    assert ("2026-09", "LED-02") not in led(T(2026, 11, 1), submissions=[
        {"period": "2026-09", "accepted_at": T(2026, 10, 20)}, ("2026-09", T(2026, 10, 9))])
    assert ("2026-09", "LED-02") not in led(T(2026, 11, 1), submissions=[("2026-10", T(2026, 11, 1))])


def test_led03_disclosure_missing():
    subs = [("2026-09", T(2026, 10, 9))]
    assert ("2026-09", "LED-03") in led(T(2026, 10, 14), submissions=subs)
    assert ("2026-09", "LED-03") not in led(T(2026, 10, 14), submissions=subs, disclosures=["2026-09"])
    assert ("2026-09", "LED-03") not in led(T(2026, 10, 13, 12), submissions=subs)
    assert ("2026-09", "LED-03") not in led(T(2026, 10, 14), onboarding="2026-10")


def test_led_due_day_parameter():
    subs = [("2026-09", T(2026, 10, 14, 9))]
    assert ("2026-09", "LED-02") in led(T(2026, 11, 1), submissions=subs)
    assert ("2026-09", "LED-02") not in led(T(2026, 11, 1), submissions=subs,
                                            params=Parameters(ledger_due_working_day=6))


def test_led_over_the_retention_window():
    months = retention_window("2026-10", Parameters())
    assert months == ["2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10"]
    found = led(T(2026, 11, 20), months=months, submissions=[("2026-08", T(2026, 9, 3))],
                disclosures=months)
    # October was due 2026-11-06 23:59:59, which has passed at 11-20
    assert {m for m, c in found if c == "LED-01"} == {"2026-05", "2026-06", "2026-07", "2026-09", "2026-10"}
    assert led(T(2026, 11, 6, 12), months=["2026-10"], disclosures=["2026-10"]) == set()


def test_led_december_needs_next_years_calendar():
    with pytest.raises(UnknownYearError, match="2027年"):
        led(T(2027, 1, 15), months="2026-12")
    assert led(T(2026, 12, 31, 12), months="2026-12") == set()  # certainly not due yet
    cal27 = WorkCalendar({date(2027, 1, 1): False}, known_years=[2027])
    # due: 01-04, 05, 06, 07, 08 -> 2027-01-08 23:59:59
    assert ("2026-12", "LED-01") in led(T(2027, 1, 9), months="2026-12", calendar=cal27)
    assert led(T(2027, 1, 8, 23), months="2026-12", calendar=cal27) == set()


def test_run_rules_includes_led_findings(make, calendar, params):
    found = run_rules(make({}), "2026-09", calendar, params, T(2026, 11, 1),
                      submissions=[("2026-09", T(2026, 10, 15))], disclosures=[])
    assert pairs(found) == {("2026-09", "LED-02"), ("2026-09", "LED-03")}
    row = found[found["rule_code"] == "LED-02"].iloc[0]
    assert row["deadline"] == pd.Timestamp("2026-10-13 23:59:59")
    assert row["overdue_working_days"] == 2  # 10-14, 10-15


# -- export --------------------------------------------------------------------------------------------

def test_findings_export_contract(make, calendar, params):
    frame = make({"report_id": "B-2", "publisher_notified": True, "extended": True},
                 {"report_id": "A,1", "publisher_notified": True},
                 {"report_id": "举报-3", "publisher_notified": True})
    found = run_rules(frame, "2026-09", calendar, params, T(2026, 11, 1), cutoff=T(2026, 9, 30, 23, 59, 59),
                      submissions=[("2026-09", T(2026, 10, 20))], disclosures=["2026-09"])
    data = findings_csv(found)
    text = data.decode("utf-8")
    assert not data.startswith(b"\xef\xbb\xbf")
    lines = text.split("\n")
    assert lines[0] == "report_id,rule_code"
    assert lines[1:] == ['2026-09,LED-02', '"A,1",PRO-02', "B-2,PRO-02", "B-2,TIM-03", "举报-3,PRO-02", ""]
    assert findings_csv([]) == b"report_id,rule_code\n"
    assert findings_csv([("R2", "TIM-01"), ("R10", "PRO-01"), ("R2", "TIM-01")]) == \
        b"report_id,rule_code\nR10,PRO-01\nR2,TIM-01\n"


# -- explanations ------------------------------------------------------------------------------------

def test_explanations(make, calendar, params):
    frame = make({"report_id": "R1", "disposed_at": "2026-10-09 15:00", "feedback_at": None},
                 {**OPEN, "report_id": "R2", "received_at": "2026-09-23 10:00"},
                 {"report_id": "R3", "subject_type": "涉个人", "category": "网络暴力",
                  "disposed_at": "2026-09-02 22:30", "feedback_at": "2026-09-03 09:00"},
                 {"report_id": "R4", "reviewer_id": "H001", "acceptance": "不予受理", "rejection_reason": "证据不足",
                  "measures": "", "facts_clear": None})
    found = run_rules(frame, "2026-09", calendar, params, T(2026, 11, 1), cutoff=T(2026, 10, 31, 23, 59, 59),
                      submissions=[("2026-09", T(2026, 10, 14, 9))], disclosures=["2026-09"])
    texts = dict(zip(zip(found["report_id"], found["rule_code"]), explain_findings(found, frame)))
    assert texts[("R1", "TIM-01")] == ("简单件于2026-09-01 10:00:00受理，应在3个工作日内即2026-09-04 23:59:59前办结，"
                                       "实际于2026-10-09 15:00:00办结，超期20个工作日。")
    assert "截至数据截止时间2026-10-31 23:59:59仍在办理中" in texts[("R2", "TIM-06")]
    assert "用时36.5小时" in texts[("R3", "TIM-05")] and "24小时" in texts[("R3", "TIM-05")]
    assert texts[("R4", "ACC-01")] == "举报已满足受理条件，平台却以“证据不足”为由不予受理。"
    assert "H001" in texts[("R4", "PRO-01")]
    assert "超期1个工作日" in texts[("2026-09", "LED-02")]
    assert all(re.search("[\u4e00-\u9fff]", t) for t in texts.values())
    assert explain({"rule_code": "REC-02", "report_id": "R1"}) == "研判结论错误。"


def test_same_findings_with_pandas_string_and_microsecond_dtypes(make, calendar, params):
    rows = [{"publisher_notified": True, "handler_id": "a1", "reviewer_id": " A1"},
            {**OPEN, "received_at": "2026-09-02 10:00", "extended": True},
            {"facts_clear": False, "measures": "删除；澄清回应", "rejection_note": None}]
    plain = make(*rows)
    typed = plain.copy()
    for col in typed.columns:
        if typed[col].dtype == object:
            typed[col] = typed[col].astype("str")
        elif typed[col].dtype.kind == "M":
            typed[col] = typed[col].astype("datetime64[us]")
    assert str(typed["status"].dtype) == "str"
    kw = dict(cutoff=T(2026, 9, 30, 23, 59, 59))
    a = run_rules(plain, "2026-09", calendar, params, T(2026, 11, 1), **kw)
    b = run_rules(typed, "2026-09", calendar, params, T(2026, 11, 1), **kw)
    assert pairs(a) == pairs(b) and len(a) >= 6
