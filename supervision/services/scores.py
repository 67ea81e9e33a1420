"""Scorecards from the database: the counts of scoring.md per platform and month, fed to the
pure model in ``scoring/``. Quarters and years sum the months' counts."""
from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring import ScoringInput, aggregate, compute_league, early_warnings
from supervision.models import Complaint, Finding, LedgerSubmission, Platform, Report, SampleItem
from supervision.services.checks import month_bounds
from supervision.services.ledger_store import fetch_frame

TIMELINESS = ("TIM-01", "TIM-02", "TIM-05", "TIM-06")
FEEDBACK = ("TIM-07", "TIM-08")


def scored_platforms(session: Session, period: str) -> list[Platform]:
    """Local platforms in supervision in that month (onboarded by then)."""
    return session.scalars(select(Platform).where(Platform.is_local, Platform.active, Platform.onboarded <= period)
                           .order_by(Platform.code)).all()


def month_input(session: Session, platform: Platform, period: str) -> ScoringInput:
    start, end = month_bounds(period)
    reported = session.scalar(select(LedgerSubmission.id).where(
        LedgerSubmission.platform_id == platform.id, LedgerSubmission.period == period,
        LedgerSubmission.status == "accepted").limit(1)) is not None
    reports = fetch_frame(
        session, "SELECT report_id, status, received_at, disposed_at FROM reports WHERE platform_id = :p AND "
        "(received_at < :end AND (status = '办理中' OR disposed_at >= :start OR received_at >= :start))",
        {"p": platform.id, "start": start, "end": end}, ["report_id", "status", "received_at", "disposed_at"])
    for col in ("received_at", "disposed_at"):
        reports[col] = pd.to_datetime(reports[col], format="ISO8601")
    findings = fetch_frame(session, "SELECT report_id, rule_code FROM findings WHERE platform_id = :p AND status = 'open'",
                           {"p": platform.id}, ["report_id", "rule_code"])

    def flagged(codes) -> np.ndarray:
        ids = set(findings.loc[findings["rule_code"].isin(codes), "report_id"])
        return reports["report_id"].isin(ids).to_numpy()

    def flagged_prefix(prefixes) -> np.ndarray:
        ids = set(findings.loc[findings["rule_code"].str.startswith(prefixes), "report_id"])
        return reports["report_id"].isin(ids).to_numpy()

    concluded = ((reports["status"] == "已办结") & (reports["disposed_at"] >= start)
                 & (reports["disposed_at"] < end)).to_numpy()
    open_now = (reports["status"] == "办理中").to_numpy()
    received = ((reports["received_at"] >= start) & (reports["received_at"] < end)).to_numpy()
    timely_base = concluded | open_now
    items = session.execute(select(SampleItem.verdict).join(Report, Report.id == SampleItem.report_pk).where(
        SampleItem.platform_id == platform.id, SampleItem.judgmental.is_(False), SampleItem.verdict.is_not(None),
        Report.received_at >= start, Report.received_at < end)).scalars().all()
    complaints = session.execute(select(Complaint.conclusion, Complaint.closed_at, Complaint.rating,
                                        Complaint.rated_at).where(Complaint.platform_id == platform.id)).all()
    substantiated = sum(1 for c in complaints if c.closed_at is not None and start <= c.closed_at < end
                        and c.conclusion in ("投诉成立", "部分成立"))
    ratings = [0, 0, 0, 0, 0]
    for c in complaints:
        if c.rating and c.rated_at is not None and start <= c.rated_at < end:
            ratings[int(c.rating) - 1] += 1
    led = set(findings.loc[findings["report_id"] == period, "rule_code"])
    return ScoringInput(
        platform_code=platform.code, months=1, months_reported=1 if reported else 0,
        timeliness_total=int(timely_base.sum()), timeliness_ok=int((timely_base & ~flagged(TIMELINESS)).sum()),
        concluded_total=int(concluded.sum()),
        correctness_ok=int((concluded & ~flagged_prefix(("ACC-", "DIS-"))).sum()),
        feedback_ok=int((concluded & ~flagged(FEEDBACK)).sum()),
        audit_reviewed=len(items), audit_deviations=sum(1 for v in items if v == "不合规"),
        received_total=int(received.sum()), process_ok=int((received & ~flagged_prefix(("PRO-",))).sum()),
        complaints_substantiated=substantiated, ratings=tuple(ratings),
        led01=int("LED-01" in led), led02=int("LED-02" in led), led03=int("LED-03" in led),
    )


def previous_month(period: str) -> str:
    y, m = map(int, period.split("-"))
    return f"{y - 1:04d}-12" if m == 1 else f"{y:04d}-{m - 1:02d}"


def league(session: Session, period: str, months: int = 1, previous_scores=None):
    """Scorecards of ``period`` (months=3/12: the quarter/year ending with it, summed counts)."""
    periods = [period]
    for _ in range(months - 1):
        periods.insert(0, previous_month(periods[0]))
    platforms = scored_platforms(session, period)
    inputs = [aggregate([month_input(session, p, m) for m in periods]) if months > 1
              else month_input(session, p, period) for p in platforms]
    return compute_league(inputs, previous_scores=previous_scores) if inputs else []


def league_with_warnings(session: Session, period: str):
    previous = league(session, previous_month(period))
    cards = league(session, period, previous_scores={c.platform_code: c.score for c in previous})
    return cards, early_warnings(cards, previous)
