"""The scorecard model of shared/spec/scoring.md (pure Python, no Flask, no database).

Typical use by the app::

    from scoring import ScoringInput, compute_league, scores_csv, DEFAULT_MODEL
    cards = compute_league(inputs, DEFAULT_MODEL, previous_scores=last_month)
    data = scores_csv(cards)

See docs/scoring.md for the formulas as implemented.
"""

from .alerts import (
    COMPLAINT_SURGE,
    INDICATOR_DROP,
    EarlyWarning,
    complaint_surge_warning,
    early_warnings,
    indicator_drop_warnings,
)
from .compute import (
    IndicatorResult,
    Scorecard,
    compute_indicators,
    compute_league,
    compute_scorecard,
    province_values,
    rank_scores,
    rank_stability,
)
from .export import CSV_COLUMNS, scores_csv
from .inputs import ScoringInput, aggregate, aggregate_by_platform, rating_counts
from .model import (
    DEFAULT_MODEL,
    GRADE_EXCELLENT,
    GRADE_FAIL,
    GRADE_GOOD,
    GRADE_NOT_REPORTED,
    GRADE_PASS,
    INDICATOR_NAMES,
    INDICATORS,
    LED_CODES,
    MODEL_VERSION,
    ScoringModel,
)
from .periods import Period, PeriodError, month_add, months_back, parse_period
from .stats import display_round, mean_interval, poisson_upper, shrink, wilson_interval
from .store import card_from_dict, card_to_dict, input_from_dict, input_to_dict
from .weights import WEIGHT_SPECS, WeightError, model_from_form, model_from_parameters

__all__ = [
    "COMPLAINT_SURGE",
    "CSV_COLUMNS",
    "DEFAULT_MODEL",
    "EarlyWarning",
    "GRADE_EXCELLENT",
    "GRADE_FAIL",
    "GRADE_GOOD",
    "GRADE_NOT_REPORTED",
    "GRADE_PASS",
    "INDICATOR_DROP",
    "INDICATOR_NAMES",
    "INDICATORS",
    "IndicatorResult",
    "LED_CODES",
    "MODEL_VERSION",
    "Scorecard",
    "ScoringInput",
    "ScoringModel",
    "aggregate",
    "aggregate_by_platform",
    "complaint_surge_warning",
    "compute_indicators",
    "compute_league",
    "compute_scorecard",
    "display_round",
    "early_warnings",
    "indicator_drop_warnings",
    "mean_interval",
    "poisson_upper",
    "province_values",
    "rank_scores",
    "rank_stability",
    "rating_counts",
    "scores_csv",
    "shrink",
    "wilson_interval",
    "Period",
    "PeriodError",
    "month_add",
    "months_back",
    "parse_period",
    "card_from_dict",
    "card_to_dict",
    "input_from_dict",
    "input_to_dict",
    "WEIGHT_SPECS",
    "WeightError",
    "model_from_form",
    "model_from_parameters",
]
