"""Indicators of scoring.md, each formula against hand-computed values."""

import math

import pytest

from scoring import (
    DEFAULT_MODEL,
    ScoringInput,
    ScoringModel,
    compute_indicators,
    compute_league,
    mean_interval,
    province_values,
    rating_counts,
    shrink,
    wilson_interval,
)

NO_SHRINK = ScoringModel(version="test-k0", shrinkage_k=0)
PROVINCE_100 = {k: 100.0 for k in ("timeliness", "correctness", "feedback", "process", "rectification", "satisfaction")}


def values(item, model=NO_SHRINK, province=PROVINCE_100):
    return {k: r.value for k, r in compute_indicators(item, province, model).items()}


# --------------------------------------------------------------------------- helpers


def test_wilson_by_hand():
    lo, hi = wilson_interval(8, 10)
    # z = 1.959964: centre (0.8 + 0.19207) / 1.38415 = 0.71674, half 0.22657
    assert lo == pytest.approx(49.016, abs=1e-3)
    assert hi == pytest.approx(94.331, abs=1e-3)


def test_wilson_extremes():
    z2 = 1.959963984540054**2
    lo, hi = wilson_interval(0, 10)
    assert lo == 0.0 and hi == pytest.approx(100 * z2 / (10 + z2), abs=1e-9)
    lo, hi = wilson_interval(10, 10)
    assert hi == 100.0 and lo == pytest.approx(100 * 10 / (10 + z2), abs=1e-9)
    assert wilson_interval(0, 0) is None


def test_mean_interval_by_hand():
    # two 4-star, two 5-star: 80, 80, 100, 100 -> mean 90, s = 11.547, t(0.975, 3) = 3.182446
    lo, hi = mean_interval([0, 30, 60, 80, 100], [0, 0, 0, 2, 2])
    assert lo == pytest.approx(90 - 3.182446 * 11.547005 / 2, abs=1e-4)
    assert hi == 100.0  # clipped
    assert mean_interval([0, 30, 60, 80, 100], [0, 0, 0, 0, 1]) == (0.0, 100.0)
    assert mean_interval([0, 30, 60, 80, 100], [0, 0, 0, 0, 0]) is None


def test_shrink_formula():
    # (n·raw + k·province) / (n + k)
    assert shrink(100.0, 3, 80.0, 20) == pytest.approx((3 * 100 + 20 * 80) / 23)
    assert shrink(None, 0, 80.0, 20) == 80.0
    assert shrink(50.0, 0, 80.0, 20) == 80.0
    assert shrink(50.0, 10, 80.0, 0) == 50.0


def test_rating_counts():
    assert rating_counts([5, 5, 1, 3]) == (1, 0, 1, 0, 2)
    with pytest.raises(ValueError, match="1–5"):
        rating_counts([6])


# --------------------------------------------------------------------------- each indicator


def test_timeliness_share():
    item = ScoringInput("A", timeliness_total=40, timeliness_ok=30)
    assert values(item)["timeliness"] == 75.0


def test_correctness_times_manual_deviation_factor():
    # 9 of 10 concluded without ACC/DIS; sample of 20 reviewed with 2 不合规 -> 90 × 0.9
    item = ScoringInput("A", concluded_total=10, correctness_ok=9, feedback_ok=10,
                        audit_reviewed=20, audit_deviations=2)
    res = compute_indicators(item, PROVINCE_100, NO_SHRINK)["correctness"]
    assert res.raw == pytest.approx(81.0)
    assert res.value == pytest.approx(81.0)
    lo, hi = wilson_interval(9, 10)
    assert res.interval == pytest.approx((lo * 0.9, hi * 0.9))


def test_correctness_without_sample_is_the_share():
    item = ScoringInput("A", concluded_total=10, correctness_ok=9, feedback_ok=10)
    assert values(item)["correctness"] == pytest.approx(90.0)


def test_feedback_and_process_shares():
    item = ScoringInput("A", concluded_total=8, correctness_ok=8, feedback_ok=6,
                        received_total=20, process_ok=19)
    v = values(item)
    assert v["feedback"] == 75.0
    assert v["process"] == 95.0


