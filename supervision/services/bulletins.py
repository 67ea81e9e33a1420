"""Use cases of bulletins (通报, 信息公开, workflows.md; 意见 (二十)): the monthly public bulletin
(drafted by the scheduler on the working day after month M's ledgers are due, or by hand) and
the inspection bulletin after an audit; the editor's text and typical cases; two-person
approval (草稿 → 待审核 → 已发布); publication with the document rendered once (HTML and PDF
with its SHA-256, never changed after); corrections as new bulletins linked to the old one.

Every figure comes from the scorecard queries (``services.scores.league_view``, the dashboard's
own source), so a bulletin and the dashboard never disagree; only what the scorecard does not
count (reports by measure, handling-time bands, complaints closed) is read here, over the same
platforms and the same base (reports concluded in the month).

Each function takes a session and leaves the commit to the caller; every change of state is
audit-logged, in the manner of ``services.notices``.
"""
from __future__ import annotations

import hashlib
import json
from datetime import datetime

import numpy as np
import pandas as pd
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from importers.columns import ALL_CATEGORIES, MEASURES
from reports import bulletin as documents
from scoring import display_round, parse_period
from supervision import auditlog, clock
from supervision.models import (Audit, Bulletin, BulletinCase, Complaint, Finding, Notice, Platform, Problem,
                                User)
from supervision.permissions import BULLETINS_APPROVE, BULLETINS_EDIT, has_permission
from supervision.services import ValidationError
from supervision.services import scores
from supervision.services.checks import load_calendar, month_bounds
from supervision.services.complaints import ERASED
from supervision.services.ledger_store import fetch_frame
from supervision.standard.workdays import UnknownYearError
from supervision.services.notices import one_line
from supervision.standard import bulletins as std
from supervision.standard.complaints import CLOSED, SUBSTANTIATED
from supervision.standard.notices import chinese_date
from supervision.standard.rules import RULES, SEVERITY_RANK

MAX_TITLE = 200
MAX_REASON = 1000
MAX_CASES = 10
DONE = scores.DONE
SCHEDULER_NAME = "scheduler"


def _is_month(period: str) -> bool:
    try:
        return parse_period(period).is_month
    except ValueError:
        return False


def _actor_name(user: User | None) -> str:
    return user.username if user is not None else SCHEDULER_NAME


# Figures ---------------------------------------------------------------------------------------------

def _platform_ids(view: scores.LeagueView) -> list[int]:
    return [view.platforms[code].id for code in view.inputs if code in view.platforms]


def _concluded_reports(session: Session, platform_ids: list[int], period: str) -> pd.DataFrame:
    """Reports concluded in the month: the base of 处置规范 and 反馈 (``scores._COUNTS_SQL``'s
    ``concl``): status 已办结 with 处置完成时间 in the month."""
    start, end = month_bounds(period)
    if not platform_ids:
        return pd.DataFrame(columns=["received_at", "disposed_at", "measures"])
    ids = ", ".join(str(int(i)) for i in platform_ids)
    return fetch_frame(session, "SELECT received_at, disposed_at, measures FROM reports WHERE platform_id IN "
                       f"({ids}) AND status = :done AND disposed_at >= :start AND disposed_at < :end "
                       "AND received_at < :end", {"done": DONE, "start": start, "end": end},
                       ["received_at", "disposed_at", "measures"])


def _measures(frame: pd.DataFrame) -> dict[str, int]:
    out: dict[str, int] = {}
    for value in frame["measures"].dropna():
        for m in str(value).split("；"):
            m = m.strip()
            if m:
                out[m] = out.get(m, 0) + 1
    return out


def _bands(session: Session, frame: pd.DataFrame) -> tuple[dict[str, int] | None, int]:
    """Handling time in working days of the concluded reports, by band, and how many could not
    be placed (a year missing from the working-day calendar)."""
    if frame.empty:
        return std.band_counts([]), 0
    received = pd.to_datetime(frame["received_at"]).to_numpy("datetime64[ns]")
    disposed = pd.to_datetime(frame["disposed_at"]).to_numpy("datetime64[ns]")
    days = load_calendar(session).count_workdays(received, disposed)
    same_day = received.astype("datetime64[D]") >= disposed.astype("datetime64[D]")
    days = np.where(same_day, 0, days)
    known = days >= 0
    if not known.any():
        return None, int(len(days))
    return std.band_counts(days[known].tolist()), int((~known).sum())


