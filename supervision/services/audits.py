"""Use cases of audits (督导检查): plan, start (checks, problem ledger, samples), review sampled
reports, conclude per platform, complete."""
from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from supervision import auditlog, clock
from supervision.models import (Audit, AuditInspector, AuditPlatform, AuditSample, Finding, FindingReview, ItemCode,
                                ItemEvidence, Platform, Problem, Report, SampleItem, User)
from supervision.roles import INSPECTOR, SUPERVISOR
from supervision.services import ValidationError
from supervision.services.checks import month_bounds, run_check
from supervision.standard import sampling
from supervision.standard.rules import RULES

FOCUS_LABELS = {
    "": "全部规则",
    "timeliness": "办理时限（TIM 规则）",
    "fast_channel": "快速通道类别（网络暴力、涉未成年人）",
    "severe": "严重问题",
}
FAST_CHANNEL = ("网络暴力", "涉未成年人")
REC_CODES = ("REC-01", "REC-02", "REC-03", "REC-04")
JUDGMENTAL_LIMIT = 10
MAX_EVIDENCE_BYTES = 10 * 1024 * 1024


def months_between(first: str, last: str) -> list[str]:
    y, m = map(int, first.split("-"))
    out = []
    while f"{y:04d}-{m:02d}" <= last:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


@dataclass
class AuditInput:
    kind: str
    title: str
    period_from: str
    period_to: str
    due_date: date | None
    platform_codes: list[str]
    inspector_ids: list[int]
    focus: str = ""
    confidence: float = 0.95
    tolerable_rate: float = 0.05
    expected_deviations: int = 0


def create_audit(session: Session, creator: User, data: AuditInput) -> Audit:
    from supervision.services.ledger_import import PERIOD_RE

    now = clock.now()
    errors: dict[str, str] = {}
    if data.kind not in ("full", "focused"):
        errors["kind"] = "检查类型应为全面检查或重点检查。"
    title = (data.title or "").strip()
    if not title or len(title) > 200:
        errors["title"] = "请填写检查名称（不超过 200 个字符）。"
    for field, value in (("period_from", data.period_from), ("period_to", data.period_to)):
        if not PERIOD_RE.match(value or ""):
            errors[field] = f"月份应为 YYYY-MM 格式；填写的是“{value}”。"
    if "period_from" not in errors and "period_to" not in errors:
        if data.period_from > data.period_to:
            errors["period_to"] = "截止月份不能早于起始月份。"
        elif data.period_to >= now.strftime("%Y-%m"):
            errors["period_to"] = "只能检查已经结束的月份。"
        elif len(months_between(data.period_from, data.period_to)) > 12:
            errors["period_to"] = "一次检查最多覆盖 12 个月。"
    if data.due_date is None or data.due_date < now.date():
        errors["due_date"] = "完成期限不能早于今天。"
    if data.focus not in FOCUS_LABELS:
        errors["focus"] = "检查重点无效。"
    try:
        sampling.sample_size(data.confidence, data.tolerable_rate, data.expected_deviations)
    except ValueError as e:
        errors["confidence"] = str(e)
    if data.kind == "full":
        platforms = session.scalars(select(Platform).where(Platform.is_local, Platform.active)).all()
    else:
        platforms = session.scalars(select(Platform).where(Platform.code.in_(data.platform_codes or []))).all()
        if not platforms:
            errors["platforms"] = "重点检查须选择至少一个平台。"
    inspectors = session.scalars(select(User).where(User.id.in_(data.inspector_ids or []),
                                                    User.role.in_((INSPECTOR, SUPERVISOR)), User.active)).all()
    if not inspectors:
        errors["inspectors"] = "请指派至少一名检查员或审核人。"
    if errors:
        raise ValidationError(errors)
    audit = Audit(kind=data.kind, title=title, period_from=data.period_from, period_to=data.period_to,
                  focus=data.focus, status="planned", due_date=data.due_date, confidence=data.confidence,
                  tolerable_rate=data.tolerable_rate, expected_deviations=data.expected_deviations,
                  seed=secrets.randbelow(2 ** 31), created_by_id=creator.id, created_at=now)
    session.add(audit)
    session.flush()
    for p in platforms:
        session.add(AuditPlatform(audit_id=audit.id, platform_id=p.id))
    for u in inspectors:
        session.add(AuditInspector(audit_id=audit.id, user_id=u.id))
    auditlog.record(session, "audit.create", "audit", audit.id, None, {
        "title": title, "kind": data.kind, "months": [data.period_from, data.period_to], "focus": data.focus,
        "platforms": [p.code for p in platforms], "inspectors": [u.username for u in inspectors],
        "seed": audit.seed})
    return audit


