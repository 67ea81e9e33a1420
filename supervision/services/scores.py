"""Scorecards from the database: the counts of scoring.md per platform and month, fed to the
pure model in ``scoring/``, stored as score runs; quarters and years from the stored months'
counts summed (never averaged scores); the versioned weights; what the dashboard reads.

Entry points: :func:`recompute_period` (after each accepted submission's check and by the
scheduler), :func:`league_view`, :func:`card_view`, :func:`province_view`, :func:`save_weights`.
"""
from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from scoring import (DEFAULT_MODEL, INDICATORS, MODEL_VERSION, Period, Scorecard, ScoringInput, ScoringModel,
                     aggregate, card_from_dict, card_to_dict, compute_league, early_warnings, input_from_dict,
                     input_to_dict, model_from_form, model_from_parameters, months_back, parse_period,
                     province_values)
from scoring.alerts import EarlyWarning
from scoring.store import canonical_json, digest
from scoring.weights import WeightError
from supervision import auditlog, clock
from supervision.models import (CheckRun, Complaint, LedgerSubmission, Platform, Report, SampleItem, Score, ScoreRun,
                                ScoreWeightSet)
from supervision.services import ValidationError
from supervision.services.checks import current_parameters, load_calendar, month_bounds
from supervision.services.ledger_store import fetch_frame
from supervision.standard.complaints import SUBSTANTIATED
from supervision.standard.workdays import UnknownYearError

TIMELINESS = ("TIM-01", "TIM-02", "TIM-05", "TIM-06")
FEEDBACK = ("TIM-07", "TIM-08")
LED = ("LED-01", "LED-02", "LED-03")
DONE, OPEN = "已办结", "办理中"

#: which findings take points off which indicator (for the drill-down)
INDICATOR_RULES = {
    "timeliness": "TIM-01, TIM-02, TIM-05, TIM-06",
    "correctness": "ACC-*, DIS-*（及抽查人工复核不合规）",
    "feedback": "TIM-07, TIM-08",
    "process": "PRO-*",
    "complaints": "成立或部分成立的投诉",
    "rectification": "整改通知书事项",
    "satisfaction": "投诉人满意度评价",
}


# Weights ---------------------------------------------------------------------------------------

def current_weights(session: Session) -> tuple[int, ScoringModel]:
    """(version, model) in force: the newest stored version; version 1 is scoring.md's defaults."""
    row = session.scalar(select(ScoreWeightSet).order_by(ScoreWeightSet.version.desc()).limit(1))
    if row is None:
        return 1, DEFAULT_MODEL
    return row.version, model_from_parameters(json.loads(row.values))


def weights_of_version(session: Session, version: int) -> ScoringModel:
    row = session.get(ScoreWeightSet, version)
    if row is None:
        if version == 1:
            return DEFAULT_MODEL
        raise LookupError(f"评分权重版本 {version} 不存在。")
    return model_from_parameters(json.loads(row.values))


def weight_history(session: Session) -> list[tuple[int, ScoringModel, ScoreWeightSet | None]]:
    rows = session.scalars(select(ScoreWeightSet).order_by(ScoreWeightSet.version.desc())).all()
    out = [(r.version, model_from_parameters(json.loads(r.values)), r) for r in rows]
    if not any(v == 1 for v, _, _ in out):
        out.append((1, DEFAULT_MODEL, None))
    return out


def _ensure_weight_row(session: Session, version: int, model: ScoringModel) -> None:
    """Version 1 (the defaults) is stored the first time something refers to it."""
    if session.get(ScoreWeightSet, version) is None:
        session.add(ScoreWeightSet(version=version, values=canonical_json(model.parameters()),
                                   fingerprint=model.fingerprint(), note="scoring.md 默认权重和常数",
                                   created_by="system", created_at=clock.now()))
        session.flush()


