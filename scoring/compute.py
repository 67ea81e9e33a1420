"""Indicators, scores, grades, ranks and rank ranges (scoring.md).

Entry point: :func:`compute_league` takes one :class:`~scoring.inputs.ScoringInput` per
platform for the same period and returns the league table as :class:`Scorecard` objects,
ranked, 未报送 last.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from .inputs import ScoringInput
from .model import (
    DEFAULT_MODEL,
    GRADE_NOT_REPORTED,
    INDICATOR_NAMES,
    INDICATORS,
    LED_CODES,
    ScoringModel,
)
from .stats import display_round, mean_interval, shrink, wilson_interval

__all__ = [
    "IndicatorResult",
    "Scorecard",
    "province_values",
    "compute_indicators",
    "compute_scorecard",
    "compute_league",
    "rank_scores",
    "rank_stability",
]

# Scores are rounded to this many decimals before grading and ranking, so that binary
# floating-point noise (89.99999999999999) never decides a grade or a tie.
_SCORE_DECIMALS = 9


@dataclass(frozen=True)
class IndicatorResult:
    key: str
    name: str
    weight: float
    #: the platform's own value, 0–100; None when it has no observation
    raw: float | None
    #: observations behind ``raw`` (reports, items, ratings)
    n: int
    #: 95 % interval of ``raw`` in points (Wilson for shares, t for the mean); None if n/a
    interval: tuple[float, float] | None
    #: the province's value for the indicator and period (the shrinkage target)
    province: float | None
    #: the value that enters the score (after shrinkage where it applies)
    value: float

    @property
    def points(self) -> float:
        """Weighted contribution to the score: weight × value / 100."""
        return self.weight * self.value / 100.0

    @property
    def points_lost(self) -> float:
        return self.weight * (100.0 - self.value) / 100.0


@dataclass(frozen=True)
class Scorecard:
    platform_code: str
    reported: bool
    indicators: Mapping[str, IndicatorResult]
    #: points deducted per LED code (already averaged over the months of the period)
    deductions: Mapping[str, float]
    #: Σ weight × indicator / 100 − deductions, floored at 0; None when 未报送
    score: float | None
    grade: str
    rank: int | None
    #: 5th–95th percentile rank under weight perturbation; None when 未报送
    rank_range: tuple[int, int] | None
    #: score − previous period's score; None when either is missing
    change: float | None
    model_version: str

    @property
    def deduction_total(self) -> float:
        return sum(self.deductions.values())

    @property
    def weighted_total(self) -> float:
        return sum(i.points for i in self.indicators.values())

    @property
    def display_score(self) -> str:
        return display_round(self.score)


# --------------------------------------------------------------------------- indicators


def _share(ok: int, total: int) -> float | None:
    return 100.0 * ok / total if total else None


def _deviation_factor(deviations: int, reviewed: int) -> float:
    return 1.0 - deviations / reviewed if reviewed else 1.0


def _satisfaction_mean(ratings: Sequence[int], model: ScoringModel) -> float | None:
    n = sum(ratings)
    if not n:
        return None
    return sum(model.rating_points[s + 1] * c for s, c in enumerate(ratings)) / n


def _complaints_value(substantiated: int, reports: int, model: ScoringModel) -> float:
    if reports == 0:
        return 100.0 if substantiated == 0 else 0.0
    rate = substantiated * model.complaint_rate_per / reports
    return max(0.0, 100.0 - model.complaint_penalty * rate)


def province_values(
    inputs: Sequence[ScoringInput], model: ScoringModel = DEFAULT_MODEL
) -> dict[str, float]:
    """The province's value per indicator: pooled counts of all the given platforms
    (Σ numerators / Σ denominators; the mean of all ratings). ``model.no_data_value``
    when the province has no observation for an indicator; rectification is 100 when no
    item was due anywhere."""

    def total(name: str) -> int:
        return sum(getattr(i, name) for i in inputs)

    nd = model.no_data_value
    share = lambda ok, n: _share(total(ok), total(n))  # noqa: E731
    correctness = _share(total("correctness_ok"), total("concluded_total"))
    if correctness is not None:
        correctness *= _deviation_factor(total("audit_deviations"), total("audit_reviewed"))
    ratings = tuple(sum(i.ratings[s] for i in inputs) for s in range(5))
    satisfaction = _satisfaction_mean(ratings, model)
    rectification = share("notice_items_on_time", "notice_items_due")
    values = {
        "timeliness": share("timeliness_ok", "timeliness_total"),
        "correctness": correctness,
        "feedback": share("feedback_ok", "concluded_total"),
        "process": share("process_ok", "received_total"),
        "complaints": _complaints_value(
            total("complaints_substantiated"), total("received_total"), model
        ),
        "rectification": 100.0 if rectification is None else rectification,
        "satisfaction": satisfaction,
    }
    return {k: (nd if v is None else v) for k, v in values.items()}


def compute_indicators(
    item: ScoringInput,
    province: Mapping[str, float],
    model: ScoringModel = DEFAULT_MODEL,
) -> dict[str, IndicatorResult]:
    """The seven indicators of one platform, raw, interval and shrunk value."""
    k = model.shrinkage_k
    conf = model.interval_confidence
    w = model.weights
    out: dict[str, IndicatorResult] = {}

    def add(key, raw, n, interval, value, prov):
        out[key] = IndicatorResult(key, INDICATOR_NAMES[key], w[key], raw, n, interval, prov, value)

    def share_indicator(key, ok, total):
        raw = _share(ok, total)
        add(key, raw, total, wilson_interval(ok, total, conf), shrink(raw, total, province[key], k),
            province[key])

    share_indicator("timeliness", item.timeliness_ok, item.timeliness_total)

    # 处置规范: share without ACC/DIS findings × (1 − manual deviation rate of the sample)
    factor = _deviation_factor(item.audit_deviations, item.audit_reviewed)
    n = item.concluded_total
    share = _share(item.correctness_ok, n)
    raw = None if share is None else share * factor
    wi = wilson_interval(item.correctness_ok, n, conf)
    interval = None if wi is None else (wi[0] * factor, wi[1] * factor)
    add("correctness", raw, n, interval, shrink(raw, n, province["correctness"], k),
        province["correctness"])

    share_indicator("feedback", item.feedback_ok, item.concluded_total)
    share_indicator("process", item.process_ok, item.received_total)

    complaints = _complaints_value(item.complaints_substantiated, item.received_total, model)
    add("complaints", complaints, item.received_total, None, complaints, province.get("complaints"))

    if item.notice_items_due == 0:
        add("rectification", None, 0, None, 100.0, province["rectification"])
    else:
        share_indicator("rectification", item.notice_items_on_time, item.notice_items_due)

    n = item.ratings_total
    raw = _satisfaction_mean(item.ratings, model)
    interval = mean_interval([model.rating_points[s] for s in (1, 2, 3, 4, 5)], item.ratings, conf)
    add("satisfaction", raw, n, interval, shrink(raw, n, province["satisfaction"], k),
        province["satisfaction"])
    return {key: out[key] for key in INDICATORS}


def _deductions(item: ScoringInput, model: ScoringModel) -> dict[str, float]:
    counts = {"LED-01": item.led01, "LED-02": item.led02, "LED-03": item.led03}
    # For one month this is the spec's deduction; for a longer period it is the mean
    # deduction per month, so a quarter of identical months scores like each month.
    return {code: model.deductions[code] * counts[code] / item.months for code in LED_CODES}


def _final_score(weighted: float, deduction: float) -> float:
    return round(max(0.0, weighted - deduction), _SCORE_DECIMALS)


def compute_scorecard(
    item: ScoringInput,
    province: Mapping[str, float],
    model: ScoringModel = DEFAULT_MODEL,
    *,
    rank: int | None = None,
    rank_range: tuple[int, int] | None = None,
    previous_score: float | None = None,
) -> Scorecard:
    indicators = compute_indicators(item, province, model)
    deductions = _deductions(item, model)
    if item.reported:
        weighted = sum(i.points for i in indicators.values())
        score: float | None = _final_score(weighted, sum(deductions.values()))
        grade = model.grade(score)
    else:
        score, grade, rank, rank_range = None, GRADE_NOT_REPORTED, None, None
    change = None if score is None or previous_score is None else round(
        score - previous_score, _SCORE_DECIMALS
    )
    return Scorecard(
        platform_code=item.platform_code,
        reported=item.reported,
        indicators=indicators,
        deductions=deductions,
        score=score,
        grade=grade,
        rank=rank,
        rank_range=rank_range,
        change=change,
        model_version=model.version,
    )


# --------------------------------------------------------------------------- ranks


def rank_scores(scores: np.ndarray) -> np.ndarray:
    """Competition ranks ("1224") of each row of ``scores`` (higher score = better rank).

    ``scores`` has shape (draws, platforms) or (platforms,); equal scores share the best
    rank. Fully vectorised: one argsort per call.
    """
    s = np.asarray(scores, dtype=float)
    one = s.ndim == 1
    if one:
        s = s[None, :]
    d, p = s.shape
    order = np.argsort(-s, axis=1, kind="stable")
    sorted_s = np.take_along_axis(s, order, axis=1)
    positions = np.broadcast_to(np.arange(1, p + 1), (d, p))
    new_value = np.ones((d, p), dtype=bool)
    new_value[:, 1:] = sorted_s[:, 1:] != sorted_s[:, :-1]
    sorted_ranks = np.maximum.accumulate(np.where(new_value, positions, 0), axis=1)
    ranks = np.empty((d, p), dtype=np.int64)
    np.put_along_axis(ranks, order, sorted_ranks, axis=1)
    return ranks[0] if one else ranks


def _uniforms(seed: int, shape: tuple[int, int]) -> np.ndarray:
    """U[0, 1) doubles from the raw PCG64 stream (53 high bits), stable across numpy
    versions unlike ``Generator`` methods."""
    bits = np.random.Generator(np.random.PCG64(seed)).bit_generator
    raw = bits.random_raw(int(np.prod(shape)))
    return ((raw >> np.uint64(11)).astype(np.float64) * (1.0 / 9007199254740992.0)).reshape(shape)


def rank_stability(
    values: np.ndarray,
    deductions: np.ndarray,
    model: ScoringModel = DEFAULT_MODEL,
) -> tuple[np.ndarray, np.ndarray]:
    """5th–95th percentile rank of each platform under random weights.

    ``values``: (platforms, indicators) indicator values as entered in the score, columns
    in :data:`INDICATORS` order; ``deductions``: (platforms,) points deducted. Each of
    ``model.stability_draws`` draws multiplies every weight by an independent
    U[low, high] factor and renormalises the weights to their original total; scores are
    recomputed (deductions unchanged, floor at 0) and ranked. Returns (low, high) integer
    ranks per platform (inverted-CDF percentiles, so they are actual ranks).
    """
    vals = np.asarray(values, dtype=float)
    ded = np.asarray(deductions, dtype=float)
    if vals.ndim != 2 or vals.shape[1] != len(INDICATORS) or ded.shape != (vals.shape[0],):
        raise ValueError("指标矩阵或扣分向量的形状不正确")
    p = vals.shape[0]
    if p == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    w = np.array([model.weights[k] for k in INDICATORS], dtype=float)
    lo, hi = model.stability_factor_low, model.stability_factor_high
    factors = lo + (hi - lo) * _uniforms(model.stability_seed, (model.stability_draws, w.size))
    perturbed = w * factors  # (draws, indicators)
    perturbed *= (w.sum() / perturbed.sum(axis=1))[:, None]
    scores = perturbed @ vals.T / 100.0 - ded[None, :]  # (draws, platforms)
    scores = np.round(np.maximum(scores, 0.0), _SCORE_DECIMALS)
    ranks = rank_scores(scores)
    q = np.array(model.stability_percentiles) / 100.0
    bounds = np.quantile(ranks, q, axis=0, method="inverted_cdf")
    return bounds[0].astype(np.int64), bounds[1].astype(np.int64)


# --------------------------------------------------------------------------- league


def compute_league(
    inputs: Sequence[ScoringInput],
    model: ScoringModel = DEFAULT_MODEL,
    *,
    previous_scores: Mapping[str, float | None] | None = None,
    province: Mapping[str, float] | None = None,
    with_rank_ranges: bool = True,
) -> list[Scorecard]:
    """The league table of one period.

    ``inputs``: one per platform (codes unique). ``province``: shrinkage targets; by
    default pooled from ``inputs`` (:func:`province_values`). ``previous_scores``: the
    previous period's unrounded scores by platform code, for the change column.

    Returned in league order: by rank, ties and 未报送 platforms by platform code, 未报送
    last (no score, no rank).
    """
    codes = [i.platform_code for i in inputs]
    if len(set(codes)) != len(codes):
        raise ValueError("同一期间每个平台只能有一条评分数据")
    prov = dict(province) if province is not None else province_values(inputs, model)
    missing = [k for k in INDICATORS if k != "complaints" and k not in prov]
    if missing:
        raise ValueError(f"缺少全省指标值：{', '.join(missing)}")
    previous_scores = previous_scores or {}

    cards = [compute_scorecard(i, prov, model, previous_score=previous_scores.get(i.platform_code))
             for i in inputs]
    scored = [c for c in cards if c.reported]
    ranks = rank_scores(np.array([c.score for c in scored])) if scored else np.zeros(0, int)
    if with_rank_ranges and scored:
        values = np.array([[c.indicators[k].value for k in INDICATORS] for c in scored])
        ded = np.array([c.deduction_total for c in scored])
        lo, hi = rank_stability(values, ded, model)
    else:
        lo = hi = None

    ranked = []
    for idx, card in enumerate(scored):
        rng = None if lo is None else (int(lo[idx]), int(hi[idx]))
        ranked.append(replace(card, rank=int(ranks[idx]), rank_range=rng))
    ranked.sort(key=lambda c: (c.rank, c.platform_code))
    unreported = sorted((c for c in cards if not c.reported), key=lambda c: c.platform_code)
    return ranked + unreported
