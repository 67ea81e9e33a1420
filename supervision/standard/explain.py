"""One-line Chinese explanations of findings, for inspectors, notices and platforms.

``explain(finding, report=None)`` takes one row of the findings frame of `run_rules` (a
mapping) and optionally the report's row of the normalised frame, for the rules whose
explanation quotes the report's own values.
"""
from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from .rules import RULES
from .rules._frame import clean, tokens


def _fmt(t) -> str:
    if t is None or pd.isna(t):
        return "（空）"
    return pd.Timestamp(t).strftime("%Y-%m-%d %H:%M:%S")


def _num(v) -> int | None:
    if v is None or pd.isna(v):
        return None
    return int(v)


def _late(f: Mapping) -> str:
    days = _num(f.get("overdue_working_days"))
    if days is not None and days > 0:
        return f"超期{days}个工作日"
    hours = f.get("overdue_hours")
    if hours is not None and not pd.isna(hours):
        return f"超出时限{_hours(hours)}"
    return "超出时限"


def _hours(h) -> str:
    h = float(h)
    if h >= 1:
        return f"{h:.1f}小时".replace(".0小时", "小时")
    return f"{max(1, round(h * 60))}分钟"


def _v(report: Mapping | None, key: str) -> str:
    if report is None:
        return ""
    return clean(report.get(key))


def explain(finding: Mapping, report: Mapping | None = None) -> str:
    code = finding["rule_code"]
    rule = RULES.get(code)
    name = rule.name if rule else code
    rec = _fmt(finding.get("received_at"))
    dl = _fmt(finding.get("deadline"))
    obs = _fmt(finding.get("observed_at"))
    limit = _num(finding.get("limit"))
    state = finding.get("state")

    if code == "TIM-01":
        return f"简单件于{rec}受理，应在{limit}个工作日内即{dl}前办结，实际于{obs}办结，{_late(finding)}。"
    if code == "TIM-02":
        return f"复杂件于{rec}受理，应在{limit}个工作日内即{dl}前办结，实际于{obs}办结，{_late(finding)}。"
    if code == "TIM-03":
        return "举报件标记为延期，但未填写延期说明。"
    if code == "TIM-04":
        done = f"于{obs}办结" if state == "concluded" else f"截至数据截止时间{obs}仍未办结"
        return (f"需补充材料或复核的复杂件于{rec}受理，{done}，但在{limit}个工作日时限{dl}前"
                f"未采取限时加私或争议标记等临时措施。")
    if code == "TIM-05":
        elapsed = finding.get("elapsed_hours")
        took = _hours(elapsed) if elapsed is not None and not pd.isna(elapsed) else "超时"
        done = f"于{obs}办结，用时{took}" if state == "concluded" else f"截至数据截止时间{obs}仍未办结，已历时{took}"
        return f"快速通道举报于{rec}受理，{done}，超过{limit}小时的处置时限。"
    if code == "TIM-06":
        return (f"举报件于{rec}受理，应在{limit}个工作日内即{dl}前办结，截至数据截止时间{obs}仍在办理中，"
                f"{_late(finding)}。")
    if code == "TIM-07":
        disposed = _v(report, "disposed_at")
        done = f"于{_fmt(report.get('disposed_at'))}办结，" if disposed else "已办结，"
        return f"举报件{done}应在{limit}个工作日内即{dl}前告知举报人处置结果，截至数据截止时间{obs}仍无反馈记录。"
    if code == "TIM-08":
        return f"举报件办结后应在{limit}个工作日内即{dl}前反馈举报人，实际反馈时间为{obs}，{_late(finding)}。"
    if code == "ACC-01":
        reason = _v(report, "rejection_reason") or "材料不全或证据不足"
        return f"举报已满足受理条件，平台却以“{reason}”为由不予受理。"
    if code == "ACC-02":
        category = _v(report, "category") or "仿冒性、侮辱性或泄密性信息"
        how = "要求补充材料" if _v(report, "supplement_reason") == "证据不足" else "不予受理"
        return f"{category}举报已提交主体资格证明，平台仍以证据不足为由{how}，超出规定的举证范围。"
    if code == "ACC-03":
        return "以恶意举报为由不予受理，但未在不予受理说明中写明认定依据。"
    if code == "DIS-01":
        measures = _v(report, "measures")
        shown = f"（处置措施：{measures}）" if measures else ""
        return f"研判为事实清楚、举证充分，但未采取删除、屏蔽或断开链接等措施{shown}。"
    if code == "DIS-02":
        return "采取了限时加私措施，但特殊情形中没有关键节点、立案调查或重大负面影响等依据。"
    if code == "DIS-03":
        return "设置了争议标记或澄清回应，但特殊情形中没有权益纠纷、利益相关或竞争等依据。"
    if code == "DIS-04":
        measures = "、".join(m for m in ("删除", "屏蔽", "断开链接") if m in tokens(_v(report, "measures")))
        return f"研判为事实不清或举证不充分，却采取了{measures or '删除或同等效果的'}措施。"
    if code == "DIS-05":
        grounds = "、".join(sorted(tokens(_v(report, "circumstances")) & {
            "假冒仿冒", "屡罚屡犯", "恶意首发首转", "敲诈勒索", "其他严重情节"}))
        return f"事实清楚、举证充分且存在{grounds or '应处置账号的'}情形，但未对被举报账号采取处置措施。"
    if code == "DIS-06":
        return "利益相关方举报已采取处置措施，但未报请省级网信部门审核（省级审核文号为空）。"
    if code == "PRO-01":
        who = _v(report, "handler_id")
        return f"复核人与承办人为同一人{f'（{who}）' if who else ''}，未落实承办与复核分离。"
    if code == "PRO-02":
        return "已将举报内容告知发布者，但未隐去举报人信息。"
    if code == "PRO-03":
        return "办理状态为已办结，但受理结果仍为待补充材料。"
    if code == "PRO-04":
        return "时间记录矛盾：" + (_pro04_detail(report) if report is not None else
                              "存在早于受理时间的时间记录，或反馈时间早于处置完成时间。")
    if code == "LED-01":
        return f"{finding['report_id']}台账未报送，报送期限为{dl}（次月第{limit}个工作日）。"
    if code == "LED-02":
        return f"{finding['report_id']}台账于{obs}首次报送，晚于报送期限{dl}，{_late(finding)}。"
    if code == "LED-03":
        return f"未登记{finding['report_id']}的月度处置情况公开信息，公开期限为{dl}。"
    return f"{name}。"


