"""Demo complaints: a handful in every state of the workflow, so the queue, the query system,
the platform's portal, the problem ledger and the satisfaction figures have something to show.

Idempotent (nothing is added when any complaint exists). Names, numbers and e-mails are
obviously fictitious.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from supervision.models import Complaint, Platform, Report
from supervision.services import complaints as svc

#: (platform code, days ago filed, type, description, path through the workflow)
DEMO_COMPLAINTS = (
    ("yunfan", 40, "举报处置不及时", "我举报了冒用我身份发布的帖子，平台超过一周没有处理。", "closed_upheld"),
    ("yunfan", 33, "举报未反馈", "举报后一直没有收到平台的处理结果。", "closed_rejected_claim"),
    ("xinghe", 28, "处置不当", "平台只删除了一条视频，同一账号发布的其他侵权视频仍在。", "closed_partly"),
    ("xinghe", 12, "举报处置不及时", "短视频中使用了我的肖像，举报后平台未处理。", "answered"),
    ("chenfeng", 9, "符合条件未受理", "提交了完整的权属证明，平台仍以材料不全为由不受理。", "transferred"),
    ("yunfan", 6, "举报渠道不畅", "平台的举报入口找不到，客服电话也打不通。", "accepted"),
    ("xinghe", 2, "其他维权不到位", "平台要求我提供与侵权无关的个人信息才肯处理。", "pending"),
    ("yuanshan", 15, "举报处置不及时", "问答页面泄露了我的住址，举报后没有处理。", "not_local"),
)


def _report_number(session: Session, platform_id: int, nth: int) -> tuple[str, datetime | None]:
    report = session.scalars(select(Report).where(Report.platform_id == platform_id)
                             .order_by(Report.id).offset(nth * 37).limit(1)).first()
    if report is None:
        return f"DEMO-{platform_id}-{nth:04d}", None
    return report.report_id, report.received_at


def load_demo_complaints(session: Session, now: datetime, upload_dir: str) -> None:
    if session.scalar(select(Complaint.id).limit(1)) is not None:
        return
    platforms = {p.code: p for p in session.scalars(select(Platform))}
    for n, (code, days_ago, ctype, text, path) in enumerate(DEMO_COMPLAINTS):
        platform = platforms.get(code)
        if platform is None:
            continue
        filed_at = now - timedelta(days=days_ago, hours=n)
        number, received = _report_number(session, platform.id, n)
        report_date = (received or filed_at - timedelta(days=10)).date()
        inp = svc.FilingInput(name=f"演示投诉人{n + 1}", contact=f"1390000{n:04d}", platform=code, platform_other="",
                              report_number=number, report_date=report_date, complaint_type=ctype,
                              description=text, consent=True)
        c = svc.file_complaint(session, inp, upload_dir, now=filed_at).complaint
        _walk(session, c, path, filed_at, upload_dir)


def _walk(session: Session, c: Complaint, path: str, t: datetime, upload_dir: str) -> None:
    if path == "pending":
        return
    if path == "not_local":
        svc.reject(session, c, "非属地", "该平台不属于本省属地管理，已转送其属地网信部门。", forward_to="北京市互联网信息办公室",
                   now=t + timedelta(hours=20))
        return
    svc.accept(session, c, "材料齐全，予以受理。", now=t + timedelta(hours=20))
    if path == "accepted":
        return
    svc.transfer(session, c, "请核查该举报的处置情况并在规定时限内答复。", now=t + timedelta(days=1))
    if path == "transferred":
        return
    svc.respond(session, c, "已核查：该举报已于近日处置完毕，相关内容已删除。", [], upload_dir, now=t + timedelta(days=3))
    if path == "answered":
        return
    conclusion, reply, rating = {
        "closed_upheld": ("投诉成立", "经核查，平台未在时限内处置您的举报，已责令其整改，相关内容已删除。", 4),
        "closed_partly": ("部分成立", "经核查，平台已删除部分内容，其余侵权视频已要求平台一并处置。", 3),
        "closed_rejected_claim": ("不成立", "经核查，平台已在时限内处置并通过站内信反馈了处理结果。", 2),
    }[path]
    closed_at = t + timedelta(days=6)
    svc.close(session, c, conclusion, reply, now=closed_at)
    svc.rate(session, c, rating, "处理结果已收到。" if rating >= 3 else "没有收到站内信。", now=closed_at + timedelta(days=2))
