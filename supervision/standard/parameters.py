"""The provincial parameters of rules.md: defaults, validation, (de)serialisation.

An admin edits them; the application stores each accepted change as a new version (with
`Parameters.digest()` as a content hash) and records which version every check used.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

__all__ = ["ParameterSpec", "PARAMETER_SPECS", "Parameters", "ParameterError", "DEFAULT_PARAMETERS"]


@dataclass(frozen=True)
class ParameterSpec:
    name: str
    label: str  # Chinese label for the admin screen
    unit: str
    minimum: int
    maximum: int
    help: str  # Chinese explanation, with the policy reference


PARAMETER_SPECS: tuple[ParameterSpec, ...] = (
    ParameterSpec("simple_case_working_days", "简单件办理时限", "个工作日", 1, 30,
                  "举报事项清晰、举证材料充足的举报件应在受理后该数量的工作日内办结（上海指引 五（二）1）"),
    ParameterSpec("complex_case_working_days", "复杂件办理时限", "个工作日", 1, 60,
                  "需要补充材料或复核研处的举报件应在受理后该数量的工作日内办结（上海指引 五（二）2）"),
    ParameterSpec("fast_channel_hours", "快速通道处置时限", "小时", 1, 720,
                  "网络暴力、涉未成年人举报自受理起应在该数量的小时内处置完毕（指导意见（九）（十）（二十一）“第一时间”，具体小时数由本省确定）"),
    ParameterSpec("feedback_working_days", "反馈时限", "个工作日", 1, 30,
                  "办结后应在该数量的工作日内将处置结果告知举报人（上海指引 五（三））"),
    ParameterSpec("ledger_due_working_day", "台账报送期限", "个工作日", 1, 15,
                  "每月台账应在次月第该数量个工作日结束前报送，月度处置情况也应在此前公开"),
    ParameterSpec("retention_months", "台账留存月数", "个月", 6, 120,
                  "平台应能提供的最近台账月数，不得少于六个月（工作规范 第二十八条）"),
    # The workflow parameters of workflows.md.
    ParameterSpec("accept_working_days", "投诉受理时限", "个工作日", 1, 30,
                  "投诉应在收到后该数量的工作日内决定是否受理（工作流程 投诉窗口）"),
    ParameterSpec("platform_response_working_days", "平台答复投诉时限", "个工作日", 1, 30,
                  "转办后平台应在该数量的工作日内答复（工作流程 投诉窗口）"),
    ParameterSpec("close_working_days", "投诉办结时限", "个工作日", 1, 60,
                  "投诉应在受理后该数量的工作日内办结并答复投诉人（工作流程 投诉窗口）"),
    ParameterSpec("complaint_warning_percent", "投诉临期提醒比例", "%", 50, 99,
                  "某一环节已用时限达到该比例时提前提醒（工作流程 投诉窗口）"),
    ParameterSpec("complaint_pii_retention_months", "投诉人个人信息保存期限", "个月", 6, 120,
                  "投诉办结后满该月数删除投诉人个人信息，仅保留匿名统计（工作流程 投诉窗口）"),
    ParameterSpec("rectification_working_days", "整改期限", "个工作日", 1, 60,
                  "整改通知书签发后平台应在该数量的工作日内完成整改并报告（工作流程 整改通知书）"),
)
_SPECS = {s.name: s for s in PARAMETER_SPECS}


class ParameterError(ValueError):
    """Invalid parameter values; ``errors`` maps a parameter name to a Chinese message."""

    def __init__(self, errors: Mapping[str, str]):
        self.errors = dict(errors)
        super().__init__("；".join(self.errors.values()))


def _coerce_int(name: str, value: Any) -> tuple[int | None, str | None]:
    spec = _SPECS[name]
    if isinstance(value, bool):
        return None, f"{spec.label}必须是整数"
    if isinstance(value, int):
        return value, None
    if isinstance(value, float) and value.is_integer():
        return int(value), None
    if isinstance(value, str):
        text = value.strip().replace("\u3000", "")
        if text.lstrip("+-").isdigit() and text.isascii():
            return int(text), None
    return None, f"{spec.label}必须是整数"


@dataclass(frozen=True)
class Parameters:
    """The provincial settings of rules.md and workflows.md (defaults shown)."""

    simple_case_working_days: int = 3
    complex_case_working_days: int = 7
    fast_channel_hours: int = 24
    feedback_working_days: int = 1
    ledger_due_working_day: int = 5
    retention_months: int = 6
    accept_working_days: int = 2
    platform_response_working_days: int = 5
    close_working_days: int = 15
    complaint_warning_percent: int = 80
    complaint_pii_retention_months: int = 36
    rectification_working_days: int = 15

    def __post_init__(self):
        errors = self.validate_values({f.name: getattr(self, f.name) for f in fields(self)})
        if errors:
            raise ParameterError(errors)

    @staticmethod
    def validate_values(values: Mapping[str, Any]) -> dict[str, str]:
        """Chinese error messages per parameter name (empty when all values are valid)."""
        errors: dict[str, str] = {}
        for name, value in values.items():
            spec = _SPECS.get(name)
            if spec is None:
                errors[name] = f"未知参数：{name}"
                continue
            if isinstance(value, bool) or not isinstance(value, int):
                errors[name] = f"{spec.label}必须是整数"
            elif not spec.minimum <= value <= spec.maximum:
                errors[name] = (f"{spec.label}应在{spec.minimum}至{spec.maximum}{spec.unit}之间，"
                                f"当前为{value}")
        simple = values.get("simple_case_working_days")
        complex_ = values.get("complex_case_working_days")
        if (isinstance(simple, int) and isinstance(complex_, int) and not errors
                and "simple_case_working_days" in values and complex_ < simple):
            errors["complex_case_working_days"] = "复杂件办理时限不得短于简单件办理时限"
        return errors

    # -- serialisation ------------------------------------------------------------------
    def to_dict(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, base: "Parameters | None" = None) -> "Parameters":
        """Build from a mapping (e.g. a stored version or an admin form).

        Keys left out keep the value of ``base`` (default: the defaults); unknown keys and
        invalid values raise `ParameterError` listing every problem. Integer-valued strings
        (form input) are accepted.
        """
        values = (base or cls()).to_dict()
        errors: dict[str, str] = {}
        for name, raw in data.items():
            if name not in _SPECS:
                errors[name] = f"未知参数：{name}"
                continue
            value, error = _coerce_int(name, raw)
            if error:
                errors[name] = error
            else:
                values[name] = value
        for name, message in cls.validate_values(
                {k: v for k, v in values.items() if k not in errors}).items():
            errors.setdefault(name, message)
        if errors:
            raise ParameterError(errors)
        return cls(**values)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> "Parameters":
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ParameterError({"_": "参数必须是JSON对象"})
        return cls.from_dict(data)

    def replace(self, **changes: Any) -> "Parameters":
        return self.from_dict(changes, base=self)

    def changes_from(self, other: "Parameters") -> dict[str, tuple[int, int]]:
        """name -> (other's value, this value) for every parameter that differs."""
        a, b = other.to_dict(), self.to_dict()
        return {k: (a[k], b[k]) for k in b if a[k] != b[k]}

    def digest(self) -> str:
        return hashlib.sha256(self.to_json().encode()).hexdigest()[:16]


DEFAULT_PARAMETERS = Parameters()
