"""Hand-written ledger rows for rule tests: a clean report and variations of it."""
from __future__ import annotations

import pandas as pd

from importers.columns import COLUMNS

CLEAN = {
    "举报编号": "R0001", "举报类型": "涉个人", "侵权类别": "个人信息泄露", "受理时间": "2026-09-01 10:00:00",
    "举报人身份": "个人", "文字说明": "是", "主体资格证明": "是", "联系方式": "是", "侵权网址": "是", "初步证据": "是",
    "真实性保证": "是", "受理结果": "受理", "事实清楚举证充分": "是", "处置措施": "删除", "办理状态": "已办结",
    "处置完成时间": "2026-09-02 10:00:00", "反馈时间": "2026-09-02 11:00:00", "反馈方式": "站内信",
    "承办人": "H01", "复核人": "R01",
}


def row(report_id: str, **changes) -> dict:
    """The clean report with Chinese-header keys changed (None empties a cell)."""
    out = {**CLEAN, "举报编号": report_id}
    for k, v in changes.items():
        out[k] = v
    return out


def ledger(*rows: dict) -> pd.DataFrame:
    headers = [c.header for c in COLUMNS]
    return pd.DataFrame([{h: ("" if r.get(h) is None else r.get(h)) for h in headers} for r in rows], columns=headers)
