"""Value rules of ledger.md: enumerations, 是/否, multi-valued cells, lengths, required cells."""
import pytest

from importers import columns as col
from importers.columns import COLUMNS, ENUM, FLAG, MULTI, TEXT

ENUM_COLUMNS = [c for c in COLUMNS if c.kind == ENUM]
FLAG_COLUMNS = [c for c in COLUMNS if c.kind == FLAG]
MULTI_COLUMNS = [c for c in COLUMNS if c.kind == MULTI]
TEXT_COLUMNS = [c for c in COLUMNS if c.kind == TEXT and c.max_length]


def row_with(kit, key, value):
    """A valid row with `key` set to `value`, other cells adjusted so that only `key` matters."""
    changes = {key: value}
    value = value.strip()
    if key == "subject_type" and value == "涉个人":
        changes["category"] = "网络暴力"
    if key == "category":
        changes["subject_type"] = "涉企" if value in col.ENTERPRISE_CATEGORIES else "涉个人"
    if key == "acceptance" and value == "不予受理":
        changes["rejection_reason"] = "材料不全"
    if key == "interim_measure" and value not in ("无", ""):
        changes["interim_measure_at"] = "2026-10-08 15:00"
    return kit.valid_row(**changes)


@pytest.mark.parametrize("column, value", [(c, v) for c in ENUM_COLUMNS for v in c.values],
                         ids=lambda x: getattr(x, "key", x))
def test_every_enumeration_value_is_accepted(kit, column, value):
    result = kit.read_rows([row_with(kit, column.key, f" {value}\u3000")])  # trimmed
    assert result.ok, result.errors
    assert result.frame.loc[0, column.key] == value


@pytest.mark.parametrize("column", ENUM_COLUMNS, ids=lambda c: c.key)
def test_value_outside_an_enumeration_is_an_error(kit, column):
    bad = column.values[0] + "类"
    result = kit.read_rows([row_with(kit, column.key, bad)])
    assert kit.error_cells(result) == [(2, column.header, bad)]
    assert "不在允许范围" in result.errors[0].message and "、".join(column.values) in result.errors[0].message


def test_enumerations_are_case_and_spelling_exact(kit):
    result = kit.read_rows([kit.valid_row(subject_type="涉 企"), kit.valid_row(report_id="B", feedback_channel="站内短信")])
    assert [(e.row, e.column) for e in result.errors] == [(2, "举报类型"), (3, "反馈方式")]


@pytest.mark.parametrize("key", ["interim_measure", "account_action"])
def test_empty_interim_measure_and_account_action_mean_none(kit, key):
    result = kit.read_rows([kit.valid_row(**{key: ""})])
    assert result.frame.loc[0, key] == "无"


# 是/否 flags ---------------------------------------------------------------------------------
TRUE_FORMS = ["是", "Y", "y", "yes", "YES", "Yes", "true", "TRUE", "1", " 是 "]
FALSE_FORMS = ["否", "N", "n", "no", "NO", "false", "False", "0"]


@pytest.mark.parametrize("column", FLAG_COLUMNS, ids=lambda c: c.key)
def test_every_flag_spelling(kit, column):
    rows = [kit.valid_row(report_id=f"T{i}", **{column.key: v}) for i, v in enumerate(TRUE_FORMS)]
    rows += [kit.valid_row(report_id=f"F{i}", **{column.key: v}) for i, v in enumerate(FALSE_FORMS)]
    result = kit.read_rows(rows)
    assert result.ok, result.errors
    assert result.frame[column.key].tolist() == [True] * len(TRUE_FORMS) + [False] * len(FALSE_FORMS)


def test_columns_module_spellings_are_the_ones_accepted():
    assert set(col.TRUE_SPELLINGS) == {"是", "y", "yes", "true", "1"}
    assert set(col.FALSE_SPELLINGS) == {"否", "n", "no", "false", "0"}


@pytest.mark.parametrize("column", FLAG_COLUMNS, ids=lambda c: c.key)
@pytest.mark.parametrize("bad", ["对", "2", "t", "yes!", "是否"])
def test_other_flag_values_are_errors(kit, column, bad):
    result = kit.read_rows([kit.valid_row(**{column.key: bad})])
    assert kit.error_cells(result) == [(2, column.header, bad)]
    assert "是" in result.errors[0].message and "否" in result.errors[0].message


