"""PRO: process and record keeping (指导意见 (五); 上海指引 三(一); 工作规范 第二十七、二十八条)."""
from __future__ import annotations

import numpy as np

from ._frame import staff_key
from .catalogue import SCOPE_ALL, rule


@rule("PRO-01", "承办复核未分离", "较重", scope=SCOPE_ALL,
      condition="已办结，复核人与承办人相同（忽略首尾空白、全角半角与大小写）",
      requirement="规范层级把关，承办与复核应由不同人员完成",
      source="意见 (五); 上海 三(一); 规范 第二十七条")
def pro_01(ctx):
    vocabulary: dict[str, int] = {}
    handler = ctx.view.ids("handler_id", staff_key, vocabulary)
    reviewer = ctx.view.ids("reviewer_id", staff_key, vocabulary)
    return ctx.concluded & (handler >= 0) & (handler == reviewer)


@rule("PRO-02", "举报人信息未隐去", "严重", scope=SCOPE_ALL,
      condition="已将举报内容告知发布者，但举报人信息已隐去不为是",
      requirement="需要将举报内容告知发布者的，必须隐去举报人信息",
      source="意见 (五); 上海 三(一)4")
def pro_02(ctx):
    return ctx.view.flag("publisher_notified") & ~ctx.view.flag("reporter_redacted")


@rule("PRO-03", "办结状态矛盾", "一般", scope=SCOPE_ALL,
      condition="办理状态为已办结，但受理结果为待补充材料",
      requirement="如实记录举报受理处置全过程",
      source="规范 第二十八条 (如实记录)")
def pro_03(ctx):
    return ctx.concluded & ctx.awaiting_material


@rule("PRO-04", "时间记录矛盾", "较重", scope=SCOPE_ALL,
      condition="处置完成时间、反馈时间、临时措施时间或补充材料要求时间早于受理时间，或反馈时间早于处置完成时间",
      requirement="如实记录举报受理处置全过程",
      source="规范 第二十八条")
def pro_04(ctx):
    r = ctx.received
    hit = np.zeros(ctx.size, dtype=bool)
    for t in (ctx.disposed, ctx.feedback, ctx.interim_at, ctx.supplement_at):
        hit |= t < r  # NaT compares False
    return hit | (ctx.feedback < ctx.disposed)