def audit_platforms(session: Session, audit: Audit) -> list[Platform]:
    return session.scalars(select(Platform).join(AuditPlatform, AuditPlatform.platform_id == Platform.id)
                           .where(AuditPlatform.audit_id == audit.id).order_by(Platform.name)).all()


def is_assigned(session: Session, audit: Audit, user) -> bool:
    return session.get(AuditInspector, (audit.id, user.id)) is not None


def _in_focus(audit: Audit, rule_code: str, severity: str) -> bool:
    if audit.focus == "timeliness":
        return rule_code.startswith("TIM")
    if audit.focus == "severe":
        return severity == "严重"
    return True


def start_audit(session: Session, audit: Audit, actor_name: str) -> dict:
    """计划 → 进行中: run every check in scope, fill the problem ledger, draw the samples."""
    if audit.status != "planned":
        raise ValidationError({"status": f"检查当前为“{audit.status_label}”，只有计划中的检查可以开始。"})
    months = months_between(audit.period_from, audit.period_to)
    now = clock.now()
    totals = {"platforms": 0, "problems": 0, "sampled": 0}
    for platform in audit_platforms(session, audit):
        for month in months:
            run_check(session, platform, month, trigger="audit", actor_name=actor_name, now=now)
        totals["problems"] += _fill_problems(session, audit, platform, months, now)
        totals["sampled"] += _draw(session, audit, platform, now)
        totals["platforms"] += 1
    audit.status, audit.started_at = "running", now
    auditlog.record(session, "audit.start", "audit", audit.id, {"status": "planned"}, {"status": "running", **totals})
    return totals


def _fill_problems(session: Session, audit: Audit, platform: Platform, months: list[str], now: datetime) -> int:
    q = select(Finding).where(Finding.platform_id == platform.id, Finding.period.in_(months), Finding.status == "open")
    if audit.focus == "fast_channel":
        fast_ids = select(Report.report_id).where(Report.platform_id == platform.id, Report.category.in_(FAST_CHANNEL))
        q = q.where((Finding.report_id.in_(fast_ids)) | Finding.rule_code.like("LED%"))
    count = 0
    for f in session.scalars(q):
        if not _in_focus(audit, f.rule_code, f.severity):
            continue
        session.add(Problem(audit_id=audit.id, platform_id=platform.id, source="auto", finding_id=f.id,
                            rule_code=f.rule_code, severity=f.severity, period=f.period, report_id=f.report_id,
                            status="待整改", created_at=now, updated_at=now))
        count += 1
    session.flush()
    return count


def _population(session: Session, audit: Audit, platform: Platform):
    start = month_bounds(audit.period_from)[0]
    end = month_bounds(audit.period_to)[1]
    q = select(Report.id, Report.report_id, Report.category).where(
        Report.platform_id == platform.id, Report.received_at >= start, Report.received_at < end)
    if audit.focus == "fast_channel":
        q = q.where(Report.category.in_(FAST_CHANNEL))
    return session.execute(q).all()


def _draw(session: Session, audit: Audit, platform: Platform, now: datetime) -> int:
    rows = _population(session, audit, platform)
    n_pop = len(rows)
    if n_pop == 0:
        session.add(AuditSample(audit_id=audit.id, platform_id=platform.id, population_size=0,
                                population_hash=sampling.population_hash([]), seed=audit.seed, sample_size=0,
                                allocation="{}", drawn_at=now))
        return 0
    try:
        n = sampling.sample_size(audit.confidence, audit.tolerable_rate, audit.expected_deviations, population=n_pop)
    except ValueError:
        n = n_pop  # too few reports for the test to fail: review them all
    ids = {r.report_id: r for r in rows}
    picks = []
    if audit.kind == "focused":
        severe = select(Finding.report_id).where(Finding.platform_id == platform.id, Finding.severity == "严重",
                                                 Finding.status == "open", Finding.rule_code.not_like("LED%"))
        picks = [rid for rid in session.scalars(severe.distinct().order_by(Finding.report_id)) if rid in ids]
    draw = sampling.plan_sample([r.report_id for r in rows], {r.report_id: r.category for r in rows}, min(n, n_pop),
                                audit.seed, judgmental=picks[:JUDGMENTAL_LIMIT * 10])
    judgmental = draw.judgmental[:JUDGMENTAL_LIMIT]
    sample = AuditSample(audit_id=audit.id, platform_id=platform.id, population_size=draw.population_size,
                         population_hash=draw.population_hash, seed=draw.seed, sample_size=len(draw.statistical),
                         allocation=json.dumps(dict(draw.allocation), ensure_ascii=False), drawn_at=now)
    session.add(sample)
    session.flush()
    for pos, rid in enumerate(draw.statistical + tuple(judgmental)):
        r = ids[rid]
        session.add(SampleItem(sample_id=sample.id, audit_id=audit.id, platform_id=platform.id, report_pk=r.id,
                               report_id=rid, stratum=r.category, judgmental=pos >= len(draw.statistical),
                               position=pos))
    session.flush()
    auditlog.record(session, "audit.sample", "audit_sample", sample.id, None, {
        "platform": platform.code, "population": draw.population_size, "hash": draw.population_hash,
        "seed": draw.seed, "n": len(draw.statistical), "judgmental": len(judgmental)}, platform_id=platform.id)
    return len(draw.statistical) + len(judgmental)


