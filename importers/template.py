"""The Excel template of the ledger (ledger.md), generated from importers.columns only.

Sheet 台账: the 40 headers in order, frozen header row, drop-downs on every enumeration and
是/否 column (lists kept on the hidden sheet 选项), text-length checks, date-time formats.
Sheet 填报说明: one line per column: number, header, key, meaning, when required, allowed
values, maximum length; then the general filling rules.
"""
from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from importers.columns import CATEGORIES_BY_SUBJECT, COLUMNS, DATETIME, ENUM, FLAG, MULTI, TEXT, Column
from importers.datetimes import FORMS_TEXT
from importers.multivalue import SEPARATORS_TEXT
from importers.reader import ACCEPTED_ENCODINGS, LEDGER_SHEET

LISTS_SHEET = "选项"
GUIDE_SHEET = "填报说明"
LAST_ROW = 1048576
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
FLAG_VALUES = ("是", "否")
GUIDE_HEADERS = ("序号", "表头", "英文键", "含义", "是否必填", "允许的值", "最大长度（字符）")
KIND_NAMES = {TEXT: "文本", ENUM: "单选", MULTI: "多选", FLAG: "是/否", DATETIME: "日期时间"}

# "required" of columns.py (ledger.md) → Chinese, for the guide sheet.
REQUIRED_TEXT = {
    "always": "必填",
    "no": "选填",
    "涉企": "举报类型为涉企时必填",
    "不予受理": "受理结果为不予受理时必填",
    "with 17": "填写补充材料要求时间时必填",
    "受理 and 已办结": "受理结果为受理且办理状态为已办结时必填",
    "已办结 and 受理": "受理结果为受理且办理状态为已办结时必填",
    "with 21 ≠ 无": "临时措施不为“无”时必填",
    "已办结": "办理状态为已办结时必填",
    "with 31": "填写反馈时间时必填",
}
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
REQUIRED_FILL = PatternFill("solid", fgColor="FCE4D6")


def allowed_values(column: Column) -> tuple[str, ...]:
    return FLAG_VALUES if column.kind == FLAG else column.values


def column_width(column: Column) -> float:
    if column.kind == DATETIME:
        return 21.0  # "yyyy-mm-dd hh:mm:ss"
    longest = max([len(column.header)] + [len(v) for v in allowed_values(column)])
    if column.kind == MULTI or (column.kind == TEXT and (column.max_length or 0) > 64):
        longest = max(longest, 12)
    return max(10.0, min(40.0, 2.2 * longest + 2))  # CJK characters are about two units wide


def build_template() -> bytes:
    workbook = Workbook()
    ledger = workbook.active
    ledger.title = LEDGER_SHEET
    guide = workbook.create_sheet(GUIDE_SHEET)
    lists = workbook.create_sheet(LISTS_SHEET)
    lists.sheet_state = "hidden"
    _write_ledger_sheet(ledger, lists)
    _write_guide(guide)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write_ledger_sheet(ledger, lists) -> None:
    for column in COLUMNS:
        letter = get_column_letter(column.number)
        cell = ledger.cell(row=1, column=column.number, value=column.header)
        cell.font = Font(bold=True)
        cell.fill = REQUIRED_FILL if column.always_required else HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center")
        ledger.column_dimensions[letter].width = column_width(column)
        cells = f"{letter}2:{letter}{LAST_ROW}"
        if column.kind in (ENUM, MULTI, FLAG):
            ledger.add_data_validation(_list_validation(column, lists, cells))
        elif column.kind == TEXT and column.max_length:
            validation = DataValidation(
                type="textLength", operator="lessThanOrEqual", formula1=str(column.max_length),
                allow_blank=True, showErrorMessage=True, errorTitle="内容过长",
                error=f"“{column.header}”最多 {column.max_length} 个字符",
            )
            validation.add(cells)
            ledger.add_data_validation(validation)
        elif column.kind == DATETIME:
            ledger.column_dimensions[letter].number_format = DATETIME_FORMAT
    ledger.freeze_panes = "A2"
    ledger.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}1"


def _list_validation(column: Column, lists, cells: str) -> DataValidation:
    """A drop-down reading its values from the hidden sheet (no 255-character limit)."""
    values = allowed_values(column)
    letter = get_column_letter(column.number)
    lists.cell(row=1, column=column.number, value=column.header)
    for i, value in enumerate(values, start=2):
        lists.cell(row=i, column=column.number, value=value)
    source = f"{quote_sheetname(LISTS_SHEET)}!${letter}$2:${letter}${len(values) + 1}"
    if column.kind == MULTI:
        # The list offers single values; several may be typed, separated, so no hard stop.
        validation = DataValidation(
            type="list", formula1=source, allow_blank=True, showErrorMessage=False,
            showInputMessage=True, promptTitle="可多选",
            prompt=f"可填多个值，用{SEPARATORS_TEXT}分隔"[:255],
        )
    else:
        validation = DataValidation(
            type="list", formula1=source, allow_blank=True, showErrorMessage=True,
            errorTitle="值不在允许范围内", error=f"“{column.header}”只能填写：{'、'.join(values)}"[:255],
        )
    validation.add(cells)
    return validation


def _write_guide(guide) -> None:
    guide.append(GUIDE_HEADERS)
    for cell in guide[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    for column in COLUMNS:
        guide.append((
            column.number, column.header, column.key,
            f"{column.meaning}（{KIND_NAMES[column.kind]}）",
            REQUIRED_TEXT[column.required],
            "、".join(allowed_values(column)) or ("日期时间，格式见下方说明" if column.kind == DATETIME else ""),
            column.max_length if column.max_length else "",
        ))
    guide.append(())
    for line in general_rules():
        guide.append(("", line))
    for letter, width in zip("ABCDEFG", (6, 18, 26, 60, 36, 80, 16)):
        guide.column_dimensions[letter].width = width
    for row in guide.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    guide.freeze_panes = "A2"


def general_rules() -> list[str]:
    categories = "；".join(f"{s}：{'、'.join(c)}" for s, c in CATEGORIES_BY_SUBJECT.items())
    return [
        "填报规则：",
        f"1. 第1行为表头（中文表头或英文键均可，列的顺序不限）；每行一条举报，空行会被跳过。文件为 .xlsx，或 {ACCEPTED_ENCODINGS} 编码的 .csv。",
        f"2. 日期时间为北京时间，可填：{FORMS_TEXT}；也可直接使用 Excel 日期单元格。",
        "3. 是/否 列可填：是/否、Y/N、yes/no、true/false、1/0（不区分大小写）；选填的是/否列留空视为“否”，“事实清楚举证充分”留空表示尚未研判。",
        f"4. 多选列（证据类型、特殊情形、处置措施）的多个值用{SEPARATORS_TEXT}分隔；“无需处置”不能与其他处置措施同填。",
        f"5. 侵权类别须属于所填举报类型 —— {categories}。",
        "6. 受理时间不得晚于报送期末；同一文件内举报编号不得重复；文本长度按字符计。",
        "7. 文件有任何错误时整份退回，请按错误清单修改后重新报送。",
    ]
