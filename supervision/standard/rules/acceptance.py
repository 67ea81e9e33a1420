"""ACC: acceptance of enterprise reports (工作规范 第五、七、十三、十五、十八条)."""
from __future__ import annotations

from .catalogue import SCOPE_ENTERPRISE, SCOPE_LIGHTWEIGHT, rule


@rule("ACC-01", "符合条件不予受理", "严重", scope=SCOPE_ENTERPRISE,
      condition="以材料不全或证据不足为由不予受理，但受理条件均已满足（仿冒性、侮辱性、泄密性信息不要求初步证据）",
      requirement="满足受理条件的涉企举报应当予以受理",
      source="规范 第五条")
def acc_01(ctx):
    reason = ctx.view.eq("rejection_reason", "材料不全", "证据不足")
    return ctx.enterprise & ctx.rejected & reason & ctx.conditions_met


@rule("ACC-02", "超范围要求举证", "较重", scope=SCOPE_LIGHTWEIGHT,
      condition="已提交主体资格证明，仍以证据不足为由要求补充材料或不予受理",
      requirement="仿冒性、侮辱性、泄密性信息举报，除身份证明外原则上不再要求其他证据材料",
      source="规范 第七、十三、十五条")
def acc_02(ctx):
    v = ctx.view
    asked = v.eq("supplement_reason", "证据不足") | (ctx.rejected & v.eq("rejection_reason", "证据不足"))
    return ctx.enterprise & ctx.lightweight & v.flag("has_identity_proof") & asked


@rule("ACC-03", "恶意举报认定无依据", "一般", scope=SCOPE_ENTERPRISE,
      condition="以恶意举报为由不予受理，但不予受理说明为空",
      requirement="认定伪造证明证据、灌水举报等恶意举报的，应记录认定依据",
      source="规范 第十八条")
def acc_03(ctx):
    v = ctx.view
    return ctx.enterprise & ctx.rejected & v.eq("rejection_reason", "恶意举报") & v.blank("rejection_note")
