"""TIM rules: one case that fires and one that does not for each, plus the boundaries."""
from __future__ import annotations

from datetime import datetime

import pytest

T = datetime
OPEN = {"status": "办理中", "disposed_at": None, "feedback_at": None, "feedback_channel": None,
        "measures": "", "facts_clear": None}
COMPLEX = {"supplement_requested_at": "2026-09-01 15:00", "supplement_reason": "其他"}
# received Tuesday 2026-09-01 10:00: simple deadline 09-04 23:59:59, complex 09-10 23:59:59


@pytest.mark.parametrize("changes, expected", [
    ({"disposed_at": "2026-09-04 23:59:59", "feedback_at": None}, False),  # on the boundary
    ({"disposed_at": "2026-09-05 00:00:00", "feedback_at": None}, True),
    ({"disposed_at": "2026-09-08 10:00", "feedback_at": None, "extended": True,
      "extension_note": "等待司法机关结论"}, False),  # properly extended
    ({"disposed_at": "2026-09-08 10:00", "feedback_at": None, "extended": True,
      "extension_note": None}, True),  # extended without a note is not properly extended
    ({"disposed_at": "2026-09-08 10:00", "feedback_at": None, **COMPLEX}, False),  # complex: TIM-02
    ({"disposed_at": "2026-09-08 10:00", "feedback_at": None, "facts_clear": None}, True),  # empty != 否
    ({"disposed_at": "2026-09-08 10:00", "feedback_at": None, "subject_type": "涉个人",
      "category": "侮辱诽谤"}, True),  # applies to personal reports too
    ({**OPEN}, False),  # open reports are TIM-06's business
    ({"acceptance": "不予受理", "rejection_reason": "非属地", "measures": "", "facts_clear": None,
      "disposed_at": "2026-09-07 09:00", "feedback_at": None}, True),  # a late rejection decision
])
def test_tim01_simple_case_late(fires, changes, expected):
    assert fires(changes, "TIM-01") is expected


@pytest.mark.parametrize("changes, expected", [
    ({**COMPLEX, "disposed_at": "2026-09-10 23:59:59", "feedback_at": None}, False),
    ({**COMPLEX, "disposed_at": "2026-09-11 00:00:00", "feedback_at": None}, True),
    ({"acceptance": "待补充材料", "measures": "", "facts_clear": None,
      "disposed_at": "2026-09-11 08:00", "feedback_at": None}, True),
    ({"facts_clear": False, "measures": "争议标记", "circumstances": "无法证实",
      "disposed_at": "2026-09-11 08:00", "feedback_at": None}, True),
    ({"facts_clear": False, "disposed_at": "2026-09-11 08:00", "feedback_at": None,
      "extended": True, "extension_note": "双方补充证据"}, False),
    ({"disposed_at": "2026-09-11 08:00", "feedback_at": None}, False),  # simple case: TIM-01
])
def test_tim02_complex_case_late(fires, changes, expected):
    assert fires(changes, "TIM-02") is expected


@pytest.mark.parametrize("changes, expected", [
    ({"extended": True, "extension_note": None}, True),
    ({"extended": True, "extension_note": " \u3000 "}, True),  # blank, full-width space too
    ({"extended": True, "extension_note": "涉及司法程序，延长至十个工作日"}, False),
    ({"extended": False, "extension_note": None}, False),
])
def test_tim03_extension_without_note(fires, changes, expected):
    assert fires(changes, "TIM-03") is expected


TIM04 = {"facts_clear": False, "measures": "争议标记", "circumstances": "无法证实",
         "disposed_at": "2026-09-08 10:00", "feedback_at": "2026-09-08 11:00"}


@pytest.mark.parametrize("changes, kw, expected", [
    ({**TIM04}, {}, True),  # concluded after the simple deadline with no interim measure
    ({**TIM04, "interim_measure": "争议标记", "interim_measure_at": "2026-09-04 23:59:59"}, {}, False),
    ({**TIM04, "interim_measure": "限时加私", "interim_measure_at": "2026-09-02 09:00",
      "circumstances": "关键节点"}, {}, False),
    ({**TIM04, "interim_measure": "争议标记", "interim_measure_at": "2026-09-05 00:00:00"}, {}, True),
    ({**TIM04, "interim_measure": "争议标记", "interim_measure_at": None}, {}, True),
    ({**TIM04, "disposed_at": "2026-09-04 23:59:59"}, {}, False),  # concluded within the deadline
    ({**TIM04, "measures": "无需处置"}, {}, False),  # nothing to protect
    ({**TIM04, "subject_type": "涉个人", "category": "侮辱诽谤"}, {}, False),  # enterprise only
    ({"disposed_at": "2026-09-08 10:00"}, {}, False),  # a simple case
    ({**OPEN, **COMPLEX}, {}, True),  # still open at the cutoff, past the deadline
    ({**OPEN, **COMPLEX}, {"cutoff": T(2026, 9, 4, 23, 59, 59)}, False),
    ({**OPEN, **COMPLEX}, {"cutoff": T(2026, 9, 5, 0, 0, 0)}, True),
    ({**OPEN, "acceptance": "待补充材料"}, {}, False),  # not accepted
])
def test_tim04_complex_case_without_interim_measure(fires, changes, kw, expected):
    assert fires(changes, "TIM-04", **kw) is expected


FAST = {"subject_type": "涉个人", "category": "网络暴力", "received_at": "2026-09-01 10:00:00",
        "feedback_at": None}


