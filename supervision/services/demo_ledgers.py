"""Six months of realistic ledgers for the demo province (issue: ledger intake, item 9).

Each demo platform gets synthetic monthly ledgers of its own size and quality (most reports
handled in time, some not), reports still open at a month's end listed again, concluded, in
the next month's ledger, and in every month a few hand-written reports that break each rule
of the catalogue once, so every screen has real findings to show. One platform submits a
month late, one misses a month, and not every month's disclosure is recorded.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from importers.columns import COLUMNS
from importers.synthetic import synthetic_ledger
from supervision.models import LedgerSubmission

FMT = "%Y-%m-%d %H:%M:%S"


@dataclass
class Profile:
    rows: int
    quality: float  # share of concluded reports disposed and fed back promptly
    seed: int
    late_month: int | None = None  # index of the month submitted late (LED-02)
    missing_month: int | None = None  # index of the month never submitted (LED-01)
    undisclosed: set[int] = field(default_factory=set)  # months without a disclosure (LED-03)


PROFILES = {
    "yunfan": Profile(rows=420, quality=0.96, seed=11, undisclosed={5}),
    "xinghe": Profile(rows=640, quality=0.88, seed=22, late_month=2, undisclosed={1, 5}),
    "chenfeng": Profile(rows=260, quality=0.72, seed=33, missing_month=3, undisclosed={3, 4, 5}),
}


def demo_months(now: datetime, count: int = 6) -> list[str]:
    """The ``count`` complete months before ``now``, oldest first."""
    y, m = now.year, now.month
    out = []
    for _ in range(count):
        m -= 1
        if m == 0:
            y, m = y - 1, 12
        out.append(f"{y:04d}-{m:02d}")
    return out[::-1]


def _next_month_day(period: str, day: int, hour: int = 10) -> datetime:
    y, m = map(int, period.split("-"))
    return datetime(y + (m == 12), m % 12 + 1, day, hour)


def _on_time(session: Session, period: str) -> datetime:
    """10:00 on the first working day of the next month (always before the due date)."""
    from supervision.services.checks import load_calendar

    due_first = load_calendar(session).ledger_due(period, 1)
    return due_first.replace(hour=10, minute=0, second=0)


def _tidy(frame: pd.DataFrame, quality: float, seed: int) -> pd.DataFrame:
    """Make ``quality`` of the concluded reports prompt: disposed within hours, told at once."""
    rng = np.random.default_rng(seed)
    out = frame.copy()
    # A well-run platform leaves few reports open at the month's end.
    closing = (out["办理状态"] == "办理中").to_numpy() & (rng.random(len(out)) < quality)
    out.loc[closing, "办理状态"] = "已办结"
    out.loc[closing, "复核人"] = "R003"
    out.loc[closing, "反馈方式"] = "站内信"
    done = (out["办理状态"] == "已办结").to_numpy()
    prompt = (done & (rng.random(len(out)) < quality)) | closing
    received = pd.to_datetime(out["受理时间"])
    disposed = received + pd.to_timedelta(rng.integers(2, 30, len(out)), unit="h")
    feedback = disposed + pd.to_timedelta(rng.integers(5, 240, len(out)), unit="m")
    out.loc[prompt, "处置完成时间"] = disposed[prompt].dt.strftime(FMT)
    out.loc[prompt, "反馈时间"] = feedback[prompt].dt.strftime(FMT)
    # Fast-channel categories are disposed within the day when handled well.
    fast = prompt & out["侵权类别"].isin(["网络暴力", "涉未成年人"]).to_numpy()
    quick = received + pd.to_timedelta(rng.integers(1, 12, len(out)), unit="h")
    out.loc[fast, "处置完成时间"] = quick[fast].dt.strftime(FMT)
    out.loc[fast, "反馈时间"] = (quick[fast] + pd.Timedelta(minutes=30)).dt.strftime(FMT)
    # Well-handled reports are also recorded consistently: accepted before being concluded,
    # and removed when the facts are clear.
    pending = prompt & (out["受理结果"] == "待补充材料").to_numpy()
    out.loc[pending, "受理结果"] = "受理"
    settled = prompt & (out["受理结果"] == "受理").to_numpy()
    out.loc[settled, "事实清楚举证充分"] = "是"
    out.loc[settled, "处置措施"] = np.array(["删除", "屏蔽", "断开链接"], dtype=object)[rng.integers(0, 3, len(out))][settled]
    return out


def _base(report_id: str, received: datetime, enterprise: bool) -> dict:
    row = {
        "举报编号": report_id, "举报类型": "涉企" if enterprise else "涉个人",
        "侵权类别": "谣言性信息" if enterprise else "个人信息泄露", "受理时间": received.strftime(FMT),
        "举报人身份": "企业" if enterprise else "个人", "企业类型": "上市" if enterprise else "",
        "文字说明": "是", "主体资格证明": "是", "联系方式": "是", "侵权网址": "是", "初步证据": "是", "真实性保证": "是",
        "证据类型": "官网备案证明" if enterprise else "", "受理结果": "受理", "事实清楚举证充分": "是",
        "处置措施": "删除", "办理状态": "已办结", "处置完成时间": (received + timedelta(hours=20)).strftime(FMT),
        "反馈时间": (received + timedelta(hours=21)).strftime(FMT), "反馈方式": "站内信",
        "被举报账号": "演示账号", "承办人": "H0001", "复核人": "R001",
    }
    return row


def _mistakes(period: str, code: str, last_month: bool) -> list[dict]:
    """One report per rule of the catalogue that it breaks (ids DEMO-<platform>-<period>-<rule>)."""
    y, m = map(int, period.split("-"))
    t = datetime(y, m, 3, 10, 0)
    rid = f"DEMO-{code}-{period}-".upper()

    def r(rule: str, enterprise: bool = True, **changes) -> dict:
        row = _base(rid + rule, t, enterprise)
        row.update({k: (v.strftime(FMT) if isinstance(v, datetime) else v) for k, v in changes.items()})
        return row

    rows = [
        r("TIM01", 处置完成时间=t + timedelta(days=9), 反馈时间=t + timedelta(days=9, hours=1)),
        r("TIM02", 补充材料要求时间=t + timedelta(hours=3), 补充材料原因="授权不全", 特殊情形="权益纠纷", 临时措施="争议标记",
          临时措施时间=t + timedelta(hours=4), 处置完成时间=t + timedelta(days=16), 反馈时间=t + timedelta(days=16, hours=1)),
        r("TIM03", 延期="是", 延期说明=""),
        r("TIM04", 补充材料要求时间=t + timedelta(hours=3), 补充材料原因="授权不全", 处置完成时间=t + timedelta(days=6),
          反馈时间=t + timedelta(days=6, hours=1)),
        r("TIM05", enterprise=False, 侵权类别="网络暴力", 处置完成时间=t + timedelta(hours=30),
          反馈时间=t + timedelta(hours=31)),
        r("TIM07", 反馈时间="", 反馈方式=""),
        r("TIM08", 反馈时间=t + timedelta(days=6)),
        r("ACC01", 受理结果="不予受理", 不予受理原因="材料不全", 事实清楚举证充分="", 处置措施=""),
        r("ACC02", 侵权类别="仿冒性信息", 受理结果="不予受理", 不予受理原因="证据不足", 事实清楚举证充分="", 处置措施=""),
        r("ACC03", 受理结果="不予受理", 不予受理原因="恶意举报", 不予受理说明="", 事实清楚举证充分="", 处置措施=""),
        r("DIS01", enterprise=False, 处置措施="澄清回应"),
        r("DIS02", 事实清楚举证充分="否", 处置措施="限时加私"),
        r("DIS03", 事实清楚举证充分="否", 处置措施="争议标记"),
        r("DIS04", 事实清楚举证充分="否", 处置措施="删除"),
        r("DIS05", 特殊情形="假冒仿冒", 账号处置="无"),
        r("DIS06", 利益相关方举报="是", 省级审核文号=""),
        r("PRO01", 复核人="H0001"),
        r("PRO02", 告知发布者="是", 举报人信息已隐去="否"),
        r("PRO03", 受理结果="待补充材料", 补充材料要求时间=t + timedelta(hours=2), 补充材料原因="身份证明不全",
          事实清楚举证充分="", 处置措施=""),
        r("PRO04", 反馈时间=t + timedelta(hours=10), 处置完成时间=t + timedelta(hours=20)),
    ]
    if last_month:
        rows.append(r("TIM06", 办理状态="办理中", 处置完成时间="", 反馈时间="", 反馈方式="", 处置措施="",
                      事实清楚举证充分="", 复核人=""))
    return rows


def build_month(code: str, profile: Profile, period: str, carried: pd.DataFrame | None,
                last_month: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The month's ledger (Chinese headers, text cells) and the reports left open at its end."""
    index = int(period.replace("-", "")) % 97
    frame = synthetic_ledger(profile.rows, period, seed=profile.seed * 100 + index)
    frame["举报编号"] = frame["举报编号"].str.replace("WB", code.upper() + "-", regex=False)
    frame = _tidy(frame, profile.quality, profile.seed + index)
    still_open = frame[frame["办理状态"] == "办理中"].copy()
    if carried is not None and len(carried):
        done = carried.copy()
        close = pd.Timestamp(period + "-02 16:00:00")
        done["办理状态"] = "已办结"
        done["处置完成时间"] = close.strftime(FMT)
        done["反馈时间"] = (close + pd.Timedelta(hours=1)).strftime(FMT)
        done["反馈方式"] = "站内信"
        done["复核人"] = "R002"
        accepted = done["受理结果"] == "受理"
        done.loc[accepted, "事实清楚举证充分"] = "是"
        done.loc[accepted, "处置措施"] = "删除"
        frame = pd.concat([done, frame], ignore_index=True)
    crafted = pd.DataFrame(_mistakes(period, code, last_month))
    crafted = crafted.reindex(columns=[c.header for c in COLUMNS]).astype(object).fillna("")
    frame = pd.concat([frame, crafted], ignore_index=True)
    return frame, still_open


