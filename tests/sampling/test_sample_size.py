"""Attribute-sampling sample sizes (workflows.md, interfaces.md `audit sample-size`)."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from supervision.standard.sampling import evaluate_sample, sample_size

# --------------------------------------------------------------------------- spec examples


def test_spec_defaults_give_59():
    # P(no deviation in n | 5 %) = 0.95**n: 0.95**58 = 0.0510 > 0.05 >= 0.95**59 = 0.0485
    assert sample_size() == 59
    assert sample_size(0.95, 0.05, 0) == 59


def test_spec_one_expected_deviation_gives_93():
    assert sample_size(0.95, 0.05, 1) == 93


def test_spec_population_of_100_gives_45():
    assert sample_size(0.95, 0.05, 0, population=100) == 45


# --------------------------------------------------------------------------- published tables
#
# AICPA Audit Guide "Audit Sampling" (2017), Appendix A:
#   Table A-1 "Statistical Sample Sizes for Tests of Controls - 5 Percent Risk of Overreliance"
#   Table A-2 "Statistical Sample Sizes for Tests of Controls - 10 Percent Risk of Overreliance"
# Each cell reads "n (k)": sample size n and, in parentheses, the expected number of
# deviations k. The cells below are those whose parenthetical count is 0-3 for tolerable
# rates 2-10 %. Transcribed as numbers in the jfa R package's benchmark
# (koenderks/jfa, tests/testthat/test-validation-appendix-a.R, "Benchmark against
# Appendix A (AICPA 2017)"). Every figure is also the binomial-exact value (checked in
# test_table_cell_is_binomial_exact below). At 10 % risk and 2 % tolerable rate the table
# has no cell with k = 3 (it jumps from 265 (2) to 398 (4)), so that cell is not listed.

TABLE_A1_95 = {  # tolerable rate %: sizes for k = 0, 1, 2, 3
    2: (149, 236, 313, 386),
    3: (99, 157, 208, 257),
    4: (74, 117, 156, 192),
    5: (59, 93, 124, 153),
    6: (49, 78, 103, 127),
    7: (42, 66, 88, 109),
    8: (36, 58, 77, 95),
    9: (32, 51, 68, 84),
    10: (29, 46, 61, 76),
}
TABLE_A2_90 = {
    2: (114, 194, 265),
    3: (76, 129, 176, 221),
    4: (57, 96, 132, 166),
    5: (45, 77, 105, 132),
    6: (38, 64, 88, 110),
    7: (32, 55, 75, 94),
    8: (28, 48, 65, 82),
    9: (25, 42, 58, 73),
    10: (22, 38, 52, 65),
}

TABLE_CASES = [
    (confidence, rate, k, n)
    for confidence, table in ((0.95, TABLE_A1_95), (0.90, TABLE_A2_90))
    for rate, sizes in table.items()
    for k, n in enumerate(sizes)
]


@pytest.mark.parametrize("confidence,rate_pct,k,expected", TABLE_CASES)
def test_published_table(confidence, rate_pct, k, expected):
    assert sample_size(confidence, rate_pct / 100, k) == expected


@pytest.mark.parametrize("confidence,rate_pct,k,expected", TABLE_CASES)
def test_table_cell_is_binomial_exact(confidence, rate_pct, k, expected):
    # independent check straight from the definition
    alpha = 1 - confidence
    assert stats.binom.cdf(k, expected, rate_pct / 100) <= alpha
    assert stats.binom.cdf(k, expected - 1, rate_pct / 100) > alpha


@pytest.mark.parametrize("confidence,rate_pct,k,n", TABLE_CASES)
def test_clopper_pearson_is_dual_to_sample_size(confidence, rate_pct, k, n):
    # seeing exactly the expected deviations in the planned sample just passes
    assert evaluate_sample(n, k, rate_pct / 100, confidence).control_effective
    assert not evaluate_sample(n - 1, k, rate_pct / 100, confidence).control_effective


# Other published figures: "5 % risk, tolerable 4 %, expected 1 % -> 156",
# "10 % risk, tolerable 7 %, expected 3 % -> 94" (textbook exercise using the AICPA tables).
@pytest.mark.parametrize("confidence,rate,k,n", [(0.95, 0.04, 2, 156), (0.90, 0.07, 3, 94)])
def test_textbook_cells(confidence, rate, k, n):
    assert sample_size(confidence, rate, k) == n


# --------------------------------------------------------------------------- hypergeometric


def test_hypergeometric_by_hand_n10():
    # N = 10, 10 % -> D = 1; P(no deviation) = (10 - n) / 10 <= 0.05 only for n = 10
    assert sample_size(0.95, 0.10, 0, population=10) == 10


def test_hypergeometric_by_hand_n20():
    # N = 20, D = 2: P(0) = (20-n)(19-n) / 380; n = 15 -> 20/380 = 0.0526, n = 16 -> 12/380
    assert sample_size(0.95, 0.10, 0, population=20) == 16


def test_hypergeometric_ceiling_of_deviating_items():
    # N = 101 at 5 %: ceil(5.05) = 6 deviating items, not 5
    n = sample_size(0.95, 0.05, 0, population=101)
    assert stats.hypergeom.cdf(0, 101, 6, n) <= 0.05 < stats.hypergeom.cdf(0, 101, 6, n - 1)


def test_hypergeometric_tends_to_binomial():
    assert sample_size(0.95, 0.05, 0, population=1_000_000) == 59
    assert sample_size(0.95, 0.05, 1, population=1_000_000) == 93


def test_hypergeometric_never_exceeds_population():
    for n_pop in range(20, 200, 7):
        assert sample_size(0.95, 0.05, 0, population=n_pop) <= n_pop


def test_population_too_small_to_conclude():
    # N = 10 at 5 %: one deviating item; with K = 1 even a census cannot fail the test
    with pytest.raises(ValueError, match="无法得出结论"):
        sample_size(0.95, 0.05, 1, population=10)


@settings(max_examples=60, deadline=None)
@given(
    confidence=st.sampled_from([0.8, 0.9, 0.95, 0.99]),
    rate=st.floats(0.01, 0.5),
    k=st.integers(0, 5),
)
def test_binomial_result_is_minimal(confidence, rate, k):
    n = sample_size(confidence, rate, k)
    alpha = 1 - confidence
    assert stats.binom.cdf(k, n, rate) <= alpha + 1e-12
    assert n == k + 1 or stats.binom.cdf(k, n - 1, rate) > alpha


@settings(max_examples=60, deadline=None)
@given(population=st.integers(1, 3000), rate=st.floats(0.01, 0.5), k=st.integers(0, 3))
def test_hypergeometric_result_is_minimal(population, rate, k):
    deviating = math.ceil(rate * population)
    if deviating <= k:
        with pytest.raises(ValueError):
            sample_size(0.95, rate, k, population=population)
        return
    n = sample_size(0.95, rate, k, population=population)
    assert k < n <= population
    assert stats.hypergeom.cdf(k, population, deviating, n) <= 0.05 + 1e-12
    assert n == k + 1 or stats.hypergeom.cdf(k, population, deviating, n - 1) > 0.05


# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    "kwargs,fragment",
    [
        ({"confidence": 1.0}, "置信水平"),
        ({"confidence": 0}, "置信水平"),
        ({"confidence": 95}, "置信水平"),
        ({"confidence": "0.95"}, "置信水平"),
        ({"confidence": True}, "置信水平"),
        ({"tolerable_rate": 0}, "可容忍偏差率"),
        ({"tolerable_rate": 1.2}, "可容忍偏差率"),
        ({"tolerable_rate": float("nan")}, "可容忍偏差率"),
        ({"expected_deviations": -1}, "预期偏差数"),
        ({"expected_deviations": 1.5}, "预期偏差数"),
        ({"population": 0}, "总体数量"),
        ({"population": 12.0}, "总体数量"),
    ],
)
def test_invalid_input_chinese_message(kwargs, fragment):
    with pytest.raises(ValueError, match=fragment):
        sample_size(**kwargs)
