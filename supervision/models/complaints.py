"""Netizens' complaints about platforms (投诉窗口, workflows.md Complaints)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from supervision.db import Base


class Complaint(Base):
    __tablename__ = "complaints"
    __table_args__ = (
        Index("ix_complaints_status_filed", "status", "filed_at"),
        Index("ix_complaints_platform_report", "platform_id", "report_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tracking_no: Mapped[str] = mapped_column(String(20), unique=True)
    query_code_hash: Mapped[str] = mapped_column(String(128))
    filed_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16))
    # The complainant's personal data: complaint handlers only; erased after retention.
    name: Mapped[str] = mapped_column(String(64))
    contact: Mapped[str] = mapped_column(String(128))
    contact_kind: Mapped[str] = mapped_column(String(8))  # mobile | email | "" once erased
    # What the complaint is about.
    platform_id: Mapped[int | None] = mapped_column(ForeignKey("platforms.id"), index=True)
    platform_name: Mapped[str] = mapped_column(String(128))  # registered name or the free text
    report_number: Mapped[str] = mapped_column(String(64), default="")
    report_date: Mapped[date] = mapped_column(Date)
    complaint_type: Mapped[str] = mapped_column(String(16))
    description: Mapped[str] = mapped_column(Text)
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("complaints.id"))
    # Handling.
    decided_at: Mapped[datetime | None]
    accepted_at: Mapped[datetime | None]
    reject_reason: Mapped[str | None] = mapped_column(String(16))
    forward_to: Mapped[str] = mapped_column(String(128), default="")  # 转送 destination (非属地)
    decision_text: Mapped[str] = mapped_column(Text, default="")  # explanation shown to the public
    transferred_at: Mapped[datetime | None]
    transfer_note: Mapped[str] = mapped_column(Text, default="")  # the office's request to the platform
    answered_at: Mapped[datetime | None]
    response_text: Mapped[str] = mapped_column(Text, default="")  # the platform's raw answer (internal)
    closed_at: Mapped[datetime | None]
    conclusion: Mapped[str | None] = mapped_column(String(8))
    reply: Mapped[str] = mapped_column(Text, default="")  # the reply to the complainant (public)
    reopened_at: Mapped[datetime | None]
    reexam_used: Mapped[bool] = mapped_column(default=False)
    rating: Mapped[int | None]
    rating_comment: Mapped[str] = mapped_column(Text, default="")
    rated_at: Mapped[datetime | None]
    # Matching with ledgers and the findings it gave.
    ledger_report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id"))
    cmp01_finding_id: Mapped[int | None] = mapped_column(ForeignKey("findings.id"))
    cmp02_finding_id: Mapped[int | None] = mapped_column(ForeignKey("findings.id"))
    pii_erased_at: Mapped[datetime | None]
    updated_at: Mapped[datetime]


class ComplaintEvent(Base):
    """One step of a complaint's history; ``public`` ones make the public timeline."""

    __tablename__ = "complaint_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(16))  # filed | accept | reject | transfer | respond | ... | note
    public: Mapped[bool] = mapped_column(default=False)
    actor: Mapped[str] = mapped_column(String(64), default="")
    text: Mapped[str] = mapped_column(Text, default="")


class ComplaintFile(Base):
    """An attachment: the complainant's evidence or the platform's answer files, stored under a
    generated name in UPLOAD_DIR/complaints."""

    __tablename__ = "complaint_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id", ondelete="CASCADE"), index=True)
    owner: Mapped[str] = mapped_column(String(12))  # complainant | platform
    stored_name: Mapped[str] = mapped_column(String(128), unique=True)
    original_name: Mapped[str] = mapped_column(String(255))
    mime: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime]


class ComplaintCounter(Base):
    """The last sequence number given out per filing day (tracking numbers)."""

    __tablename__ = "complaint_counters"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    last: Mapped[int] = mapped_column(default=0)