def load_demo_ledgers(session: Session, now: datetime, upload_dir: str) -> list[str]:
    """Import what is missing; returns one line of Chinese per month loaded."""
    from supervision.services.checks import check_after_submission, record_disclosure
    from supervision.services.ledger_import import import_ledger
    from supervision.services.platforms import by_code

    months = demo_months(now)
    lines = []
    for code, profile in PROFILES.items():
        platform = by_code(session, code)
        if platform is None:
            continue
        carried = None
        for i, period in enumerate(months):
            frame, still_open = build_month(code, profile, period, carried, i == len(months) - 1)
            carried = still_open
            done = session.scalar(select(LedgerSubmission.id).where(
                LedgerSubmission.platform_id == platform.id, LedgerSubmission.period == period,
                LedgerSubmission.status == "accepted"))
            if done is None and i != profile.missing_month:
                at = (_next_month_day(period, 20) if i == profile.late_month else _on_time(session, period))
                outcome = import_ledger(session, platform=platform, period=period, filename=f"{code}-{period}.csv",
                                        data=frame.to_csv(index=False).encode("utf-8"), channel="cli",
                                        upload_dir=upload_dir, submitted_at=at)
                if not outcome.accepted:
                    raise RuntimeError(f"演示台账 {code} {period} 未通过校验：{outcome.error_dicts()[:3]}")
                session.flush()
                check_after_submission(session, outcome.submission, "demo")
                lines.append(f"{platform.name} {period}：{outcome.submission.row_count} 行")
            if i not in profile.undisclosed:
                published = _next_month_day(period, 8).date()
                record_disclosure(session, platform, period, f"https://{code}.example.cn/report/{period}",
                                  min(published, now.date()), "demo")
    return lines


