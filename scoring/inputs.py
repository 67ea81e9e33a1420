"""What the scorecard needs to know about one platform for one period: plain counts.

The app fills one :class:`ScoringInput` per platform and month from the database (the
findings of the rule engine, the audit review, complaints, notices, ratings). Quarters and
years are the sum of their months (:func:`aggregate`), never an average of monthly scores.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable
from dataclasses import dataclass, fields

__all__ = ["ScoringInput", "aggregate", "aggregate_by_platform", "rating_counts"]


def _bad(message: str) -> ValueError:
    return ValueError(message)


@dataclass(frozen=True)
class ScoringInput:
    """Counts for one platform over one period (a month, or the sum of several months).

    Every field is a non-negative integer; defaults are zero, so a platform with no data
    at all is ``ScoringInput("P01", months_reported=0)``.
    """

    platform_code: str
    #: months in the period (1 for a month, 3 for a quarter, 12 for a year)
    months: int = 1
    #: months of the period for which the platform has an accepted ledger; 0 means 未报送
    months_reported: int = 1
    #: 办理时效 base: reports concluded in the month plus reports open at the cutoff
    timeliness_total: int = 0
    #: ... of which with none of TIM-01, TIM-02, TIM-05, TIM-06
    timeliness_ok: int = 0
    #: reports concluded in the month (base of 处置规范 and 反馈)
    concluded_total: int = 0
    #: concluded reports with no ACC-* and no DIS-* finding
    correctness_ok: int = 0
    #: concluded reports with neither TIM-07 nor TIM-08
    feedback_ok: int = 0
    #: statistically sampled reports of the month reviewed by an inspector
    #: (judgmental picks excluded); 0 when no sample was reviewed
    audit_reviewed: int = 0
    #: ... of which marked 不合规
    audit_deviations: int = 0
    #: the month's reports (受理时间 in the month: the cohort the rules check);
    #: base of 流程规范 and of the complaint rate
    received_total: int = 0
    #: ... of which with no PRO-* finding
    process_ok: int = 0
    #: complaints about the platform closed in the month as 投诉成立 or 部分成立
    complaints_substantiated: int = 0
    #: rectification-notice items whose deadline fell in the month
    notice_items_due: int = 0
    #: ... of which accepted by the inspector on time
    notice_items_on_time: int = 0
    #: satisfaction ratings given in the month: counts of 1, 2, 3, 4, 5 stars
    ratings: tuple[int, int, int, int, int] = (0, 0, 0, 0, 0)
    #: months of the period with an LED-01 / LED-02 / LED-03 finding
    led01: int = 0
    led02: int = 0
    led03: int = 0

    def __post_init__(self) -> None:
        code = self.platform_code
        if not isinstance(code, str) or not code.strip():
            raise _bad("平台代码不能为空")
        ratings = tuple(self.ratings)
        if len(ratings) != 5:
            raise _bad(f"平台 {code}：满意度评分必须是 1–5 分各自的数量（5 个数）")
        object.__setattr__(self, "ratings", ratings)
        for f in fields(self):
            if f.name in ("platform_code", "ratings"):
                continue
            self._check_count(f.name, getattr(self, f.name))
        for i, r in enumerate(ratings, start=1):
            self._check_count(f"ratings[{i}]", r)
        if self.months < 1:
            raise _bad(f"平台 {code}：月份数必须至少为 1")
        pairs = [
            ("months_reported", "months", "报送月份数", "月份数"),
            ("timeliness_ok", "timeliness_total", "按时办理数", "办理时效统计数"),
            ("correctness_ok", "concluded_total", "处置规范数", "办结数"),
            ("feedback_ok", "concluded_total", "按时反馈数", "办结数"),
            ("audit_deviations", "audit_reviewed", "抽查不合规数", "抽查数"),
            ("process_ok", "received_total", "流程规范数", "当月举报数"),
            ("notice_items_on_time", "notice_items_due", "按期整改事项数", "到期整改事项数"),
            ("led01", "months", "LED-01 月份数", "月份数"),
            ("led02", "months", "LED-02 月份数", "月份数"),
            ("led03", "months", "LED-03 月份数", "月份数"),
        ]
        for part, whole, part_zh, whole_zh in pairs:
            if getattr(self, part) > getattr(self, whole):
                raise _bad(
                    f"平台 {code}：{part_zh}（{getattr(self, part)}）不得大于{whole_zh}（{getattr(self, whole)}）"
                )

    def _check_count(self, name: str, value: object) -> None:
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
            raise _bad(f"平台 {self.platform_code}：{name} 必须是非负整数，收到：{value!r}")

    @property
    def reported(self) -> bool:
        return self.months_reported > 0

    @property
    def ratings_total(self) -> int:
        return sum(self.ratings)


def rating_counts(ratings: Iterable[int]) -> tuple[int, int, int, int, int]:
    """Counts of 1..5 stars from individual ratings."""
    counts = [0, 0, 0, 0, 0]
    for r in ratings:
        if isinstance(r, bool) or not isinstance(r, numbers.Integral) or not 1 <= r <= 5:
            raise _bad(f"满意度评分必须是 1–5 的整数，收到：{r!r}")
        counts[int(r) - 1] += 1
    return tuple(counts)  # type: ignore[return-value]


def aggregate(inputs: Iterable[ScoringInput]) -> ScoringInput:
    """Sum the months of one platform into one period (quarter, year)."""
    items = list(inputs)
    if not items:
        raise _bad("没有可汇总的月度数据")
    codes = {i.platform_code for i in items}
    if len(codes) != 1:
        raise _bad(f"只能汇总同一平台的数据，收到：{', '.join(sorted(codes))}")
    values = {}
    for f in fields(ScoringInput):
        if f.name == "platform_code":
            continue
        if f.name == "ratings":
            values["ratings"] = tuple(sum(i.ratings[s] for i in items) for s in range(5))
        else:
            values[f.name] = sum(getattr(i, f.name) for i in items)
    return ScoringInput(platform_code=items[0].platform_code, **values)


def aggregate_by_platform(inputs: Iterable[ScoringInput]) -> list[ScoringInput]:
    """Group monthly inputs by platform and sum each group (sorted by platform code)."""
    groups: dict[str, list[ScoringInput]] = {}
    for item in inputs:
        groups.setdefault(item.platform_code, []).append(item)
    return [aggregate(groups[code]) for code in sorted(groups)]
