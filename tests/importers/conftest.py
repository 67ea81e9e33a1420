"""Helpers for the importer tests: a valid ledger row and files built from rows."""
from __future__ import annotations

import csv
import io
from types import SimpleNamespace

import openpyxl
import pytest

from importers import read_ledger
from importers.columns import COLUMNS

HEADERS = [c.header for c in COLUMNS]
PERIOD = "2026-10"


def valid_row(**changes) -> dict:
    """A valid report (涉企, 受理, 已办结), by Chinese header; `changes` by English key."""
    row = {c.header: "" for c in COLUMNS}
    row.update({
        "举报编号": "R-0001", "举报类型": "涉企", "侵权类别": "仿冒性信息", "受理时间": "2026-10-08 14:03:00",
        "举报人身份": "企业", "企业类型": "上市", "文字说明": "是", "主体资格证明": "是", "联系方式": "是",
        "侵权网址": "是", "初步证据": "是", "真实性保证": "是", "证据类型": "权属证书", "受理结果": "受理",
        "事实清楚举证充分": "是", "处置措施": "删除", "办理状态": "已办结",
        "处置完成时间": "2026-10-10 09:00:00", "反馈时间": "2026-10-10 10:00:00", "反馈方式": "站内信",
        "承办人": "H001", "复核人": "R001",
    })
    by_key = {c.key: c.header for c in COLUMNS}
    for key, value in changes.items():
        row[by_key[key]] = value
    return row


def csv_bytes(rows: list[dict], headers: list[str] | None = None, encoding: str = "utf-8") -> bytes:
    headers = headers or HEADERS
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([row.get(h, "") for h in headers] if isinstance(row, dict) else row)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows: list, headers: list | None = None, sheet_title: str = "Sheet1", extra_sheets=()) -> bytes:
    headers = headers or HEADERS
    workbook = openpyxl.Workbook()
    for title in extra_sheets:
        workbook.create_sheet(title)
    sheet = workbook.active
    sheet.title = sheet_title
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(h) for h in headers] if isinstance(row, dict) else row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def read_rows(rows: list, period: str = PERIOD, kind: str = "csv", headers=None):
    data = csv_bytes(rows, headers) if kind == "csv" else xlsx_bytes(rows, headers)
    return read_ledger(data, f"ledger.{kind}", period)


def error_cells(result) -> list[tuple]:
    return [(e.row, e.column, e.value) for e in result.errors]


@pytest.fixture
def kit():
    return SimpleNamespace(
        HEADERS=HEADERS, PERIOD=PERIOD, valid_row=valid_row, csv_bytes=csv_bytes, xlsx_bytes=xlsx_bytes,
        read_rows=read_rows, error_cells=error_cells,
    )
