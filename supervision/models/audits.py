"""Audits (督导检查), their samples and reviews, and the problem ledger (问题台账)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from supervision.db import Base

AUDIT_STATUS_LABELS = {"planned": "计划", "running": "进行中", "done": "已完成"}
AUDIT_KIND_LABELS = {"full": "全面检查", "focused": "重点检查"}


class Audit(Base):
    __tablename__ = "audits"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))  # full | focused
    title: Mapped[str] = mapped_column(String(200))
    period_from: Mapped[str] = mapped_column(String(7))
    period_to: Mapped[str] = mapped_column(String(7))
    focus: Mapped[str] = mapped_column(String(32), default="")  # "" | timeliness | fast_channel | severe
    status: Mapped[str] = mapped_column(String(8), default="planned")
    due_date: Mapped[date] = mapped_column(Date)
    confidence: Mapped[float] = mapped_column(Float, default=0.95)
    tolerable_rate: Mapped[float] = mapped_column(Float, default=0.05)
    expected_deviations: Mapped[int] = mapped_column(default=0)
    seed: Mapped[int]
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]
    started_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]

    @property
    def status_label(self) -> str:
        return AUDIT_STATUS_LABELS[self.status]

    @property
    def kind_label(self) -> str:
        return AUDIT_KIND_LABELS[self.kind]


class AuditPlatform(Base):
    __tablename__ = "audit_platforms"

    audit_id: Mapped[int] = mapped_column(ForeignKey("audits.id", ondelete="CASCADE"), primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("platforms.id"), primary_key=True)


class AuditInspector(Base):
    __tablename__ = "audit_inspectors"

    audit_id: Mapped[int] = mapped_column(ForeignKey("audits.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)


class AuditSample(Base):
    """The frozen sample of one platform in one audit, with what reproduces it."""

    __tablename__ = "audit_samples"
    __table_args__ = (UniqueConstraint("audit_id", "platform_id", name="uq_audit_samples_audit_platform"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audits.id", ondelete="CASCADE"))
    platform_id: Mapped[int] = mapped_column(ForeignKey("platforms.id"))
    population_size: Mapped[int]
    population_hash: Mapped[str] = mapped_column(String(64))
    seed: Mapped[int]
    sample_size: Mapped[int]  # the statistical sample size (judgmental picks not counted)
    allocation: Mapped[str] = mapped_column(Text)  # JSON {category: n}
    drawn_at: Mapped[datetime]


class SampleItem(Base):
    __tablename__ = "sample_items"
    __table_args__ = (Index("ix_sample_items_sample", "sample_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sample_id: Mapped[int] = mapped_column(ForeignKey("audit_samples.id", ondelete="CASCADE"))
    audit_id: Mapped[int] = mapped_column(ForeignKey("audits.id", ondelete="CASCADE"), index=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("platforms.id"))
    report_pk: Mapped[int] = mapped_column(ForeignKey("reports.id"))
    report_id: Mapped[str] = mapped_column(String(64))
    stratum: Mapped[str] = mapped_column(String(32))
    judgmental: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)
    verdict: Mapped[str | None] = mapped_column(String(8))  # 合规 | 不合规
    note: Mapped[str] = mapped_column(Text, default="")
    reviewed_by: Mapped[str] = mapped_column(String(64), default="")
    reviewed_at: Mapped[datetime | None]


class FindingReview(Base):
    """An inspector's decision on one automatic finding of a sampled report."""

    __tablename__ = "finding_reviews"
    __table_args__ = (UniqueConstraint("item_id", "finding_id", name="uq_finding_reviews_item_finding"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("sample_items.id", ondelete="CASCADE"))
    finding_id: Mapped[int] = mapped_column(ForeignKey("findings.id"))
    decision: Mapped[str] = mapped_column(String(12))  # confirmed | overturned
    reason: Mapped[str] = mapped_column(Text, default="")
    decided_by: Mapped[str] = mapped_column(String(64))
    decided_at: Mapped[datetime]


class ItemCode(Base):
    """A REC code an inspector gives a sampled report (manual review)."""

    __tablename__ = "item_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("sample_items.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(8))
    note: Mapped[str] = mapped_column(Text, default="")
    added_by: Mapped[str] = mapped_column(String(64))
    added_at: Mapped[datetime]


class ItemEvidence(Base):
    """An evidence file (image or PDF) attached to a sampled report's review."""

    __tablename__ = "item_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("sample_items.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(128))
    content_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime]


PROBLEM_STATUSES = ("待整改", "整改中", "已整改", "逾期未整改")
PROBLEM_SOURCES = {"auto": "自动检查", "review": "人工复核", "complaint": "投诉查实"}


class Problem(Base):
    """One entry of the problem ledger: a confirmed finding of an audit (automatic or REC), or a
    complaint's CMP-01 / CMP-02 finding (workflows.md: they count against the platform there too)."""

    __tablename__ = "problems"
    __table_args__ = (
        Index("ix_problems_platform_status", "platform_id", "status"),
        UniqueConstraint("audit_id", "finding_id", name="uq_problems_audit_finding"),
        UniqueConstraint("complaint_id", "rule_code", name="uq_problems_complaint_rule"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int | None] = mapped_column(ForeignKey("audits.id", ondelete="CASCADE"))
    complaint_id: Mapped[int | None] = mapped_column(ForeignKey("complaints.id"))
    platform_id: Mapped[int] = mapped_column(ForeignKey("platforms.id"))
    source: Mapped[str] = mapped_column(String(9))  # auto | review | complaint
    finding_id: Mapped[int | None] = mapped_column(ForeignKey("findings.id"))
    item_code_id: Mapped[int | None] = mapped_column(ForeignKey("item_codes.id"))
    rule_code: Mapped[str] = mapped_column(String(8))
    severity: Mapped[str] = mapped_column(String(8))
    period: Mapped[str] = mapped_column(String(7))
    report_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(8), default="待整改")
    excluded: Mapped[bool] = mapped_column(default=False)  # its finding was overturned on review
    excluded_reason: Mapped[str] = mapped_column(Text, default="")
    notice_id: Mapped[int | None]  # the rectification notice that addresses it (later issue)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
