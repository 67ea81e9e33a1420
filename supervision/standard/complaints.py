"""The complaint window (投诉窗口, workflows.md Complaints; 意见 (十九)) as pure Python.

States, the legal transitions between them, the working-day deadlines of each stage with their
warning and overdue flags, the tracking number format, contact validation, masking of personal
data in free text, file types recognised by content, and satisfaction figures. No Flask, no DB.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

import numpy as np

from supervision.standard.workdays import UnknownYearError, WorkCalendar

# States ---------------------------------------------------------------------------------------
PENDING = "待受理"
ACCEPTED = "已受理"
REJECTED = "不予受理"
TRANSFERRED = "已转办"
ANSWERED = "平台已答复"
CLOSED = "已办结"
STATES = (PENDING, ACCEPTED, REJECTED, TRANSFERRED, ANSWERED, CLOSED)
OPEN_STATES = (PENDING, ACCEPTED, TRANSFERRED, ANSWERED)

TYPES = ("举报处置不及时", "举报未反馈", "处置不当", "符合条件未受理", "举报渠道不畅", "其他维权不到位")
NO_REPORT_NUMBER_TYPES = ("举报渠道不畅",)  # the netizen could not file a report, so has no number
REJECT_REASONS = ("重复投诉", "非属地", "不属于受理范围", "信息不全")
FORWARD_REASON = "非属地"  # 不予受理 and 转送 to the competent office (destination required)
CONCLUSIONS = ("投诉成立", "部分成立", "不成立")
SUBSTANTIATED = ("投诉成立", "部分成立")

# action -> (states it may start from, state it leads to)
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "accept": ((PENDING,), ACCEPTED),
    "reject": ((PENDING,), REJECTED),
    "transfer": ((ACCEPTED,), TRANSFERRED),
    "respond": ((TRANSFERRED,), ANSWERED),
    "return": ((ANSWERED,), TRANSFERRED),  # the handler's check finds the answer insufficient
    "close": ((ACCEPTED, ANSWERED), CLOSED),
    "reexamine": ((CLOSED,), ACCEPTED),
}
ACTION_LABELS = {"accept": "受理", "reject": "不予受理", "transfer": "转办平台", "respond": "平台答复",
                 "return": "退回平台补充答复", "close": "办结", "reexamine": "申请复查（重新办理）"}

RATING_DAYS = 15  # calendar days after closing in which the complainant may rate
REEXAM_MAX_RATING = 2


class IllegalTransition(ValueError):
    """The action is not allowed from the complaint's state; the message is Chinese."""


def next_state(state: str, action: str) -> str:
    if action not in TRANSITIONS:
        raise IllegalTransition(f"未知操作：{action}")
    sources, target = TRANSITIONS[action]
    if state not in sources:
        raise IllegalTransition(f"投诉当前状态为“{state}”，不能进行“{ACTION_LABELS[action]}”操作。")
    return target


def allowed_actions(state: str) -> list[str]:
    return [a for a, (sources, _t) in TRANSITIONS.items() if state in sources]


# Workflow parameters and deadlines ------------------------------------------------------------

@dataclass(frozen=True)
class WorkflowParams:
    """The complaint parameters of workflows.md (a later issue makes them editable)."""

    accept_working_days: int = 2
    platform_response_working_days: int = 5
    close_working_days: int = 15
    warning_share: float = 0.8  # share of a stage's time used after which it is highlighted
    rating_days: int = RATING_DAYS
    complaint_pii_retention_months: int = 36


DEFAULT_WORKFLOW = WorkflowParams()


@dataclass(frozen=True)
class Times:
    """The moments of a complaint's life that deadlines depend on."""

    filed_at: datetime
    accepted_at: datetime | None = None
    decided_at: datetime | None = None  # accepted or rejected
    transferred_at: datetime | None = None
    answered_at: datetime | None = None
    closed_at: datetime | None = None
    reopened_at: datetime | None = None


@dataclass(frozen=True)
class Stage:
    key: str  # accept | respond | close
    label: str
    start: datetime
    due: datetime | None  # None when the calendar lacks the year
    end: datetime | None  # when the stage was completed

    def status(self, now: datetime, warning_share: float) -> str:
        """done | late (done after the deadline) | overdue | warning | ok | unknown."""
        if self.due is None:
            return "unknown"
        if self.end is not None:
            return "late" if self.end > self.due else "done"
        if now > self.due:
            return "overdue"
        total = (self.due - self.start).total_seconds()
        used = (now - self.start).total_seconds()
        if total > 0 and used / total >= warning_share:
            return "warning"
        return "ok"


STAGE_STATUS_LABELS = {"done": "按时完成", "late": "超期完成", "overdue": "已超期", "warning": "临近期限",
                       "ok": "办理中", "unknown": "日历缺年份"}


def _due(calendar: WorkCalendar, start: datetime, n: int) -> datetime | None:
    try:
        return calendar.deadline(start, n)
    except UnknownYearError:
        return None


