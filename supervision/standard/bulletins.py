"""Bulletins (通报, 信息公开, workflows.md; 意见 (二十)) as pure Python: the states and their
transitions, small-cell suppression, handling-time bands, month-on-month and year-on-year
change, the personal-data check of typical cases and the sanitising of the editor's rich text.
No Flask, no database.
"""
from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import nh3

from supervision.standard.complaints import EMAIL_IN_TEXT_RE, ID_RE, LANDLINE_RE, PHONE_RE
from supervision.standard.notices import IllegalTransition, _step

__all__ = ["IllegalTransition"]

# Kinds and states --------------------------------------------------------------------------------
MONTHLY = "monthly"
INSPECTION = "inspection"
KIND_LABELS = {MONTHLY: "月度通报", INSPECTION: "督导检查通报"}

DRAFT = "草稿"
PENDING = "待审核"
PUBLISHED = "已发布"
STATES = (DRAFT, PENDING, PUBLISHED)

TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "submit": ((DRAFT,), PENDING),
    "return": ((PENDING,), DRAFT),
    "publish": ((PENDING,), PUBLISHED),
}
ACTION_LABELS = {"submit": "提交审核", "return": "退回修改", "publish": "发布"}


def next_state(state: str, action: str) -> str:
    """The state ``action`` leads to from ``state``; IllegalTransition (Chinese) otherwise."""
    return _step(TRANSITIONS, ACTION_LABELS, "通报", state, action)


def allowed_actions(state: str) -> list[str]:
    return [a for a, (sources, _t) in TRANSITIONS.items() if state in sources]


def may_approve(editor_id: int | None, approver_id: int) -> bool:
    """层级把关: the approver is never the bulletin's editor (nor approves an unedited draft)."""
    return editor_id is not None and editor_id != approver_id


# Small cells ---------------------------------------------------------------------------------------
SMALL_CELL = 5  # fewer reports than this (but at least one) could identify a case
SUPPRESSED = "<5"  # a small cell
HIDDEN = "*"  # a larger cell hidden so that a small one cannot be worked out from the total


def is_small(n: int | None) -> bool:
    return n is not None and 0 < n < SMALL_CELL


def suppress_cells(counts: Mapping[str, int]) -> dict[str, int | str]:
    """The counts of one breakdown with small cells (1–4) replaced by SUPPRESSED. When exactly
    one cell is suppressed, the next smallest non-zero cell is replaced by HIDDEN as well, so
    that the small one cannot be recovered from the published total (complementary
    suppression)."""
    out: dict[str, int | str] = {k: (SUPPRESSED if is_small(v) else int(v)) for k, v in counts.items()}
    if sum(1 for v in out.values() if v == SUPPRESSED) == 1:
        rest = sorted((v, k) for k, v in out.items() if isinstance(v, int) and v)
        if rest:
            out[rest[0][1]] = HIDDEN
    return out


def shown(value: int | str | None) -> int | None:
    """The number of a cell when it may be published, else None."""
    return value if isinstance(value, int) else None


def share(ok: int, total: int) -> float | None:
    """ok / total in percent; None when the base is small (fewer than SMALL_CELL) or empty."""
    if total < SMALL_CELL or total <= 0:
        return None
    return 100.0 * ok / total


# Handling time in working days ------------------------------------------------------------------
BANDS = ("≤1个工作日", "≤3个工作日", "≤7个工作日", "7个工作日以上")
BAND_LIMITS = (1, 3, 7)


def band_of(working_days: int) -> str:
    """The band of a handling time in whole working days (0 = concluded the day received)."""
    if working_days < 0:
        raise ValueError(f"办理用时不能为负数：{working_days}")
    for limit, label in zip(BAND_LIMITS, BANDS):
        if working_days <= limit:
            return label
    return BANDS[-1]


def band_counts(working_days: Iterable[int]) -> dict[str, int]:
    """How many handling times fall in each band (every band present, in order)."""
    out = dict.fromkeys(BANDS, 0)
    for d in working_days:
        out[band_of(int(d))] += 1
    return out


# Change against an earlier period ----------------------------------------------------------------

def change(current: float | None, previous: float | None) -> float | None:
    """Relative change in percent; None when either side is unknown or the earlier one is 0."""
    if current is None or previous is None or previous == 0:
        return None
    return 100.0 * (current - previous) / previous


def change_text(current: float | None, previous: float | None) -> str:
    """环比/同比 wording: 增长12.5% / 下降3.0% / 持平 / — (not comparable)."""
    c = change(current, previous)
    if c is None:
        return "—"
    if abs(c) < 0.05:
        return "持平"
    return f"{'增长' if c > 0 else '下降'}{abs(c):.1f}%"


