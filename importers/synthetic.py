"""Synthetic, valid platform ledgers (ledger.md) with realistic values, vectorised: for the
demo province, the tests and the benchmarks."""
from __future__ import annotations

import numpy as np
import pandas as pd

from importers import columns as col


def synthetic_ledger(n_rows: int, period: str = "2026-10", seed: int = 1) -> pd.DataFrame:
    """A valid ledger of `n_rows` rows with Chinese headers, every cell as text."""
    rng = np.random.default_rng(seed)
    start = pd.Timestamp(period + "-01")
    month_seconds = int(((start + pd.offsets.MonthBegin(1)) - start).total_seconds())

    def pick(values, p=None):
        return np.asarray(values, dtype=object)[rng.choice(len(values), n_rows, p=p)]

    def fmt(ts):
        return pd.Series(ts).dt.strftime("%Y-%m-%d %H:%M:%S").fillna("").to_numpy(dtype=object)

    subject = pick(col.SUBJECT_TYPES, [0.6, 0.4])
    enterprise = subject == "涉企"
    category = np.where(enterprise, pick(col.ENTERPRISE_CATEGORIES), pick(col.PERSONAL_CATEGORIES))
    received = start + pd.to_timedelta(rng.integers(0, month_seconds - 20 * 86400, n_rows), unit="s")
    role = np.where(enterprise, pick(("企业", "企业家本人", "代理人")), pick(("个人", "代理人")))
    acceptance = pick(col.ACCEPTANCE, [0.8, 0.15, 0.05])
    status = np.where(rng.random(n_rows) < 0.85, "已办结", "办理中")
    done = status == "已办结"
    accepted = acceptance == "受理"
    rejected = acceptance == "不予受理"
    supplement = acceptance == "待补充材料"
    disposed = received + pd.to_timedelta(rng.integers(3600, 10 * 86400, n_rows), unit="s")
    feedback = disposed + pd.to_timedelta(rng.integers(60, 86400, n_rows), unit="s")
    interim = pick(col.INTERIM_MEASURES, [0.05, 0.05, 0.9])
    measures = np.where(
        rng.random(n_rows) < 0.2, "无需处置",
        np.where(rng.random(n_rows) < 0.5, "删除", "屏蔽；澄清回应"),
    )
    ids = pd.Series(np.arange(1, n_rows + 1)).map("{:010d}".format).radd("WB" + period.replace("-", ""))
    evidence = np.where(rng.random(n_rows) < 0.5, "权属证书、企业公告声明", "企业自行收集证据")
    data = {
        "举报编号": ids.to_numpy(dtype=object),
        "举报类型": subject,
        "侵权类别": category,
        "受理时间": fmt(received),
        "举报人身份": role,
        "企业类型": np.where(enterprise, pick(col.ENTERPRISE_TIERS), ""),
        "文字说明": pick(("是", "是", "否")),
        "主体资格证明": "是",
        "联系方式": "是",
        "侵权网址": pick(("是", "Y", "1")),
        "初步证据": "是",
        "真实性保证": "是",
        "证据类型": evidence,
        "受理结果": acceptance,
        "不予受理原因": np.where(rejected, pick(col.REJECTION_REASONS), ""),
        "不予受理说明": np.where(rejected, "经核查，举报材料不足以证明侵权", ""),
        "补充材料要求时间": np.where(supplement, fmt(received + pd.Timedelta(hours=2)), ""),
        "补充材料原因": np.where(supplement, pick(col.SUPPLEMENT_REASONS), ""),
        "事实清楚举证充分": np.where(accepted & done, "是", ""),
        "特殊情形": np.where(interim == "限时加私", "关键节点", ""),
        "临时措施": interim,
        "临时措施时间": np.where(interim != "无", fmt(received + pd.Timedelta(hours=1)), ""),
        "处置措施": np.where(accepted & done, measures, ""),
        "账号处置": pick(("", "无", "禁言"), [0.7, 0.2, 0.1]),
        "被举报账号": pd.Series(rng.integers(10**8, 10**9, n_rows)).astype(str).radd("用户").to_numpy(dtype=object),
        "侵权链接": pd.Series(rng.integers(10**9, 10**10, n_rows)).astype(str).radd("https://weibo.com/status/").to_numpy(dtype=object),
        "办理状态": status,
        "处置完成时间": np.where(done, fmt(disposed), ""),
        "延期": "否",
        "延期说明": "",
        "反馈时间": np.where(done, fmt(feedback), ""),
        "反馈方式": np.where(done, pick(col.FEEDBACK_CHANNELS), ""),
        "利益相关方举报": "否",
        "省级审核文号": "",
        "告知发布者": "否",
        "举报人信息已隐去": "",
        "被举报方异议": "否",
        "承办人": pick(tuple(f"H{i:04d}" for i in range(50))),
        "复核人": np.where(done, pick(tuple(f"R{i:03d}" for i in range(10))), ""),
        "备注": np.where(rng.random(n_rows) < 0.1, "重点关注", ""),
    }
    frame = pd.DataFrame({h: (v if np.ndim(v) else np.full(n_rows, v, dtype=object)) for h, v in data.items()})
    assert list(frame.columns) == [c.header for c in col.COLUMNS]
    return frame
