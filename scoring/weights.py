"""The editable weights and constants of the scorecard (a provincial setting, versioned).

The admin screen shows :data:`WEIGHT_SPECS`; :func:`model_from_form` turns what was typed into a
:class:`~scoring.model.ScoringModel` or a dict of Chinese messages per field;
:func:`model_from_parameters` rebuilds a model from :meth:`ScoringModel.parameters` (stored as
JSON with each version).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from .model import DEFAULT_MODEL, INDICATOR_NAMES, INDICATORS, LED_CODES, MODEL_VERSION, ScoringModel

__all__ = ["WeightSpec", "WEIGHT_SPECS", "WeightError", "model_from_form", "model_from_parameters", "form_values"]


@dataclass(frozen=True)
class WeightSpec:
    name: str  # form field name
    label: str  # Chinese label
    group: str  # section of the screen
    minimum: float
    maximum: float
    integer: bool = False
    help: str = ""


def _weight_specs() -> tuple[WeightSpec, ...]:
    specs = [WeightSpec(f"weight_{k}", f"{INDICATOR_NAMES[k]}权重", "指标权重（合计 100）", 0, 100)
             for k in INDICATORS]
    specs += [
        WeightSpec("shrinkage_k", "收缩常数 k", "小样本与投诉", 0, 1000,
                   help="比例类指标按 (n·原始值 + k·全省值)/(n + k) 向全省值收缩"),
        WeightSpec("complaint_penalty", "投诉扣分系数", "小样本与投诉", 0, 100,
                   help="投诉情况 = 100 − 系数 × 每万件举报的成立投诉数"),
    ]
    specs += [WeightSpec(f"deduction_{c}", f"{c} 扣分", "扣分项（加权后扣减）", 0, 100) for c in LED_CODES]
    specs += [
        WeightSpec("grade_excellent", "优秀分数线", "等级", 0, 100),
        WeightSpec("grade_good", "良好分数线", "等级", 0, 100),
        WeightSpec("grade_pass", "合格分数线", "等级", 0, 100),
    ]
    specs += [WeightSpec(f"rating_{s}", f"{s} 星折算分", "满意度折算", 0, 100) for s in (5, 4, 3, 2, 1)]
    specs += [
        WeightSpec("warning_drop_points", "指标下降预警（分）", "预警", 0.1, 100,
                   help="某项指标较上月下降达到该分数时预警"),
        WeightSpec("complaint_alert_quantile", "投诉激增预警分位数", "预警", 0.5, 0.9999,
                   help="当月投诉数超过近几个月均值的泊松分布该分位数时预警"),
        WeightSpec("complaint_history_months", "投诉基线月数", "预警", 1, 24, integer=True),
        WeightSpec("stability_draws", "权重扰动次数", "排名稳定性", 100, 100_000, integer=True),
        WeightSpec("stability_factor_low", "扰动因子下限", "排名稳定性", 0.1, 1),
        WeightSpec("stability_factor_high", "扰动因子上限", "排名稳定性", 1, 5),
        WeightSpec("stability_seed", "随机种子", "排名稳定性", 0, 2**32 - 1, integer=True,
                   help="固定种子使排名区间可重现"),
    ]
    return tuple(specs)


WEIGHT_SPECS: tuple[WeightSpec, ...] = _weight_specs()


class WeightError(ValueError):
    """Invalid weights or constants; ``errors`` maps a field name (or ``_``) to a Chinese message."""

    def __init__(self, errors: Mapping[str, str]):
        self.errors = dict(errors)
        super().__init__("；".join(self.errors.values()))


def form_values(model: ScoringModel = DEFAULT_MODEL) -> dict[str, float | int]:
    """The model's values under the form's field names."""
    bounds = dict((g, b) for b, g in model.grade_bounds)
    out: dict[str, float | int] = {f"weight_{k}": model.weights[k] for k in INDICATORS}
    out.update(shrinkage_k=model.shrinkage_k, complaint_penalty=model.complaint_penalty)
    out.update({f"deduction_{c}": model.deductions[c] for c in LED_CODES})
    out.update(grade_excellent=bounds.get("优秀", 90.0), grade_good=bounds.get("良好", 80.0),
               grade_pass=bounds.get("合格", 60.0))
    out.update({f"rating_{s}": model.rating_points[s] for s in (5, 4, 3, 2, 1)})
    out.update(warning_drop_points=model.warning_drop_points,
               complaint_alert_quantile=model.complaint_alert_quantile,
               complaint_history_months=model.complaint_history_months,
               stability_draws=model.stability_draws, stability_factor_low=model.stability_factor_low,
               stability_factor_high=model.stability_factor_high, stability_seed=model.stability_seed)
    return out


def _number(spec: WeightSpec, raw) -> tuple[float | int | None, str | None]:
    text = str(raw if raw is not None else "").strip().replace("\u3000", "").replace("，", ".")
    if not text:
        return None, f"请填写{spec.label}。"
    try:
        value = float(text)
    except ValueError:
        return None, f"{spec.label}必须是数字，填写的是“{text[:20]}”。"
    if not math.isfinite(value):
        return None, f"{spec.label}必须是有限的数字。"
    if spec.integer:
        if not value.is_integer():
            return None, f"{spec.label}必须是整数，填写的是“{text[:20]}”。"
        value = int(value)
    if not spec.minimum <= value <= spec.maximum:
        return None, f"{spec.label}应在 {spec.minimum:g}–{spec.maximum:g} 之间，填写的是 {text[:20]}。"
    return value, None


def model_from_form(values: Mapping[str, object], version: str = MODEL_VERSION) -> ScoringModel:
    """A model from the admin form's text values; raises :class:`WeightError`."""
    errors: dict[str, str] = {}
    parsed: dict[str, float | int] = {}
    for spec in WEIGHT_SPECS:
        value, problem = _number(spec, values.get(spec.name))
        if problem:
            errors[spec.name] = problem
        else:
            parsed[spec.name] = value
    if errors:
        raise WeightError(errors)
    total = sum(parsed[f"weight_{k}"] for k in INDICATORS)
    if abs(total - 100.0) > 1e-6:
        raise WeightError({"_": f"七项指标权重之和必须为 100，当前为 {total:g}。"})
    if not parsed["grade_excellent"] > parsed["grade_good"] > parsed["grade_pass"]:
        raise WeightError({"grade_good": "分数线必须满足 优秀 > 良好 > 合格。"})
    if not parsed["stability_factor_low"] < parsed["stability_factor_high"]:
        raise WeightError({"stability_factor_high": "扰动因子上限必须大于下限。"})
    weights = {k: float(parsed[f"weight_{k}"]) for k in INDICATORS}
    # Rounding error of typed decimals (e.g. 33.3 + 33.3 + 33.4): make the sum exactly 100.
    largest = max(weights, key=lambda k: weights[k])
    weights[largest] += 100.0 - sum(weights.values())
    try:
        return ScoringModel(
            version=version, weights=weights, shrinkage_k=float(parsed["shrinkage_k"]),
            complaint_penalty=float(parsed["complaint_penalty"]),
            deductions={c: float(parsed[f"deduction_{c}"]) for c in LED_CODES},
            rating_points={s: float(parsed[f"rating_{s}"]) for s in (1, 2, 3, 4, 5)},
            grade_bounds=((float(parsed["grade_excellent"]), "优秀"), (float(parsed["grade_good"]), "良好"),
                          (float(parsed["grade_pass"]), "合格")),
            warning_drop_points=float(parsed["warning_drop_points"]),
            complaint_alert_quantile=float(parsed["complaint_alert_quantile"]),
            complaint_history_months=int(parsed["complaint_history_months"]),
            complaint_min_history_months=int(parsed["complaint_history_months"]),
            stability_draws=int(parsed["stability_draws"]),
            stability_factor_low=float(parsed["stability_factor_low"]),
            stability_factor_high=float(parsed["stability_factor_high"]),
            stability_seed=int(parsed["stability_seed"]),
        )
    except ValueError as e:
        raise WeightError({"_": str(e)}) from e


def model_from_parameters(params: Mapping) -> ScoringModel:
    """Rebuild a model from :meth:`ScoringModel.parameters`."""
    p = dict(params)
    return ScoringModel(
        version=p["version"], weights=p["weights"], shrinkage_k=p["shrinkage_k"],
        complaint_penalty=p["complaint_penalty"], complaint_rate_per=p["complaint_rate_per"],
        deductions=p["deductions"], rating_points={int(k): v for k, v in p["rating_points"].items()},
        grade_bounds=tuple((float(b), g) for b, g in p["grade_bounds"]),
        interval_confidence=p["interval_confidence"], no_data_value=p["no_data_value"],
        warning_drop_points=p["warning_drop_points"], complaint_alert_quantile=p["complaint_alert_quantile"],
        complaint_history_months=p["complaint_history_months"],
        complaint_min_history_months=p["complaint_min_history_months"],
        stability_draws=p["stability_draws"], stability_factor_low=p["stability_factor_low"],
        stability_factor_high=p["stability_factor_high"], stability_seed=p["stability_seed"],
        stability_percentiles=tuple(p["stability_percentiles"]),
    )