@pytest.mark.parametrize(
    "received,substantiated,expected",
    [
        (20_000, 3, 85.0),     # 1.5 per 10,000 -> 100 - 10 × 1.5
        (10_000, 10, 0.0),     # 10 per 10,000 -> 0
        (100, 1, 0.0),         # 100 per 10,000 -> floored at 0
        (50_000, 1, 98.0),     # 0.2 per 10,000
        (5, 0, 100.0),
        (0, 0, 100.0),         # no reports, no complaint
        (0, 2, 0.0),           # complaints upheld against a platform with no reports
    ],
)
def test_complaints(received, substantiated, expected):
    item = ScoringInput("A", received_total=received, process_ok=received,
                        complaints_substantiated=substantiated)
    res = compute_indicators(item, PROVINCE_100, DEFAULT_MODEL)["complaints"]
    assert res.value == pytest.approx(expected)
    assert res.raw == res.value  # not shrunk: it is not a share


def test_complaints_not_shrunk_even_with_default_k():
    item = ScoringInput("A", received_total=20_000, process_ok=20_000, complaints_substantiated=3)
    assert values(item, DEFAULT_MODEL, {**PROVINCE_100, "complaints": 40.0})["complaints"] == pytest.approx(85.0)


def test_rectification_share_and_none_due():
    item = ScoringInput("A", notice_items_due=4, notice_items_on_time=3)
    assert values(item)["rectification"] == 75.0
    none_due = compute_indicators(ScoringInput("A"), {**PROVINCE_100, "rectification": 40.0}, DEFAULT_MODEL)
    assert none_due["rectification"].value == 100.0  # "100 when none were due", not the province
    assert none_due["rectification"].raw is None


def test_satisfaction_mapping():
    # 5→100, 4→80, 3→60, 2→30, 1→0
    assert values(ScoringInput("A", ratings=(1, 1, 1, 1, 1)))["satisfaction"] == pytest.approx(54.0)
    assert values(ScoringInput("A", ratings=(0, 3, 0, 0, 0)))["satisfaction"] == pytest.approx(30.0)
    assert values(ScoringInput("A", ratings=(0, 0, 0, 0, 7)))["satisfaction"] == pytest.approx(100.0)


# --------------------------------------------------------------------------- worked example

P1 = ScoringInput("P1", timeliness_total=10, timeliness_ok=8, concluded_total=10, correctness_ok=9,
                  feedback_ok=10, received_total=10, process_ok=10, ratings=(0, 0, 1, 0, 1))
P2 = ScoringInput("P2", timeliness_total=10, timeliness_ok=10, concluded_total=10, correctness_ok=10,
                  feedback_ok=5, received_total=10, process_ok=5, notice_items_due=2,
                  notice_items_on_time=1)


def test_province_values_pooled():
    prov = province_values([P1, P2])
    assert prov["timeliness"] == pytest.approx(90.0)      # 18 / 20
    assert prov["correctness"] == pytest.approx(95.0)     # 19 / 20
    assert prov["feedback"] == pytest.approx(75.0)        # 15 / 20
    assert prov["process"] == pytest.approx(75.0)         # 15 / 20
    assert prov["rectification"] == pytest.approx(50.0)   # 1 / 2
    assert prov["satisfaction"] == pytest.approx(80.0)    # (60 + 100) / 2
    assert prov["complaints"] == pytest.approx(100.0)


def test_worked_example_indicators_and_scores():
    # k = 20: (n·raw + 20·province) / (n + 20)
    cards = {c.platform_code: c for c in compute_league([P1, P2])}
    p1 = {k: r.value for k, r in cards["P1"].indicators.items()}
    assert p1["timeliness"] == pytest.approx((10 * 80 + 20 * 90) / 30)      # 86.667
    assert p1["correctness"] == pytest.approx((10 * 90 + 20 * 95) / 30)     # 93.333
    assert p1["feedback"] == pytest.approx((10 * 100 + 20 * 75) / 30)       # 83.333
    assert p1["process"] == pytest.approx((10 * 100 + 20 * 75) / 30)        # 83.333
    assert p1["complaints"] == 100.0
    assert p1["rectification"] == 100.0                                     # none due
    assert p1["satisfaction"] == pytest.approx((2 * 80 + 20 * 80) / 22)     # 80
    # 25·.86667 + 25·.93333 + 10·.83333 + 10·.83333 + 10 + 10 + 8 = 89.667
    assert cards["P1"].score == pytest.approx(89.666666667, abs=1e-9)
    assert cards["P1"].grade == "良好"

    p2 = {k: r.value for k, r in cards["P2"].indicators.items()}
    assert p2["timeliness"] == pytest.approx((10 * 100 + 20 * 90) / 30)     # 93.333
    assert p2["correctness"] == pytest.approx((10 * 100 + 20 * 95) / 30)    # 96.667
    assert p2["feedback"] == pytest.approx((10 * 50 + 20 * 75) / 30)        # 66.667
    assert p2["process"] == pytest.approx((10 * 50 + 20 * 75) / 30)         # 66.667
    assert p2["rectification"] == pytest.approx((2 * 50 + 20 * 50) / 22)    # 50
    assert p2["satisfaction"] == pytest.approx(80.0)                        # no rating: province
    # 23.333 + 24.167 + 6.667 + 6.667 + 10 + 5 + 8 = 83.833
    assert cards["P2"].score == pytest.approx(83.833333333, abs=1e-9)
    assert (cards["P1"].rank, cards["P2"].rank) == (1, 2)


