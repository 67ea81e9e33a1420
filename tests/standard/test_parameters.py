"""Provincial parameters: defaults, validation, serialisation."""
from __future__ import annotations

import dataclasses

import pytest

from supervision.standard.parameters import DEFAULT_PARAMETERS, PARAMETER_SPECS, ParameterError, Parameters


def test_defaults_are_those_of_rules_md_and_workflows_md():
    assert Parameters().to_dict() == {
        "simple_case_working_days": 3, "complex_case_working_days": 7, "fast_channel_hours": 24,
        "feedback_working_days": 1, "ledger_due_working_day": 5, "retention_months": 6,
        "accept_working_days": 2, "platform_response_working_days": 5, "close_working_days": 15,
        "complaint_warning_percent": 80, "complaint_pii_retention_months": 36, "rectification_working_days": 15,
    }
    assert [s.name for s in PARAMETER_SPECS] == list(DEFAULT_PARAMETERS.to_dict())


def test_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        DEFAULT_PARAMETERS.simple_case_working_days = 5


def test_round_trip_and_digest():
    p = Parameters(simple_case_working_days=2, fast_channel_hours=12)
    assert Parameters.from_dict(p.to_dict()) == p
    assert Parameters.from_json(p.to_json()) == p
    assert p.digest() != DEFAULT_PARAMETERS.digest()
    assert Parameters.from_dict({}).digest() == DEFAULT_PARAMETERS.digest()
    assert p.changes_from(DEFAULT_PARAMETERS) == {"simple_case_working_days": (3, 2), "fast_channel_hours": (24, 12)}


def test_form_strings_are_accepted():
    assert Parameters.from_dict({"feedback_working_days": " 2 "}).feedback_working_days == 2
    assert DEFAULT_PARAMETERS.replace(retention_months="12").retention_months == 12


@pytest.mark.parametrize("changes, field", [
    ({"simple_case_working_days": 0}, "simple_case_working_days"),
    ({"simple_case_working_days": "三"}, "simple_case_working_days"),
    ({"complex_case_working_days": 2}, "complex_case_working_days"),  # shorter than simple
    ({"fast_channel_hours": True}, "fast_channel_hours"),
    ({"fast_channel_hours": 1.5}, "fast_channel_hours"),
    ({"feedback_working_days": None}, "feedback_working_days"),
    ({"ledger_due_working_day": 16}, "ledger_due_working_day"),
    ({"retention_months": 5}, "retention_months"),  # 规范 第二十八条: at least six months
    ({"unknown": 1}, "unknown"),
])
def test_invalid_values_are_rejected_with_chinese_messages(changes, field):
    with pytest.raises(ParameterError) as e:
        Parameters.from_dict(changes)
    assert field in e.value.errors
    assert any("\u4e00" <= ch <= "\u9fff" for ch in e.value.errors[field])


def test_constructor_validates_too():
    with pytest.raises(ParameterError):
        Parameters(simple_case_working_days=8)  # longer than the complex-case limit
    assert Parameters(simple_case_working_days=7).simple_case_working_days == 7


def test_all_errors_reported_at_once():
    with pytest.raises(ParameterError) as e:
        Parameters.from_dict({"fast_channel_hours": 0, "retention_months": 1, "x": 2})
    assert set(e.value.errors) == {"fast_channel_hours", "retention_months", "x"}
