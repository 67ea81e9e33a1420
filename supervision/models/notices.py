"""Rectification notices (整改通知书, workflows.md): the notice with its stored PDF, its items
(one per rule), the platform's answers per round with their files, escalations with their own
documents, the yearly number counter and the office's document settings."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from supervision.db import Base


class Notice(Base):
    __tablename__ = "notices"
    __table_args__ = (
        UniqueConstraint("year", "seq", name="uq_notices_year_seq"),
        Index("ix_notices_status_deadline", "status", "deadline"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("platforms.id"), index=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audits.id"))
    status: Mapped[str] = mapped_column(String(8))  # standard.notices.STATES
    title: Mapped[str] = mapped_column(String(200))
    addressee: Mapped[str] = mapped_column(String(128))  # 主送机关: the platform's name
    preamble: Mapped[str] = mapped_column(Text)
    contact_name: Mapped[str] = mapped_column(String(64))
    contact_phone: Mapped[str] = mapped_column(String(64))
    working_days: Mapped[int]  # the rectification period in force (fixed at issue)
    drafted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    drafted_at: Mapped[datetime]
    submitted_at: Mapped[datetime | None]
    returned_at: Mapped[datetime | None]
    returned_by: Mapped[str] = mapped_column(String(64), default="")
    returned_reason: Mapped[str] = mapped_column(Text, default="")
    # Issue: number, dates, authority and the document, fixed for ever.
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    issued_at: Mapped[datetime | None]
    issue_date: Mapped[date | None] = mapped_column(Date)  # 成文日期
    deadline: Mapped[datetime | None]
    year: Mapped[int | None]
    seq: Mapped[int | None]
    number: Mapped[str | None] = mapped_column(String(64), unique=True)
    authority: Mapped[str] = mapped_column(String(128), default="")
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    pdf_sha256: Mapped[str | None] = mapped_column(String(64))
    pdf_size: Mapped[int | None]
    # The platform's side.
    delivered_at: Mapped[datetime | None]  # 送达: the platform's first view
    delivered_by: Mapped[str] = mapped_column(String(64), default="")
    answer_round: Mapped[int] = mapped_column(default=0)  # submissions so far
    overdue_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    updated_at: Mapped[datetime]


class NoticeItem(Base):
    """One rule's findings in a notice, with the requirement the platform must meet."""

    __tablename__ = "notice_items"
    __table_args__ = (UniqueConstraint("notice_id", "rule_code", name="uq_notice_items_notice_rule"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    rule_code: Mapped[str] = mapped_column(String(8))
    rule_name: Mapped[str] = mapped_column(String(64))
    severity: Mapped[str] = mapped_column(String(8))
    problem_count: Mapped[int]
    examples: Mapped[str] = mapped_column(Text)  # JSON list of report numbers
    requirement: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(8))  # standard.notices.ITEM_STATES
    answered_at: Mapped[datetime | None]  # the latest answer
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[str] = mapped_column(String(64), default="")
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    accepted_at: Mapped[datetime | None]


class NoticeAnswer(Base):
    """The platform's rectification report on one item in one round, and the inspector's check."""

    __tablename__ = "notice_answers"
    __table_args__ = (UniqueConstraint("item_id", "round", name="uq_notice_answers_item_round"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("notice_items.id", ondelete="CASCADE"))
    round: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    submitted_by: Mapped[str] = mapped_column(String(64))
    submitted_at: Mapped[datetime]
    decision: Mapped[str | None] = mapped_column(String(8))  # 已通过 | 已退回
    reason: Mapped[str] = mapped_column(Text, default="")
    decided_by: Mapped[str] = mapped_column(String(64), default="")
    decided_at: Mapped[datetime | None]


class NoticeFile(Base):
    """A file (PDF or image) of an answer, stored under a generated name in UPLOAD_DIR/notices."""

    __tablename__ = "notice_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    answer_id: Mapped[int] = mapped_column(ForeignKey("notice_answers.id", ondelete="CASCADE"), index=True)
    stored_name: Mapped[str] = mapped_column(String(128), unique=True)
    original_name: Mapped[str] = mapped_column(String(255))
    mime: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime]


class NoticeEscalation(Base):
    """约谈, 通报批评 or 移送处罚建议 after a notice went overdue, with its own stored document."""

    __tablename__ = "notice_escalations"

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    number: Mapped[str] = mapped_column(String(64), default="")
    title: Mapped[str] = mapped_column(String(200))
    addressee: Mapped[str] = mapped_column(String(128))
    body: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    pdf: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    pdf_size: Mapped[int]


class NoticeCounter(Base):
    """The last notice number given out per year."""

    __tablename__ = "notice_counters"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(default=0)


class OfficeSetting(Base):
    """Office-wide document settings (key → value): the number prefix, the issuing authority."""

    __tablename__ = "office_settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_by: Mapped[str] = mapped_column(String(64), default="")
    updated_at: Mapped[datetime]
