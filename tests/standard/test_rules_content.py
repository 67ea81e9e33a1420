"""ACC, DIS and PRO rules: one case that fires and one that does not for each."""
from __future__ import annotations

import pytest

REJECT = {"acceptance": "不予受理", "measures": "", "facts_clear": None}


@pytest.mark.parametrize("changes, expected", [
    ({**REJECT, "rejection_reason": "材料不全"}, True),
    ({**REJECT, "rejection_reason": "证据不足"}, True),
    ({**REJECT, "rejection_reason": "证据不足", "has_contact": False}, False),
    ({**REJECT, "rejection_reason": "材料不全", "has_guarantee": False}, False),
    ({**REJECT, "rejection_reason": "证据不足", "has_evidence": False}, False),
    # lightweight categories need no preliminary evidence
    ({**REJECT, "rejection_reason": "证据不足", "has_evidence": False, "category": "仿冒性信息"}, True),
    ({**REJECT, "rejection_reason": "材料不全", "has_evidence": False, "category": "泄密性信息"}, True),
    ({**REJECT, "rejection_reason": "非属地"}, False),
    ({**REJECT, "rejection_reason": "证据不足", "subject_type": "涉个人", "category": "侮辱诽谤"}, False),
    ({}, False),
])
def test_acc01_rejected_although_conditions_met(fires, changes, expected):
    assert fires(changes, "ACC-01") is expected


SUPPLEMENT = {"supplement_requested_at": "2026-09-01 12:00", "supplement_reason": "证据不足"}


@pytest.mark.parametrize("changes, expected", [
    ({"category": "侮辱性信息", **SUPPLEMENT}, True),
    ({"category": "仿冒性信息", **REJECT, "rejection_reason": "证据不足"}, True),
    ({"category": "泄密性信息", **SUPPLEMENT}, True),
    ({"category": "侮辱性信息", **SUPPLEMENT, "has_identity_proof": False}, False),
    ({"category": "侮辱性信息", **SUPPLEMENT, "supplement_reason": "授权不全"}, False),
    ({"category": "误导性信息", **SUPPLEMENT}, False),
    ({"category": "侮辱性信息", **REJECT, "rejection_reason": "材料不全"}, False),
])
def test_acc02_evidence_beyond_scope(fires, changes, expected):
    assert fires(changes, "ACC-02") is expected


@pytest.mark.parametrize("changes, expected", [
    ({**REJECT, "rejection_reason": "恶意举报", "rejection_note": None}, True),
    ({**REJECT, "rejection_reason": "恶意举报", "rejection_note": "  "}, True),
    ({**REJECT, "rejection_reason": "恶意举报", "rejection_note": "同一IP三日内提交伪造营业执照47次"}, False),
    ({**REJECT, "rejection_reason": "重复举报", "rejection_note": None}, False),
])
def test_acc03_malicious_without_basis(fires, changes, expected):
    assert fires(changes, "ACC-03") is expected


@pytest.mark.parametrize("changes, expected", [
    ({"measures": "争议标记", "circumstances": "无法证实"}, True),
    ({"measures": "无需处置"}, True),
    ({"measures": "屏蔽"}, False),
    ({"measures": "断开链接；澄清回应"}, False),
    ({"measures": "争议标记", "facts_clear": None}, False),  # not yet determined
    ({"measures": "争议标记", "facts_clear": False}, False),
    ({"measures": "谣言标签", "subject_type": "涉个人", "category": "侮辱诽谤"}, True),  # all reports
    ({"measures": "", "status": "办理中", "disposed_at": None, "feedback_at": None}, False),
])
def test_dis01_removal_missing(fires, changes, expected):
    assert fires(changes, "DIS-01") is expected


@pytest.mark.parametrize("changes, expected", [
    ({"measures": "删除；限时加私"}, True),
    ({"measures": "限时加私", "circumstances": "关键节点"}, False),
    ({"measures": "限时加私", "circumstances": "立案调查；权益纠纷"}, False),
    ({"interim_measure": "限时加私", "interim_measure_at": "2026-09-01 12:00", "circumstances": "权益纠纷"}, True),
    ({"interim_measure": "限时加私", "interim_measure_at": "2026-09-01 12:00", "circumstances": "重大负面影响"}, False),
    ({"measures": "限时加私", "subject_type": "涉个人", "category": "个人信息泄露"}, False),
])
def test_dis02_temporary_private_without_ground(fires, changes, expected):
    assert fires(changes, "DIS-02") is expected


@pytest.mark.parametrize("changes, expected", [
    ({"measures": "澄清回应", "facts_clear": False}, True),
    ({"measures": "争议标记", "facts_clear": False, "circumstances": "关键节点"}, True),
    ({"interim_measure": "争议标记", "interim_measure_at": "2026-09-01 12:00"}, True),
    ({"measures": "争议标记", "facts_clear": False, "circumstances": "已启动司法程序"}, False),
    ({"interim_measure": "争议标记", "interim_measure_at": "2026-09-01 12:00", "circumstances": "易引发误解"}, False),
    ({"measures": "删除"}, False),
])
def test_dis03_dispute_label_without_ground(fires, changes, expected):
    assert fires(changes, "DIS-03") is expected