def _complaints_closed(session: Session, platform_ids: list[int], period: str) -> int:
    start, end = month_bounds(period)
    if not platform_ids:
        return 0
    return int(session.scalar(select(func.count()).select_from(Complaint).where(
        Complaint.platform_id.in_(platform_ids), Complaint.status == CLOSED, Complaint.closed_at >= start,
        Complaint.closed_at < end)) or 0)


def _month_totals(session: Session, view: scores.LeagueView, period: str) -> dict:
    """Province-wide figures of one month: sums of the dashboard's scorecard inputs and facts,
    plus reports by measure and complaints closed over the same platforms."""
    inputs = list(view.inputs.values())
    facts = scores.sum_facts(list(view.facts.values()))
    ids = _platform_ids(view)
    out = documents.sum_inputs(inputs)
    out["categories"] = dict(facts["categories"])
    out["complaints_received"] = int(facts["complaints_received"])
    out["complaints_closed"] = _complaints_closed(session, ids, period)
    out["measures"] = _measures(_concluded_reports(session, ids, period))
    out["platforms"] = len(inputs)
    out["platforms_reported"] = sum(1 for i in inputs if i.reported)
    return out


def monthly_figures(session: Session, period: str, now: datetime) -> dict:
    """The figures of month M's bulletin, with M−1 and M−12 for the changes. M's stored
    scorecards are first brought up to date (a new score run only when the data changed), so
    that the bulletin and the dashboard show the same run."""
    scores.recompute(session, parse_period(period), now, trigger="bulletin", actor_name="bulletin")
    view = scores.league_view(session, parse_period(period), now)
    months = {"current": _month_totals(session, view, period)}
    for key, other in (("previous", std.previous_month(period)), ("last_year", std.same_month_last_year(period))):
        other_view = scores.league_view(session, parse_period(other), now)
        months[key] = _month_totals(session, other_view, other) if other_view.inputs else None
    bands, unknown = _bands(session, _concluded_reports(session, _platform_ids(view), period))
    grades = [{"code": c.platform_code, "name": view.platforms[c.platform_code].name, "grade": c.grade,
               "score": display_round(c.score) if c.reported else "", "rank": c.rank if c.reported else None}
              for c in view.cards]
    return {
        "kind": std.MONTHLY, "period": period, "months": months, "bands": bands, "bands_unknown": unknown,
        "grades": grades, "category_order": list(ALL_CATEGORIES), "measure_order": list(MEASURES),
        "source": {"score_run": view.run.id if view.run is not None else None, "weight_version": view.weight_version,
                   "provisional": bool(view.provisional), "taken_at": now.isoformat(sep=" ", timespec="seconds")},
    }


def inspection_figures(session: Session, audit: Audit, now: datetime) -> dict:
    """Grades, main problems by rule and rectification status per platform of an audit."""
    from supervision.services.audits import results

    view = scores.league_view(session, parse_period(audit.period_to), now)
    rows = session.execute(select(Problem.platform_id, Problem.rule_code, Problem.status, func.count())
                           .where(Problem.audit_id == audit.id, Problem.excluded.is_(False))
                           .group_by(Problem.platform_id, Problem.rule_code, Problem.status)).all()
    notices = session.execute(select(Notice.platform_id, Notice.number, Notice.status)
                              .where(Notice.audit_id == audit.id, Notice.number.is_not(None))
                              .order_by(Notice.id)).all()
    by_rule: dict[str, dict] = {}
    platforms = []
    sampled = {r.platform.id: r for r in results(session, audit)}
    with_problems = {row[0] for row in rows} - set(sampled)
    extra = session.scalars(select(Platform).where(Platform.id.in_(with_problems))).all() if with_problems else []
    for p in [*(r.platform for r in sampled.values()), *sorted(extra, key=lambda p: p.code)]:
        r = sampled.get(p.id)
        mine = [row for row in rows if row[0] == p.id]
        by_status: dict[str, int] = {}
        for _pid, code, status, n in mine:
            by_status[status] = by_status.get(status, 0) + int(n)
            entry = by_rule.setdefault(code, {"code": code, "name": RULES[code].name if code in RULES else code,
                                              "count": 0, "platform_ids": set()})
            entry["count"] += int(n)
            entry["platform_ids"].add(p.id)
        if r is not None and r.result is not None:
            conclusion = r.result.conclusion
        elif r is None or r.sample is None or r.sample.population_size == 0:
            conclusion = "未抽样"
        else:
            conclusion = f"复核中（{r.reviewed}/{r.statistical}）"
        card = view.card(p.code)
        platforms.append({
            "code": p.code, "name": p.name, "conclusion": conclusion,
            "grade": card.grade if card is not None else "—",
            "score": display_round(card.score) if card is not None and card.reported else "",
            "problems": sum(by_status.values()), "by_status": by_status,
            "notices": [{"number": n, "status": s} for pid, n, s in notices if pid == p.id]})
    rules = sorted(({"code": e["code"], "name": e["name"], "count": e["count"], "platforms": len(e["platform_ids"])}
                    for e in by_rule.values()), key=lambda e: (-e["count"], e["code"]))[:10]
    return {
        "kind": std.INSPECTION,
        "audit": {"id": audit.id, "title": audit.title, "kind_label": audit.kind_label,
                  "period_from": audit.period_from, "period_to": audit.period_to},
        "platforms": platforms, "rules": rules,
        "source": {"score_run": view.run.id if view.run is not None else None, "weight_version": view.weight_version,
                   "provisional": bool(view.provisional), "taken_at": now.isoformat(sep=" ", timespec="seconds")},
    }


