"""Row rules of ledger.md: required and conditionally required cells, category within its
举报类型, 受理时间 within the period, duplicate 举报编号; all errors reported."""
import pytest

from importers import columns as col
from importers import read_ledger
from importers.columns import COLUMNS
from importers.validate import CONDITIONS, parse_period

ALWAYS = [c for c in COLUMNS if c.always_required]


@pytest.mark.parametrize("column", ALWAYS, ids=lambda c: c.key)
@pytest.mark.parametrize("empty", ["", "  ", "\u3000"])
def test_always_required_cell_must_not_be_empty(kit, column, empty):
    result = kit.read_rows([kit.valid_row(**{column.key: empty})])
    assert (2, column.header, "") in kit.error_cells(result)
    assert any(e.column == column.header and "必填" in e.message for e in result.errors)


def test_every_conditional_column_has_a_condition():
    conditional = {c.key for c in COLUMNS if c.required not in ("always", "no")}
    assert conditional == set(CONDITIONS)


# (column, row making the condition true, row making it false) for every conditional column
PERSONAL = dict(subject_type="涉个人", category="网络暴力", reporter_role="个人")
OPEN = dict(status="办理中", disposed_at="", reviewer_id="", facts_clear="", measures="")
CASES = {
    "enterprise_tier": ({}, PERSONAL),
    "rejection_reason": (dict(acceptance="不予受理", facts_clear="", measures=""), {}),
    "supplement_reason": (dict(supplement_requested_at="2026-10-08 15:00"), {}),
    "facts_clear": ({}, dict(acceptance="待补充材料")),
    "interim_measure_at": (dict(interim_measure="限时加私"), dict(interim_measure="无")),
    "measures": ({}, OPEN),
    "disposed_at": ({}, OPEN),
    "feedback_channel": ({}, dict(feedback_at="")),
    "reviewer_id": ({}, OPEN),
}


@pytest.mark.parametrize("key", sorted(CASES))
def test_conditional_requirement(kit, key):
    holds, does_not_hold = CASES[key]
    header = col.BY_KEY[key].header
    result = kit.read_rows([kit.valid_row(**{**holds, key: ""})])
    assert kit.error_cells(result) == [(2, header, "")]
    assert "时必填" in result.errors[0].message
    result = kit.read_rows([kit.valid_row(**{**does_not_hold, key: ""})])
    assert result.ok, result.errors


def test_interim_measure_empty_needs_no_time(kit):
    assert kit.read_rows([kit.valid_row(interim_measure="", interim_measure_at="")]).ok
    ok = kit.read_rows([kit.valid_row(interim_measure="争议标记", interim_measure_at="2026-10-09")])
    assert ok.ok


def test_feedback_channel_required_with_any_feedback_time(kit):
    result = kit.read_rows([kit.valid_row(feedback_at="not a date", feedback_channel="")])
    assert [(e.column) for e in result.errors] == ["反馈时间", "反馈方式"]


def test_category_must_belong_to_its_subject_type(kit):
    for subject, categories in col.CATEGORIES_BY_SUBJECT.items():
        other = [c for c in col.ALL_CATEGORIES if c not in categories]
        for category in other:
            result = kit.read_rows([kit.valid_row(subject_type=subject, category=category, enterprise_tier="上市")])
            assert kit.error_cells(result) == [(2, "侵权类别", category)]
            message = result.errors[0].message
            assert f"“{category}”不属于举报类型“{subject}”" in message and "、".join(categories) in message


def test_unknown_subject_type_is_one_error_not_two(kit):
    result = kit.read_rows([kit.valid_row(subject_type="涉政府")])
    assert [e.column for e in result.errors] == ["举报类型"]


@pytest.mark.parametrize("received, ok", [
    ("2026-10-31 23:59:59", True), ("2026-10-31", True), ("2026-10-01 00:00:00", True),
    ("2026-09-15 08:00", True), ("2025-01-01", True),  # earlier reports still open are listed again
    ("2026-11-01 00:00:00", False), ("2026-11-01", False), ("2027-01-01", False),
])
def test_received_at_not_later_than_the_end_of_the_period(kit, received, ok):
    result = kit.read_rows([kit.valid_row(received_at=received, disposed_at="2026-10-31", feedback_at="")])
    if ok:
        assert result.ok, result.errors
    else:
        assert kit.error_cells(result) == [(2, "受理时间", received)]
        assert "2026-10" in result.errors[0].message and "2026-10-31 23:59:59" in result.errors[0].message


def test_period_end_in_december_and_february(kit):
    assert kit.read_rows([kit.valid_row(received_at="2026-12-31 23:59")], period="2026-12").ok
    assert not kit.read_rows([kit.valid_row(received_at="2027-01-01")], period="2026-12").ok
    assert kit.read_rows([kit.valid_row(received_at="2028-02-29 10:00")], period="2028-02").ok
    assert not kit.read_rows([kit.valid_row(received_at="2028-03-01")], period="2028-02").ok


@pytest.mark.parametrize("period", ["2026-13", "2026-1", "202610", "2026/10", "", "abcd-ef", None])
def test_malformed_period_is_a_caller_error(kit, period):
    with pytest.raises(ValueError):
        read_ledger(kit.csv_bytes([kit.valid_row()]), "a.csv", period)
    with pytest.raises(ValueError):
        parse_period(period)


def test_duplicate_report_id_is_reported_on_later_rows_naming_the_first(kit):
    rows = [kit.valid_row(report_id="A"), kit.valid_row(report_id="B"), kit.valid_row(report_id=" A "),
            {}, kit.valid_row(report_id="A"), kit.valid_row(report_id="a")]
    result = kit.read_rows(rows)
    assert kit.error_cells(result) == [(4, "举报编号", "A"), (6, "举报编号", "A")]
    assert all("与第 2 行重复" in e.message for e in result.errors)


def test_empty_report_ids_are_not_duplicates(kit):
    result = kit.read_rows([kit.valid_row(report_id=""), kit.valid_row(report_id="")])
    assert [e.message for e in result.errors if "重复" in e.message] == []
    assert len(result.errors) == 2


def test_all_errors_are_reported_sorted_by_row_then_column(kit):
    rows = [kit.valid_row(report_id="A", note="x" * 1001, subject_type="?"),
            kit.valid_row(report_id="A", handler_id="", received_at="昨天")]
    result = kit.read_rows(rows)
    assert [(e.row, e.column) for e in result.errors] == [
        (2, "举报类型"), (2, "备注"), (3, "举报编号"), (3, "受理时间"), (3, "承办人")]
    frame = result.error_frame
    assert list(frame.columns) == ["row", "column", "value", "message"]
    assert frame["row"].tolist() == [2, 2, 3, 3, 3]
    assert result.frame is None and not result.ok


def test_impossible_chronology_is_not_an_import_error(kit):
    # PRO-04 is a finding of the rule engine: the office must see what the platform recorded.
    row = kit.valid_row(received_at="2026-10-10", disposed_at="2026-10-01", feedback_at="2026-09-01")
    assert kit.read_rows([row]).ok


def test_missing_extension_note_and_redaction_are_not_import_errors(kit):
    row = kit.valid_row(extended="是", extension_note="", publisher_notified="是", reporter_redacted="")
    assert kit.read_rows([row]).ok  # rules TIM-03 and PRO-02