def save_weights(session: Session, values: dict, note: str, actor_name: str) -> ScoreWeightSet:
    """Store the admin's weights and constants as a new version (stored scores keep theirs)."""
    version, current = current_weights(session)
    try:
        new = model_from_form(values)
    except WeightError as e:
        raise ValidationError(e.errors) from e
    if new.fingerprint() == current.fingerprint():
        raise ValidationError({"_": "权重和常数没有变化，未生成新版本。"})
    _ensure_weight_row(session, version, current)
    row = ScoreWeightSet(version=version + 1, values=canonical_json(new.parameters()), fingerprint=new.fingerprint(),
                         note=(note or "")[:200], created_by=actor_name[:64], created_at=clock.now())
    session.add(row)
    session.flush()
    auditlog.record(session, "score_weights.update", "score_weight_set", row.version, current.parameters(),
                    new.parameters())
    return row


# Monthly counts from the database ---------------------------------------------------------------

def scored_platforms(session: Session, period: str) -> list[Platform]:
    """Local platforms in supervision in that month (onboarded by then)."""
    return session.scalars(select(Platform).where(Platform.is_local, Platform.active, Platform.onboarded <= period)
                           .order_by(Platform.code)).all()


def _ids(platforms) -> str:
    return ", ".join(str(int(p.id)) for p in platforms) or "NULL"


# One pass over the reports of the month's base with the open findings per report folded in.
_COUNTS_SQL = """
WITH flags AS (
  SELECT platform_id, report_id,
    MAX(CASE WHEN rule_code IN ('TIM-01', 'TIM-02', 'TIM-05', 'TIM-06') THEN 1 ELSE 0 END) AS tim,
    MAX(CASE WHEN substr(rule_code, 1, 4) IN ('ACC-', 'DIS-') THEN 1 ELSE 0 END) AS acc,
    MAX(CASE WHEN rule_code IN ('TIM-07', 'TIM-08') THEN 1 ELSE 0 END) AS fb,
    MAX(CASE WHEN substr(rule_code, 1, 4) = 'PRO-' THEN 1 ELSE 0 END) AS pro
  FROM findings
  WHERE status = 'open' AND period <= :period AND platform_id IN ({ids})
    AND substr(rule_code, 1, 4) IN ('TIM-', 'ACC-', 'DIS-', 'PRO-')
  GROUP BY platform_id, report_id
), base AS (
  SELECT r.platform_id AS pid,
    CASE WHEN r.status = :done AND r.disposed_at >= :start AND r.disposed_at < :end THEN 1 ELSE 0 END AS concl,
    CASE WHEN r.status = :open THEN 1 ELSE 0 END AS opn,
    CASE WHEN r.received_at >= :start THEN 1 ELSE 0 END AS rcv,
    COALESCE(f.tim, 0) AS tim, COALESCE(f.acc, 0) AS acc, COALESCE(f.fb, 0) AS fb, COALESCE(f.pro, 0) AS pro
  FROM reports r LEFT JOIN flags f ON f.platform_id = r.platform_id AND f.report_id = r.report_id
  WHERE r.platform_id IN ({ids}) AND r.received_at < :end
    AND (r.status = :open OR r.disposed_at >= :start OR r.received_at >= :start)
)
SELECT pid,
  SUM(CASE WHEN concl = 1 OR opn = 1 THEN 1 ELSE 0 END),
  SUM(CASE WHEN (concl = 1 OR opn = 1) AND tim = 0 THEN 1 ELSE 0 END),
  SUM(concl),
  SUM(CASE WHEN concl = 1 AND acc = 0 THEN 1 ELSE 0 END),
  SUM(CASE WHEN concl = 1 AND fb = 0 THEN 1 ELSE 0 END),
  SUM(rcv),
  SUM(CASE WHEN rcv = 1 AND pro = 0 THEN 1 ELSE 0 END)
FROM base GROUP BY pid
"""
_COUNT_NAMES = ["pid", "timeliness_total", "timeliness_ok", "concluded_total", "correctness_ok", "feedback_ok",
                "received_total", "process_ok"]


def rectification_counts(session: Session, period: str) -> dict[int, tuple[int, int]]:
    """(notice items due in the month, of which accepted on time) per platform id, from the
    rectification notices when that module provides them; empty otherwise (整改落实 = 100)."""
    import importlib

    try:
        notices = importlib.import_module("supervision.services.notices")
    except ModuleNotFoundError as e:
        if e.name == "supervision.services.notices":
            return {}
        raise
    counts = getattr(notices, "rectification_counts", None)
    return dict(counts(session, period)) if counts is not None else {}