def figures_of(b: Bulletin) -> dict:
    return json.loads(b.figures)


# Drafting ---------------------------------------------------------------------------------------------

def _insert(session: Session, b: Bulletin) -> bool:
    """Add the bulletin unless its draft key is taken (by an earlier or a concurrent draft)."""
    try:
        with session.begin_nested():
            session.add(b)
            session.flush()
    except IntegrityError:
        return False
    return True


def _record(session: Session, action: str, b: Bulletin, before: dict | None, after: dict | None,
            actor: auditlog.Actor | None = None, at: datetime | None = None) -> None:
    auditlog.record(session, action, "bulletin", b.id, before, after, actor=actor, at=at)


def draft_monthly(session: Session, period: str, now: datetime, editor: User | None = None) -> Bulletin | None:
    """Month M's bulletin draft with its figures, unless M already has one (in any state):
    then None and nothing changes (the scheduler's job may run twice). Inspectors are told a
    draft awaits its editor when the scheduler drafted it."""
    if not _is_month(period):
        raise ValueError(f"not a month: {period!r}")
    key = f"monthly:{period}"
    if session.scalar(select(Bulletin.id).where(Bulletin.draft_key == key)) is not None:
        return None
    b = Bulletin(kind=std.MONTHLY, period=period, draft_key=key, status=std.DRAFT, title=std.default_title(period),
                 intro=std.sanitise(default_intro(period)), analysis="", closing="",
                 figures=json.dumps(monthly_figures(session, period, now), ensure_ascii=False),
                 figures_at=now, drafted_by=_actor_name(editor), drafted_at=now,
                 editor_id=editor.id if editor is not None else None, updated_at=now)
    if not _insert(session, b):
        return None
    actor = None if editor is not None else auditlog.Actor(None, SCHEDULER_NAME, "system")
    _record(session, "bulletin.draft", b, None, {"status": std.DRAFT, "kind": std.MONTHLY, "period": period},
            actor=actor, at=now)
    if editor is None:
        _tell_editors(session, b, now)
    return b


def _tell_editors(session: Session, b: Bulletin, now: datetime) -> None:
    from supervision.roles import INSPECTOR
    from supervision.services.notifications import app_path, notify_all, users_with_roles

    notify_all(session, users_with_roles(session, (INSPECTOR,)), "bulletin_draft", f"{b.title}草稿待编辑",
               object_type="bulletin", object_id=b.id, body="系统已按评价排名数据起草，请编辑文字、选择典型案例后提交审核。",
               link=app_path("bulletins.detail", bulletin_id=b.id), now=now)


def default_intro(period: str) -> str:
    return (f"根据《关于进一步加强网络侵权信息举报工作的指导意见》关于推动信息公开的要求，现将{std.month_title(period)}"
            "属地网站平台网络侵权信息举报受理处置情况通报如下。")


def create_monthly(session: Session, editor: User, period: str) -> Bulletin:
    """A monthly bulletin drafted by hand (for a month that has ended and has none yet)."""
    _require_edit(editor)
    if not _is_month(period):
        raise ValidationError({"period": "月份格式应为 YYYY-MM。"})
    now = clock.now()
    if period >= now.strftime("%Y-%m"):
        raise ValidationError({"period": "只能起草已经结束的月份的通报。"})
    b = draft_monthly(session, period, now, editor)
    if b is None:
        raise ValidationError({"period": f"{std.month_title(period)}的月度通报已经存在。"})
    return b