# Review --------------------------------------------------------------------------------------

def _problem_for(session: Session, audit_id: int, finding_id: int) -> Problem | None:
    return session.scalar(select(Problem).where(Problem.audit_id == audit_id, Problem.finding_id == finding_id))


def decide_finding(session: Session, item: SampleItem, finding: Finding, decision: str, reason: str,
                   actor_name: str) -> FindingReview:
    reason = (reason or "").strip()
    if decision not in ("confirmed", "overturned"):
        raise ValidationError({"decision": "请选择确认或推翻。"})
    if decision == "overturned" and not reason:
        raise ValidationError({"reason": "推翻自动检查结论须写明理由。"})
    if finding.platform_id != item.platform_id or finding.report_id != item.report_id:
        raise ValidationError({"finding": "该问题不属于这条抽样举报。"})
    review = session.scalar(select(FindingReview).where(FindingReview.item_id == item.id,
                                                        FindingReview.finding_id == finding.id))
    before = None if review is None else {"decision": review.decision, "reason": review.reason}
    if review is None:
        review = FindingReview(item_id=item.id, finding_id=finding.id, decision=decision, reason=reason,
                               decided_by=actor_name, decided_at=clock.now())
        session.add(review)
    else:
        review.decision, review.reason, review.decided_by, review.decided_at = decision, reason, actor_name, clock.now()
    problem = _problem_for(session, item.audit_id, finding.id)
    now = clock.now()
    if problem is None and decision == "confirmed":
        problem = Problem(audit_id=item.audit_id, platform_id=item.platform_id, source="auto", finding_id=finding.id,
                          rule_code=finding.rule_code, severity=finding.severity, period=finding.period,
                          report_id=finding.report_id, status="待整改", created_at=now, updated_at=now)
        session.add(problem)
    if problem is not None:
        problem.excluded = decision == "overturned"
        problem.excluded_reason = reason if decision == "overturned" else ""
        problem.updated_at = now
    session.flush()
    auditlog.record(session, "audit.finding_review", "finding", finding.id, before,
                    {"decision": decision, "reason": reason, "item": item.id}, platform_id=item.platform_id)
    return review


def add_code(session: Session, item: SampleItem, code: str, note: str, actor_name: str) -> ItemCode:
    if code not in REC_CODES:
        raise ValidationError({"code": "请选择 REC-01 至 REC-04 中的一项。"})
    now = clock.now()
    row = ItemCode(item_id=item.id, code=code, note=(note or "").strip(), added_by=actor_name, added_at=now)
    session.add(row)
    session.flush()
    rep = session.get(Report, item.report_pk)
    session.add(Problem(audit_id=item.audit_id, platform_id=item.platform_id, source="review", item_code_id=row.id,
                        rule_code=code, severity=RULES[code].severity, period=rep.received_at.strftime("%Y-%m"),
                        report_id=item.report_id, status="待整改", created_at=now, updated_at=now))
    auditlog.record(session, "audit.add_code", "sample_item", item.id, None, {"code": code, "note": row.note},
                    platform_id=item.platform_id)
    return row


def set_verdict(session: Session, item: SampleItem, verdict: str, note: str, actor_name: str) -> None:
    if verdict not in ("合规", "不合规"):
        raise ValidationError({"verdict": "请选择合规或不合规。"})
    before = {"verdict": item.verdict, "note": item.note}
    item.verdict, item.note = verdict, (note or "").strip()
    item.reviewed_by, item.reviewed_at = actor_name, clock.now()
    auditlog.record(session, "audit.verdict", "sample_item", item.id, before, {"verdict": verdict, "note": item.note},
                    platform_id=item.platform_id)