def point_change_text(current: float | None, previous: float | None) -> str:
    """Change of a rate in percentage points: 上升1.2个百分点 / 下降… / 持平 / —."""
    if current is None or previous is None:
        return "—"
    d = current - previous
    if abs(d) < 0.05:
        return "持平"
    return f"{'上升' if d > 0 else '下降'}{abs(d):.1f}个百分点"


def previous_month(period: str) -> str:
    y, m = map(int, period.split("-"))
    return f"{y - (m == 1):04d}-{(m - 2) % 12 + 1:02d}"


def same_month_last_year(period: str) -> str:
    y, m = map(int, period.split("-"))
    return f"{y - 1:04d}-{m:02d}"


def month_title(period: str) -> str:
    y, m = map(int, period.split("-"))
    return f"{y}年{m}月"


def default_title(period: str) -> str:
    return f"{month_title(period)}网络侵权信息举报受理处置情况通报"


def inspection_title(audit_title: str) -> str:
    return f"关于{audit_title}情况的通报"


# Personal data in typical cases ---------------------------------------------------------------------
PII_LABELS = {"id": "身份证号码", "mobile": "手机号码", "landline": "固定电话号码", "email": "电子邮件地址",
              "name": "投诉人姓名"}


@dataclass(frozen=True)
class PiiHit:
    kind: str  # PII_LABELS key
    text: str

    @property
    def label(self) -> str:
        return PII_LABELS[self.kind]

    def masked(self) -> str:
        t = self.text
        return (t[:1] + "*" * (len(t) - 1)) if len(t) <= 4 else (t[:3] + "*" * (len(t) - 5) + t[-2:])


def plain_text(rich: str) -> str:
    """The text of sanitised rich text, tags removed and entities decoded (what a reader sees)."""
    text = nh3.clean(rich or "", tags=set())
    return html.unescape(text)


def find_personal_data(text: str, names: Iterable[str] = ()) -> list[PiiHit]:
    """Personal data in a typical case's text: ID-card numbers, mobile and landline numbers,
    e-mail addresses, and any of ``names`` (complainants' names as the complaint records know
    them; names shorter than two characters are ignored). Tags are removed first, and the check
    also runs on the text with blanks removed, so ``138 0000 0000`` or a name split by a space
    is still found."""
    plain = plain_text(text)
    squeezed = re.sub(r"[\s\u3000]+", "", plain)
    hits: list[PiiHit] = []
    seen: set[tuple[str, str]] = set()

    def add(kind: str, value: str) -> None:
        if (kind, value) not in seen:
            seen.add((kind, value))
            hits.append(PiiHit(kind, value))

    for source in (plain, squeezed):
        for m in ID_RE.finditer(source):
            add("id", m.group(0))
        for m in EMAIL_IN_TEXT_RE.finditer(source):
            add("email", m.group(0))
        for m in PHONE_RE.finditer(source):
            add("mobile", m.group(0))
        for m in LANDLINE_RE.finditer(source):
            add("landline", m.group(0))
    for name in sorted({(n or "").strip() for n in names}, key=len, reverse=True):
        if len(name) >= 2 and (name in plain or name in squeezed):
            add("name", name)
    return hits


def pii_message(where: str, hits: list[PiiHit]) -> str:
    kinds = "、".join(dict.fromkeys(h.label for h in hits))
    examples = "、".join(h.masked() for h in hits[:3])
    return f"{where}含有个人信息（{kinds}：{examples}），请删除或改写后再提交。"


# The editor's rich text ---------------------------------------------------------------------------
_TAG_RE = re.compile(r"<\s*/?\s*[A-Za-z]")
ALLOWED_TAGS = {"p", "br", "strong", "b", "em", "i", "u", "ul", "ol", "li", "h3", "h4", "blockquote"}
MAX_RICH = 20000


def sanitise(rich: str) -> str:
    """The editor's text with only harmless formatting kept (no attributes, links, images,
    scripts or styles). Plain text without tags becomes paragraphs, one per line."""
    value = (rich or "").strip()
    if not value:
        return ""
    if not _TAG_RE.search(value):
        value = "".join(f"<p>{html.escape(line.strip())}</p>" for line in value.splitlines() if line.strip())
    return nh3.clean(value, tags=ALLOWED_TAGS, attributes={}, url_schemes=set(), strip_comments=True).strip()