@pytest.mark.parametrize("changes, expected", [
    ({"facts_clear": False, "measures": "删除"}, True),
    ({"facts_clear": False, "measures": "断开链接"}, True),
    ({"facts_clear": False, "measures": "争议标记", "circumstances": "无法证实"}, False),
    ({"facts_clear": None, "measures": "删除"}, False),
    ({"facts_clear": True, "measures": "删除"}, False),
    ({"facts_clear": False, "measures": "删除", "subject_type": "涉个人", "category": "侮辱诽谤"}, False),
])
def test_dis04_removed_without_proof(fires, changes, expected):
    assert fires(changes, "DIS-04") is expected


@pytest.mark.parametrize("changes, expected", [
    ({"circumstances": "屡罚屡犯", "account_action": "无"}, True),
    ({"circumstances": "敲诈勒索", "account_action": None}, True),  # empty = 无
    ({"circumstances": "屡罚屡犯", "account_action": "禁言"}, False),
    ({"circumstances": "无法证实", "account_action": "无"}, False),
    ({"circumstances": "假冒仿冒", "account_action": "无", "facts_clear": None}, False),
])
def test_dis05_account_not_handled(fires, changes, expected):
    assert fires(changes, "DIS-05") is expected


@pytest.mark.parametrize("changes, expected", [
    ({"stakeholder_report": True}, True),
    ({"stakeholder_report": True, "provincial_approval_ref": "X网信审〔2026〕12号"}, False),
    ({"stakeholder_report": True, "measures": "无需处置", "facts_clear": False}, False),
    ({"stakeholder_report": True, "measures": "无需处置", "facts_clear": False, "account_action": "禁言"}, True),
    ({"stakeholder_report": True, "status": "办理中", "disposed_at": None, "feedback_at": None}, False),
    ({"stakeholder_report": False}, False),
])
def test_dis06_stakeholder_without_approval(fires, changes, expected):
    assert fires(changes, "DIS-06") is expected


@pytest.mark.parametrize("changes, expected", [
    ({"handler_id": "H001", "reviewer_id": "H001"}, True),
    ({"handler_id": " ab01 ", "reviewer_id": "AB01"}, True),
    ({"handler_id": "\u3000ab01", "reviewer_id": "Ab01\u3000"}, True),
    ({"handler_id": "ＡＢ０１", "reviewer_id": "ab01"}, True),  # full-width letters and digits
    ({"handler_id": "AB01", "reviewer_id": "AB02"}, False),
    ({"handler_id": "H001", "reviewer_id": None}, False),
    ({"handler_id": "H001", "reviewer_id": "H001", "status": "办理中", "disposed_at": None,
      "feedback_at": None}, False),
])
def test_pro01_handler_is_reviewer(fires, changes, expected):
    assert fires(changes, "PRO-01") is expected


@pytest.mark.parametrize("changes, expected", [
    ({"publisher_notified": True, "reporter_redacted": False}, True),
    ({"publisher_notified": True, "reporter_redacted": True}, False),
    ({"publisher_notified": False, "reporter_redacted": False}, False),
])
def test_pro02_reporter_not_redacted(fires, changes, expected):
    assert fires(changes, "PRO-02") is expected


@pytest.mark.parametrize("changes, expected", [
    ({"acceptance": "待补充材料", "measures": "", "facts_clear": None}, True),
    ({"acceptance": "待补充材料", "measures": "", "facts_clear": None, "status": "办理中",
      "disposed_at": None, "feedback_at": None}, False),
    ({}, False),
])
def test_pro03_concluded_but_awaiting_material(fires, changes, expected):
    assert fires(changes, "PRO-03") is expected


@pytest.mark.parametrize("changes, expected", [
    ({"disposed_at": "2026-09-01 09:59:59", "feedback_at": "2026-09-01 11:00"}, True),
    ({"feedback_at": "2026-09-01 09:00"}, True),
    ({"interim_measure": "争议标记", "interim_measure_at": "2026-08-31 10:00"}, True),
    ({"supplement_requested_at": "2026-09-01 09:00", "supplement_reason": "其他"}, True),
    ({"feedback_at": "2026-09-02 09:59:59"}, True),  # before 处置完成时间 09-02 10:00
    ({"disposed_at": "2026-09-01 10:00:00", "feedback_at": "2026-09-01 10:00:00"}, False),  # equal times
    ({}, False),
])
def test_pro04_impossible_chronology(fires, changes, expected):
    assert fires(changes, "PRO-04") is expected