def _complaints_by_month(session: Session, platform_ids, first: str, last: str) -> dict[tuple[int, str], int]:
    """Complaints received (filed, duplicates not counted) per (platform id, month)."""
    start, end = month_bounds(first)[0], month_bounds(last)[1]
    rows = session.execute(select(Complaint.platform_id, Complaint.filed_at).where(
        Complaint.platform_id.in_(list(platform_ids)), Complaint.duplicate_of_id.is_(None),
        Complaint.filed_at >= start, Complaint.filed_at < end)).all()
    out: dict[tuple[int, str], int] = defaultdict(int)
    for pid, filed_at in rows:
        out[(pid, filed_at.strftime("%Y-%m"))] += 1
    return out


def month_inputs(session: Session, platforms: list[Platform], period: str) -> dict[int, tuple[ScoringInput, dict]]:
    """The scoring inputs of ``period`` (YYYY-MM) for each platform, with the month's facts for
    the province charts (reports by category, open findings by rule family, complaints received).
    A handful of set-based queries for all platforms together."""
    from supervision.services.complaints import satisfaction_by_platform_month

    if not platforms:
        return {}
    start, end = month_bounds(period)
    ids = _ids(platforms)
    params = {"period": period, "start": start, "end": end, "done": DONE, "open": OPEN}
    counts = fetch_frame(session, _COUNTS_SQL.format(ids=ids), params, _COUNT_NAMES)
    by_pid = {int(r.pid): r for r in counts.itertuples(index=False)}
    reported = set(session.scalars(select(LedgerSubmission.platform_id).where(
        LedgerSubmission.period == period, LedgerSubmission.status == "accepted")))
    led = fetch_frame(session, "SELECT platform_id, rule_code FROM findings WHERE period = :period AND "
                      f"status = 'open' AND report_id = :period AND platform_id IN ({ids}) AND "
                      "rule_code IN ('LED-01', 'LED-02', 'LED-03')", {"period": period}, ["pid", "rule"])
    led_by = {(int(p), r) for p, r in led.itertuples(index=False)}
    audit = session.execute(select(SampleItem.platform_id, SampleItem.verdict, func.count()).join(
        Report, Report.id == SampleItem.report_pk).where(
        SampleItem.judgmental.is_(False), SampleItem.verdict.is_not(None), Report.received_at >= start,
        Report.received_at < end).group_by(SampleItem.platform_id, SampleItem.verdict)).all()
    reviewed: dict[int, int] = defaultdict(int)
    deviations: dict[int, int] = defaultdict(int)
    for pid, verdict, n in audit:
        reviewed[pid] += n
        if verdict == "不合规":
            deviations[pid] += n
    substantiated = dict(session.execute(select(Complaint.platform_id, func.count()).where(
        Complaint.closed_at >= start, Complaint.closed_at < end, Complaint.conclusion.in_(SUBSTANTIATED),
        Complaint.platform_id.is_not(None)).group_by(Complaint.platform_id)).all())
    satisfaction = satisfaction_by_platform_month(session, period)
    rectification = rectification_counts(session, period)
    received = _complaints_by_month(session, [p.id for p in platforms], period, period)
    categories: dict[int, dict[str, int]] = defaultdict(dict)
    for pid, cat, n in fetch_frame(
            session, "SELECT platform_id, category, COUNT(*) FROM reports WHERE platform_id IN "
            f"({ids}) AND received_at >= :start AND received_at < :end GROUP BY platform_id, category",
            {"start": start, "end": end}, ["pid", "cat", "n"]).itertuples(index=False):
        categories[int(pid)][cat or "未填写"] = int(n)
    families: dict[int, dict[str, int]] = defaultdict(dict)
    for pid, fam, n in fetch_frame(
            session, "SELECT platform_id, substr(rule_code, 1, 3), COUNT(*) FROM findings WHERE period = :period "
            f"AND status = 'open' AND platform_id IN ({ids}) GROUP BY platform_id, substr(rule_code, 1, 3)",
            {"period": period}, ["pid", "fam", "n"]).itertuples(index=False):
        families[int(pid)][fam] = int(n)

    out = {}
    for p in platforms:
        c = by_pid.get(p.id)
        counts_of = {name: int(getattr(c, name) or 0) for name in _COUNT_NAMES[1:]} if c is not None else {}
        sat = satisfaction.get((p.id, period))
        ratings = tuple(sat.distribution.get(s, 0) for s in (1, 2, 3, 4, 5)) if sat else (0, 0, 0, 0, 0)
        due, on_time = rectification.get(p.id, (0, 0))
        item = ScoringInput(
            platform_code=p.code, months=1, months_reported=1 if p.id in reported else 0, **counts_of,
            audit_reviewed=reviewed[p.id], audit_deviations=deviations[p.id],
            complaints_substantiated=int(substantiated.get(p.id, 0)),
            notice_items_due=int(due), notice_items_on_time=int(on_time), ratings=ratings,
            led01=int((p.id, "LED-01") in led_by), led02=int((p.id, "LED-02") in led_by),
            led03=int((p.id, "LED-03") in led_by))
        facts = {"categories": categories.get(p.id, {}), "findings": families.get(p.id, {}),
                 "complaints_received": received.get((p.id, period), 0)}
        out[p.id] = (item, facts)
    return out