def stages(times: Times, calendar: WorkCalendar, params: WorkflowParams = DEFAULT_WORKFLOW) -> list[Stage]:
    """The stages started so far, each with its due date (working days, rules.md deadline)."""
    out = [Stage("accept", "受理", times.filed_at, _due(calendar, times.filed_at, params.accept_working_days),
                 times.decided_at)]
    if times.transferred_at is not None:
        out.append(Stage("respond", "平台答复", times.transferred_at,
                         _due(calendar, times.transferred_at, params.platform_response_working_days),
                         times.answered_at if times.answered_at and times.answered_at >= times.transferred_at
                         else None))
    base = times.reopened_at or times.accepted_at
    if base is not None:
        closed = times.closed_at if times.closed_at and times.closed_at >= base else None
        out.append(Stage("close", "办结", base, _due(calendar, base, params.close_working_days), closed))
    return out


def overdue_keys(stage_list: list[Stage], now: datetime) -> list[str]:
    """The stages flagged overdue: still open past the deadline, or completed after it."""
    return [s.key for s in stage_list if s.status(now, 1.0) in ("overdue", "late")]


_RANKS = ("overdue", "warning", "ok", "unknown", "late", "done")  # most urgent first


def worst_status(stage_list: list[Stage], now: datetime, warning_share: float) -> str:
    statuses = [s.status(now, warning_share) for s in stage_list if s.end is None] or ["done"]
    return min(statuses, key=_RANKS.index)


# The work queue, over every complaint at once ----------------------------------------------------

_NO_TIME = np.iinfo(np.int64).max


@dataclass(frozen=True)
class QueueOrder:
    order: np.ndarray  # positions, most urgent first
    flagged: np.ndarray  # per position: a stage overdue, or completed after its deadline (overdue_keys)