def create_inspection(session: Session, editor: User, audit_id: int) -> Bulletin:
    """The inspection bulletin of a started audit (one per audit)."""
    _require_edit(editor)
    audit = session.get(Audit, audit_id)
    if audit is None or audit.started_at is None:
        raise ValidationError({"audit": "请选择已经开始的督导检查。"})
    now = clock.now()
    b = Bulletin(kind=std.INSPECTION, period=audit.period_to, audit_id=audit.id, draft_key=f"inspection:{audit.id}",
                 status=std.DRAFT, title=std.inspection_title(audit.title)[:MAX_TITLE],
                 intro=std.sanitise(f"为督促属地网站平台落实举报受理处置主体责任，我办开展了{audit.title}。现将有关情况通报如下。"),
                 analysis="", closing="", figures=json.dumps(inspection_figures(session, audit, now), ensure_ascii=False),
                 figures_at=now, drafted_by=editor.username, drafted_at=now, editor_id=editor.id, updated_at=now)
    if not _insert(session, b):
        raise ValidationError({"audit": f"“{audit.title}”的检查通报已经存在。"})
    _record(session, "bulletin.draft", b, None, {"status": std.DRAFT, "kind": std.INSPECTION, "audit": audit.id})
    return b


# Editing -----------------------------------------------------------------------------------------------

def _require_edit(actor: User) -> None:
    if not has_permission(actor, BULLETINS_EDIT):
        raise ValidationError({"_": "只有检查员或审核人可以编辑通报。"})


def _check_status(b: Bulletin, action: str) -> str:
    try:
        return std.next_state(b.status, action)
    except std.IllegalTransition as e:
        raise ValidationError({"status": str(e)}) from e


def _editable(b: Bulletin, actor: User) -> None:
    """A draft, edited by its editor; the first staff member to edit a scheduler's draft becomes
    its editor (and can then no longer approve it)."""
    _require_edit(actor)
    if b.status != std.DRAFT:
        raise ValidationError({"status": f"通报当前为“{b.status}”，只有草稿可以修改。"})
    if b.editor_id is not None and b.editor_id != actor.id:
        raise ValidationError({"_": "只有该通报的编辑人可以修改草稿。"})


def _claim(b: Bulletin, actor: User) -> dict:
    if b.editor_id is None:
        b.editor_id = actor.id
        return {"editor": actor.username}
    return {}


def update_text(session: Session, b: Bulletin, actor: User, title: str, intro: str, analysis: str,
                closing: str) -> None:
    _editable(b, actor)
    title = one_line(title)
    values = {"intro": std.sanitise(intro), "analysis": std.sanitise(analysis), "closing": std.sanitise(closing)}
    errors = {}
    if not title:
        errors["title"] = "请填写标题。"
    elif len(title) > MAX_TITLE:
        errors["title"] = f"标题不超过 {MAX_TITLE} 个字符；当前 {len(title)} 个。"
    for key, label in (("intro", "导语"), ("analysis", "情况分析"), ("closing", "下一步工作")):
        if len(values[key]) > std.MAX_RICH:
            errors[key] = f"{label}过长（不超过 {std.MAX_RICH} 个字符）。"
    if errors:
        raise ValidationError(errors)
    before = {k: getattr(b, k) for k in ("title", *values)}
    after = {"title": title, **values}
    changed = {k: v for k, v in after.items() if before[k] != v}
    claimed = _claim(b, actor)
    if not changed and not claimed:
        return
    for k, v in changed.items():
        setattr(b, k, v)
    b.updated_at = clock.now()
    _record(session, "bulletin.update", b, {k: before[k] for k in changed}, {**changed, **claimed})


def refresh_figures(session: Session, b: Bulletin, actor: User) -> None:
    """Take the figures again from the current data (a draft only)."""
    _editable(b, actor)
    now = clock.now()
    if b.kind == std.MONTHLY:
        figures = monthly_figures(session, b.period, now)
    else:
        figures = inspection_figures(session, session.get(Audit, b.audit_id), now)
    claimed = _claim(b, actor)
    b.figures, b.figures_at, b.updated_at = json.dumps(figures, ensure_ascii=False), now, now
    _record(session, "bulletin.refresh", b, None, {"figures_at": now.isoformat(sep=" "), **claimed})