def month_input(session: Session, platform: Platform, period: str) -> ScoringInput:
    return month_inputs(session, [platform], period)[platform.id][0]


# Stored runs -------------------------------------------------------------------------------------

def latest_run(session: Session, period: str) -> ScoreRun | None:
    return session.scalar(select(ScoreRun).where(ScoreRun.period == period).order_by(ScoreRun.id.desc()).limit(1))


def latest_runs(session: Session, periods) -> dict[str, ScoreRun]:
    ids = select(func.max(ScoreRun.id)).where(ScoreRun.period.in_(list(periods))).group_by(ScoreRun.period)
    return {r.period: r for r in session.scalars(select(ScoreRun).where(ScoreRun.id.in_(ids)))}


def _stored_data(session: Session, run: ScoreRun) -> dict[int, tuple[ScoringInput, dict]]:
    rows = session.execute(select(Score.platform_id, Score.inputs, Score.facts).where(Score.run_id == run.id)).all()
    return {pid: (input_from_dict(json.loads(inputs)), json.loads(facts)) for pid, inputs, facts in rows}


def month_provisional(session: Session, period: str, platform_ids, now: datetime) -> bool:
    """Provisional until the month's ledgers are due (次月第 N 个工作日) and every scored
    platform's month has been checked after that."""
    _version, params = current_parameters(session)
    try:
        due = load_calendar(session).ledger_due(period, params.ledger_due_working_day)
    except UnknownYearError:
        return True
    if now <= due:
        return True
    checked = set(session.scalars(select(CheckRun.platform_id).where(
        CheckRun.period == period, CheckRun.ran_at > due, CheckRun.error.is_(None))))
    return not set(platform_ids) <= checked


def sum_facts(items: list[dict]) -> dict:
    out: dict = {"categories": defaultdict(int), "findings": defaultdict(int), "complaints_received": 0}
    for f in items:
        for key in ("categories", "findings"):
            for k, v in f.get(key, {}).items():
                out[key][k] += v
        out["complaints_received"] += f.get("complaints_received", 0)
    return {"categories": dict(out["categories"]), "findings": dict(out["findings"]),
            "complaints_received": out["complaints_received"]}


@dataclass
class PeriodData:
    inputs: dict[int, tuple[ScoringInput, dict]]  # platform id -> (inputs, facts)
    provisional: bool


def _month_data(session: Session, month: str, now: datetime, *, only=None) -> PeriodData:
    platforms = scored_platforms(session, month)
    stored = {}
    if only is not None:
        run = latest_run(session, month)
        stored = _stored_data(session, run) if run is not None else {}
    need = [p for p in platforms if p.id not in stored or p.id in set(only or ())]
    fresh = month_inputs(session, need, month)
    data = {p.id: fresh[p.id] if p.id in fresh else stored[p.id] for p in platforms}
    return PeriodData(data, month_provisional(session, month, data.keys(), now))


def _months_of(period: Period, now: datetime) -> list[str]:
    """The months of a period that have begun by ``now``."""
    current = now.strftime("%Y-%m")
    return [m for m in period.months if m <= current]


