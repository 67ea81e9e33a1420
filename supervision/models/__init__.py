"""Typed SQLAlchemy models, one module per area. Importing this package registers them all."""
from supervision.db import Base
from supervision.models.accounts import User, UserSession
from supervision.models.audit import AuditEvent, AuditHead
from supervision.models.audits import (Audit, AuditInspector, AuditPlatform, AuditSample, FindingReview, ItemCode,
                                       ItemEvidence, Problem, SampleItem)
from supervision.models.platforms import Platform, PlatformContact
from supervision.models.checks import (CalendarDay, CalendarVersion, CalendarYear, CheckRun, Disclosure, Finding,
                                       ParameterSet)
from supervision.models.ledgers import ApiToken, LedgerError, LedgerSubmission, Report, ReportVersion
from supervision.models.complaints import Complaint, ComplaintCounter, ComplaintEvent, ComplaintFile
# -- notices (issue 7) --
from supervision.models.notices import (Notice, NoticeAnswer, NoticeCounter, NoticeEscalation, NoticeFile,  # noqa: F401
                                       NoticeItem, OfficeSetting)
# -- scheduler and notifications (issue 9) --
from supervision.models.jobs import JobAttempt, JobRun, SchedulerState  # noqa: F401
from supervision.models.notifications import Notification, NotificationSetting  # noqa: F401
# -- stored scores (issue 8) --
from supervision.models.scores import Score, ScoreRun, ScoreWeightSet
# -- bulletins (issue 9) --
from supervision.models.bulletins import Bulletin, BulletinCase  # noqa: F401
# -- data versions and derived figures (issue 10: pages under load) --
from supervision.models.derived import DataVersion, DerivedFigure  # noqa: F401

__all__ = ["Base", "User", "UserSession", "AuditEvent", "AuditHead", "Platform", "PlatformContact", "ApiToken", "LedgerError",
           "LedgerSubmission", "Report", "ReportVersion", "CalendarDay", "CalendarVersion", "CalendarYear",
           "CheckRun", "Disclosure", "Finding", "ParameterSet", "Audit", "AuditInspector", "AuditPlatform",
           "AuditSample", "FindingReview", "ItemCode", "ItemEvidence", "Problem", "SampleItem",
           "Complaint", "ComplaintCounter", "ComplaintEvent", "ComplaintFile"]
