"""LED: the platform-month rules (工作规范 第二十八条; 上海指引 三(三)、五(四)2).

They take plain values: the month, the check's time, the platform's accepted submissions for
the month and whether a disclosure is recorded for it. A month's due date is
deadline(last day of the month, ledger_due_working_day); "has passed when the check runs"
means now > due.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np

from ..workdays import WorkCalendar, month_last_day
from .catalogue import LEDGER, SCOPE_MONTH, rule


@dataclass(frozen=True)
class LedgerMonth:
    month: str  # YYYY-MM
    now: datetime  # when the check runs (Beijing, whole seconds)
    first_accepted: datetime | None  # the month's first accepted submission (at or before now)
    disclosed: bool  # a disclosure (date + link) is recorded for the month
    calendar: WorkCalendar
    params: object

    def after_due(self, t: datetime) -> tuple[bool, np.datetime64]:
        """Whether t is later than the month's due date, and the due date (NaT if it runs
        past the known calendar while t does not)."""
        last = datetime.combine(month_last_day(self.month), datetime.min.time())
        hit, due = self.calendar.exceeds(
            np.array([t], dtype="datetime64[ns]"), np.array([last], dtype="datetime64[ns]"),
            self.params.ledger_due_working_day, labels=[f"{self.month}台账报送期限"])
        return bool(hit[0]), due[0]


@rule("LED-01", "台账未报送", "严重", kind=LEDGER, scope=SCOPE_MONTH,
      condition="该月没有被接收的台账报送，且报送期限（次月第{ledger_due_working_day}个工作日）已过",
      requirement="建立工作台账，按月于次月第{ledger_due_working_day}个工作日结束前报送",
      source="规范 第二十八条; 上海 三(三)")
def led_01(m: LedgerMonth):
    if m.first_accepted is not None:
        return False, {}
    passed, due = m.after_due(m.now)
    return passed, {"deadline": due, "observed_at": m.now}


@rule("LED-02", "台账逾期报送", "一般", kind=LEDGER, scope=SCOPE_MONTH,
      condition="该月第一次被接收的台账报送晚于报送期限（次月第{ledger_due_working_day}个工作日23:59:59）",
      requirement="按月于次月第{ledger_due_working_day}个工作日结束前报送台账",
      source="上海 三(三)1")
def led_02(m: LedgerMonth):
    if m.first_accepted is None:
        return False, {}
    late, due = m.after_due(m.first_accepted)
    return late, {"deadline": due, "observed_at": m.first_accepted}


@rule("LED-03", "未按月公开处置情况", "一般", kind=LEDGER, scope=SCOPE_MONTH,
      condition="未登记该月的月度处置情况公开信息（日期与链接），且报送期限已过",
      requirement="每月至少一次公布举报处置数量、处置措施、典型案例，接受公众监督",
      source="上海 五(四)2; 意见 (二十)")
def led_03(m: LedgerMonth):
    if m.disclosed:
        return False, {}
    passed, due = m.after_due(m.now)
    return passed, {"deadline": due, "observed_at": m.now}