def cases_of(session: Session, b: Bulletin) -> list[BulletinCase]:
    return session.scalars(select(BulletinCase).where(BulletinCase.bulletin_id == b.id)
                           .order_by(BulletinCase.position, BulletinCase.id)).all()


def _platform_name(session: Session, platform_id: int | None) -> str:
    p = session.get(Platform, platform_id) if platform_id else None
    return p.name if p is not None else ""


def _rule_text(code: str) -> tuple[str, str]:
    rule = RULES.get(code)
    return (rule.name, rule.requirement) if rule else (code, "")


def case_default(session: Session, source: str, source_id: int) -> tuple[int | None, str, str] | None:
    """(platform id, title, text) proposed for a typical case, from what the office knows about
    the finding, problem-ledger entry or complaint, without anyone's name or contact."""
    if source == "finding":
        f = session.get(Finding, source_id)
        if f is None:
            return None
        name, requirement = _rule_text(f.rule_code)
        platform = _platform_name(session, f.platform_id)
        text = (f"{platform}在{std.month_title(f.period)}受理的一件举报存在“{name}”问题（{f.rule_code}，{f.severity}）。"
                + (f"按照要求，{requirement}" if requirement else ""))
        return f.platform_id, f"{platform}{name}", text
    if source == "problem":
        p = session.get(Problem, source_id)
        if p is None or p.excluded:
            return None
        name, requirement = _rule_text(p.rule_code)
        platform = _platform_name(session, p.platform_id)
        text = (f"督导检查发现，{platform}{std.month_title(p.period)}的举报处置存在“{name}”问题（{p.rule_code}），"
                f"目前整改状态为“{p.status}”。" + (f"按照要求，{requirement}" if requirement else ""))
        return p.platform_id, f"{platform}{name}", text
    if source == "complaint":
        c = session.get(Complaint, source_id)
        if c is None or c.status != CLOSED:
            return None
        platform = c.platform_name if c.platform_id is None else _platform_name(session, c.platform_id)
        text = (f"网民向我办投诉{platform}“{c.complaint_type}”。我办受理后转平台核查，经审核，投诉{c.conclusion}。"
                f"{'平台已按要求重新处置并向举报人反馈。' if c.conclusion in SUBSTANTIATED else ''}")
        return c.platform_id, f"{platform}{c.complaint_type}投诉", text
    return None


def case_candidates(session: Session, b: Bulletin, limit: int = 30) -> dict[str, list]:
    """What staff may choose typical cases from: for a monthly bulletin the month's open
    findings (most severe first) and complaints closed in the month; for an inspection bulletin
    the audit's problem-ledger entries."""
    platforms = {p.id: p.name for p in session.scalars(select(Platform))}
    out: dict[str, list] = {"finding": [], "problem": [], "complaint": []}
    if b.kind == std.INSPECTION:
        rows = session.scalars(select(Problem).where(Problem.audit_id == b.audit_id, Problem.excluded.is_(False))
                               .order_by(Problem.id).limit(500)).all()
        rows = sorted(rows, key=lambda p: (SEVERITY_RANK.get(p.severity, 9), p.rule_code, p.id))[:limit]
        out["problem"] = [(p.id, f"{platforms.get(p.platform_id, '')} · {p.rule_code} {_rule_text(p.rule_code)[0]} · "
                                 f"{p.report_id} · {p.status}") for p in rows]
        return out
    rows = session.scalars(select(Finding).where(Finding.period == b.period, Finding.status == "open")
                           .order_by(Finding.id).limit(2000)).all()
    rows = sorted(rows, key=lambda f: (SEVERITY_RANK.get(f.severity, 9), f.rule_code, f.id))[:limit]
    out["finding"] = [(f.id, f"{platforms.get(f.platform_id, '')} · {f.rule_code} {_rule_text(f.rule_code)[0]} · "
                             f"{f.report_id} · {f.severity}") for f in rows]
    start, end = month_bounds(b.period)
    complaints = session.scalars(select(Complaint).where(Complaint.status == CLOSED, Complaint.closed_at >= start,
                                                         Complaint.closed_at < end)
                                 .order_by(Complaint.closed_at.desc()).limit(limit)).all()
    out["complaint"] = [(c.id, f"{c.tracking_no} · {c.platform_name} · {c.complaint_type} · {c.conclusion}")
                        for c in complaints]
    return out


