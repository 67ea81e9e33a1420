"""The pure rules of rectification notices: states, numbers, dates, grouping, default texts."""
from __future__ import annotations

import re
from datetime import date, datetime

import pytest

from supervision.standard import notices as std
from supervision.standard.rules import RULES, SEVERITY_RANK
from supervision.standard.workdays import WorkCalendar


def test_notice_state_machine():
    assert std.next_state("草稿", "submit") == "待审核"
    assert std.next_state("待审核", "return") == "草稿"
    assert std.next_state("待审核", "issue") == "已签发"
    assert std.next_state("已签发", "overdue") == "逾期"
    assert std.next_state("已签发", "complete") == std.next_state("逾期", "complete") == "已完成"
    for state, action in (("草稿", "issue"), ("已签发", "issue"), ("已签发", "return"), ("已完成", "overdue"),
                          ("逾期", "overdue"), ("草稿", "complete")):
        with pytest.raises(std.IllegalTransition, match="整改通知书当前为"):
            std.next_state(state, action)
    assert std.allowed_actions("待审核") == ["return", "issue"]


def test_item_state_machine():
    assert std.next_item_state("待报告", "answer") == "待核验"
    assert std.next_item_state("已退回", "answer") == "待核验"
    assert std.next_item_state("待核验", "accept") == "已通过"
    assert std.next_item_state("待核验", "reject") == "已退回"
    for state, action in (("已通过", "answer"), ("待核验", "answer"), ("待报告", "accept"), ("已通过", "reject")):
        with pytest.raises(std.IllegalTransition, match="该整改事项当前为"):
            std.next_item_state(state, action)


def test_overdue_needs_an_issued_notice_past_its_deadline_with_something_owed():
    due = datetime(2026, 12, 11, 23, 59, 59)
    after = datetime(2026, 12, 12, 0, 0, 0)
    assert std.is_overdue("已签发", due, after, 1)
    assert not std.is_overdue("已签发", due, due, 1)  # the whole last day counts
    assert not std.is_overdue("已签发", due, after, 0)  # answers await the inspector
    assert not std.is_overdue("逾期", due, after, 1)  # already marked
    assert not std.is_overdue("已完成", due, after, 1)


def test_document_number_per_gbt_9704():
    assert std.document_number("浙网信办", 2026, 3) == "浙网信办〔2026〕3号"
    assert std.document_number(" 浙网信办 ", 2027, 12) == "浙网信办〔2027〕12号"
    assert std.parse_number("浙网信办〔2026〕3号") == ("浙网信办", 2026, 3)
    assert std.parse_number("浙网信办〔2026〕03号") is None  # no leading zeros (不编虚位)
    assert std.parse_number("浙网信办[2026]3号") is None
    with pytest.raises(ValueError):
        std.document_number("浙网信办", 2026, 0)
    for bad, message in (("", "请填写"), ("浙网〔信", "不能含括号"), ("浙 网", "不能含括号或空格"),
                         ("浙网信2", "不能以数字结尾"), ("字" * 21, "不超过 20 个字符")):
        assert message in std.check_prefix(bad)
        with pytest.raises(ValueError):
            std.document_number(bad, 2026, 1)


def test_chinese_date_in_arabic_numerals_without_padding():
    assert std.chinese_date(date(2026, 11, 22)) == "2026年11月22日"
    assert std.chinese_date(datetime(2027, 1, 5, 9, 0)) == "2027年1月5日"


def test_deadline_counts_working_days_after_the_day_of_issue():
    cal = WorkCalendar()
    # Friday 2026-09-25, then the National Day holiday (10-1..10-8; 9-28 and 10-10 are working Sundays/Saturdays)
    due = std.deadline(cal, datetime(2026, 9, 25, 16, 0), 15)
    assert due == cal.deadline(datetime(2026, 9, 25, 16, 0), 15) and due.time() == datetime.max.time().replace(
        microsecond=0)
    assert std.deadline(cal, datetime(2026, 11, 20, 9, 30), 15) == datetime(2026, 12, 11, 23, 59, 59)
    assert std.draft_deadline_text(15) == "签发后15个工作日"


def test_chinese_ordinals():
    assert [std.chinese_ordinal(n) for n in (1, 9, 10, 11, 19, 20, 24, 99)] == [
        "一", "九", "十", "十一", "十九", "二十", "二十四", "九十九"]
    with pytest.raises(ValueError):
        std.chinese_ordinal(0)


