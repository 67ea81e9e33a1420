"""Early warnings of scoring.md: indicator drops and complaint surges."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .compute import Scorecard
from .model import DEFAULT_MODEL, INDICATOR_NAMES, INDICATORS, ScoringModel
from .stats import display_round, poisson_upper

__all__ = [
    "EarlyWarning",
    "INDICATOR_DROP",
    "COMPLAINT_SURGE",
    "indicator_drop_warnings",
    "complaint_surge_warning",
    "early_warnings",
]

INDICATOR_DROP = "indicator_drop"
COMPLAINT_SURGE = "complaint_surge"

# Tolerance so that a drop of exactly 10 points computed as 9.999999999999 still warns.
_EPS = 1e-9


@dataclass(frozen=True)
class EarlyWarning:
    platform_code: str
    kind: str  # INDICATOR_DROP or COMPLAINT_SURGE
    indicator: str | None
    current: float
    #: previous month's indicator value, or the trailing mean of complaints
    reference: float
    #: the drop in points, or the Poisson upper limit that was exceeded
    threshold: float
    message: str


def indicator_drop_warnings(
    current: Scorecard, previous: Scorecard | None, model: ScoringModel = DEFAULT_MODEL
) -> list[EarlyWarning]:
    """One warning per indicator whose value (as entered in the score) fell by
    ``model.warning_drop_points`` (10) or more against the previous month. Nothing when
    either month is 未报送 (its indicators are province values, not the platform's)."""
    if previous is None or not current.reported or not previous.reported:
        return []
    if previous.platform_code != current.platform_code:
        raise ValueError("只能比较同一平台的评分卡")
    out = []
    for key in INDICATORS:
        now = current.indicators[key].value
        before = previous.indicators[key].value
        drop = before - now
        if drop >= model.warning_drop_points - _EPS:
            out.append(
                EarlyWarning(
                    platform_code=current.platform_code,
                    kind=INDICATOR_DROP,
                    indicator=key,
                    current=now,
                    reference=before,
                    threshold=model.warning_drop_points,
                    message=(
                        f"{INDICATOR_NAMES[key]}较上月下降 {display_round(drop)} 分"
                        f"（{display_round(before)} → {display_round(now)}）"
                    ),
                )
            )
    return out


def complaint_surge_warning(
    platform_code: str,
    current: int,
    history: Sequence[int],
    model: ScoringModel = DEFAULT_MODEL,
) -> EarlyWarning | None:
    """Warn when this month's complaints exceed the 99 % Poisson upper limit of the
    trailing mean: ``current`` > smallest c with P(X <= c) >= 0.99, X ~ Poisson(mean of
    the last ``model.complaint_history_months`` months of ``history``, oldest first).

    No warning while fewer than ``model.complaint_min_history_months`` months of history
    exist (a new platform has no baseline)."""
    if isinstance(current, bool) or not isinstance(current, int) or current < 0:
        raise ValueError(f"投诉数必须是非负整数，收到：{current!r}")
    if any(isinstance(h, bool) or not isinstance(h, int) or h < 0 for h in history):
        raise ValueError("历史投诉数必须是非负整数")
    window = list(history)[-model.complaint_history_months:] if model.complaint_history_months else []
    if len(window) < max(1, model.complaint_min_history_months):
        return None
    mean = sum(window) / len(window)
    limit = poisson_upper(mean, model.complaint_alert_quantile)
    if current <= limit:
        return None
    return EarlyWarning(
        platform_code=platform_code,
        kind=COMPLAINT_SURGE,
        indicator=None,
        current=float(current),
        reference=mean,
        threshold=float(limit),
        message=(
            f"本月投诉 {current} 件，超过近 {len(window)} 个月均值 {display_round(mean, 2)} 件"
            f"的 {display_round(model.complaint_alert_quantile * 100, 0)}% 泊松上限 {limit} 件"
        ),
    )


def early_warnings(
    current: Sequence[Scorecard],
    previous: Sequence[Scorecard] = (),
    complaints: Mapping[str, tuple[int, Sequence[int]]] | None = None,
    model: ScoringModel = DEFAULT_MODEL,
) -> list[EarlyWarning]:
    """All warnings of a month. ``complaints`` maps a platform code to (this month's
    complaints received, earlier months' counts oldest first)."""
    before = {c.platform_code: c for c in previous}
    out: list[EarlyWarning] = []
    for card in current:
        out.extend(indicator_drop_warnings(card, before.get(card.platform_code), model))
    for code, (count, history) in sorted((complaints or {}).items()):
        warning = complaint_surge_warning(code, count, history, model)
        if warning is not None:
            out.append(warning)
    return out
