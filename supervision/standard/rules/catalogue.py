"""The rule catalogue: every code with its name, severity, scope and policy reference.

Each automatic rule is declared once, by the `rule` decorator on the function that evaluates
it (modules timeliness, acceptance, disposal, process, ledger); the codes an inspector or a
complaint handler gives are declared here. `RULES` (in the package) is built from this one
registry, in the order of rules.md.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

SEVERITIES = ("严重", "较重", "一般")  # most serious first
SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}

# Kinds of codes
REPORT, LEDGER, MANUAL, COMPLAINT = "report", "ledger", "manual", "complaint"

# The policy texts behind the short citations of rules.md.
SOURCE_TITLES = {
    "规范": "《网站平台受理处置涉企网络侵权信息举报工作规范》",
    "意见": "《关于进一步加强网络侵权信息举报工作的指导意见》",
    "上海": "《上海网站平台受理处置涉企网络侵权信息举报工作指引（试行版）》",
}

SCOPE_ALL = "全部举报"
SCOPE_ENTERPRISE = "涉企举报"
SCOPE_LIGHTWEIGHT = "涉企举报（仿冒性、侮辱性、泄密性信息）"
SCOPE_FAST = "网络暴力、涉未成年人举报"
SCOPE_MONTH = "平台月度台账"


@dataclass(frozen=True)
class Rule:
    code: str
    name: str  # Chinese name, part of the contract
    severity: str  # 严重 / 较重 / 一般
    kind: str  # report / ledger / manual / complaint
    scope: str  # Chinese: which reports (or platform-months) it applies to
    condition: str  # Chinese: when it fires; {parameter} placeholders allowed
    requirement: str  # Chinese: what the platform should have done (for notices)
    source: str  # citation as in rules.md, e.g. "上海 五(二)1; 规范 第三条"
    evaluate: Callable[..., Any] | None = None

    @property
    def automatic(self) -> bool:
        return self.kind in (REPORT, LEDGER)

    @property
    def reference(self) -> str:
        """The citation with the full titles of the policy texts."""
        parts = []
        for part in self.source.split(";"):
            part = part.strip()
            if not part:
                continue
            short, _, rest = part.partition(" ")
            title = SOURCE_TITLES.get(short)
            parts.append(f"{title}{rest}" if title else part)
        return "；".join(parts)

    def describe(self, params=None) -> str:
        """The firing condition with the parameter values filled in."""
        values = params.to_dict() if params is not None else _default_values()
        return self.condition.format(**values)

    def requirement_text(self, params=None) -> str:
        values = params.to_dict() if params is not None else _default_values()
        return self.requirement.format(**values)

    def as_dict(self, params=None) -> dict[str, Any]:
        return {
            "code": self.code, "name": self.name, "severity": self.severity, "kind": self.kind,
            "scope": self.scope, "description": self.describe(params),
            "requirement": self.requirement_text(params), "source": self.source,
            "reference": self.reference,
        }


def _default_values() -> dict[str, int]:
    from ..parameters import DEFAULT_PARAMETERS

    return DEFAULT_PARAMETERS.to_dict()


REGISTRY: dict[str, Rule] = {}


def _register(rule: Rule) -> Rule:
    if rule.code in REGISTRY:
        raise ValueError(f"duplicate rule code {rule.code}")
    if rule.severity not in SEVERITIES:
        raise ValueError(f"bad severity {rule.severity} for {rule.code}")
    REGISTRY[rule.code] = rule
    return rule


def rule(code: str, name: str, severity: str, *, scope: str, condition: str, requirement: str,
         source: str, kind: str = REPORT):
    """Declare an automatic rule on the function that evaluates it."""

    def decorate(fn):
        _register(Rule(code, name, severity, kind, scope, condition, requirement, source, fn))
        return fn

    return decorate


def declare(code: str, name: str, severity: str, *, kind: str, scope: str, condition: str,
            requirement: str = "", source: str = "") -> Rule:
    """Declare a code that people give (inspectors, complaint handlers)."""
    return _register(Rule(code, name, severity, kind, scope, condition, requirement, source))


def declare_people_codes() -> None:
    declare("REC-01", "台账记录与原始材料不符", "严重", kind=MANUAL, scope="抽检举报",
            condition="检查员核对原始材料，发现台账记录与原始材料不一致",
            requirement="如实记录举报受理处置全过程", source="规范 第二十八条")
    declare("REC-02", "研判结论错误", "较重", kind=MANUAL, scope="抽检举报",
            condition="检查员核对原始材料，认为平台的研判结论错误",
            requirement="按照统一标准准确研判")
    declare("REC-03", "原始材料未留存", "较重", kind=MANUAL, scope="抽检举报",
            condition="平台无法提供该举报的原始材料",
            requirement="留存全量数据不少于六个月并在依法查询时提供", source="规范 第二十八条")
    declare("REC-04", "其他问题", "一般", kind=MANUAL, scope="抽检举报",
            condition="检查员发现的其他问题", requirement="按检查意见整改")
    declare("CMP-01", "投诉查实", "较重", kind=COMPLAINT, scope="网民投诉",
            condition="投诉办结结论为投诉成立或部分成立",
            requirement="及时处理反馈网民举报，维护网民合法权益", source="意见 (十九)")
    declare("CMP-02", "台账漏报", "严重", kind=COMPLAINT, scope="网民投诉",
            condition="投诉所涉举报未出现在对应月份的台账中，经投诉处理员确认",
            requirement="如实记录举报受理处置全过程", source="规范 第二十八条")