def _pro04_detail(report: Mapping) -> str:
    received = report.get("received_at")
    labels = (("disposed_at", "处置完成时间"), ("feedback_at", "反馈时间"),
              ("interim_measure_at", "临时措施时间"), ("supplement_requested_at", "补充材料要求时间"))
    parts = []
    for key, label in labels:
        t = report.get(key)
        if t is not None and not pd.isna(t) and received is not None and not pd.isna(received) \
                and pd.Timestamp(t) < pd.Timestamp(received):
            parts.append(f"{label}{_fmt(t)}早于受理时间{_fmt(received)}")
    fb, dp = report.get("feedback_at"), report.get("disposed_at")
    if fb is not None and dp is not None and not pd.isna(fb) and not pd.isna(dp) and pd.Timestamp(fb) < pd.Timestamp(dp):
        parts.append(f"反馈时间{_fmt(fb)}早于处置完成时间{_fmt(dp)}")
    return "；".join(parts) + "。" if parts else "时间先后不合理。"


def explain_findings(findings: pd.DataFrame, frame: pd.DataFrame | None = None) -> pd.Series:
    """explain() for each finding (index-aligned); ``frame`` supplies the reports by report_id."""
    reports = {}
    if frame is not None and len(frame):
        wanted = set(findings["report_id"])
        sub = frame[frame["report_id"].map(clean).isin(wanted)]
        reports = {clean(r["report_id"]): r for r in sub.to_dict("records")}
    return pd.Series([explain(f, reports.get(f["report_id"])) for f in findings.to_dict("records")],
                     index=findings.index, dtype=object)