def _aggregate_data(session: Session, period: Period, now: datetime, *, store: bool, trigger: str,
                    actor_name: str) -> PeriodData:
    """A quarter or year: every platform's months summed, from the stored months (a month not
    stored yet is computed, and stored when ``store``)."""
    months = _months_of(period, now)
    runs = latest_runs(session, months)
    per_platform: dict[int, list[tuple[ScoringInput, dict]]] = defaultdict(list)
    provisional = period.last_month >= now.strftime("%Y-%m")
    for m in months:
        if m in runs:
            data = _stored_data(session, runs[m])
            provisional = provisional or runs[m].provisional
        else:
            if store:
                recompute(session, parse_period(m), now, trigger=trigger, actor_name=actor_name, refresh=False)
                run = latest_run(session, m)
                data = _stored_data(session, run)
                provisional = provisional or run.provisional
            else:
                md = _month_data(session, m, now)
                data, provisional = md.inputs, provisional or md.provisional
        for pid, pair in data.items():
            per_platform[pid].append(pair)
    inputs = {pid: (aggregate([i for i, _ in pairs]), sum_facts([f for _, f in pairs]))
              for pid, pairs in per_platform.items()}
    return PeriodData(inputs, provisional)


def _period_data(session: Session, period: Period, now: datetime, *, store: bool = False, only=None,
                 trigger: str = "job", actor_name: str = "") -> PeriodData:
    if period.is_month:
        return _month_data(session, period.key, now, only=only)
    return _aggregate_data(session, period, now, store=store, trigger=trigger, actor_name=actor_name)


def _league(data: PeriodData, model: ScoringModel) -> list[Scorecard]:
    items = [i for i, _ in data.inputs.values()]
    return compute_league(items, model) if items else []


def recompute(session: Session, period: Period, now: datetime, *, trigger: str, actor_name: str = "",
               only=None, refresh: bool = True) -> int:
    version, model = current_weights(session)
    data = _period_data(session, period, now, store=True, only=only, trigger=trigger, actor_name=actor_name)
    cards = _league(data, model)
    codes = {i.platform_code: pid for pid, (i, _) in data.inputs.items()}
    key = digest({"period": period.key, "model_version": MODEL_VERSION, "weight_version": version,
                  "fingerprint": model.fingerprint(), "provisional": data.provisional,
                  "inputs": {c: input_to_dict(data.inputs[pid][0]) for c, pid in codes.items()},
                  "facts": {c: data.inputs[pid][1] for c, pid in codes.items()}})
    last = latest_run(session, period.key)
    if last is None or last.digest != key:
        _ensure_weight_row(session, version, model)
        items = [i for i, _ in data.inputs.values()]
        province = province_values(items, model) if items else {}
        run = ScoreRun(period=period.key, kind=period.kind, computed_at=now, trigger=trigger, actor=actor_name[:64],
                       model_version=MODEL_VERSION, weight_version=version, provisional=data.provisional,
                       platform_count=len(cards), province=canonical_json(province), digest=key)
        session.add(run)
        session.flush()
        session.add_all([_score_row(run, codes[c.platform_code], c, *data.inputs[codes[c.platform_code]])
                         for c in cards])
        session.flush()
        if last is not None and last.provisional and last.weight_version == version:
            # A provisional run is a working copy: superseded by the next one of the same
            # weights. Final runs, and runs under other weights, are kept as they are.
            session.execute(delete(Score).where(Score.run_id == last.id))
            session.delete(last)
            session.flush()
        auditlog.record(session, "scores.compute", "score_run", run.id, None,
                        {"period": period.key, "platforms": len(cards), "weight_version": version,
                         "provisional": data.provisional, "trigger": trigger})
    if refresh:
        for outer in period.containing():
            if latest_run(session, outer.key) is not None:
                recompute(session, outer, now, trigger=trigger, actor_name=actor_name, refresh=False)
    return len(cards)


def _score_row(run: ScoreRun, platform_id: int, card: Scorecard, item: ScoringInput, facts: dict) -> Score:
    rng = card.rank_range
    return Score(run_id=run.id, period=run.period, platform_id=platform_id, platform_code=card.platform_code,
                 not_reported=not card.reported, score=card.score, grade=card.grade, rank=card.rank,
                 rank_low=rng[0] if rng else None, rank_high=rng[1] if rng else None,
                 weighted_total=card.weighted_total, deduction_total=card.deduction_total,
                 card=canonical_json(card_to_dict(card)), inputs=canonical_json(input_to_dict(item)),
                 facts=canonical_json(facts))


