"""TIM: time limits (上海指引 五(二)(三); 指导意见 (四)(九)(十)(二十一)).

Open reports are judged at the cutoff — the as-of time of the platform's data — never at the
wall-clock time of the check: a report still open in the latest ledger is late only if the
cutoff is past its deadline, and a report whose deadline falls after the cutoff is judged
when a later ledger (a later cutoff, or its conclusion) arrives and its cohort is re-checked.
"""
from __future__ import annotations

import numpy as np

from importers import columns as C

from .catalogue import SCOPE_ALL, SCOPE_ENTERPRISE, SCOPE_FAST, rule


@rule("TIM-01", "简单件超时办结", "较重", scope=SCOPE_ALL,
      condition="简单件未经规范延期，处置完成时间晚于受理后{simple_case_working_days}个工作日的23:59:59",
      requirement="举报事项清晰、举证材料充足的举报件，原则上{simple_case_working_days}个工作日内研处完毕",
      source="上海 五(二)1; 规范 第三条")
def tim_01(ctx):
    n = ctx.params.simple_case_working_days
    where = ~ctx.complex & ~ctx.properly_extended & ctx.concluded
    hit, deadline = ctx.exceeds(ctx.disposed, ctx.received, n, where)
    return hit, {"deadline": deadline, "observed_at": ctx.disposed, "limit": n}


@rule("TIM-02", "复杂件超时办结", "较重", scope=SCOPE_ALL,
      condition="复杂件未经规范延期，处置完成时间晚于受理后{complex_case_working_days}个工作日的23:59:59",
      requirement="需要补充材料、复核研处的举报件，原则上办理不超过{complex_case_working_days}个工作日",
      source="上海 五(二)2")
def tim_02(ctx):
    n = ctx.params.complex_case_working_days
    where = ctx.complex & ~ctx.properly_extended & ctx.concluded
    hit, deadline = ctx.exceeds(ctx.disposed, ctx.received, n, where)
    return hit, {"deadline": deadline, "observed_at": ctx.disposed, "limit": n}


@rule("TIM-03", "延期未说明", "一般", scope=SCOPE_ALL,
      condition="标记延期，但延期说明为空",
      requirement="需要延长处置期限的，对举报件状态做好标记，并在“处理说明”中据实填写",
      source="上海 五(二)3")
def tim_03(ctx):
    return ctx.view.flag("extended") & ctx.view.blank("extension_note")


@rule("TIM-04", "复杂件未采取临时措施", "较重", scope=SCOPE_ENTERPRISE,
      condition="已受理的复杂件在受理后{simple_case_working_days}个工作日的时限后才办结或截止时仍未办结，"
                "处置措施不只是无需处置，且该时限前未采取限时加私或争议标记临时措施",
      requirement="需要补充材料、复核研处的，应在采取“争议标签”“限时加私”等措施的前提下办理",
      source="上海 五(二)2; 意见 (二十一)")
def tim_04(ctx):
    n = ctx.params.simple_case_working_days
    base = (ctx.enterprise & ctx.accepted & ctx.complex & ~ctx.view.only("measures", C.NO_ACTION)
            & (ctx.concluded | ctx.open))
    late, deadline = ctx.exceeds(ctx.observed, ctx.received, n, base)
    interim = ctx.view.eq("interim_measure", "限时加私", "争议标记")
    in_time = interim & (ctx.interim_at <= deadline)  # NaT compares False
    return late & ~in_time, {"deadline": deadline, "observed_at": ctx.observed, "limit": n,
                             "state": ctx.state}


@rule("TIM-05", "快速通道超时", "严重", scope=SCOPE_FAST,
      condition="已受理，办结用时或截止时已历时超过{fast_channel_hours}小时",
      requirement="网络暴力、涉未成年人等举报第一时间受理、第一时间处置（本省时限{fast_channel_hours}小时）",
      source="意见 (九)(十)(二十一)")
def tim_05(ctx):
    hours = ctx.params.fast_channel_hours
    limit = np.timedelta64(hours, "h")
    where = ctx.view.eq("category", "网络暴力", "涉未成年人") & ctx.accepted
    elapsed = ctx.observed - ctx.received
    hit = where & (elapsed > limit)  # NaT compares False
    return hit, {"deadline": ctx.received + limit, "observed_at": ctx.observed, "limit": hours,
                 "state": ctx.state}


@rule("TIM-06", "超期未办结", "严重", scope=SCOPE_ALL,
      condition="截止时仍在办理中、未经规范延期，且已超过办理时限（简单件{simple_case_working_days}个工作日，"
                "复杂件{complex_case_working_days}个工作日）",
      requirement="落实限时办结原则，确保“事事有着落、件件有回音”",
      source="上海 五(二); 意见 (四)")
def tim_06(ctx):
    where = ctx.open & ~ctx.properly_extended
    hit, deadline = ctx.exceeds(ctx.cutoff, ctx.received, ctx.case_days, where)
    return hit, {"deadline": deadline, "observed_at": ctx.cutoff, "limit": ctx.case_days,
                 "state": ctx.state}


@rule("TIM-07", "未反馈举报人", "较重", scope=SCOPE_ALL,
      condition="已办结，无反馈时间，且截止时已超过办结后{feedback_working_days}个工作日",
      requirement="及时通过站内信、人工回复等方式告知举报人处置结果",
      source="上海 五(三); 意见 (四)")
def tim_07(ctx):
    n = ctx.params.feedback_working_days
    where = ctx.concluded & np.isnat(ctx.feedback)
    hit, deadline = ctx.exceeds(ctx.cutoff, ctx.disposed, n, where)
    return hit, {"deadline": deadline, "observed_at": ctx.cutoff, "limit": n}


@rule("TIM-08", "反馈不及时", "一般", scope=SCOPE_ALL,
      condition="已办结，反馈时间晚于办结后{feedback_working_days}个工作日的23:59:59",
      requirement="办结后{feedback_working_days}个工作日内告知举报人处置结果",
      source="上海 五(三)")
def tim_08(ctx):
    n = ctx.params.feedback_working_days
    where = ctx.concluded & ~np.isnat(ctx.feedback)
    hit, deadline = ctx.exceeds(ctx.feedback, ctx.disposed, n, where)
    return hit, {"deadline": deadline, "observed_at": ctx.feedback, "limit": n}
