"""Stratified allocation, the reproducible draw, and per-platform evaluation."""

import hashlib
import math
import random
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from supervision.standard.sampling import (
    CONTROL_EFFECTIVE,
    CONTROL_NOT_EFFECTIVE,
    allocate_strata,
    clopper_pearson_upper,
    draw_sample,
    evaluate_draw,
    evaluate_sample,
    plan_sample,
    population_hash,
)

CATEGORIES = ["仿冒性信息", "误导性信息", "谣言性信息", "侮辱性信息", "泄密性信息", "恶意干扰经营信息"]


def population(size=500, seed=1):
    rnd = random.Random(seed)
    ids = [f"R{i:05d}" for i in range(size)]
    strata = [rnd.choice(CATEGORIES) for _ in ids]
    return ids, strata


# --------------------------------------------------------------------------- allocation


def test_allocation_by_hand():
    # quotas 59 * (50, 30, 1) / 81 = 36.4, 21.9, 0.73 -> c gets its minimum 1, then
    # 58 * (50, 30) / 80 = 36.25, 21.75 -> floors 36, 21, the one left goes to b (.75)
    assert allocate_strata({"a": 50, "b": 30, "c": 1, "d": 0}, 59) == {"a": 36, "b": 22, "c": 1, "d": 0}


def test_allocation_exact_proportions():
    assert allocate_strata({"x": 60, "y": 40}, 10) == {"x": 6, "y": 4}


def test_allocation_tie_broken_by_size_then_name():
    # quotas 1.5, 1.5 -> one extra; equal remainders, equal sizes -> name order
    assert allocate_strata({"b": 10, "a": 10}, 3) == {"a": 2, "b": 1}
    # quotas 5 * (5, 3, 1) / 9 = 2.78, 1.67, 0.56 -> c forced to 1; then 4 * (5, 3) / 8 =
    # 2.5, 1.5: equal remainders, the larger stratum a gets the extra one
    assert allocate_strata({"a": 5, "b": 3, "c": 1}, 5) == {"a": 3, "b": 1, "c": 1}


def test_allocation_more_strata_than_n_gives_one_each():
    assert allocate_strata({"a": 100, "b": 1, "c": 1}, 2) == {"a": 1, "b": 1, "c": 1}


def test_allocation_capped_by_population():
    assert allocate_strata({"a": 3, "b": 2}, 59) == {"a": 3, "b": 2}


def test_allocation_all_empty():
    assert allocate_strata({"a": 0}, 5) == {"a": 0}


def test_allocation_rejects_bad_input():
    with pytest.raises(ValueError, match="样本量"):
        allocate_strata({"a": 3}, 0)
    with pytest.raises(ValueError, match="分层"):
        allocate_strata({"a": -1}, 3)


@settings(max_examples=300, deadline=None)
@given(
    sizes=st.dictionaries(st.sampled_from(CATEGORIES), st.integers(0, 400), min_size=1, max_size=6),
    n=st.integers(1, 600),
)
def test_allocation_properties(sizes, n):
    alloc = allocate_strata(sizes, n)
    nonempty = [s for s, size in sizes.items() if size > 0]
    total = sum(sizes.values())
    assert set(alloc) == set(sizes)
    expected_total = min(max(n, len(nonempty)), total) if nonempty else 0
    assert sum(alloc.values()) == expected_total
    for s, size in sizes.items():
        assert 0 <= alloc[s] <= size
        if size > 0:
            assert alloc[s] >= 1
        else:
            assert alloc[s] == 0
    # when no stratum needs the minimum, the allocation is within one of the quota
    if nonempty and all(Fraction(expected_total * sizes[s], total) >= 1 for s in nonempty):
        for s in nonempty:
            q = Fraction(expected_total * sizes[s], total)
            assert math.floor(q) <= alloc[s] <= math.ceil(q)


# --------------------------------------------------------------------------- the draw


def test_same_inputs_same_sample():
    ids, strata = population()
    assert draw_sample(ids, strata, 59, 42) == draw_sample(ids, strata, 59, 42)


def test_order_independent():
    ids, strata = population()
    pairs = list(zip(ids, strata))
    random.Random(99).shuffle(pairs)
    shuffled_ids, shuffled_strata = zip(*pairs)
    assert draw_sample(list(shuffled_ids), list(shuffled_strata), 59, 42) == draw_sample(ids, strata, 59, 42)
    as_mapping = dict(pairs)
    assert draw_sample(list(shuffled_ids), as_mapping, 59, 42) == draw_sample(ids, strata, 59, 42)


def test_seed_changes_sample():
    ids, strata = population()
    assert draw_sample(ids, strata, 59, 1) != draw_sample(ids, strata, 59, 2)