def recompute_period(session: Session, period: str, now: datetime, *, trigger: str = "job", actor_name: str = "",
                     platform_ids=None) -> int:
    """Compute and store the scorecards of ``period`` (YYYY-MM, YYYY-Qn or YYYY) with the weights
    in force; returns the number of platforms scored.

    A month is computed from the ledgers, findings, audits, complaints and notices; a quarter or
    year from its months' stored counts summed (months not stored yet are computed and stored
    first). Nothing new is stored when inputs, versions and the provisional flag are unchanged;
    otherwise a new run is stored (earlier runs stay as they were). Storing a month refreshes
    its quarter and year when those have been stored before. ``platform_ids``: only these
    platforms' months are read again; the others' counts come from the month's latest run.
    Does not commit."""
    return recompute(session, parse_period(period), now, trigger=trigger, actor_name=actor_name,
                      only=platform_ids)


def recompute_after_check(session: Session, platform_id: int, periods) -> None:
    """After a submission's checks: store the touched months again (this platform's counts read
    afresh, the others' from the stored run)."""
    now = clock.now()
    for period in sorted(set(periods)):
        recompute(session, parse_period(period), now, trigger="submission", only=[platform_id])


# What pages read ---------------------------------------------------------------------------------

@dataclass
class LeagueView:
    period: Period
    run: ScoreRun | None  # None: computed now, not stored
    model: ScoringModel
    weight_version: int
    provisional: bool
    cards: list[Scorecard]
    platforms: dict[str, Platform]  # by code
    inputs: dict[str, ScoringInput] = field(default_factory=dict)
    facts: dict[str, dict] = field(default_factory=dict)
    province: dict[str, float] = field(default_factory=dict)
    warnings: list[EarlyWarning] = field(default_factory=list)

    def card(self, code: str) -> Scorecard | None:
        return next((c for c in self.cards if c.platform_code == code), None)


def _stored_cards(session: Session, run: ScoreRun) -> list[tuple[Score, Scorecard]]:
    rows = session.scalars(select(Score).where(Score.run_id == run.id)).all()
    pairs = [(r, card_from_dict(json.loads(r.card))) for r in rows]
    pairs.sort(key=lambda pc: (pc[0].not_reported, pc[0].rank or 0, pc[0].platform_code))
    return pairs


def previous_scores(session: Session, period: Period) -> dict[str, float | None]:
    run = latest_run(session, period.previous().key)
    if run is None:
        return {}
    return dict(session.execute(select(Score.platform_code, Score.score).where(Score.run_id == run.id)).all())


def league_view(session: Session, period: Period, now: datetime | None = None) -> LeagueView:
    """The league of a period: the newest stored run, or (never stored) computed now without
    storing. Changes against the previous period's stored scores; warnings for months."""
    from dataclasses import replace

    now = now or clock.now()
    platforms = {p.code: p for p in session.scalars(select(Platform))}
    before = previous_scores(session, period)
    run = latest_run(session, period.key)
    if run is not None:
        model = weights_of_version(session, run.weight_version)
        pairs = _stored_cards(session, run)
        cards = [replace(c, change=_change(c.score, before.get(c.platform_code))) for _, c in pairs]
        view = LeagueView(period, run, model, run.weight_version, run.provisional, cards, platforms,
                          inputs={r.platform_code: input_from_dict(json.loads(r.inputs)) for r, _ in pairs},
                          facts={r.platform_code: json.loads(r.facts) for r, _ in pairs},
                          province=json.loads(run.province))
    else:
        version, model = current_weights(session)
        data = _period_data(session, period, now)
        items = [i for i, _ in data.inputs.values()]
        cards = compute_league(items, model, previous_scores=before) if items else []
        view = LeagueView(period, None, model, version, data.provisional, cards, platforms,
                          inputs={i.platform_code: i for i in items},
                          facts={i.platform_code: f for i, f in data.inputs.values()},
                          province=province_values(items, model) if items else {})
    if period.is_month:
        view.warnings = _warnings(session, view)
    return view