def add_case(session: Session, b: Bulletin, actor: User, source: str, source_id: int) -> BulletinCase:
    _editable(b, actor)
    cases = cases_of(session, b)
    if len(cases) >= MAX_CASES:
        raise ValidationError({"case": f"典型案例不超过 {MAX_CASES} 个。"})
    if any(c.source == source and c.source_id == source_id for c in cases):
        raise ValidationError({"case": "该案例已经选入。"})
    proposal = case_default(session, source, source_id)
    if proposal is None:
        raise ValidationError({"case": "请选择问题清单、问题台账中的问题或已办结的投诉。"})
    platform_id, title, text = proposal
    now = clock.now()
    case = BulletinCase(bulletin_id=b.id, position=len(cases) + 1, source=source, source_id=source_id,
                        platform_id=platform_id, title=title[:MAX_TITLE], text=std.sanitise(text),
                        created_by=actor.username, created_at=now)
    session.add(case)
    claimed = _claim(b, actor)
    b.updated_at = now
    session.flush()
    _record(session, "bulletin.case_add", b, None, {"case": case.id, "source": source, "source_id": source_id,
                                                    **claimed})
    return case


def update_case(session: Session, b: Bulletin, case: BulletinCase, actor: User, title: str, text: str) -> None:
    _editable(b, actor)
    if case.bulletin_id != b.id:
        raise ValidationError({"case": "该案例不属于这份通报。"})
    title, text = one_line(title), std.sanitise(text)
    if not title or len(title) > MAX_TITLE:
        raise ValidationError({f"case_title_{case.id}": f"请填写案例标题（不超过 {MAX_TITLE} 个字符）。"})
    if not std.plain_text(text).strip():
        raise ValidationError({f"case_text_{case.id}": "请填写案例内容。"})
    if len(text) > std.MAX_RICH:
        raise ValidationError({f"case_text_{case.id}": "案例内容过长。"})
    if (title, text) == (case.title, case.text):
        return
    before = {"title": case.title, "text": case.text}
    case.title, case.text = title, text
    b.updated_at = clock.now()
    _record(session, "bulletin.case_update", b, before, {"case": case.id, "title": title, "text": text,
                                                          **_claim(b, actor)})


def remove_case(session: Session, b: Bulletin, case: BulletinCase, actor: User) -> None:
    _editable(b, actor)
    if case.bulletin_id != b.id:
        raise ValidationError({"case": "该案例不属于这份通报。"})
    _record(session, "bulletin.case_remove", b, {"case": case.id, "title": case.title}, {**_claim(b, actor)})
    session.delete(case)
    session.flush()
    for pos, c in enumerate(cases_of(session, b), start=1):
        c.position = pos
    b.updated_at = clock.now()


# Personal data ---------------------------------------------------------------------------------------

def complainant_names(session: Session) -> list[str]:
    """Complainants' names as the complaint records know them (erased ones excluded)."""
    return [n for n in session.scalars(select(Complaint.name).distinct().where(Complaint.pii_erased_at.is_(None)))
            if n and n != ERASED]


def personal_data_problems(session: Session, b: Bulletin) -> dict[str, str]:
    """Field → Chinese message for every text of the bulletin holding personal data (typical
    cases above all, and the editor's text around the figures): it blocks submission and
    publication."""
    names = complainant_names(session)
    errors = {}
    texts = [("title", "标题", b.title), ("intro", "导语", b.intro), ("analysis", "情况分析", b.analysis),
             ("closing", "下一步工作", b.closing), ("correction_note", "更正说明", b.correction_note)]
    for c in cases_of(session, b):
        texts.append((f"case_{c.id}", f"典型案例“{c.title}”", f"{c.title}\n{c.text}"))
    for key, label, text in texts:
        hits = std.find_personal_data(text or "", names)
        if hits:
            errors[key] = std.pii_message(label, hits)
    return errors


# Approval and publication ------------------------------------------------------------------------------

def submit(session: Session, b: Bulletin, actor: User) -> None:
    """草稿 → 待审核 (the editor), once the texts are free of personal data."""
    target = _check_status(b, "submit")
    _editable(b, actor)
    claimed = _claim(b, actor)
    problems = personal_data_problems(session, b)
    if problems:
        raise ValidationError(problems)
    now = clock.now()
    b.status, b.submitted_at, b.updated_at = target, now, now
    _record(session, "bulletin.submit", b, {"status": std.DRAFT}, {"status": target, **claimed})


