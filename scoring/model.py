"""The versioned scorecard model of scoring.md: weights and constants.

Every computed scorecard records ``model.version``; the same inputs with the same model
always give the same scores. An admin who edits weights or constants creates a new model
with a new version string; :meth:`ScoringModel.fingerprint` lets the app check that a
stored version name still denotes the same parameters.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

__all__ = [
    "MODEL_VERSION",
    "INDICATORS",
    "INDICATOR_NAMES",
    "LED_CODES",
    "GRADE_EXCELLENT",
    "GRADE_GOOD",
    "GRADE_PASS",
    "GRADE_FAIL",
    "GRADE_NOT_REPORTED",
    "ScoringModel",
    "DEFAULT_MODEL",
]

MODEL_VERSION = "scorecard-v1"

# Order is the order of scoring.md's table and of the CSV columns.
INDICATORS: tuple[str, ...] = (
    "timeliness",
    "correctness",
    "feedback",
    "process",
    "complaints",
    "rectification",
    "satisfaction",
)
INDICATOR_NAMES: Mapping[str, str] = MappingProxyType(
    {
        "timeliness": "办理时效",
        "correctness": "处置规范",
        "feedback": "反馈",
        "process": "流程规范",
        "complaints": "投诉情况",
        "rectification": "整改落实",
        "satisfaction": "群众满意度",
    }
)
# Indicators that are shares or means and therefore shrunk toward the province value.
SHRUNK_INDICATORS: tuple[str, ...] = (
    "timeliness",
    "correctness",
    "feedback",
    "process",
    "rectification",
    "satisfaction",
)
LED_CODES: tuple[str, ...] = ("LED-01", "LED-02", "LED-03")

GRADE_EXCELLENT = "优秀"
GRADE_GOOD = "良好"
GRADE_PASS = "合格"
GRADE_FAIL = "不合格"
GRADE_NOT_REPORTED = "未报送"


def _frozen(mapping: Mapping) -> Mapping:
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True, eq=True)
class ScoringModel:
    """All parameters of the scorecard. Defaults are scoring.md's."""

    version: str = MODEL_VERSION
    weights: Mapping[str, float] = field(
        default_factory=lambda: {
            "timeliness": 25,
            "correctness": 25,
            "feedback": 10,
            "process": 10,
            "complaints": 10,
            "rectification": 10,
            "satisfaction": 10,
        }
    )
    shrinkage_k: float = 20.0
    complaint_penalty: float = 10.0
    complaint_rate_per: int = 10_000
    deductions: Mapping[str, float] = field(
        default_factory=lambda: {"LED-01": 20.0, "LED-02": 5.0, "LED-03": 5.0}
    )
    rating_points: Mapping[int, float] = field(
        default_factory=lambda: {5: 100.0, 4: 80.0, 3: 60.0, 2: 30.0, 1: 0.0}
    )
    # (lower bound inclusive, grade), highest first; below the last bound: GRADE_FAIL.
    grade_bounds: tuple[tuple[float, str], ...] = (
        (90.0, GRADE_EXCELLENT),
        (80.0, GRADE_GOOD),
        (60.0, GRADE_PASS),
    )
    interval_confidence: float = 0.95
    # Value used for an indicator when neither the platform nor the province has any data.
    no_data_value: float = 100.0
    warning_drop_points: float = 10.0
    complaint_alert_quantile: float = 0.99
    complaint_history_months: int = 6
    complaint_min_history_months: int = 6
    stability_draws: int = 1000
    stability_factor_low: float = 0.8
    stability_factor_high: float = 1.2
    stability_seed: int = 20230831
    stability_percentiles: tuple[float, float] = (5.0, 95.0)

    def __post_init__(self) -> None:
        weights = dict(self.weights)
        if set(weights) != set(INDICATORS):
            raise ValueError(f"权重必须恰好覆盖全部指标：{', '.join(INDICATORS)}")
        for key, w in weights.items():
            if isinstance(w, bool) or not isinstance(w, (int, float)) or not math.isfinite(w) or w < 0:
                raise ValueError(f"指标“{INDICATOR_NAMES[key]}”的权重必须是非负数，收到：{w!r}")
        if abs(sum(weights.values()) - 100.0) > 1e-9:
            raise ValueError(f"各指标权重之和必须为 100，当前为 {sum(weights.values())}")
        if set(self.deductions) != set(LED_CODES):
            raise ValueError(f"扣分项必须恰好为：{', '.join(LED_CODES)}")
        if any(v < 0 for v in self.deductions.values()):
            raise ValueError("扣分值不得为负数")
        if set(self.rating_points) != {1, 2, 3, 4, 5}:
            raise ValueError("满意度评分映射必须覆盖 1–5 分")
        if not self.version or not str(self.version).strip():
            raise ValueError("模型版本不能为空")
        if self.shrinkage_k < 0:
            raise ValueError("收缩常数 k 不得为负数")
        if not (0 < self.stability_factor_low <= self.stability_factor_high):
            raise ValueError("权重扰动区间无效")
        if self.stability_draws < 1:
            raise ValueError("权重扰动次数必须为正整数")
        bounds = [b for b, _ in self.grade_bounds]
        if bounds != sorted(bounds, reverse=True):
            raise ValueError("等级分数线必须从高到低排列")
        object.__setattr__(self, "weights", _frozen({k: float(weights[k]) for k in INDICATORS}))
        object.__setattr__(self, "deductions", _frozen({k: float(self.deductions[k]) for k in LED_CODES}))
        object.__setattr__(
            self, "rating_points", _frozen({k: float(self.rating_points[k]) for k in (1, 2, 3, 4, 5)})
        )

    def __hash__(self) -> int:  # mappings are not hashable; the fingerprint is
        return hash(self.fingerprint())

    def parameters(self) -> dict:
        """Every parameter as plain JSON-able values (for storing with the version)."""
        return {
            "version": self.version,
            "weights": dict(self.weights),
            "shrinkage_k": self.shrinkage_k,
            "complaint_penalty": self.complaint_penalty,
            "complaint_rate_per": self.complaint_rate_per,
            "deductions": dict(self.deductions),
            "rating_points": {str(k): v for k, v in self.rating_points.items()},
            "grade_bounds": [list(b) for b in self.grade_bounds],
            "interval_confidence": self.interval_confidence,
            "no_data_value": self.no_data_value,
            "warning_drop_points": self.warning_drop_points,
            "complaint_alert_quantile": self.complaint_alert_quantile,
            "complaint_history_months": self.complaint_history_months,
            "complaint_min_history_months": self.complaint_min_history_months,
            "stability_draws": self.stability_draws,
            "stability_factor_low": self.stability_factor_low,
            "stability_factor_high": self.stability_factor_high,
            "stability_seed": self.stability_seed,
            "stability_percentiles": list(self.stability_percentiles),
        }

    def fingerprint(self) -> str:
        """SHA-256 of :meth:`parameters` (canonical JSON)."""
        text = json.dumps(self.parameters(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def grade(self, score: float) -> str:
        for bound, grade in self.grade_bounds:
            if score >= bound:
                return grade
        return GRADE_FAIL


DEFAULT_MODEL = ScoringModel()