def _change(score, previous) -> float | None:
    return None if score is None or previous is None else round(score - previous, 9)


def _warnings(session: Session, view: LeagueView) -> list[EarlyWarning]:
    prev_run = latest_run(session, view.period.previous().key)
    previous = [c for _, c in _stored_cards(session, prev_run)] if prev_run is not None else []
    model = view.model
    months = months_back(view.period.key, model.complaint_history_months + 1)
    ids = {c.platform_code: view.platforms[c.platform_code].id for c in view.cards if c.platform_code in view.platforms}
    received = _complaints_by_month(session, ids.values(), months[0], months[-1])
    complaints = {}
    for code, pid in ids.items():
        platform = view.platforms[code]
        history = [received.get((pid, m), 0) for m in months[:-1] if m >= platform.onboarded]
        complaints[code] = (received.get((pid, months[-1]), 0), history)
    return early_warnings(view.cards, previous, complaints, model)


def scoped(view: LeagueView, platform_code: str | None) -> LeagueView:
    """The view as a platform user sees it: only its own card and warnings."""
    if platform_code is None:
        return view
    from dataclasses import replace

    return replace(view, cards=[c for c in view.cards if c.platform_code == platform_code],
                   warnings=[w for w in view.warnings if w.platform_code == platform_code])


@dataclass
class TrendPoint:
    month: str
    score: float | None
    grade: str | None
    indicators: dict[str, float | None]
    complaints_received: int | None
    complaints_substantiated: int | None
    satisfaction: float | None


def platform_trend(session: Session, platform: Platform, last_month: str, count: int = 12) -> list[TrendPoint]:
    """The platform's stored monthly scores for the ``count`` months ending with ``last_month``
    (None where a month has no stored score)."""
    months = months_back(last_month, count)
    runs = latest_runs(session, months)
    rows = {r.period: r for r in session.scalars(select(Score).where(
        Score.run_id.in_([r.id for r in runs.values()]), Score.platform_id == platform.id))} if runs else {}
    received = _complaints_by_month(session, [platform.id], months[0], months[-1])
    out = []
    for m in months:
        r = rows.get(m)
        complaints = received.get((platform.id, m), 0) if m >= platform.onboarded else None
        if r is None:
            out.append(TrendPoint(m, None, None, {k: None for k in INDICATORS}, complaints, None, None))
            continue
        card = card_from_dict(json.loads(r.card))
        item = input_from_dict(json.loads(r.inputs))
        out.append(TrendPoint(
            m, r.score, r.grade, {k: (card.indicators[k].value if card.reported else None) for k in INDICATORS},
            complaints, item.complaints_substantiated, card.indicators["satisfaction"].raw))
    return out


@dataclass
class RuleCount:
    indicator: str
    rule_code: str
    cohort: str  # the findings' month (受理月份)
    count: int


def lost_point_findings(session: Session, platform: Platform, period: Period) -> list[RuleCount]:
    """The open findings behind the points lost, per indicator, rule and cohort month: the
    findings of the reports in each indicator's base over the whole period (each finding once).
    Stored with the platform's data version (services/derived.py): the query joins every open
    finding of the platform with its report."""
    from supervision.services import derived

    rows = derived.cached(session, f"lost_points|{platform.id}|{period.first_month}|{period.last_month}",
                          derived.version_of(session, platform.id),
                          lambda: [list(asdict(r).values()) for r in _lost_point_findings(session, platform, period)])
    return [RuleCount(*row) for row in rows]