def _require_approver(b: Bulletin, actor: User, what: str) -> None:
    """层级把关, 审处分离: a supervisor other than the editor."""
    if not has_permission(actor, BULLETINS_APPROVE):
        raise ValidationError({"_": f"只有审核人可以{what}。"})
    if not std.may_approve(b.editor_id, actor.id):
        raise ValidationError({"_": f"编辑人不能{what}自己编辑的通报，须由其他审核人{what}。"})


def return_to_draft(session: Session, b: Bulletin, actor: User, reason: str) -> None:
    target = _check_status(b, "return")
    _require_approver(b, actor, "退回")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "退回修改须写明理由。"})
    if len(reason) > MAX_REASON:
        raise ValidationError({"reason": f"退回理由不超过 {MAX_REASON} 字。"})
    now = clock.now()
    b.status, b.returned_at, b.returned_by, b.returned_reason, b.updated_at = target, now, actor.username, reason, now
    _record(session, "bulletin.return", b, {"status": std.PENDING}, {"status": target, "reason": reason})


def _corrects_text(session: Session, b: Bulletin) -> str:
    if b.corrects_id is None:
        return ""
    old = session.get(Bulletin, b.corrects_id)
    when = f"（{chinese_date(old.published_at)}发布）" if old is not None and old.published_at else ""
    return f"《{old.title}》{when}" if old is not None else ""


def document(session: Session, b: Bulletin, office_name: str, *, published_at: datetime | None = None) -> documents.BulletinDocument:
    """The document of a bulletin as it stands (a draft: watermarked, no date) or as published."""
    when = published_at or b.published_at
    return documents.BulletinDocument(
        authority=office_name, kind=b.kind, title=b.title, intro=b.intro, analysis=b.analysis, closing=b.closing,
        figures=figures_of(b),
        cases=[documents.Case(c.title, c.text, _platform_name(session, c.platform_id)) for c in cases_of(session, b)],
        date_text=chinese_date(when) if when else None, draft=when is None,
        corrects=_corrects_text(session, b), correction_note=b.correction_note)


def publish(session: Session, b: Bulletin, actor: User, office_name: str) -> Bulletin:
    """待审核 → 已发布 by a supervisor other than the editor: the document (HTML and PDF)
    rendered once and stored with the PDF's SHA-256; neither changes again."""
    _check_status(b, "publish")
    _require_approver(b, actor, "发布")
    problems = personal_data_problems(session, b)
    if problems:
        raise ValidationError(problems)
    now = clock.now()
    fragment = documents.render_fragment(document(session, b, office_name, published_at=now))
    data = documents.render_pdf(fragment, b.title)
    won = session.execute(update(Bulletin).where(Bulletin.id == b.id, Bulletin.status == std.PENDING)
                          .values(status=std.PUBLISHED, updated_at=now)).rowcount
    if not won:
        raise ValidationError({"status": "该通报已被其他审核人处理，请刷新页面。"})
    session.refresh(b)
    b.published_by_id, b.published_at = actor.id, now
    b.html, b.pdf, b.pdf_sha256, b.pdf_size = fragment, data, hashlib.sha256(data).hexdigest(), len(data)
    session.flush()
    _record(session, "bulletin.publish", b, {"status": std.PENDING}, {
        "status": std.PUBLISHED, "sha256": b.pdf_sha256, "size": b.pdf_size, "editor_id": b.editor_id,
        "corrects": b.corrects_id})
    return b