__all__ = ["load_demo_ledgers", "demo_months", "build_month", "PROFILES"]


def load_demo_audit(session: Session, now: datetime) -> None:
    """A 全面检查 of the last three demo months, started, part of one platform's sample reviewed."""
    from datetime import timedelta

    from supervision.models import Audit, Finding, SampleItem, User
    from supervision.services import audits

    if session.scalar(select(Audit.id).limit(1)) is not None:
        return
    months = demo_months(now)
    lead = session.scalar(select(User).where(User.username == "inspector"))
    second = session.scalar(select(User).where(User.username == "inspector2"))
    if lead is None:
        return
    audit = audits.create_audit(session, lead, audits.AuditInput(
        kind="full", title=f"{months[3][:4]}年{months[3][5:]}—{months[5][5:]}月全面检查", period_from=months[3],
        period_to=months[5], due_date=(now + timedelta(days=30)).date(), platform_codes=[],
        inspector_ids=[u.id for u in (lead, second) if u is not None]))
    audits.start_audit(session, audit, lead.username)
    items = session.scalars(select(SampleItem).where(SampleItem.audit_id == audit.id)
                            .order_by(SampleItem.platform_id, SampleItem.position).limit(12)).all()
    overturned = False
    for n, item in enumerate(items):
        finding = session.scalar(select(Finding).where(Finding.platform_id == item.platform_id,
                                                       Finding.report_id == item.report_id,
                                                       Finding.status == "open").limit(1))
        if finding is not None:
            if not overturned:
                audits.decide_finding(session, item, finding, "overturned",
                                      "原始材料显示已在时限内处置，台账录入时间有误", lead.username)
                overturned = True
            else:
                audits.decide_finding(session, item, finding, "confirmed", "", lead.username)
        audits.set_verdict(session, item, "不合规" if n in (3, 7) else "合规",
                           "与原始材料核对" if n not in (3, 7) else "原始材料缺失", lead.username)
        if n == 7:
            audits.add_code(session, item, "REC-03", "平台未能提供原始举报材料", lead.username)
    if not overturned:  # none of the first reports had a finding: show an overturn further on
        for item in session.scalars(select(SampleItem).where(SampleItem.audit_id == audit.id)
                                    .order_by(SampleItem.platform_id, SampleItem.position).offset(12)):
            finding = session.scalar(select(Finding).where(Finding.platform_id == item.platform_id,
                                                           Finding.report_id == item.report_id,
                                                           Finding.status == "open").limit(1))
            if finding is not None:
                audits.decide_finding(session, item, finding, "overturned",
                                      "原始材料显示已在时限内处置，台账录入时间有误", lead.username)
                break