def _lost_point_findings(session: Session, platform: Platform, period: Period) -> list[RuleCount]:
    out: dict[tuple[str, str, str], int] = defaultdict(int)
    start, end = month_bounds(period.first_month)[0], month_bounds(period.last_month)[1]
    frame = fetch_frame(session, """
        SELECT f.rule_code, f.period,
          CASE WHEN r.status = :done AND r.disposed_at >= :start AND r.disposed_at < :end THEN 1 ELSE 0 END,
          CASE WHEN r.status = :open THEN 1 ELSE 0 END, COUNT(*)
        FROM findings f JOIN reports r ON r.platform_id = f.platform_id AND r.report_id = f.report_id
        WHERE f.platform_id = :p AND f.status = 'open' AND f.period <= :last
          AND substr(f.rule_code, 1, 4) IN ('TIM-', 'ACC-', 'DIS-', 'PRO-')
          AND r.received_at < :end AND (r.status = :open OR r.disposed_at >= :start OR r.received_at >= :start)
        GROUP BY f.rule_code, f.period,
          CASE WHEN r.status = :done AND r.disposed_at >= :start AND r.disposed_at < :end THEN 1 ELSE 0 END,
          CASE WHEN r.status = :open THEN 1 ELSE 0 END""",
        {"p": platform.id, "last": period.last_month, "start": start, "end": end, "done": DONE, "open": OPEN},
        ["rule", "cohort", "concl", "opn", "n"])
    months = set(period.months)
    for rule, cohort, concl, opn, n in frame.itertuples(index=False):
        concl, opn, n = int(concl), int(opn), int(n)
        if rule in TIMELINESS and (concl or opn):
            out[("timeliness", rule, cohort)] += n
        elif rule in FEEDBACK and concl:
            out[("feedback", rule, cohort)] += n
        elif rule[:4] in ("ACC-", "DIS-") and concl:
            out[("correctness", rule, cohort)] += n
        elif rule[:4] == "PRO-" and cohort in months:
            out[("process", rule, cohort)] += n
    led = fetch_frame(session, "SELECT rule_code, period FROM findings WHERE platform_id = :p AND period >= :first "
                      "AND period <= :last AND report_id = period AND status = 'open' AND rule_code IN "
                      "('LED-01', 'LED-02', 'LED-03')", {"p": platform.id, "first": period.first_month,
                                                          "last": period.last_month}, ["rule", "month"])
    for rule, month in led.itertuples(index=False):
        out[("deductions", rule, month)] += 1
    order = {k: i for i, k in enumerate((*INDICATORS, "deductions"))}
    return [RuleCount(ind, rule, cohort, n) for (ind, rule, cohort), n in
            sorted(out.items(), key=lambda kv: (order[kv[0][0]], kv[0][1], kv[0][2]))]


def notices_of(session: Session, platform: Platform) -> list | None:
    """The platform's rectification notices, when the notices module exists (None otherwise)."""
    import supervision.models as models

    notice = getattr(models, "Notice", None)
    if notice is None or not hasattr(notice, "platform_id"):
        return None
    q = select(notice).where(notice.platform_id == platform.id)
    if hasattr(notice, "id"):
        q = q.order_by(notice.id.desc())
    return session.scalars(q.limit(20)).all()


@dataclass
class ProvinceMonth:
    month: str
    stored: bool
    reports_by_category: dict[str, int]
    findings_by_family: dict[str, int]
    complaints_received: int
    timeliness: float | None  # the province's 办理时效 value
    mean_score: float | None


def province_view(session: Session, last_month: str, count: int = 12) -> list[ProvinceMonth]:
    """Province-wide monthly figures from the stored month runs (charts of the dashboard)."""
    months = months_back(last_month, count)
    runs = latest_runs(session, months)
    out = []
    rows_by_run: dict[int, list] = defaultdict(list)
    if runs:
        for run_id, facts, score in session.execute(select(Score.run_id, Score.facts, Score.score).where(
                Score.run_id.in_([r.id for r in runs.values()]))):
            rows_by_run[run_id].append((json.loads(facts), score))
    complaints: dict[str, int] = defaultdict(int)
    for (_pid, month), n in _complaints_by_month(session, session.scalars(select(Platform.id)), months[0],
                                                 months[-1]).items():
        complaints[month] += n
    for m in months:
        run = runs.get(m)
        if run is None:
            out.append(ProvinceMonth(m, False, {}, {}, complaints[m], None, None))
            continue
        rows = rows_by_run[run.id]
        facts = sum_facts([f for f, _ in rows])
        scores = [s for _, s in rows if s is not None]
        province = json.loads(run.province)
        out.append(ProvinceMonth(m, True, facts["categories"], facts["findings"], complaints[m],
                                 province.get("timeliness"), sum(scores) / len(scores) if scores else None))
    return out


def default_period(now: datetime | None = None) -> Period:
    """The month before ``now`` (the last whole month)."""
    from scoring import month_add

    return parse_period(month_add((now or clock.now()).strftime("%Y-%m"), -1))
