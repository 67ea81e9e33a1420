"""Rank ranges under weight uncertainty, early warnings, and the model object."""

import dataclasses

import numpy as np
import pytest
from scipy import stats

from scoring import (
    COMPLAINT_SURGE,
    DEFAULT_MODEL,
    INDICATOR_DROP,
    INDICATORS,
    ScoringInput,
    ScoringModel,
    complaint_surge_warning,
    compute_league,
    compute_scorecard,
    early_warnings,
    indicator_drop_warnings,
    poisson_upper,
    rank_scores,
    rank_stability,
)
from scoring.compute import _uniforms

NO_SHRINK = ScoringModel(version="test-k0", shrinkage_k=0)
PROVINCE = {k: 100.0 for k in INDICATORS}


# --------------------------------------------------------------------------- ranks


def test_rank_scores_competition_ranking():
    assert rank_scores(np.array([50.0, 70.0, 70.0, 10.0])).tolist() == [3, 1, 1, 4]
    assert rank_scores(np.array([[1.0, 2.0], [2.0, 1.0]])).tolist() == [[2, 1], [1, 2]]


def random_league(p=40, seed=0):
    rng = np.random.default_rng(seed)
    values = rng.uniform(40, 100, size=(p, len(INDICATORS)))
    deductions = rng.choice([0.0, 5.0, 10.0], size=p)
    return values, deductions


def test_rank_stability_deterministic():
    values, ded = random_league()
    a = rank_stability(values, ded)
    b = rank_stability(values, ded)
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
    other = rank_stability(values, ded, dataclasses.replace(DEFAULT_MODEL, stability_seed=1))
    assert not (np.array_equal(a[0], other[0]) and np.array_equal(a[1], other[1]))


def test_rank_stability_matches_naive_loop():
    values, ded = random_league(p=25, seed=4)
    lo, hi = rank_stability(values, ded)
    w = np.array([DEFAULT_MODEL.weights[k] for k in INDICATORS])
    u = _uniforms(DEFAULT_MODEL.stability_seed, (1000, len(INDICATORS)))
    ranks = []
    for d in range(1000):
        wd = w * (0.8 + 0.4 * u[d])
        wd = wd / wd.sum() * 100
        scores = [max(0.0, sum(wd[i] * values[p, i] for i in range(len(INDICATORS))) / 100 - ded[p])
                  for p in range(values.shape[0])]
        ranks.append(stats.rankdata([-round(s, 9) for s in scores], method="min"))
    ranks = np.array(ranks)
    for p in range(values.shape[0]):
        column = np.sort(ranks[:, p])
        # inverted-CDF percentiles: smallest rank whose empirical CDF reaches 5 % / 95 %
        assert lo[p] == column[int(np.ceil(0.05 * 1000)) - 1]
        assert hi[p] == column[int(np.ceil(0.95 * 1000)) - 1]


def test_uniform_factors_in_range():
    u = _uniforms(DEFAULT_MODEL.stability_seed, (1000, 7))
    assert u.min() >= 0.0 and u.max() < 1.0
    assert abs(u.mean() - 0.5) < 0.01


def test_solid_and_shaky_ranks():
    values = np.full((3, len(INDICATORS)), 100.0)
    values[0, INDICATORS.index("timeliness")] = 60.0   # A: weak on a weight-25 indicator
    values[1, INDICATORS.index("correctness")] = 60.0  # B: equally weak on the other one
    values[2, :] = 50.0                                 # C: far behind
    lo, hi = rank_stability(values, np.zeros(3))
    assert (lo[2], hi[2]) == (3, 3)      # solid last
    assert (lo[0], hi[0]) == (1, 2)      # A and B swap places under weight uncertainty
    assert (lo[1], hi[1]) == (1, 2)


def test_league_rank_ranges():
    a = ScoringInput("A", timeliness_total=100, timeliness_ok=100, received_total=100, process_ok=100)
    b = ScoringInput("B", timeliness_total=100, timeliness_ok=50, received_total=100, process_ok=100)
    cards = compute_league([a, b], NO_SHRINK)
    assert [c.rank_range for c in cards] == [(1, 1), (2, 2)]
    assert compute_league([a, b], NO_SHRINK, with_rank_ranges=False)[0].rank_range is None


def test_rank_stability_rejects_bad_shapes():
    with pytest.raises(ValueError):
        rank_stability(np.zeros((3, 5)), np.zeros(3))


# --------------------------------------------------------------------------- indicator drops


def card(code, ok, reported=True):
    item = ScoringInput(code, months_reported=1 if reported else 0, timeliness_total=100, timeliness_ok=ok)
    return compute_scorecard(item, PROVINCE, NO_SHRINK)