def test_pinned_sample():
    # Guards against any change of algorithm (or of numpy's PCG64 stream): a stored audit
    # sample must be reproducible years later.
    ids = [f"R{i:04d}" for i in range(100)]
    assert draw_sample(ids, ["侮辱性信息"] * 100, 5, 20231122) == ["R0004", "R0011", "R0020", "R0035", "R0068"]
    strata = ["仿冒性信息" if i < 60 else "谣言性信息" if i < 90 else "泄密性信息" for i in range(100)]
    draw = plan_sample(ids, strata, 10, 7)
    assert draw.allocation == {"仿冒性信息": 6, "泄密性信息": 1, "谣言性信息": 3}
    assert draw.statistical == (
        "R0003", "R0011", "R0039", "R0041", "R0052", "R0057", "R0063", "R0071", "R0085", "R0098"
    )


def test_draw_respects_allocation_and_size():
    ids, strata = population()
    draw = plan_sample(ids, strata, 59, 5)
    by_id = dict(zip(ids, strata))
    assert len(draw.statistical) == 59 == len(set(draw.statistical))
    counts = {}
    for rid in draw.statistical:
        counts[by_id[rid]] = counts.get(by_id[rid], 0) + 1
    assert counts == {s: n for s, n in draw.allocation.items() if n}
    assert draw.population_size == 500
    assert draw.seed == 5 and draw.requested_size == 59
    assert list(draw.statistical) == sorted(draw.statistical)


def test_sample_larger_than_population_takes_all():
    ids, strata = population(20)
    assert draw_sample(ids, strata, 59, 3) == sorted(ids)


def test_integer_ids_returned_as_given():
    ids = list(range(1, 51))
    chosen = draw_sample(ids, ["侮辱性信息"] * 50, 5, 11)
    assert all(isinstance(i, int) for i in chosen) and len(set(chosen)) == 5


def test_draw_is_uniform():
    # 4,000 seeds each pick 1 of 4 -> counts must fit a uniform law (fixed seeds: deterministic)
    counts = {i: 0 for i in "ABCD"}
    for seed in range(4000):
        (chosen,) = draw_sample(list("ABCD"), ["x"] * 4, 1, seed)
        counts[chosen] += 1
    assert stats.chisquare(list(counts.values())).pvalue > 0.001


def test_draw_rejects_bad_input():
    with pytest.raises(ValueError, match="重复"):
        draw_sample(["A", "A"], ["x", "x"], 1, 1)
    with pytest.raises(ValueError, match="不一致"):
        draw_sample(["A", "B"], ["x"], 1, 1)
    with pytest.raises(ValueError, match="侵权类别"):
        draw_sample(["A", "B"], ["x", ""], 1, 1)
    with pytest.raises(ValueError, match="随机种子"):
        draw_sample(["A"], ["x"], 1, -1)
    with pytest.raises(ValueError, match="总体为空"):
        draw_sample([], [], 1, 1)


# --------------------------------------------------------------------------- population hash


def test_population_hash_recipe():
    expected = hashlib.sha256('["A","B"]'.encode()).hexdigest()
    assert population_hash(["B", "A"]) == expected
    with_strata = hashlib.sha256('[["A","侮辱性信息"],["B","仿冒性信息"]]'.encode("utf-8")).hexdigest()
    assert population_hash(["B", "A"], ["仿冒性信息", "侮辱性信息"]) == with_strata


def test_population_hash_order_independent_and_sensitive():
    ids, strata = population()
    assert population_hash(ids) == population_hash(list(reversed(ids)))
    assert population_hash(ids) != population_hash(ids[:-1])
    changed = list(strata)
    changed[0] = "泄密性信息" if changed[0] != "泄密性信息" else "仿冒性信息"
    assert population_hash(ids, strata) != population_hash(ids, changed)


def test_draw_records_population_hash():
    ids, strata = population()
    assert plan_sample(ids, strata, 10, 1).population_hash == population_hash(ids, strata)


# --------------------------------------------------------------------------- judgmental picks


def test_judgmental_picks_kept_apart_and_excluded():
    ids, strata = population()
    base = plan_sample(ids, strata, 30, 8)
    outside = next(i for i in ids if i not in base.statistical)
    inside = base.statistical[0]
    draw = plan_sample(ids, strata, 30, 8, judgmental=[outside, inside, outside])
    assert draw.statistical == base.statistical  # picks never change the random sample
    assert draw.judgmental == (outside,)
    assert draw.is_judgmental(outside) and not draw.is_judgmental(inside)
    assert draw.selected == base.statistical + (outside,)
    result = evaluate_draw(draw, nonconforming=[outside])
    assert (result.sample_size, result.deviations) == (30, 0)
    result = evaluate_draw(draw, nonconforming=[outside, inside])
    assert (result.sample_size, result.deviations) == (30, 1)


def test_judgmental_pick_must_be_in_population():
    ids, strata = population()
    with pytest.raises(ValueError, match="不在抽样总体中"):
        plan_sample(ids, strata, 30, 8, judgmental=["NOPE"])


# --------------------------------------------------------------------------- evaluation


