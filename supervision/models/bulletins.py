"""Bulletins (通报, 信息公开, workflows.md): the monthly public bulletin and the inspection
bulletin after an audit, with their figures (taken from the scorecard queries), the editor's
text, typical cases, and once published the stored document (HTML and PDF with its SHA-256)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from supervision.db import Base


class Bulletin(Base):
    __tablename__ = "bulletins"
    __table_args__ = (Index("ix_bulletins_status_published", "status", "published_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # standard.bulletins.MONTHLY | INSPECTION
    period: Mapped[str] = mapped_column(String(7), default="")  # month M of a monthly bulletin
    audit_id: Mapped[int | None] = mapped_column(ForeignKey("audits.id"))
    # One original bulletin per month or audit ("monthly:2026-10", "inspection:3"); NULL for
    # corrections. The monthly job drafts a month only while its key is free.
    draft_key: Mapped[str | None] = mapped_column(String(32), unique=True)
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("bulletins.id"), index=True)
    correction_note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(8))  # standard.bulletins.STATES
    title: Mapped[str] = mapped_column(String(200))
    # The editor's text around the figures: sanitised rich text (standard.bulletins.sanitise).
    intro: Mapped[str] = mapped_column(Text, default="")
    analysis: Mapped[str] = mapped_column(Text, default="")
    closing: Mapped[str] = mapped_column(Text, default="")
    figures: Mapped[str] = mapped_column(Text)  # JSON, from the scorecard queries
    figures_at: Mapped[datetime]
    drafted_by: Mapped[str] = mapped_column(String(64))  # a username, or "scheduler"
    drafted_at: Mapped[datetime]
    editor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # the staff editor (first to edit)
    submitted_at: Mapped[datetime | None]
    returned_at: Mapped[datetime | None]
    returned_by: Mapped[str] = mapped_column(String(64), default="")
    returned_reason: Mapped[str] = mapped_column(Text, default="")
    # Publication: fixed for ever.
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    published_at: Mapped[datetime | None]
    html: Mapped[str | None] = mapped_column(Text, deferred=True)  # the document as published
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    pdf_sha256: Mapped[str | None] = mapped_column(String(64))
    pdf_size: Mapped[int | None]
    updated_at: Mapped[datetime]


class BulletinCase(Base):
    """A typical case (典型案例) chosen by staff from a finding, a problem-ledger entry or a
    complaint; its text must be free of personal data before the bulletin can be published."""

    __tablename__ = "bulletin_cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    bulletin_id: Mapped[int] = mapped_column(ForeignKey("bulletins.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    source: Mapped[str] = mapped_column(String(16))  # finding | problem | complaint
    source_id: Mapped[int]
    platform_id: Mapped[int | None] = mapped_column(ForeignKey("platforms.id"))
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)  # sanitised rich text
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