@pytest.mark.parametrize("changes, kw, expected", [
    ({**FAST, "disposed_at": "2026-09-02 10:00:00"}, {}, False),  # exactly 24 hours
    ({**FAST, "disposed_at": "2026-09-02 10:00:01"}, {}, True),
    ({**FAST, "category": "涉未成年人", "disposed_at": "2026-09-03 09:00"}, {}, True),
    ({**FAST, "category": "侮辱诽谤", "disposed_at": "2026-09-03 09:00"}, {}, False),
    ({**FAST, "acceptance": "不予受理", "rejection_reason": "不属于侵权", "measures": "",
      "facts_clear": None, "disposed_at": "2026-09-03 09:00"}, {}, False),
    ({**FAST, **OPEN}, {"cutoff": T(2026, 9, 2, 10, 0, 0)}, False),
    ({**FAST, **OPEN}, {"cutoff": T(2026, 9, 2, 10, 0, 1)}, True),
    # calendar hours: a weekend does not pause the clock
    ({**FAST, "received_at": "2026-09-04 18:00", "disposed_at": "2026-09-07 09:00"}, {}, True),
])
def test_tim05_fast_channel(fires, changes, kw, expected):
    assert fires(changes, "TIM-05", **kw) is expected


def test_tim05_uses_the_parameter(fires, params):
    changes = {**FAST, "disposed_at": "2026-09-02 20:00"}
    assert fires(changes, "TIM-05")
    assert not fires(changes, "TIM-05", params=params.replace(fast_channel_hours=48))


@pytest.mark.parametrize("changes, kw, expected", [
    # received Thursday 09-24 10:00: simple deadline 09-30 23:59:59 (the Mid-Autumn example)
    ({**OPEN, "received_at": "2026-09-24 10:00"}, {}, False),
    ({**OPEN, "received_at": "2026-09-24 10:00"}, {"cutoff": T(2026, 10, 1, 0, 0, 0)}, True),
    ({**OPEN, "received_at": "2026-09-23 10:00"}, {}, True),  # deadline 09-29
    ({**OPEN, **COMPLEX, "received_at": "2026-09-23 10:00", "supplement_requested_at": "2026-09-23 11:00"},
     {}, False),  # complex: deadline 10-10
    ({**OPEN, **COMPLEX, "received_at": "2026-09-23 10:00", "supplement_requested_at": "2026-09-23 11:00"},
     {"cutoff": T(2026, 10, 31, 23, 59, 59)}, True),
    ({**OPEN, "received_at": "2026-09-23 10:00", "extended": True, "extension_note": "待公安机关调查结论"},
     {}, False),
    ({"received_at": "2026-09-23 10:00", "disposed_at": "2026-09-29 12:00", "feedback_at": None},
     {}, False),  # concluded: TIM-01 instead
])
def test_tim06_open_past_deadline(fires, changes, kw, expected):
    assert fires(changes, "TIM-06", **kw) is expected


@pytest.mark.parametrize("changes, kw, expected", [
    ({"disposed_at": "2026-09-29 10:00", "feedback_at": None}, {}, False),  # due 09-30 23:59:59
    ({"disposed_at": "2026-09-28 10:00", "feedback_at": None}, {}, True),  # due 09-29
    ({"disposed_at": "2026-09-30 10:00", "feedback_at": None},
     {"cutoff": T(2026, 10, 8, 23, 59, 59)}, False),  # due 10-08 after National Day
    ({"disposed_at": "2026-09-30 10:00", "feedback_at": None}, {"cutoff": T(2026, 10, 9, 0, 0)}, True),
    ({"disposed_at": "2026-09-28 10:00", "feedback_at": "2026-09-29 10:00"}, {}, False),
    ({**OPEN}, {}, False),
    ({"acceptance": "不予受理", "rejection_reason": "重复举报", "measures": "", "facts_clear": None,
      "disposed_at": "2026-09-02 10:00", "feedback_at": None}, {}, True),  # 件件有回音
])
def test_tim07_reporter_not_told(fires, changes, kw, expected):
    assert fires(changes, "TIM-07", **kw) is expected


@pytest.mark.parametrize("changes, expected", [
    ({"disposed_at": "2026-09-02 10:00", "feedback_at": "2026-09-03 23:59:59"}, False),
    ({"disposed_at": "2026-09-02 10:00", "feedback_at": "2026-09-04 00:00:00"}, True),
    ({"disposed_at": "2026-09-30 10:00", "feedback_at": "2026-10-08 20:00"}, False),  # holiday span
    ({"disposed_at": "2026-09-30 10:00", "feedback_at": "2026-10-09 08:00"}, True),
    ({"disposed_at": "2026-10-09 10:00", "feedback_at": "2026-10-10 18:00"}, False),  # make-up Saturday
    ({"disposed_at": "2026-09-02 10:00", "feedback_at": None}, False),  # TIM-07's business
])
def test_tim08_late_feedback(fires, changes, expected):
    assert fires(changes, "TIM-08", cutoff=T(2026, 10, 31, 23, 59, 59)) is expected


def test_feedback_working_days_parameter(fires, params):
    changes = {"disposed_at": "2026-09-02 10:00", "feedback_at": "2026-09-04 10:00"}
    assert fires(changes, "TIM-08")
    assert not fires(changes, "TIM-08", params=params.replace(feedback_working_days=2))


def test_case_deadline_parameters(fires, params):
    changes = {"disposed_at": "2026-09-07 10:00", "feedback_at": None}
    assert fires(changes, "TIM-01")
    assert not fires(changes, "TIM-01", params=params.replace(simple_case_working_days=4))
