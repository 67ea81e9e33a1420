"""Periods, stored scorecards (round trip) and the admin form of the versioned weights."""
import pytest

from scoring import (DEFAULT_MODEL, INDICATORS, ScoringInput, WeightError, card_from_dict, card_to_dict,
                     compute_league, input_from_dict, input_to_dict, model_from_form, model_from_parameters,
                     month_add, months_back, parse_period, PeriodError)
from scoring.store import canonical_json, digest
from scoring.weights import WEIGHT_SPECS, form_values


# --------------------------------------------------------------------------- periods


@pytest.mark.parametrize("text, kind, months", [
    ("2026-09", "month", ["2026-09"]),
    ("2026-Q3", "quarter", ["2026-07", "2026-08", "2026-09"]),
    ("2026-q1", "quarter", ["2026-01", "2026-02", "2026-03"]),
    ("2026", "year", [f"2026-{m:02d}" for m in range(1, 13)]),
])
def test_parse_period(text, kind, months):
    p = parse_period(text)
    assert p.kind == kind and p.months == months


@pytest.mark.parametrize("text", ["2026-13", "2026-Q5", "9/2026", "", "1999", "2026-9", "2026-00"])
def test_bad_periods_are_refused_in_chinese(text):
    with pytest.raises(PeriodError, match="YYYY-MM"):
        parse_period(text)


def test_previous_periods_and_labels():
    assert parse_period("2026-01").previous().key == "2025-12"
    assert parse_period("2026-Q1").previous().key == "2025-Q4"
    assert parse_period("2026-Q3").previous().key == "2026-Q2"
    assert parse_period("2026").previous().key == "2025"
    assert [p.label for p in (parse_period("2026-09"), parse_period("2026-Q3"), parse_period("2026"))] == [
        "2026年9月", "2026年第3季度", "2026年"]
    assert [p.key for p in parse_period("2026-08").containing()] == ["2026-Q3", "2026"]
    assert parse_period("2026-Q3").containing() == []


def test_month_arithmetic():
    assert month_add("2026-01", -1) == "2025-12" and month_add("2026-12", 1) == "2027-01"
    assert month_add("2026-05", -17) == "2024-12"
    assert months_back("2026-02", 3) == ["2025-12", "2026-01", "2026-02"]


# --------------------------------------------------------------------------- stored cards


def _items():
    return [
        ScoringInput("A", timeliness_total=40, timeliness_ok=30, concluded_total=30, correctness_ok=28,
                     feedback_ok=29, received_total=40, process_ok=39, complaints_substantiated=1,
                     ratings=(0, 1, 0, 2, 5), audit_reviewed=10, audit_deviations=1, led02=1),
        ScoringInput("B", timeliness_total=3, timeliness_ok=3, concluded_total=3, correctness_ok=3, feedback_ok=3,
                     received_total=3, process_ok=3, notice_items_due=2, notice_items_on_time=1),
        ScoringInput("C", months_reported=0, led01=1),
    ]


def test_input_round_trip():
    for item in _items():
        assert input_from_dict(input_to_dict(item)) == item
    with pytest.raises(ValueError, match="未知的评分输入字段"):
        input_from_dict({"platform_code": "A", "bogus": 1})


def test_card_round_trip_keeps_every_number():
    for card in compute_league(_items()):
        back = card_from_dict(card_to_dict(card), change=card.change)
        assert back == card
        for k in INDICATORS:
            assert back.indicators[k].points_lost == card.indicators[k].points_lost


def test_digest_is_canonical():
    assert canonical_json({"b": 1, "a": [1, 2]}) == '{"a":[1,2],"b":1}'
    assert digest({"a": 1, "b": 2}) == digest({"b": 2, "a": 1})
    assert digest({"a": 1}) != digest({"a": 2})


# --------------------------------------------------------------------------- weights


def _form(**changes):
    values = {k: str(v) for k, v in form_values(DEFAULT_MODEL).items()}
    values.update({k: str(v) for k, v in changes.items()})
    return values


def test_form_of_the_defaults_gives_the_default_model():
    assert model_from_form(_form()).fingerprint() == DEFAULT_MODEL.fingerprint()
    assert {s.name for s in WEIGHT_SPECS} == set(form_values(DEFAULT_MODEL))


def test_parameters_round_trip():
    model = model_from_form(_form(weight_timeliness=30, weight_correctness=20, shrinkage_k=10))
    again = model_from_parameters(model.parameters())
    assert again == model and again.fingerprint() == model.fingerprint()
    assert again.weights["timeliness"] == 30 and again.shrinkage_k == 10


def test_weights_must_sum_to_100():
    with pytest.raises(WeightError) as e:
        model_from_form(_form(weight_timeliness=30))
    assert "之和必须为 100" in e.value.errors["_"] and "105" in e.value.errors["_"]


@pytest.mark.parametrize("field, value, fragment", [
    ("weight_feedback", "abc", "必须是数字"),
    ("shrinkage_k", "-1", "应在 0–1000 之间"),
    ("stability_draws", "10.5", "必须是整数"),
    ("stability_seed", "", "请填写随机种子"),
    ("deduction_LED-01", "101", "应在 0–100 之间"),
])
def test_bad_fields_named_in_chinese(field, value, fragment):
    with pytest.raises(WeightError) as e:
        model_from_form(_form(**{field: value}))
    assert fragment in e.value.errors[field]


def test_grade_bounds_and_factors_ordered():
    with pytest.raises(WeightError, match="优秀 > 良好 > 合格"):
        model_from_form(_form(grade_good=95))
    with pytest.raises(WeightError, match="上限必须大于下限"):
        model_from_form(_form(stability_factor_low=1, stability_factor_high=1))


def test_typed_decimals_summing_to_100_are_accepted_exactly():
    model = model_from_form(_form(weight_timeliness="33.3", weight_correctness="16.7", weight_feedback="10",
                                  weight_process="10", weight_complaints="10", weight_rectification="10",
                                  weight_satisfaction="10"))
    assert sum(model.weights.values()) == pytest.approx(100.0, abs=1e-9)