def test_group_problems_orders_by_severity_then_catalogue_and_takes_examples():
    rows = [std.ProblemRow("TIM-08", f"R-{i}", "2026-10", "一般") for i in (5, 1, 3, 2)]
    rows += [std.ProblemRow("TIM-05", "R-9", "2026-10", "严重"), std.ProblemRow("ACC-02", "R-7", "2026-10", "较重"),
             std.ProblemRow("TIM-01", "R-8", "2026-10", "较重"), std.ProblemRow("LED-02", "2026-09", "2026-09", "一般")]
    items = std.group_problems(rows, RULES, SEVERITY_RANK)
    assert [i.rule_code for i in items] == ["TIM-05", "TIM-01", "ACC-02", "TIM-08", "LED-02"]
    tim08 = items[3]
    assert (tim08.count, tim08.examples, tim08.rule_name) == (4, ["R-1", "R-2", "R-3"], "反馈不及时")
    assert tim08.requirement == std.DEFAULT_REQUIREMENTS["TIM-08"]


def test_item_facts_for_reports_and_months():
    assert std.item_facts(["R-1", "R-2", "R-3"], 7) == "共7件，如R-1、R-2、R-3等"
    assert std.item_facts(["R-1", "R-2"], 2) == "共2件，即R-1、R-2"
    assert std.item_facts(["2026-09", "2026-10"], 2) == "涉及2026年9月、2026年10月"
    assert std.item_facts([], 0) == "共0件"


def test_every_rule_of_the_catalogue_has_its_own_default_requirement():
    codes_in_spec = set(re.findall(r"^\| ((?:TIM|ACC|DIS|PRO|LED|REC)-\d\d) ",
                                   _rules_md(), flags=re.M)) | {"CMP-01", "CMP-02"}
    assert codes_in_spec <= set(RULES)
    assert set(std.DEFAULT_REQUIREMENTS) == set(RULES)
    texts = list(std.DEFAULT_REQUIREMENTS.values())
    assert len(set(texts)) == len(texts)  # no copy-paste defaults
    assert all(t.endswith("。") and re.search(r"[\u4e00-\u9fff]", t) for t in texts)
    assert std.default_requirement("XYZ-99").startswith("按照检查意见")


def _rules_md() -> str:
    from pathlib import Path

    for candidate in (Path("/work/shared/spec/rules.md"), Path(__file__).resolve().parents[3] / "shared/spec/rules.md"):
        if candidate.is_file():
            return candidate.read_text(encoding="utf-8")
    return "\n".join(f"| {code} |" for code in RULES)  # the catalogue is built from rules.md


def test_long_titles_break_where_the_words_allow():
    assert std.title_lines("关于甲平台网络侵权信息举报处置问题限期整改的通知") == [
        "关于甲平台网络侵权信息举报处置问题", "限期整改的通知"]
    assert std.title_lines("关于约谈甲平台有关负责人的通知") == ["关于约谈甲平台有关负责人的通知"]  # fits on one line
    long_name = "关于某某某某某某某某某某某某某某某某某某某某有关问题的说明"  # no good break: left to the renderer
    assert std.title_lines(long_name) == [long_name]


def test_default_texts():
    assert std.default_title("甲平台") == "关于甲平台网络侵权信息举报处置问题限期整改的通知"
    text = std.default_preamble("2026年第三季度全面检查", "2026-07", "2026-09")
    assert "2026年7月至9月" in text and "（2026年第三季度全面检查）" in text
    assert "2025年11月至2026年1月" in std.default_preamble("跨年检查", "2025-11", "2026-01")
    assert "2026年10月网络" in std.default_preamble("月检查", "2026-10", "2026-10")
    assert std.paragraphs(" 一段 \r\n\n 二段\n") == ["一段", "二段"]


@pytest.mark.parametrize("kind, words", [("约谈", "约谈"), ("通报批评", "通报批评"), ("移送处罚建议", "行政处罚")])
def test_escalation_texts(kind, words):
    title = std.escalation_title(kind, "甲平台")
    body = std.escalation_default_body(kind, "甲平台", "浙网信办〔2026〕3号", date(2026, 12, 11), ["简单件超时办结"])
    assert "甲平台" in title and words in body and "浙网信办〔2026〕3号" in body and "2026年12月11日" in body
    with pytest.raises(ValueError):
        std.escalation_title("罚款", "甲平台")


def test_mark_size_class_covers_every_length():
    assert std.mark_size_class("省互联网信息办公室文件") == "mark-n11"
    assert std.mark_size_class("短名文件") == "mark-n6"
    assert std.mark_size_class("很" * 40) == "mark-n24"
