"""Scores, deductions, grades, 未报送, ranks, periods, the CSV and the model version."""

import csv
import io
import random

import pytest

from scoring import (
    CSV_COLUMNS,
    DEFAULT_MODEL,
    INDICATORS,
    MODEL_VERSION,
    ScoringInput,
    ScoringModel,
    aggregate,
    aggregate_by_platform,
    compute_league,
    compute_scorecard,
    display_round,
    province_values,
    scores_csv,
)

NO_SHRINK = ScoringModel(version="test-k0", shrinkage_k=0)


def perfect(code, n=100, **kw):
    base = dict(timeliness_total=n, timeliness_ok=n, concluded_total=n, correctness_ok=n, feedback_ok=n,
                received_total=n, process_ok=n, ratings=(0, 0, 0, 0, 1))
    base.update(kw)
    return ScoringInput(code, **base)


def with_timeliness(code, ok, n=100, **kw):
    return perfect(code, n, timeliness_ok=ok, **kw)


def score_of(item, model=NO_SHRINK):
    prov = province_values([item], model)
    return compute_scorecard(item, prov, model)


# --------------------------------------------------------------------------- score and deductions


def test_score_is_weighted_sum():
    # only timeliness at 60 %: 100 - 25 × 0.4 = 90
    card = score_of(with_timeliness("A", 60))
    assert card.score == pytest.approx(90.0)
    assert card.weighted_total == pytest.approx(90.0)


@pytest.mark.parametrize(
    "led,expected",
    [
        ({"led01": 1}, 80.0),
        ({"led02": 1}, 95.0),
        ({"led03": 1}, 95.0),
        ({"led02": 1, "led03": 1}, 90.0),
        ({"led01": 1, "led02": 1, "led03": 1}, 70.0),
    ],
)
def test_deductions(led, expected):
    card = score_of(perfect("A", **led))
    assert card.score == pytest.approx(expected)
    assert card.deductions == {
        "LED-01": 20.0 * led.get("led01", 0),
        "LED-02": 5.0 * led.get("led02", 0),
        "LED-03": 5.0 * led.get("led03", 0),
    }


def test_score_floored_at_zero():
    bad = ScoringInput("A", timeliness_total=10, concluded_total=10, received_total=10,
                       complaints_substantiated=5, ratings=(3, 0, 0, 0, 0), notice_items_due=2,
                       led01=1)
    card = score_of(bad)
    assert card.weighted_total == pytest.approx(0.0)
    assert card.score == 0.0 and card.grade == "不合格"


@pytest.mark.parametrize(
    "score,grade",
    [(100, "优秀"), (90, "优秀"), (89.999999, "良好"), (80, "良好"), (79.95, "合格"), (60, "合格"),
     (59.99, "不合格"), (0, "不合格")],
)
def test_grade_bounds(score, grade):
    assert DEFAULT_MODEL.grade(score) == grade


def test_grade_uses_unrounded_score():
    # timeliness 59.98 %: 100 - 25 × 0.4002 = 89.995 -> shown "90.0" but graded 良好
    card = score_of(with_timeliness("A", 5998, n=10000))
    assert card.score == pytest.approx(89.995)
    assert card.display_score == "90.0"
    assert card.grade == "良好"


def test_display_round_half_up():
    assert display_round(89.95) == "90.0"
    assert display_round(0.05) == "0.1"
    assert display_round(2.25) == "2.3"
    assert display_round(None) == ""


# --------------------------------------------------------------------------- 未报送 and ranks


def test_not_reported_graded_and_listed_last():
    cards = compute_league([
        ScoringInput("AAA", months_reported=0, led01=1, ratings=(0, 0, 0, 0, 3)),
        with_timeliness("ZZZ", 50),
        perfect("MMM"),
    ])
    assert [c.platform_code for c in cards] == ["MMM", "ZZZ", "AAA"]
    last = cards[-1]
    assert last.grade == "未报送" and last.score is None and last.rank is None and last.rank_range is None
    assert [c.rank for c in cards[:2]] == [1, 2]


def test_ties_share_rank():
    cards = compute_league([perfect("B"), perfect("A"), with_timeliness("C", 10)])
    assert [(c.platform_code, c.rank) for c in cards] == [("A", 1), ("B", 1), ("C", 3)]


def test_change_against_previous_month():
    cards = compute_league([perfect("A"), with_timeliness("B", 60)], NO_SHRINK,
                           previous_scores={"A": 95.0, "B": None})
    by = {c.platform_code: c for c in cards}
    assert by["A"].change == pytest.approx(5.0)
    assert by["B"].change is None