def add_evidence(session: Session, item: SampleItem, filename: str, data: bytes, upload_dir: str,
                 actor_name: str) -> ItemEvidence:
    from supervision.standard.complaints import sniff_type

    found = sniff_type(data[:32])
    if found is None:
        raise ValidationError({"file": "证据文件只接受图片（PNG、JPEG、GIF、WebP）或 PDF，按文件内容判断。"})
    kind, ext = found
    if len(data) > MAX_EVIDENCE_BYTES:
        raise ValidationError({"file": f"证据文件不能超过 {MAX_EVIDENCE_BYTES // 1048576} MB。"})
    from supervision.uploads import StorageError, display_name, write_new

    now = clock.now()
    try:
        stored = write_new(Path(upload_dir) / "evidence" / now.strftime("%Y"), ext, data)
    except StorageError as e:
        raise ValidationError({"file": str(e)}) from e
    row = ItemEvidence(item_id=item.id, filename=display_name(filename, "证据"),
                       stored_name=f"evidence/{now:%Y}/{stored}",
                       content_type=kind, size=len(data), sha256=hashlib.sha256(data).hexdigest(),
                       uploaded_by=actor_name, uploaded_at=now)
    session.add(row)
    session.flush()
    auditlog.record(session, "audit.evidence", "sample_item", item.id, None,
                    {"file": row.filename, "sha256": row.sha256}, platform_id=item.platform_id)
    return row


# Results -------------------------------------------------------------------------------------

@dataclass
class PlatformResult:
    platform: Platform
    sample: AuditSample | None
    statistical: int
    reviewed: int
    deviations: int
    judgmental: int
    result: sampling.SampleResult | None
    cp_upper: float | None = None

    @property
    def explanation(self) -> str:
        if self.sample is None or self.sample.population_size == 0:
            return "检查期间没有受理举报，未抽样。"
        if self.result is None:
            return f"已复核 {self.reviewed} / {self.statistical} 条随机样本，全部复核后给出结论。"
        r = self.result
        return (f"从 {self.sample.population_size} 条举报中按侵权类别分层随机抽取 {r.sample_size} 条，"
                f"发现 {r.deviations} 条不合规，样本偏差率 {r.deviation_rate:.1%}；"
                f"在 {r.confidence:.0%} 置信水平下总体偏差率的单侧上限为 {r.upper_bound:.1%}"
                f"（按有限总体超几何分布精确计算；Clopper–Pearson 二项上限为 {self.cp_upper:.1%}），"
                f"{'不超过' if r.control_effective else '超过'}可容忍偏差率 {r.tolerable_rate:.0%}，"
                f"结论：{r.conclusion}。" + (f"另有 {self.judgmental} 条重点抽取的举报，不计入上述估计。"
                                          if self.judgmental else ""))


def results(session: Session, audit: Audit) -> list[PlatformResult]:
    out = []
    for platform in audit_platforms(session, audit):
        sample = session.scalar(select(AuditSample).where(AuditSample.audit_id == audit.id,
                                                          AuditSample.platform_id == platform.id))
        items = session.scalars(select(SampleItem).where(SampleItem.audit_id == audit.id,
                                                         SampleItem.platform_id == platform.id)).all()
        stat = [i for i in items if not i.judgmental]
        reviewed = [i for i in stat if i.verdict]
        deviations = sum(1 for i in stat if i.verdict == "不合规")
        result, cp_upper = None, None
        if stat and len(reviewed) == len(stat):
            result, cp_upper = sampling.evaluate_finite_sample(len(stat), deviations, sample.population_size,
                                                               audit.tolerable_rate, audit.confidence)
        out.append(PlatformResult(platform, sample, len(stat), len(reviewed), deviations,
                                  len(items) - len(stat), result, cp_upper))
    return out


def complete_audit(session: Session, audit: Audit) -> None:
    if audit.status != "running":
        raise ValidationError({"status": "只有进行中的检查可以完成。"})
    pending = session.scalar(select(func.count()).select_from(SampleItem).where(
        SampleItem.audit_id == audit.id, SampleItem.verdict.is_(None)))
    if pending:
        raise ValidationError({"status": f"还有 {pending} 条抽样举报未复核，复核完毕后才能完成检查。"})
    audit.status, audit.completed_at = "done", clock.now()
    auditlog.record(session, "audit.complete", "audit", audit.id, {"status": "running"}, {"status": "done"})