def correct(session: Session, original: Bulletin, actor: User, note: str) -> Bulletin:
    """A correction (更正): a new draft linked to the published bulletin, with its text and
    cases copied and its figures taken again; the original stays as it was published."""
    _require_edit(actor)
    if original.status != std.PUBLISHED:
        raise ValidationError({"status": "只能更正已发布的通报。"})
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": "请写明更正的原因和内容。"})
    if len(note) > MAX_REASON:
        raise ValidationError({"note": f"更正说明不超过 {MAX_REASON} 字。"})
    pending = session.scalar(select(Bulletin.id).where(Bulletin.corrects_id == original.id,
                                                       Bulletin.status != std.PUBLISHED))
    if pending is not None:
        raise ValidationError({"_": "这份通报已有一份尚未发布的更正，请在其基础上修改。"})
    now = clock.now()
    if original.kind == std.MONTHLY:
        figures = monthly_figures(session, original.period, now)
    else:
        figures = inspection_figures(session, session.get(Audit, original.audit_id), now)
    title = original.title if original.title.endswith("（更正）") else f"{original.title}（更正）"
    b = Bulletin(kind=original.kind, period=original.period, audit_id=original.audit_id, draft_key=None,
                 corrects_id=original.id, correction_note=note, status=std.DRAFT, title=title[:MAX_TITLE],
                 intro=original.intro, analysis=original.analysis, closing=original.closing,
                 figures=json.dumps(figures, ensure_ascii=False), figures_at=now, drafted_by=actor.username,
                 drafted_at=now, editor_id=actor.id, updated_at=now)
    session.add(b)
    session.flush()
    for c in cases_of(session, original):
        session.add(BulletinCase(bulletin_id=b.id, position=c.position, source=c.source, source_id=c.source_id,
                                 platform_id=c.platform_id, title=c.title, text=c.text, created_by=actor.username,
                                 created_at=now))
    session.flush()
    _record(session, "bulletin.draft", b, None, {"status": std.DRAFT, "kind": b.kind, "corrects": original.id,
                                                 "note": note})
    return b


def delete_draft(session: Session, b: Bulletin, actor: User) -> None:
    """The editor discards a draft (its month or audit can then be drafted again)."""
    _editable(b, actor)
    _record(session, "bulletin.delete", b, {"status": std.DRAFT, "title": b.title}, None)
    session.delete(b)
    session.flush()


# Reading -----------------------------------------------------------------------------------------------

def published(session: Session) -> list[Bulletin]:
    """Published bulletins, newest first (what the public sees)."""
    return session.scalars(select(Bulletin).where(Bulletin.status == std.PUBLISHED)
                           .order_by(Bulletin.published_at.desc(), Bulletin.id.desc())).all()


def corrections_of(session: Session, ids) -> dict[int, list[Bulletin]]:
    """Published corrections of the given bulletins, by the id of the bulletin corrected."""
    out: dict[int, list[Bulletin]] = {}
    for b in session.scalars(select(Bulletin).where(Bulletin.corrects_id.in_(list(ids)),
                                                    Bulletin.status == std.PUBLISHED).order_by(Bulletin.id)):
        out.setdefault(b.corrects_id, []).append(b)
    return out


def draftable_audits(session: Session) -> list[Audit]:
    """Started audits without an inspection bulletin yet."""
    taken = select(Bulletin.audit_id).where(Bulletin.draft_key.like("inspection:%"), Bulletin.audit_id.is_not(None))
    return session.scalars(select(Audit).where(Audit.started_at.is_not(None), Audit.id.not_in(taken))
                           .order_by(Audit.id.desc())).all()


# Demo ----------------------------------------------------------------------------------------------------

def load_demo_bulletin(session: Session, office_name: str | None = None) -> None:
    """The demo's last month published: drafted by the scheduler, edited by ``inspector`` with a
    typical case, published by ``supervisor`` (idempotent: nothing when the month has one)."""
    from scoring import month_add

    if office_name is None:
        from flask import current_app, has_app_context

        office_name = current_app.config["OFFICE_NAME"] if has_app_context() else "省互联网信息办公室"

    now = clock.now()
    try:  # the latest month whose bulletin is due, as the scheduler's job sees it
        from supervision.jobs.registry import current_period

        period = current_period("monthly_bulletin_draft", session, now)
    except UnknownYearError:  # the calendar lacks this year: the month before last is surely due
        period = month_add(now.strftime("%Y-%m"), -2)
    editor = session.scalar(select(User).where(User.username == "inspector"))
    approver = session.scalar(select(User).where(User.username == "supervisor"))
    if editor is None or approver is None:
        return
    b = draft_monthly(session, period, now)
    if b is None:
        return
    update_text(session, b, editor, b.title, b.intro,
                "本月各属地网站平台总体能够按照要求受理处置网络侵权信息举报，但仍有部分平台存在超期办结、未按时反馈等问题。",
                "我办将继续开展督导检查，对问题突出的平台依规采取约谈、通报批评等措施。")
    candidates = case_candidates(session, b)
    pick = next(iter(candidates["complaint"] or candidates["finding"]), None)
    if pick is not None:
        add_case(session, b, editor, "complaint" if candidates["complaint"] else "finding", pick[0])
    submit(session, b, editor)
    publish(session, b, approver, office_name)