def test_clopper_pearson_by_hand():
    # x = 0: 1 - alpha ** (1/n)
    assert clopper_pearson_upper(0, 59) == pytest.approx(1 - 0.05 ** (1 / 59), abs=1e-12)
    assert clopper_pearson_upper(0, 20) == pytest.approx(0.13911, abs=1e-5)
    # x = n - 1: upper bound u solves 1 - u**n = 0.05 -> u = 0.95 ** (1/n)
    assert clopper_pearson_upper(9, 10) == pytest.approx(0.95 ** (1 / 10), abs=1e-12)
    assert clopper_pearson_upper(10, 10) == 1.0
    # definition: P(X <= x | n, u) = 0.05
    u = clopper_pearson_upper(3, 80)
    assert stats.binom.cdf(3, 80, u) == pytest.approx(0.05, abs=1e-10)


# AICPA Audit Guide "Audit Sampling" (2017), Appendix A, Table A-3 "Statistical Sampling
# Results Evaluation Table for Tests of Controls - Upper Limits at 5 Percent Risk of
# Overreliance" (upper limits in percent, rounded up to 0.1; rows: sample size, columns:
# 0-10 deviations). Transcribed as numbers in koenderks/jfa,
# tests/testthat/test-validation-appendix-a.R.
TABLE_A3 = {
    20: (14.0, 21.7, 28.3, 34.4, 40.2, 45.6, 50.8, 55.9, 60.7, 65.4, 69.9),
    25: (11.3, 17.7, 23.2, 28.2, 33.0, 37.6, 42.0, 46.3, 50.4, 54.4, 58.4),
    30: (9.6, 14.9, 19.6, 23.9, 28.0, 31.9, 35.8, 39.4, 43.0, 46.6, 50.0),
    35: (8.3, 12.9, 17.0, 20.7, 24.3, 27.8, 31.1, 34.4, 37.5, 40.6, 43.7),
    40: (7.3, 11.4, 15.0, 18.3, 21.5, 24.6, 27.5, 30.4, 33.3, 36.0, 38.8),
    45: (6.5, 10.2, 13.4, 16.4, 19.2, 22.0, 24.7, 27.3, 29.8, 32.4, 34.8),
    50: (5.9, 9.2, 12.1, 14.8, 17.4, 19.9, 22.4, 24.7, 27.1, 29.4, 31.6),
    55: (5.4, 8.4, 11.1, 13.5, 15.9, 18.2, 20.5, 22.6, 24.8, 26.9, 28.9),
    60: (4.9, 7.7, 10.2, 12.5, 14.7, 16.8, 18.8, 20.8, 22.8, 24.8, 26.7),
    65: (4.6, 7.1, 9.4, 11.5, 13.6, 15.5, 17.5, 19.3, 21.2, 23.0, 24.7),
    70: (4.2, 6.6, 8.8, 10.8, 12.7, 14.5, 16.3, 18.0, 19.7, 21.4, 23.1),
    75: (4.0, 6.2, 8.2, 10.1, 11.8, 13.6, 15.2, 16.9, 18.5, 20.1, 21.6),
    80: (3.7, 5.8, 7.7, 9.5, 11.1, 12.7, 14.3, 15.9, 17.4, 18.9, 20.3),
    90: (3.3, 5.2, 6.9, 8.4, 9.9, 11.4, 12.8, 14.2, 15.5, 16.9, 18.2),
    100: (3.0, 4.7, 6.2, 7.6, 9.0, 10.3, 11.5, 12.8, 14.0, 15.2, 16.4),
    125: (2.4, 3.8, 5.0, 6.1, 7.2, 8.3, 9.3, 10.3, 11.3, 12.3, 13.2),
    150: (2.0, 3.2, 4.2, 5.1, 6.0, 6.9, 7.8, 8.6, 9.5, 10.3, 11.1),
    200: (1.5, 2.4, 3.2, 3.9, 4.6, 5.2, 5.9, 6.5, 7.2, 7.8, 8.4),
    300: (1.0, 1.6, 2.1, 2.6, 3.1, 3.5, 4.0, 4.4, 4.8, 5.2, 5.6),
    400: (0.8, 1.2, 1.6, 2.0, 2.3, 2.7, 3.0, 3.3, 3.6, 3.9, 4.3),
    500: (0.6, 1.0, 1.3, 1.6, 1.9, 2.1, 2.4, 2.7, 2.9, 3.2, 3.4),
}


@pytest.mark.parametrize("n", sorted(TABLE_A3))
def test_upper_limits_match_published_table(n):
    computed = tuple(math.ceil(clopper_pearson_upper(x, n) * 1000) / 10 for x in range(11))
    assert computed == TABLE_A3[n]


def test_evaluate_sample_by_hand():
    ok = evaluate_sample(59, 0)
    assert ok.deviation_rate == 0 and ok.upper_bound == pytest.approx(0.04951, abs=1e-5)
    assert ok.control_effective and ok.conclusion == CONTROL_EFFECTIVE
    bad = evaluate_sample(59, 1)
    assert bad.deviation_rate == pytest.approx(1 / 59)
    assert bad.upper_bound == pytest.approx(0.07790, abs=1e-5)
    assert not bad.control_effective and bad.conclusion == CONTROL_NOT_EFFECTIVE


def test_evaluate_rejects_bad_input():
    with pytest.raises(ValueError, match="不得大于样本量"):
        evaluate_sample(10, 11)
    with pytest.raises(ValueError, match="样本量"):
        evaluate_sample(0, 0)
