"""Use case: a platform submits its monthly ledger (web, API or command line).

Validate the whole file, then either store every report in the caller's transaction or
record the rejection with all its errors. The original file is archived under a generated
name with its SHA-256; a file identical to an accepted one changes nothing.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from supervision import auditlog, clock
from supervision.models import LedgerSubmission, Platform, User
from supervision.services import ValidationError
from supervision.services.ledger_store import bulk_insert, store_parts

# A month of the years 2000-2999: an earlier year is a typing error (and year 0000 is no
# date pandas can hold, so it must not get past the door).
PERIOD_RE = re.compile(r"^(2\d{3})-(0[1-9]|1[0-2])$")
CHANNELS = ("web", "api", "cli")


@dataclass
class ImportOutcome:
    submission: LedgerSubmission
    duplicate: bool = False
    error_frame: pd.DataFrame | None = None  # row, column, value, message
    warnings: list = field(default_factory=list)  # importer Issue objects

    @property
    def error_count(self) -> int:
        return 0 if self.error_frame is None else len(self.error_frame)

    def error_dicts(self) -> list[dict]:
        if self.error_frame is None:
            return []
        frame = self.error_frame[["row", "column", "value", "message"]].astype(object)
        frame["column"] = frame["column"].where(frame["column"].notna(), "")  # a file-level error has no column
        return frame.where(frame.notna(), None).to_dict("records")

    @property
    def accepted(self) -> bool:
        return self.submission.status == "accepted"


def check_period(period: str, now: datetime) -> str:
    period = (period or "").strip()
    if not PERIOD_RE.match(period):
        raise ValidationError({"period": f"报送月份应为 YYYY-MM 格式，如 2026-10；填写的是“{period}”。"})
    if period >= now.strftime("%Y-%m"):
        raise ValidationError({"period": f"报送月份 {period} 尚未结束：台账按月报送，{period} 的台账须在该月结束后报送。"})
    return period


def archive(upload_dir: str, data: bytes, suffix: str, now: datetime) -> str:
    """Write ``data`` under a generated name (atomically) and return the name relative to UPLOAD_DIR."""
    rel = Path("ledgers") / now.strftime("%Y") / f"{uuid.uuid4().hex}{suffix}"
    path = Path(upload_dir) / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".part")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError:  # e.g. the disk is full: leave no part file behind (the caller stores nothing)
        tmp.unlink(missing_ok=True)
        raise
    return str(rel)


def _suffix(filename: str) -> str:
    ext = Path(filename or "").suffix.lower()
    return ext if ext in (".xlsx", ".csv") else ".bin"


def find_duplicate(session: Session, platform_id: int, period: str, sha: str) -> LedgerSubmission | None:
    return session.scalar(
        select(LedgerSubmission).where(
            LedgerSubmission.platform_id == platform_id,
            LedgerSubmission.period == period,
            LedgerSubmission.file_sha256 == sha,
            LedgerSubmission.status == "accepted",
        ).order_by(LedgerSubmission.id)
    )


def import_ledger(
    session: Session,
    *,
    platform: Platform,
    period: str,
    filename: str,
    data: bytes,
    channel: str,
    upload_dir: str,
    submitter: User | None = None,
    submitted_at: datetime | None = None,
    actor: auditlog.Actor | None = None,
    max_bytes: int = 100 * 1024 * 1024,
) -> ImportOutcome:
    """Validate and store one ledger file; the caller commits once."""
    assert channel in CHANNELS
    now = clock.now()
    period = check_period(period, now)
    if submitted_at is not None and submitted_at > now:
        raise ValidationError({"submitted_at": "补录的报送时间不能晚于当前时间。"})
    if len(data) > max_bytes:
        raise ValidationError({"file": f"文件大小 {len(data) / 1048576:.1f} MB 超过上限 {max_bytes / 1048576:.0f} MB，"
                                       "请按月份拆分或删除无关工作表后再报送。"})
    if not data:
        raise ValidationError({"file": "文件为空（0 字节），请选择填写好的台账文件。"})
    sha = hashlib.sha256(data).hexdigest()
    earlier = find_duplicate(session, platform.id, period, sha)
    if earlier is not None:
        auditlog.record(session, "ledger.duplicate", "ledger_submission", earlier.id, None,
                        {"sha256": sha, "period": period, "channel": channel}, actor=actor,
                        platform_id=platform.id)
        return ImportOutcome(earlier, duplicate=True)

    archived: list[str] = []
    try:
        return _validate_and_store(session, platform, period, filename, data, channel, upload_dir, submitter,
                                   submitted_at, actor, sha, now, archived)
    except BaseException:
        for name in archived:  # nothing half-stored: the caller rolls back, the files go too
            Path(upload_dir, name).unlink(missing_ok=True)
        raise


def _validate_and_store(session, platform, period, filename, data, channel, upload_dir, submitter, submitted_at,
                        actor, sha, now, archived) -> ImportOutcome:
    from importers import PART_ROWS, LedgerReading, ReadAgain, build_error_workbook

    archive_name = archive(upload_dir, data, _suffix(filename), now)
    archived.append(archive_name)
    # PostgreSQL stores each part of the file while the next one is parsed and validated (the
    # server inserts on its own core). SQLite would only hold its single write lock longer:
    # there the whole file is validated before the write transaction begins.
    overlap = session.get_bind().dialect.name == "postgresql"
    reading = LedgerReading(data, filename, period, part_rows=PART_ROWS if overlap else None)
    parts = reading.parts() if overlap else list(reading.parts())
    submission = LedgerSubmission(
        platform_id=platform.id, period=period, channel=channel, filename=(filename or "")[:255],
        file_sha256=sha, file_size=len(data), archive_name=archive_name,
        submitted_by_id=submitter.id if submitter else None,
        submitted_by_name=submitter.username if submitter else (actor.name if actor else "cli"),
        submitted_at=submitted_at or now, recorded_at=now,
        backdated=submitted_at is not None, status="accepted",
    )
    session.add(submission)
    session.flush()
    if overlap:
        # The file is accepted or rejected as a whole: the parts stored before an error was
        # found go with the savepoint.
        stored = session.begin_nested()
        try:
            counts = store_parts(session, parts, platform.id, submission.id, period)
        except ReadAgain:  # parts were stored, but only the whole read could take the file
            stored.rollback()
            stored = session.begin_nested()
            counts = store_parts(session, [reading.result.frame], platform.id, submission.id, period)
        result = reading.result
        if result.ok:
            stored.commit()
        else:
            stored.rollback()
    else:  # validated already; no savepoint (SQLite would journal every page it changes)
        result = reading.result
        counts = store_parts(session, parts, platform.id, submission.id, period) if result.ok else None
    submission.row_count, submission.warning_count = result.rows_read, len(result.warnings)
    submission.error_count = len(result.error_frame)
    submission.warnings = (json.dumps([w.as_dict() for w in result.warnings], ensure_ascii=False)
                           if result.warnings else None)
    if not result.ok:
        submission.status = "rejected"
        submission.error_report_name = archive(upload_dir, build_error_workbook(result), ".xlsx", now)
        archived.append(submission.error_report_name)
        errors = result.error_frame[["row", "column", "value", "message"]].copy()
        errors["row"] = errors["row"].astype("Int64")
        errors["column"] = errors["column"].fillna("").astype(str)
        errors["value"] = errors["value"].astype(object).where(errors["value"].notna(), "").astype(str)
        errors.insert(0, "submission_id", submission.id)
        bulk_insert(session, "ledger_errors", errors)
        auditlog.record(session, "ledger.rejected", "ledger_submission", submission.id, None,
                        submission.summary(), actor=actor, platform_id=platform.id)
        return ImportOutcome(submission, error_frame=result.error_frame, warnings=result.warnings)

    submission.created_count, submission.updated_count = counts.created, counts.updated
    submission.unchanged_count = counts.unchanged
    from supervision.services import derived

    derived.bump(session, platform.id, now, reports=True)  # its reports changed: figures derived from them are out of date
    auditlog.record(session, "ledger.accepted", "ledger_submission", submission.id, None,
                    submission.summary(), actor=actor, platform_id=platform.id)
    return ImportOutcome(submission, warnings=result.warnings)