def test_same_data_same_scores_whatever_the_order():
    rnd = random.Random(3)
    items = []
    for i in range(30):
        n = rnd.randint(0, 400)
        ok = rnd.randint(0, n)
        items.append(ScoringInput(f"P{i:02d}", timeliness_total=n, timeliness_ok=ok, concluded_total=n,
                                  correctness_ok=rnd.randint(0, n), feedback_ok=rnd.randint(0, n),
                                  received_total=n, process_ok=rnd.randint(0, n),
                                  complaints_substantiated=rnd.randint(0, 2),
                                  ratings=tuple(rnd.randint(0, 4) for _ in range(5)),
                                  led02=rnd.randint(0, 1)))
    first = compute_league(items)
    shuffled = list(items)
    rnd.shuffle(shuffled)
    assert compute_league(shuffled) == first
    assert scores_csv(compute_league(shuffled)) == scores_csv(first)


def test_model_version_recorded():
    card = compute_league([perfect("A")])[0]
    assert card.model_version == MODEL_VERSION == DEFAULT_MODEL.version
    assert compute_league([perfect("A")], NO_SHRINK)[0].model_version == "test-k0"


def test_duplicate_platform_rejected():
    with pytest.raises(ValueError, match="只能有一条"):
        compute_league([perfect("A"), perfect("A")])


# --------------------------------------------------------------------------- periods


def test_aggregate_sums_counts():
    m1 = ScoringInput("A", timeliness_total=10, timeliness_ok=10, ratings=(1, 0, 0, 0, 0), led02=1)
    m2 = ScoringInput("A", timeliness_total=90, timeliness_ok=45, ratings=(0, 0, 0, 0, 2))
    m3 = ScoringInput("A", months_reported=0, led01=1)
    q = aggregate([m1, m2, m3])
    assert (q.months, q.months_reported) == (3, 2)
    assert (q.timeliness_total, q.timeliness_ok) == (100, 55)
    assert q.ratings == (1, 0, 0, 0, 2)
    assert (q.led01, q.led02, q.led03) == (1, 1, 0)


def test_quarter_from_summed_counts_not_averaged_scores():
    # month 1: 10/10 on time, month 2: 45/90 -> quarter share 55 %, not the mean of 100 % and 50 %
    m1 = perfect("A", n=10)
    m2 = with_timeliness("A", 45, n=90)
    q = aggregate([m1, m2])
    card = score_of(q)
    assert card.indicators["timeliness"].value == pytest.approx(55.0)
    assert card.score == pytest.approx(100 - 25 * 0.45)
    mean_of_months = (score_of(m1).score + score_of(m2).score) / 2
    assert card.score != pytest.approx(mean_of_months)


def test_quarter_deductions_are_per_month_average():
    months = [perfect("A", led02=1) for _ in range(3)]
    assert score_of(aggregate(months)).score == pytest.approx(95.0)  # same as each month
    one_missing = [perfect("A"), perfect("A"), ScoringInput("A", months_reported=0, led01=1)]
    q = score_of(aggregate(one_missing))
    assert q.reported and q.deductions["LED-01"] == pytest.approx(20 / 3)


def test_quarter_with_no_ledger_is_not_reported():
    q = aggregate([ScoringInput("A", months_reported=0, led01=1)] * 3)
    assert score_of(q).grade == "未报送"


def test_aggregate_rejects_mixed_platforms():
    with pytest.raises(ValueError, match="同一平台"):
        aggregate([perfect("A"), perfect("B")])


def test_aggregate_by_platform():
    out = aggregate_by_platform([perfect("B"), perfect("A"), perfect("B")])
    assert [(i.platform_code, i.months) for i in out] == [("A", 1), ("B", 2)]


# --------------------------------------------------------------------------- CSV


def test_csv_exact_bytes():
    cards = compute_league([perfect("A"), with_timeliness("B", 60), ScoringInput("C", months_reported=0)],
                           NO_SHRINK)
    expected = (
        "platform_code,score,grade,rank,timeliness,correctness,feedback,process,complaints,rectification,satisfaction\n"
        "A,100.0,优秀,1,100.0,100.0,100.0,100.0,100.0,100.0,100.0\n"
        "B,90.0,优秀,2,60.0,100.0,100.0,100.0,100.0,100.0,100.0\n"
        "C,,未报送,,,,,,,,\n"
    ).encode("utf-8")
    assert scores_csv(cards) == expected


def test_csv_columns_contract():
    assert CSV_COLUMNS[:4] == ("platform_code", "score", "grade", "rank")
    assert CSV_COLUMNS[4:] == INDICATORS
    rows = list(csv.DictReader(io.StringIO(scores_csv(compute_league([perfect("X")])).decode("utf-8"))))
    assert rows == [{"platform_code": "X", "score": "100.0", "grade": "优秀", "rank": "1",
                     **{k: "100.0" for k in INDICATORS}}]


def test_csv_of_empty_league_is_header_only():
    assert scores_csv([]) == (",".join(CSV_COLUMNS) + "\n").encode()
