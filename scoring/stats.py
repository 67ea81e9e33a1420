"""Small statistical helpers of the scorecard (pure functions)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache
from decimal import ROUND_HALF_UP, Decimal

from scipy import stats

__all__ = [
    "wilson_interval",
    "mean_interval",
    "shrink",
    "poisson_upper",
    "display_round",
]


@lru_cache(maxsize=16)
def _z(confidence: float) -> float:
    return float(stats.norm.ppf(0.5 + confidence / 2.0))


def wilson_interval(successes: int, n: int, confidence: float = 0.95) -> tuple[float, float] | None:
    """Wilson score interval for a share, in percent (0–100); None when n = 0.

    centre = (p + z²/2n) / (1 + z²/n),
    half   = z / (1 + z²/n) · sqrt(p(1 − p)/n + z²/4n²).
    """
    if n == 0:
        return None
    if not 0 <= successes <= n:
        raise ValueError(f"成功数（{successes}）必须在 0 与样本数（{n}）之间")
    z = _z(confidence)
    p = successes / n
    denom = 1.0 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z / denom * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    lo = 0.0 if successes == 0 else max(0.0, centre - half)
    hi = 1.0 if successes == n else min(1.0, centre + half)  # exact at the ends
    return (lo * 100.0, hi * 100.0)


@lru_cache(maxsize=1024)
def _t(confidence: float, df: int) -> float:
    return float(stats.t.ppf(0.5 + confidence / 2.0, df))


def mean_interval(
    values: Sequence[float], weights: Sequence[int], confidence: float = 0.95,
    lower: float = 0.0, upper: float = 100.0,
) -> tuple[float, float] | None:
    """Student-t interval for the mean of ``values`` repeated ``weights`` times, clipped to
    [lower, upper]; the whole range when fewer than two observations; None when none."""
    n = sum(weights)
    if n == 0:
        return None
    if n == 1:
        return (lower, upper)
    mean = sum(v * w for v, w in zip(values, weights)) / n
    var = sum(w * (v - mean) ** 2 for v, w in zip(values, weights)) / (n - 1)
    half = _t(confidence, n - 1) * math.sqrt(var / n)
    return (max(lower, mean - half), min(upper, mean + half))


def shrink(raw: float | None, n: int, province: float, k: float) -> float:
    """(n·raw + k·province) / (n + k); the province value when there is no observation."""
    if n == 0 or raw is None:
        return province
    return (n * raw + k * province) / (n + k)


def poisson_upper(mean: float, quantile: float = 0.99) -> int:
    """Upper control limit: the smallest c with P(X <= c) >= quantile, X ~ Poisson(mean)."""
    if mean < 0 or math.isnan(mean):
        raise ValueError("均值不得为负数")
    if mean == 0:
        return 0
    return int(stats.poisson.ppf(quantile, mean))


def display_round(value: float | None, places: int = 1) -> str:
    """Half-up rounding of the shortest repr, for display only ('' for None)."""
    if value is None:
        return ""
    quantum = Decimal(1).scaleb(-places)
    return str(Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP))