def queue_order(times: dict[str, np.ndarray], is_open: np.ndarray, calendar: WorkCalendar,
                params: WorkflowParams, now: datetime) -> QueueOrder:
    """The queue's order of many complaints, column-wise: by their worst stage (overdue,
    warning, ok, unknown, done), then the next deadline, then the time of filing; ties keep the
    given order. ``times`` holds the arrays of ``Times``' fields (datetime64, NaT for none),
    ``is_open`` whether each is in an open state. The same answers as ``stages``,
    ``worst_status`` and ``overdue_keys`` per complaint (a test holds them together)."""
    t = {k: np.asarray(v, dtype="datetime64[ns]") for k, v in times.items()}
    n = len(t["filed_at"])
    nat = np.datetime64("NaT", "ns")
    now64 = np.datetime64(now, "ns")

    def stage(start, days, end):
        exists = ~np.isnat(start)
        return start, exists, calendar.known_deadlines(start, days, where=exists), end

    transferred, answered = t["transferred_at"], t["answered_at"]
    base = np.where(np.isnat(t["reopened_at"]), t["accepted_at"], t["reopened_at"])
    stage_list = [
        stage(t["filed_at"], params.accept_working_days, t["decided_at"]),
        stage(transferred, params.platform_response_working_days,
              np.where(answered >= transferred, answered, nat)),
        stage(base, params.close_working_days, np.where(t["closed_at"] >= base, t["closed_at"], nat)),
    ]
    worst = np.full(n, _RANKS.index("done"), dtype=np.int8)
    next_due = np.full(n, _NO_TIME, dtype=np.int64)
    flagged = np.zeros(n, dtype=bool)
    for start, exists, due, end in stage_list:
        running = exists & np.isnat(end)
        known = ~np.isnat(due)
        total = (due - start).astype(np.int64).astype(float)
        used = (now64 - start).astype(np.int64).astype(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            warned = (total > 0) & (used / np.where(total > 0, total, 1) >= params.warning_share)
        status = np.select([~known, now64 > due, warned], [_RANKS.index("unknown"), _RANKS.index("overdue"),
                                                           _RANKS.index("warning")], _RANKS.index("ok"))
        worst = np.where(running & is_open, np.minimum(worst, status), worst)
        next_due = np.where(running & known, np.minimum(next_due, due.astype(np.int64)), next_due)
        flagged |= exists & known & np.where(np.isnat(end), now64 > due, end > due)
    order = np.lexsort((np.arange(n), t["filed_at"].astype(np.int64), next_due, worst))
    return QueueOrder(order, flagged)


# Rating and re-examination --------------------------------------------------------------------

def rating_window_open(closed_at: datetime | None, now: datetime, days: int = RATING_DAYS) -> bool:
    return closed_at is not None and (now - closed_at).total_seconds() <= days * 86400


def rating_problem(state: str, closed_at: datetime | None, already_rated: bool, score, now: datetime,
                   days: int = RATING_DAYS) -> str | None:
    if state != CLOSED:
        return "投诉尚未办结，办结后方可评价。"
    if already_rated:
        return "本次办理结果已经评价过。"
    if not rating_window_open(closed_at, now, days):
        return f"已超过办结后 {days} 日的评价期限。"
    if not isinstance(score, int) or isinstance(score, bool) or not 1 <= score <= 5:
        return "请选择 1 至 5 分的评价。"
    return None


def reexam_problem(state: str, closed_at: datetime | None, rating: int | None, used: bool, now: datetime,
                   days: int = RATING_DAYS) -> str | None:
    if state != CLOSED:
        return "投诉尚未办结，不能申请复查。"
    if used:
        return "每件投诉只能申请一次复查。"
    if rating is None or rating > REEXAM_MAX_RATING:
        return "评价为 1 分或 2 分时方可申请复查。"
    if not rating_window_open(closed_at, now, days):
        return f"已超过办结后 {days} 日的期限。"
    return None


# Tracking numbers, contacts -------------------------------------------------------------------

TRACKING_RE = re.compile(r"^TS\d{8}-\d{5}$")


def tracking_number(day: date, seq: int) -> str:
    return f"TS{day:%Y%m%d}-{seq:05d}"


def tracking_sequence(tracking_no: str) -> int:
    """The day's sequence number in a tracking number (``TS20261120-00042`` → 42)."""
    return int(tracking_no.rsplit("-", 1)[1])


MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
EMAIL_RE = re.compile(r"^[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}$")


def normalise_contact(value: str) -> tuple[str, str] | None:
    """(kind, normalised) for a mainland mobile number or an e-mail address, else None."""
    v = (value or "").strip()
    digits = re.sub(r"[\s\-]", "", v)
    if digits.startswith("+86"):
        digits = digits[3:]
    if MOBILE_RE.match(digits):
        return "mobile", digits
    if len(v) <= 128 and EMAIL_RE.match(v):
        return "email", v.lower()
    return None


# Masking personal data ------------------------------------------------------------------------

ID_RE = re.compile(r"(?<![0-9A-Za-z])(\d{6})(\d{8})(\d{3}[0-9Xx])(?![0-9A-Za-z])|"
                    r"(?<![0-9A-Za-z])(\d{6})(\d{6})(\d{3})(?![0-9A-Za-z])")
PHONE_RE = re.compile(r"(?<!\d)(?:\+?86[\s\-]?)?(1[3-9]\d)[\s\-]?(\d{4})[\s\-]?(\d{4})(?!\d)")
LANDLINE_RE = re.compile(r"(?<!\d)(0\d{2,3})[\s\-]?(\d{7,8})(?!\d)")
EMAIL_IN_TEXT_RE = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")


def mask_email(value: str) -> str:
    local, _, domain = value.partition("@")
    return (local[:1] + "***@" + domain) if domain else "***"


def mask_phone(value: str) -> str:
    digits = re.sub(r"\D", "", value)
    return digits[:3] + "****" + digits[-4:] if len(digits) >= 7 else "***"


def mask_contact(value: str) -> str:
    return mask_email(value) if "@" in (value or "") else mask_phone(value or "")


def mask_name(value: str) -> str:
    v = (value or "").strip()
    return (v[:1] + "*" * max(1, len(v) - 1)) if v else ""


def mask_text(text: str, names: tuple[str, ...] = ()) -> str:
    """Free text with ID-card numbers, mobile and landline numbers, e-mail addresses (and the
    given names) masked."""
    if not text:
        return text or ""

    def _id(m: re.Match) -> str:
        if m.group(1):
            return m.group(1)[:4] + "*" * 10 + m.group(3)[-4:]
        return m.group(4)[:4] + "*" * 8 + m.group(6)

    out = ID_RE.sub(_id, text)
    out = EMAIL_IN_TEXT_RE.sub(lambda m: mask_email(m.group(0)), out)
    out = PHONE_RE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", out)
    out = LANDLINE_RE.sub(lambda m: f"{m.group(1)}-****{m.group(2)[-2:]}", out)
    for name in names:
        name = (name or "").strip()
        if len(name) >= 2:
            out = out.replace(name, mask_name(name))
    return out


# Attachments by content -----------------------------------------------------------------------

MAX_ATTACHMENTS = 5
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"GIF87a", "image/gif", ".gif"),
    (b"GIF89a", "image/gif", ".gif"),
    (b"%PDF-", "application/pdf", ".pdf"),
)


def sniff_type(head: bytes) -> tuple[str, str] | None:
    """(mime type, extension) of an image (PNG, JPEG, GIF, WebP) or PDF from its first bytes."""
    for magic, mime, ext in _SIGNATURES:
        if head.startswith(magic):
            return mime, ext
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp", ".webp"
    return None


# Satisfaction (群众满意度测评) ------------------------------------------------------------------

SCORE_POINTS = {5: 100, 4: 80, 3: 60, 2: 30, 1: 0}  # scoring.md


@dataclass(frozen=True)
class Satisfaction:
    count: int
    mean: float | None
    distribution: dict[int, int] = field(default_factory=dict)
    share_satisfied: float | None = None  # ratings of 4 or 5
    score: float | None = None  # mean of scoring.md's points


def satisfaction(ratings) -> Satisfaction:
    values = [int(r) for r in ratings if r is not None]
    dist = {k: values.count(k) for k in range(1, 6)}
    if not values:
        return Satisfaction(0, None, dist, None, None)
    n = len(values)
    return Satisfaction(n, sum(values) / n, dist, sum(1 for v in values if v >= 4) / n,
                        sum(SCORE_POINTS[v] for v in values) / n)
