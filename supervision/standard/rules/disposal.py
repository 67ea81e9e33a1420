"""DIS: disposal standards (工作规范 第二十至二十五条)."""
from __future__ import annotations

from importers import columns as C

from .catalogue import SCOPE_ALL, SCOPE_ENTERPRISE, rule


@rule("DIS-01", "应删未删", "严重", scope=SCOPE_ALL,
      condition="已受理并办结，研判为事实清楚、举证充分，但未采取删除、屏蔽或断开链接措施",
      requirement="事实清楚、举证充分的，应当采取删除或同等效果的处置措施",
      source="规范 第二十条")
def dis_01(ctx):
    yes, _ = ctx.facts_clear
    return ctx.accepted & ctx.concluded & yes & ~ctx.removal


@rule("DIS-02", "限时加私无依据", "一般", scope=SCOPE_ENTERPRISE,
      condition="处置措施或临时措施为限时加私，但特殊情形中没有关键节点、立案调查或重大负面影响",
      requirement="限时加私应限于关键节点、立案调查、可能造成较大负面影响等情形",
      source="规范 第二十一条")
def dis_02(ctx):
    v = ctx.view
    used = v.has_any("measures", ["限时加私"]) | v.eq("interim_measure", "限时加私")
    return ctx.enterprise & used & ~v.has_any("circumstances", C.TEMP_PRIVATE_GROUNDS)


@rule("DIS-03", "争议标记无依据", "一般", scope=SCOPE_ENTERPRISE,
      condition="处置措施为争议标记或澄清回应、或临时措施为争议标记，但特殊情形中没有权益纠纷等争议情形",
      requirement="争议标记、澄清回应应限于权益纠纷、利益相关或竞争、已启动司法程序、无法证实、易引发误解等情形",
      source="规范 第二十二条")
def dis_03(ctx):
    v = ctx.view
    used = v.has_any("measures", ["争议标记", "澄清回应"]) | v.eq("interim_measure", "争议标记")
    return ctx.enterprise & used & ~v.has_any("circumstances", C.DISPUTE_GROUNDS)


@rule("DIS-04", "举证不足即删除", "较重", scope=SCOPE_ENTERPRISE,
      condition="已受理并办结，研判为事实不清或举证不充分，却采取了删除、屏蔽或断开链接措施",
      requirement="举证不充分的，应视情采取限时加私、争议标记等措施，正确看待舆论监督",
      source="规范 第二十、二十二条; 意见 (十七)")
def dis_04(ctx):
    _, no = ctx.facts_clear
    return ctx.enterprise & ctx.accepted & ctx.concluded & no & ctx.removal


@rule("DIS-05", "应处置账号未处置", "较重", scope=SCOPE_ENTERPRISE,
      condition="已受理并办结，事实清楚、举证充分且存在假冒仿冒、屡罚屡犯等账号处置情形，但账号处置为无",
      requirement="存在假冒仿冒、屡罚屡犯、恶意首发首转、敲诈勒索等情形的，应依法依约处置网络账号",
      source="规范 第二十三条")
def dis_05(ctx):
    yes, _ = ctx.facts_clear
    v = ctx.view
    no_action = v.map_values("account_action", lambda u: (u is None or str(u).strip() in ("", "无")))
    grounds = v.has_any("circumstances", C.ACCOUNT_GROUNDS)
    return ctx.enterprise & ctx.accepted & ctx.concluded & yes & grounds & no_action


@rule("DIS-06", "利益相关方举报未报审", "严重", scope=SCOPE_ENTERPRISE,
      condition="利益相关方举报已办结并采取了处置措施或账号处置，但省级审核文号为空",
      requirement="涉利益相关方的举报，研判认为有必要采取处置措施的，应报请省级网信部门审核",
      source="规范 第二十五条")
def dis_06(ctx):
    v = ctx.view
    acted = v.has_other_than("measures", C.NO_ACTION) | v.map_values(
        "account_action", lambda u: not (u is None or str(u).strip() in ("", "无")))
    return (ctx.enterprise & v.flag("stakeholder_report") & ctx.concluded & acted
            & v.blank("provincial_approval_ref"))
