"""Ledger submissions and the reports they carry (shared/spec/ledger.md).

``reports`` holds each report's current state, keyed by (platform, 举报编号); every version a
submission brought is kept in ``report_versions``. The 40 ledger fields are generated from
importers/columns.py, the single definition of the format.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (BigInteger, Boolean, DateTime, ForeignKey, ForeignKeyConstraint, Index, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column

from importers.columns import COLUMNS, DATETIME, FLAG, MULTI, TEXT
from supervision.db import Base


def _field(col):
    if col.kind == TEXT:
        return mapped_column(String(col.max_length or 255), nullable=col.key != "report_id")
    if col.kind == FLAG:
        return mapped_column(Boolean, nullable=True)
    if col.kind == DATETIME:
        return mapped_column(DateTime, nullable=True)
    if col.kind == MULTI:
        return mapped_column(String(512), nullable=True)
    return mapped_column(String(16), nullable=True)


def _ledger_fields() -> dict:
    return {c.key: _field(c) for c in COLUMNS}


# A declarative mixin whose attributes are the 40 ledger columns.
LedgerFields = type("LedgerFields", (), _ledger_fields())


class LedgerSubmission(Base):
    __tablename__ = "ledger_submissions"
    __table_args__ = (
        Index("ix_ledger_submissions_platform_period", "platform_id", "period"),
        # the target of reports' and report_versions' (submission_id, platform_id) foreign keys
        UniqueConstraint("id", "platform_id", name="uq_ledger_submissions_id_platform"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("platforms.id"))
    period: Mapped[str] = mapped_column(String(7))
    status: Mapped[str] = mapped_column(String(16))  # accepted | rejected
    channel: Mapped[str] = mapped_column(String(8))  # web | api | cli
    filename: Mapped[str] = mapped_column(String(255))
    file_sha256: Mapped[str] = mapped_column(String(64), index=True)
    file_size: Mapped[int] = mapped_column(BigInteger)
    archive_name: Mapped[str] = mapped_column(String(128))
    error_report_name: Mapped[str | None] = mapped_column(String(128))
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_by_name: Mapped[str] = mapped_column(String(64), default="")
    submitted_at: Mapped[datetime]
    recorded_at: Mapped[datetime]
    backdated: Mapped[bool] = mapped_column(default=False)
    row_count: Mapped[int] = mapped_column(default=0)
    created_count: Mapped[int] = mapped_column(default=0)
    updated_count: Mapped[int] = mapped_column(default=0)
    unchanged_count: Mapped[int] = mapped_column(default=0)
    warning_count: Mapped[int] = mapped_column(default=0)
    error_count: Mapped[int] = mapped_column(default=0)
    warnings: Mapped[str | None] = mapped_column(Text)  # JSON list of {row, column, value, message}

    @property
    def status_label(self) -> str:
        return {"accepted": "已接收", "rejected": "已退回"}.get(self.status, self.status)

    def summary(self) -> dict:
        return {
            "id": self.id, "period": self.period, "status": self.status, "filename": self.filename,
            "sha256": self.file_sha256, "submitted_at": self.submitted_at.isoformat(sep=" "),
            "backdated": self.backdated, "rows": self.row_count, "created": self.created_count,
            "updated": self.updated_count, "unchanged": self.unchanged_count,
            "warnings": self.warning_count, "errors": self.error_count,
        }


class LedgerError(Base):
    """One error of a rejected submission (row as the spreadsheet shows it, header, value, message)."""

    __tablename__ = "ledger_errors"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("ledger_submissions.id", ondelete="CASCADE"), index=True)
    row: Mapped[int | None]
    column: Mapped[str] = mapped_column(String(64), default="")
    value: Mapped[str] = mapped_column(Text, default="")
    message: Mapped[str] = mapped_column(Text)


def submission_platform_key(table: str) -> ForeignKeyConstraint:
    """One foreign key guarding both the submission a stored row came from and its platform
    (the submission's platform is the row's). PostgreSQL checks a foreign key with one query
    per inserted row, and a large ledger inserts a million rows at once: one key, not two."""
    return ForeignKeyConstraint(["submission_id", "platform_id"],
                                ["ledger_submissions.id", "ledger_submissions.platform_id"],
                                name=f"fk_{table}_submission_platform_ledger_submissions")


class Report(LedgerFields, Base):
    """The current state of one report of one platform."""

    __tablename__ = "reports"
    __table_args__ = (
        UniqueConstraint("platform_id", "report_id", name="uq_reports_platform_report"),
        Index("ix_reports_platform_received", "platform_id", "received_at"),
        submission_platform_key("reports"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int]
    version: Mapped[int] = mapped_column(default=1)
    period: Mapped[str] = mapped_column(String(7))  # period of the submission that set this state
    submission_id: Mapped[int] = mapped_column(index=True)
    row_hash: Mapped[int] = mapped_column(BigInteger)


class ReportVersion(LedgerFields, Base):
    """Every state of every report, with the submission it came from."""

    __tablename__ = "report_versions"
    __table_args__ = (
        UniqueConstraint("platform_id", "report_id", "version", name="uq_report_versions_platform_report_version"),
        submission_platform_key("report_versions"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int]
    version: Mapped[int]
    period: Mapped[str] = mapped_column(String(7))
    submission_id: Mapped[int] = mapped_column(index=True)
    row_hash: Mapped[int] = mapped_column(BigInteger)


class ApiToken(Base):
    """A platform's bearer token for /api/v1; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("platforms.id"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))  # shown in lists to tell tokens apart
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