def test_xlsx_boolean_cells_are_flags(kit):
    result = kit.read_rows([kit.valid_row(extended=True, objection=False)], kind="xlsx")
    assert result.ok and bool(result.frame.loc[0, "extended"]) is True and bool(result.frame.loc[0, "objection"]) is False


def test_empty_optional_flag_means_no_but_empty_facts_clear_is_undetermined(kit):
    row = kit.valid_row(status="办理中", facts_clear="", measures="", disposed_at="", reviewer_id="",
                        feedback_at="", feedback_channel="", extended="")
    result = kit.read_rows([row, kit.valid_row(report_id="B", facts_clear="否")])
    assert result.ok, result.errors
    frame = result.frame
    assert frame["extended"].dtype == bool and frame["extended"].tolist() == [False, False]
    assert str(frame["facts_clear"].dtype) == "boolean"
    assert frame["facts_clear"].isna().tolist() == [True, False]
    assert frame.loc[1, "facts_clear"] == False  # noqa: E712


# Multi-valued cells ------------------------------------------------------------------------------
@pytest.mark.parametrize("column", MULTI_COLUMNS, ids=lambda c: c.key)
def test_every_multi_value_is_accepted(kit, column):
    values = [v for v in column.values if v != col.NO_ACTION]
    result = kit.read_rows([kit.valid_row(**{column.key: "；".join(reversed(values))})])
    assert result.ok, result.errors
    assert result.frame.loc[0, column.key] == "；".join(values)  # spec order


@pytest.mark.parametrize("separator", ["；", ";", "，", ",", "、", "\n", "\r\n", " ； "])
def test_multi_value_separators(kit, separator):
    result = kit.read_rows([kit.valid_row(measures=f"屏蔽{separator}删除", evidence_types=f"其他{separator}权属证书")])
    assert result.ok, result.errors
    assert result.frame.loc[0, "measures"] == "删除；屏蔽"
    assert result.frame.loc[0, "evidence_types"] == "权属证书；其他"


def test_multi_values_are_deduplicated_and_empty_parts_ignored(kit):
    result = kit.read_rows([kit.valid_row(measures="删除；；删除，", circumstances="")])
    assert result.frame.loc[0, "measures"] == "删除"
    assert result.frame.loc[0, "circumstances"] == ""


@pytest.mark.parametrize("column", MULTI_COLUMNS, ids=lambda c: c.key)
def test_value_outside_a_multi_enumeration_is_an_error(kit, column):
    cell = f"{column.values[0]}、不存在的值"
    result = kit.read_rows([kit.valid_row(**{column.key: cell})])
    assert kit.error_cells(result) == [(2, column.header, cell)]
    assert "“不存在的值”" in result.errors[0].message


def test_space_separated_values_are_not_split(kit):
    result = kit.read_rows([kit.valid_row(measures="删除 屏蔽")])
    assert kit.error_cells(result) == [(2, "处置措施", "删除 屏蔽")]


def test_no_action_must_stand_alone(kit):
    alone = kit.read_rows([kit.valid_row(measures="无需处置")])
    assert alone.ok and alone.frame.loc[0, "measures"] == "无需处置"
    twice = kit.read_rows([kit.valid_row(measures="无需处置；无需处置")])
    assert twice.ok
    mixed = kit.read_rows([kit.valid_row(measures="无需处置、澄清回应")])
    assert kit.error_cells(mixed) == [(2, "处置措施", "无需处置、澄清回应")]
    assert "无需处置" in mixed.errors[0].message


# Lengths -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("column", TEXT_COLUMNS, ids=lambda c: c.key)
def test_text_length_counts_characters(kit, column):
    at_limit = "举" * column.max_length  # three bytes each in UTF-8
    result = kit.read_rows([kit.valid_row(**{column.key: at_limit})])
    assert result.ok, result.errors
    over = at_limit + "x"
    result = kit.read_rows([kit.valid_row(**{column.key: over})])
    assert kit.error_cells(result) == [(2, column.header, over)]
    assert f"超过 {column.max_length} 个字符" in result.errors[0].message
    assert f"共 {column.max_length + 1} 个字符" in result.errors[0].message


def test_length_is_measured_after_trimming(kit):
    result = kit.read_rows([kit.valid_row(handler_id="  " + "h" * 64 + "  ")])
    assert result.ok
