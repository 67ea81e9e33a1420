"""Rectification notices (整改通知书, workflows.md) as pure Python: the states of a notice and
of its items with the legal transitions, the document number and the Chinese date of GB/T
9704-2012, the deadline, the grouping of problem-ledger entries into items, the default
requirement per rule code and the escalation documents. No Flask, no database.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from supervision.standard.workdays import WorkCalendar

# Notice states ------------------------------------------------------------------------------
DRAFT = "草稿"
PENDING = "待审核"
ISSUED = "已签发"
DONE = "已完成"
OVERDUE = "逾期"
STATES = (DRAFT, PENDING, ISSUED, OVERDUE, DONE)
ISSUED_STATES = (ISSUED, OVERDUE, DONE)  # what a platform may see
OPEN_STATES = (ISSUED, OVERDUE)  # issued and not yet completed

# action -> (states it may start from, state it leads to)
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "submit": ((DRAFT,), PENDING),
    "return": ((PENDING,), DRAFT),
    "issue": ((PENDING,), ISSUED),
    "overdue": ((ISSUED,), OVERDUE),
    "complete": ((ISSUED, OVERDUE), DONE),
}
ACTION_LABELS = {"submit": "提交审核", "return": "退回修改", "issue": "签发", "overdue": "逾期",
                 "complete": "整改完成"}

# Item states: the platform reports on an item, the inspector accepts it or sends it back.
ITEM_WAITING = "待报告"  # issued, no answer yet
ITEM_ANSWERED = "待核验"  # answered in the current round, awaiting the inspector
ITEM_ACCEPTED = "已通过"
ITEM_REJECTED = "已退回"  # back to the platform for the next round
ITEM_STATES = (ITEM_WAITING, ITEM_ANSWERED, ITEM_ACCEPTED, ITEM_REJECTED)
ITEM_OPEN = (ITEM_WAITING, ITEM_REJECTED)  # the platform owes an answer

ITEM_TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "answer": (ITEM_OPEN, ITEM_ANSWERED),
    "accept": ((ITEM_ANSWERED,), ITEM_ACCEPTED),
    "reject": ((ITEM_ANSWERED,), ITEM_REJECTED),
}
ITEM_ACTION_LABELS = {"answer": "报告整改情况", "accept": "核验通过", "reject": "退回重新整改"}

# Problem-ledger statuses (models.audits.PROBLEM_STATUSES) that follow a notice.
PROBLEM_OPEN = "待整改"
PROBLEM_IN_PROGRESS = "整改中"
PROBLEM_DONE = "已整改"
PROBLEM_OVERDUE = "逾期未整改"


class IllegalTransition(ValueError):
    """The action is not allowed from the current state; the message is Chinese."""


def _step(transitions: dict, labels: dict, what: str, state: str, action: str) -> str:
    if action not in transitions:
        raise IllegalTransition(f"未知操作：{action}")
    sources, target = transitions[action]
    if state not in sources:
        raise IllegalTransition(f"{what}当前为“{state}”，不能{labels[action]}。")
    return target


def next_state(state: str, action: str) -> str:
    return _step(TRANSITIONS, ACTION_LABELS, "整改通知书", state, action)


def next_item_state(state: str, action: str) -> str:
    return _step(ITEM_TRANSITIONS, ITEM_ACTION_LABELS, "该整改事项", state, action)


def allowed_actions(state: str) -> list[str]:
    return [a for a, (sources, _t) in TRANSITIONS.items() if state in sources]


def is_overdue(state: str, deadline: datetime | None, now: datetime, open_items: int) -> bool:
    """An issued notice whose deadline has passed while the platform still owes an answer on
    at least one item (answers awaiting the inspector's check do not count against it)."""
    return state == ISSUED and deadline is not None and now > deadline and open_items > 0


# Document number (发文字号) and dates ---------------------------------------------------------

MAX_PREFIX = 20
_NUMBER_RE = re.compile(r"^(?P<prefix>.+)〔(?P<year>\d{4})〕(?P<n>[1-9]\d*)号$")


def check_prefix(prefix: str) -> str | None:
    """None when the prefix (发文机关代字, e.g. 浙网信办) is usable, else the Chinese problem."""
    prefix = (prefix or "").strip()
    if not prefix:
        return "请填写发文字号的机关代字。"
    if len(prefix) > MAX_PREFIX:
        return f"机关代字不超过 {MAX_PREFIX} 个字符；当前 {len(prefix)} 个。"
    if any(ch in prefix for ch in "〔〕[]()（）") or any(ch.isspace() for ch in prefix):
        return "机关代字不能含括号或空格（年份的六角括号由系统加上）。"
    if prefix[-1].isdigit():
        return "机关代字不能以数字结尾。"
    return None


def document_number(prefix: str, year: int, n: int) -> str:
    """发文字号 per GB/T 9704-2012 7.2.4: the year in full inside 〔〕, the sequence number
    without 第 and without leading zeros, followed by 号: ``浙网信办〔2026〕3号``."""
    problem = check_prefix(prefix)
    if problem:
        raise ValueError(problem)
    if not 1000 <= int(year) <= 9999:
        raise ValueError(f"年份无效：{year}")
    if int(n) < 1:
        raise ValueError(f"发文顺序号从 1 开始：{n}")
    return f"{prefix.strip()}〔{int(year)}〕{int(n)}号"


def parse_number(number: str) -> tuple[str, int, int] | None:
    m = _NUMBER_RE.match(number or "")
    if not m:
        return None
    return m.group("prefix"), int(m.group("year")), int(m.group("n"))


def chinese_date(d: date | datetime) -> str:
    """成文日期 in Arabic numerals, year in full, month and day without leading zeros
    (GB/T 9704-2012 7.3.5.1): ``2026年11月22日``."""
    return f"{d.year}年{d.month}月{d.day}日"


def deadline(calendar: WorkCalendar, issued_at: datetime, working_days: int) -> datetime:
    """23:59:59 on the ``working_days``-th working day after the day of issue (the day of issue
    never counts)."""
    return calendar.deadline(issued_at, working_days)


def draft_deadline_text(working_days: int) -> str:
    return f"签发后{working_days}个工作日"


def deadline_text(due: datetime | date) -> str:
    return chinese_date(due)


# Grouping the problem ledger into items -------------------------------------------------------

EXAMPLE_COUNT = 3


@dataclass(frozen=True)
class ProblemRow:
    rule_code: str
    report_id: str
    period: str
    severity: str


@dataclass
class ItemDraft:
    rule_code: str
    rule_name: str
    severity: str
    count: int
    examples: list[str]
    requirement: str


def group_problems(rows: Iterable[ProblemRow], rules: dict, severity_rank: dict[str, int],
                   examples: int = EXAMPLE_COUNT) -> list[ItemDraft]:
    """One item per rule code: the count, the first report numbers (sorted) as examples and the
    default requirement; the most serious rules first, then in the catalogue's order."""
    by_code: dict[str, list[ProblemRow]] = {}
    for r in rows:
        by_code.setdefault(r.rule_code, []).append(r)
    order = {code: i for i, code in enumerate(rules)}
    items = []
    for code, group in by_code.items():
        rule = rules.get(code)
        ids = sorted({r.report_id for r in group})
        severity = rule.severity if rule is not None else group[0].severity
        items.append(ItemDraft(rule_code=code, rule_name=rule.name if rule is not None else code, severity=severity,
                               count=len(group), examples=ids[:examples], requirement=default_requirement(code)))
    items.sort(key=lambda it: (severity_rank.get(it.severity, 9), order.get(it.rule_code, len(order)), it.rule_code))
    return items


_MONTH_RE = re.compile(r"^\d{4}-\d{2}$")


def item_facts(examples: list[str], count: int) -> str:
    """What the body says about an item's findings: ``共3件，如A、B、C等`` for reports, or the
    months for the monthly-ledger rules (whose "report number" is the month)."""
    if examples and all(_MONTH_RE.match(e) for e in examples):
        months = "、".join(f"{int(e[:4])}年{int(e[5:])}月" for e in examples)
        return f"涉及{months}" + ("等" if count > len(examples) else "")
    if not examples:
        return f"共{count}件"
    joined = "、".join(examples)
    return f"共{count}件，" + (f"如{joined}等" if count > len(examples) else f"即{joined}")


# Default requirement per rule code (editable per item when drafting) --------------------------

DEFAULT_REQUIREMENTS: dict[str, str] = {
    "TIM-01": "全面排查简单件办理流程，明确各环节时限，确保举报事项清晰、举证材料充足的举报件在受理后规定工作日内办结，"
              "对超时件逐件说明原因并落实责任。",
    "TIM-02": "梳理需要补充材料、复核研处的复杂件办理流程，加强进度跟踪和超时预警，确保复杂件在规定期限内办结。",
    "TIM-03": "规范延期办理，需要延长处置期限的举报件应及时标记延期状态，并在处理说明中据实写明延期原因和预计办结时间。",
    "TIM-04": "对需要补充材料、复核研处的涉企举报，在规定期限内先行采取争议标记、限时加私等临时措施，防止侵权信息持续扩散。",
    "TIM-05": "落实网络暴力、涉未成年人举报快速处置机制，做到第一时间受理、第一时间处置，确保在本省规定时限内处置完毕。",
    "TIM-06": "立即清理超期未办结的举报件，逐件明确办理责任人和办结时间，落实限时办结，做到事事有着落、件件有回音。",
    "TIM-07": "对已办结但未反馈的举报件逐件补充反馈，通过站内信、人工回复等方式告知举报人处置结果，建立反馈核查机制。",
    "TIM-08": "优化办结反馈流程，确保办结后在规定工作日内将处置结果告知举报人。",
    "ACC-01": "对不予受理的涉企举报逐件复查，符合受理条件的立即受理办理，并完善受理条件审核标准，杜绝以材料不全、证据不足为由推诿。",
    "ACC-02": "修订举证要求，仿冒性、侮辱性、泄密性信息举报除身份证明外原则上不再要求其他证据材料，减轻举报人负担。",
    "ACC-03": "规范恶意举报认定，认定伪造证明证据、灌水举报等恶意举报的，应留存并在台账中记录认定依据。",
    "DIS-01": "对事实清楚、举证充分的侵权信息立即采取删除或同等效果的处置措施，并复查同类举报件的处置结果。",
    "DIS-02": "严格限时加私措施适用范围，仅在关键节点、立案调查、可能造成较大负面影响等情形下使用，并记录适用依据。",
    "DIS-03": "严格争议标记、澄清回应措施适用范围，限于权益纠纷、利益相关或竞争、已启动司法程序、无法证实、易引发误解等情形，并记录依据。",
    "DIS-04": "对举证不充分的举报视情采取限时加私、争议标记等措施，不得简单删除，正确对待舆论监督。",
    "DIS-05": "对存在假冒仿冒、屡罚屡犯、恶意首发首转、敲诈勒索等情形的网络账号依法依约予以处置，并复查同类举报件。",
    "DIS-06": "涉利益相关方的举报，研判认为有必要采取处置措施的，应先报请省级网信部门审核，并在台账中记录审核文号。",
    "PRO-01": "落实承办与复核分离的层级把关要求，调整岗位设置，确保每件举报的承办人与复核人由不同人员担任。",
    "PRO-02": "需要将举报内容告知发布者的，必须隐去举报人个人信息，立即排查已告知发布者的举报件并采取补救措施。",
    "PRO-03": "核对办结举报件的受理结果，更正与办结状态矛盾的记录，如实记录举报受理处置全过程。",
    "PRO-04": "核对受理、处置、反馈等时间记录，更正早于受理时间等矛盾记录，完善系统校验，确保台账记录真实准确。",
    "LED-01": "立即补报未报送月份的工作台账，并建立台账按月报送机制，确保次月规定工作日结束前报送。",
    "LED-02": "完善台账报送流程，明确报送责任人，确保每月台账在次月规定工作日结束前按时报送。",
    "LED-03": "每月至少公开一次举报处置数量、处置措施和典型案例，及时补充公开缺失月份的处置情况，接受公众监督。",
    "REC-01": "逐件核对台账记录与原始材料，更正不符记录，如实记录举报受理处置全过程，并说明不符原因。",
    "REC-02": "对研判结论错误的举报件重新研判并纠正处置结果，按照统一标准加强研判人员培训。",
    "REC-03": "完善原始材料留存制度，全量数据留存不少于六个月，确保依法查询时能够提供。",
    "REC-04": "按照检查意见逐项整改，并报送整改情况及相关证明材料。",
    "CMP-01": "对经查实的网民投诉事项逐件整改，及时处理并反馈举报人，维护网民合法权益。",
    "CMP-02": "将漏报的举报件补录入工作台账，排查台账漏报原因，确保如实完整记录全部举报。",
}


def default_requirement(rule_code: str) -> str:
    return DEFAULT_REQUIREMENTS.get(rule_code, "按照检查意见逐项整改，并报送整改情况及相关证明材料。")


def default_preamble(audit_title: str, period_from: str, period_to: str) -> str:
    months = _months_text(period_from, period_to)
    return (f"根据《关于进一步加强网络侵权信息举报工作的指导意见》和《网站平台受理处置涉企网络侵权信息举报工作规范》，"
            f"我办对你平台{months}网络侵权信息举报受理处置工作开展了督导检查（{audit_title}）。"
            f"经自动核查和抽样复核，发现你平台在举报受理处置工作中存在以下问题。现将有关事项通知如下。")


def _months_text(period_from: str, period_to: str) -> str:
    y1, m1 = int(period_from[:4]), int(period_from[5:7])
    y2, m2 = int(period_to[:4]), int(period_to[5:7])
    if (y1, m1) == (y2, m2):
        return f"{y1}年{m1}月"
    if y1 == y2:
        return f"{y1}年{m1}月至{m2}月"
    return f"{y1}年{m1}月至{y2}年{m2}月"


def default_title(platform_name: str) -> str:
    return f"关于{platform_name}网络侵权信息举报处置问题限期整改的通知"


TITLE_CHARS_PER_LINE = 20  # 156 mm of 2号 (22 pt) characters
_TITLE_BREAKS = ("限期整改的通知", "有关负责人的通知", "予以通报批评的通报", "移送处罚的建议", "的通知", "的通报", "的建议")


def title_lines(title: str, width: int = TITLE_CHARS_PER_LINE) -> list[str]:
    """A long title broken where the words allow (GB/T 9704 7.3.1: 词意完整, 排列对称, a trapezoid:
    the first line the longer); a title without such a break is left to the renderer."""
    if len(title) <= width:
        return [title]
    for token in _TITLE_BREAKS:
        i = title.rfind(token)
        if 0 < i <= width and len(title) - i <= i:
            return [title[:i], title[i:]]
    return [title]


# Escalation (约谈, 通报批评, 移送处罚建议) -------------------------------------------------------

ESCALATION_TITLES = {
    "约谈": "关于约谈{platform}有关负责人的通知",
    "通报批评": "关于对{platform}予以通报批评的通报",
    "移送处罚建议": "关于{platform}逾期未整改移送处罚的建议",
}
ESCALATION_KINDS = tuple(ESCALATION_TITLES)
_ESCALATION_CLOSINGS = {
    "约谈": "根据有关规定，决定约谈你平台主要负责人及举报工作负责人。请于接到本通知后 5 个工作日内与我办联系确定约谈时间，"
          "并准备整改情况书面说明。",
    "通报批评": "为严肃工作纪律，决定对{platform}予以通报批评。请该平台深刻汲取教训，立即完成整改，并将整改情况书面报送我办。",
    "移送处罚建议": "鉴于该平台经督促仍未整改到位，建议依法依规对其予以行政处罚。现将有关材料一并移送，请依法处理。",
}


def escalation_title(kind: str, platform_name: str) -> str:
    if kind not in ESCALATION_TITLES:
        raise ValueError(f"未知的处置方式：{kind}")
    return ESCALATION_TITLES[kind].format(platform=platform_name)


def escalation_default_body(kind: str, platform_name: str, notice_number: str, deadline_day: date,
                            open_items: list[str]) -> str:
    """A first text for the inspector to edit; paragraphs separated by blank lines."""
    if kind not in _ESCALATION_CLOSINGS:
        raise ValueError(f"未知的处置方式：{kind}")
    items = "、".join(open_items) if open_items else "有关问题"
    basis = (f"我办于前期向{platform_name}印发《整改通知书》（{notice_number}），要求其于{chinese_date(deadline_day)}前"
             f"完成整改并报送整改情况。截至目前，该平台对{items}等问题逾期未完成整改。")
    return basis + "\n\n" + _ESCALATION_CLOSINGS[kind].format(platform=platform_name)


# Layout helpers for the document template -----------------------------------------------------

MARK_SIZES = range(6, 25)  # the CSS has a class mark-n6 … mark-n24


def mark_size_class(mark: str) -> str:
    """A CSS class sizing the issuing-authority mark to its length, so that it spans most of the
    156 mm text block on one line (like a real 红头), whatever the authority's name."""
    n = min(max(len(mark), MARK_SIZES[0]), MARK_SIZES[-1])
    return f"mark-n{n}"


def paragraphs(text: str) -> list[str]:
    """Free text split into paragraphs (blank lines or single newlines), trimmed."""
    return [p.strip() for p in re.split(r"\n+", (text or "").replace("\r", "")) if p.strip()]


ORDINALS = "一二三四五六七八九十"


def chinese_ordinal(n: int) -> str:
    """1 → 一, 11 → 十一, 24 → 二十四 (for （一） numbering of items; n ≤ 99)."""
    if n < 1 or n > 99:
        raise ValueError(n)
    if n <= 10:
        return ORDINALS[n - 1]
    tens, ones = divmod(n, 10)
    head = "十" if tens == 1 else ORDINALS[tens - 1] + "十"
    return head + (ORDINALS[ones - 1] if ones else "")