def test_indicator_drop_of_ten_points_warns():
    warnings = indicator_drop_warnings(card("A", 80), card("A", 90), NO_SHRINK)
    assert [(w.kind, w.indicator, w.reference, w.current) for w in warnings] == [
        (INDICATOR_DROP, "timeliness", 90.0, 80.0)
    ]
    assert "办理时效较上月下降 10.0 分" in warnings[0].message


def test_indicator_drop_below_ten_is_silent():
    assert indicator_drop_warnings(card("A", 81), card("A", 90), NO_SHRINK) == []
    assert indicator_drop_warnings(card("A", 100), card("A", 90), NO_SHRINK) == []


def test_indicator_drop_needs_two_reported_months():
    assert indicator_drop_warnings(card("A", 10), None) == []
    assert indicator_drop_warnings(card("A", 10), card("A", 90, reported=False)) == []
    assert indicator_drop_warnings(card("A", 10, reported=False), card("A", 90)) == []


# --------------------------------------------------------------------------- complaint surges


def test_poisson_upper_by_hand():
    # Poisson(2): P(X <= 5) = 0.9834, P(X <= 6) = 0.9955 -> 6
    assert poisson_upper(2.0) == 6
    assert poisson_upper(0.0) == 0
    assert stats.poisson.cdf(poisson_upper(7.5), 7.5) >= 0.99 > stats.poisson.cdf(poisson_upper(7.5) - 1, 7.5)


def test_complaint_surge():
    history = [1, 3, 2, 2, 2, 2]  # mean 2 -> limit 6
    assert complaint_surge_warning("A", 6, history) is None
    w = complaint_surge_warning("A", 7, history)
    assert w.kind == COMPLAINT_SURGE and w.threshold == 6 and w.reference == 2.0
    assert "泊松上限 6 件" in w.message


def test_complaint_surge_uses_trailing_six_months():
    # an old burst outside the window does not raise the baseline
    assert complaint_surge_warning("A", 7, [50, 50, 2, 2, 2, 2, 2, 2]) is not None


def test_complaint_surge_needs_history():
    assert complaint_surge_warning("A", 100, [0, 0, 0, 0, 0]) is None
    assert complaint_surge_warning("A", 1, [0] * 6) is not None  # any complaint after none


def test_complaint_surge_validates():
    with pytest.raises(ValueError):
        complaint_surge_warning("A", -1, [0] * 6)


def test_early_warnings_combined():
    current = [card("A", 70), card("B", 90)]
    previous = [card("A", 90), card("B", 90)]
    out = early_warnings(current, previous, {"A": (0, [0] * 6), "B": (9, [2] * 6)})
    assert [(w.platform_code, w.kind) for w in out] == [("A", INDICATOR_DROP), ("B", COMPLAINT_SURGE)]


# --------------------------------------------------------------------------- the model


def test_default_model_is_the_spec():
    m = DEFAULT_MODEL
    assert dict(m.weights) == {"timeliness": 25, "correctness": 25, "feedback": 10, "process": 10,
                               "complaints": 10, "rectification": 10, "satisfaction": 10}
    assert m.shrinkage_k == 20 and m.complaint_penalty == 10 and m.complaint_rate_per == 10_000
    assert dict(m.deductions) == {"LED-01": 20, "LED-02": 5, "LED-03": 5}
    assert dict(m.rating_points) == {1: 0, 2: 30, 3: 60, 4: 80, 5: 100}
    assert m.stability_draws == 1000 and (m.stability_factor_low, m.stability_factor_high) == (0.8, 1.2)
    assert m.stability_percentiles == (5.0, 95.0)


def test_model_fingerprint():
    assert DEFAULT_MODEL.fingerprint() == ScoringModel().fingerprint()
    changed = dict(DEFAULT_MODEL.weights, timeliness=20, correctness=30)
    assert ScoringModel(weights=changed).fingerprint() != DEFAULT_MODEL.fingerprint()


@pytest.mark.parametrize(
    "kwargs,fragment",
    [
        ({"weights": {"timeliness": 100}}, "权重必须恰好覆盖"),
        ({"weights": dict(DEFAULT_MODEL.weights, timeliness=30)}, "之和必须为 100"),
        ({"weights": dict(DEFAULT_MODEL.weights, timeliness=-5, correctness=55)}, "非负"),
        ({"deductions": {"LED-01": 20}}, "扣分项"),
        ({"version": " "}, "版本"),
    ],
)
def test_model_validation(kwargs, fragment):
    with pytest.raises(ValueError, match=fragment):
        ScoringModel(**kwargs)