def test_raw_values_and_intervals_are_reported():
    res = compute_indicators(P1, province_values([P1, P2]))
    t = res["timeliness"]
    assert (t.raw, t.n, t.province) == (80.0, 10, pytest.approx(90.0))
    assert t.interval == pytest.approx(wilson_interval(8, 10))
    assert res["satisfaction"].raw == 80.0 and res["satisfaction"].n == 2
    assert res["complaints"].interval is None
    assert t.points == pytest.approx(25 * t.value / 100)
    assert t.points_lost == pytest.approx(25 - t.points)


# --------------------------------------------------------------------------- edge cases


def test_small_numbers_do_not_top_the_league():
    # 3 perfect reports vs 1,000 reports at 97 %: raw shares would put the small one first
    small = ScoringInput("SMALL", timeliness_total=3, timeliness_ok=3, concluded_total=3, correctness_ok=3,
                         feedback_ok=3, received_total=3, process_ok=3)
    big = ScoringInput("BIG", timeliness_total=1000, timeliness_ok=970, concluded_total=1000,
                       correctness_ok=970, feedback_ok=970, received_total=1000, process_ok=970)
    weak = [ScoringInput(f"W{i}", timeliness_total=200, timeliness_ok=120, concluded_total=200,
                         correctness_ok=120, feedback_ok=120, received_total=200, process_ok=120)
            for i in range(5)]
    cards = compute_league([small, big, *weak])
    assert cards[0].platform_code == "BIG"
    raw_rank = compute_league([small, big, *weak], NO_SHRINK)
    assert raw_rank[0].platform_code == "SMALL"  # what shrinkage prevents


def test_zero_reports_platform_gets_province_values():
    empty = ScoringInput("EMPTY")
    prov = province_values([P1, P2, empty])
    res = compute_indicators(empty, prov)
    for key in ("timeliness", "correctness", "feedback", "process", "satisfaction"):
        assert res[key].raw is None and res[key].interval is None
        assert res[key].value == prov[key]
    assert res["complaints"].value == 100.0
    assert res["rectification"].value == 100.0


def test_empty_province_uses_no_data_value():
    prov = province_values([ScoringInput("A"), ScoringInput("B")])
    assert all(v == 100.0 for v in prov.values())
    card = compute_league([ScoringInput("A")])[0]
    assert card.score == 100.0 and card.grade == "优秀"


@pytest.mark.parametrize(
    "kwargs,fragment",
    [
        ({"timeliness_total": 1, "timeliness_ok": 2}, "按时办理数"),
        ({"concluded_total": 1, "feedback_ok": 2}, "按时反馈数"),
        ({"audit_reviewed": 1, "audit_deviations": 2}, "抽查不合规数"),
        ({"received_total": -1}, "非负整数"),
        ({"received_total": 1.5}, "非负整数"),
        ({"received_total": True}, "非负整数"),
        ({"ratings": (1, 2, 3)}, "满意度"),
        ({"months": 1, "led01": 2}, "LED-01"),
        ({"months": 0, "months_reported": 0}, "月份数"),
    ],
)
def test_input_validation(kwargs, fragment):
    with pytest.raises(ValueError, match=fragment):
        ScoringInput("A", **kwargs)


def test_platform_code_required():
    with pytest.raises(ValueError, match="平台代码"):
        ScoringInput(" ")


def test_no_nan_anywhere():
    cards = compute_league([P1, P2, ScoringInput("EMPTY"), ScoringInput("GONE", months_reported=0)])
    for card in cards:
        for res in card.indicators.values():
            assert math.isfinite(res.value)
