"""The 40 columns of the platform ledger exchange format v1 (shared/spec/ledger.md).

This module is the single source of truth for the format: the importer, the Excel template,
the error workbook, the store and the rule engine all read their column list from here.
"""
from __future__ import annotations

from dataclasses import dataclass, field

# Enumerations -------------------------------------------------------------------------------
SUBJECT_TYPES = ("涉企", "涉个人")
ENTERPRISE_CATEGORIES = (
    "仿冒性信息", "误导性信息", "谣言性信息", "侮辱性信息", "泄密性信息", "恶意干扰经营信息",
)
PERSONAL_CATEGORIES = (
    "个人信息泄露", "假冒仿冒", "侮辱诽谤", "网络暴力", "涉未成年人", "歧视对立", "其他侵权",
)
CATEGORIES_BY_SUBJECT = {"涉企": ENTERPRISE_CATEGORIES, "涉个人": PERSONAL_CATEGORIES}
ALL_CATEGORIES = ENTERPRISE_CATEGORIES + PERSONAL_CATEGORIES
REPORTER_ROLES = ("企业", "企业家本人", "代理人", "个人")
ENTERPRISE_TIERS = ("拟上市", "上市", "高新技术", "专精特新", "其他")
EVIDENCE_TYPES = (
    "官网备案证明", "官方账号持有证明", "权属证书", "企业公告声明", "源发新闻稿件", "撤稿函",
    "有关部门文书证明", "职权行为信息", "网上公示查询结果", "企业档案记录", "权威辟谣信息",
    "专业资质证明", "第三方机构证明", "标准文本", "合同协议", "企业自行收集证据", "其他",
)
ACCEPTANCE = ("受理", "不予受理", "待补充材料")
REJECTION_REASONS = ("材料不全", "证据不足", "恶意举报", "不属于侵权", "权益纠纷", "非属地", "重复举报")
SUPPLEMENT_REASONS = ("证据不足", "身份证明不全", "授权不全", "其他")
TEMP_PRIVATE_GROUNDS = ("关键节点", "立案调查", "重大负面影响")
DISPUTE_GROUNDS = ("权益纠纷", "利益相关或竞争", "已启动司法程序", "无法证实", "易引发误解")
ACCOUNT_GROUNDS = ("假冒仿冒", "屡罚屡犯", "恶意首发首转", "敲诈勒索", "其他严重情节")
CIRCUMSTANCES = TEMP_PRIVATE_GROUNDS + DISPUTE_GROUNDS + ACCOUNT_GROUNDS
INTERIM_MEASURES = ("限时加私", "争议标记", "无")
MEASURES = ("删除", "屏蔽", "断开链接", "限时加私", "争议标记", "澄清回应", "谣言标签", "无需处置")
REMOVAL_MEASURES = ("删除", "屏蔽", "断开链接")
NO_ACTION = "无需处置"
ACCOUNT_ACTIONS = ("无", "禁言", "暂停营利", "清理粉丝", "限制功能", "关闭账号", "纳入黑名单")
STATUSES = ("办理中", "已办结")
FEEDBACK_CHANNELS = ("站内信", "人工回复", "电话", "短信", "邮件")
LIGHTWEIGHT_CATEGORIES = ("仿冒性信息", "侮辱性信息", "泄密性信息")

# Separator of multi-valued cells in the normalised frame and in storage.
MULTI_SEP = "；"

# Column kinds
TEXT, ENUM, MULTI, FLAG, DATETIME = "text", "enum", "multi", "flag", "datetime"


@dataclass(frozen=True)
class Column:
    number: int
    header: str  # Chinese header, exactly as in ledger.md
    key: str  # English key
    kind: str  # one of TEXT, ENUM, MULTI, FLAG, DATETIME
    required: str  # "always", "no" or the condition text of ledger.md
    meaning: str  # what the cell holds, for the template's 填报说明 sheet
    max_length: int | None = None
    values: tuple[str, ...] = field(default=())

    @property
    def always_required(self) -> bool:
        return self.required == "always"


C = Column
COLUMNS: tuple[Column, ...] = (
    C(1, "举报编号", "report_id", TEXT, "always", "举报在平台的唯一编号，同一文件内不得重复", 64),
    C(2, "举报类型", "subject_type", ENUM, "always", "涉企或涉个人", values=SUBJECT_TYPES),
    C(3, "侵权类别", "category", ENUM, "always", "须属于所填举报类型下的类别", values=ALL_CATEGORIES),
    C(4, "受理时间", "received_at", DATETIME, "always", "举报到达平台的时间（北京时间），不得晚于报送期末"),
    C(5, "举报人身份", "reporter_role", ENUM, "always", "举报人的身份", values=REPORTER_ROLES),
    C(6, "企业类型", "enterprise_tier", ENUM, "涉企", "被侵权企业的类型", values=ENTERPRISE_TIERS),
    C(7, "文字说明", "has_statement", FLAG, "always", "受理条件一：是否提交文字说明（规范第五条（一））"),
    C(8, "主体资格证明", "has_identity_proof", FLAG, "always", "受理条件二：主体资格证明；代理人还须代理人身份证明和授权委托书"),
    C(9, "联系方式", "has_contact", FLAG, "always", "受理条件三：是否提供联系方式"),
    C(10, "侵权网址", "has_locator", FLAG, "always", "受理条件四：是否提供侵权信息网址或定位"),
    C(11, "初步证据", "has_evidence", FLAG, "always", "受理条件五：是否提供初步证据"),
    C(12, "真实性保证", "has_guarantee", FLAG, "always", "受理条件六：是否提供真实性保证"),
    C(13, "证据类型", "evidence_types", MULTI, "no", "举报人提交的证据类型，可多选", values=EVIDENCE_TYPES),
    C(14, "受理结果", "acceptance", ENUM, "always", "平台的受理结论", values=ACCEPTANCE),
    C(15, "不予受理原因", "rejection_reason", ENUM, "不予受理", "受理结果为不予受理时必填", values=REJECTION_REASONS),
    C(16, "不予受理说明", "rejection_note", TEXT, "no", "不予受理的具体说明；认定恶意举报时应填写依据", 500),
    C(17, "补充材料要求时间", "supplement_requested_at", DATETIME, "no", "平台要求举报人补充材料的时间"),
    C(18, "补充材料原因", "supplement_reason", ENUM, "with 17", "填写补充材料要求时间时必填", values=SUPPLEMENT_REASONS),
    C(19, "事实清楚举证充分", "facts_clear", FLAG, "受理 and 已办结", "平台研判：事实清楚、举证充分；受理且已办结时必填，空表示尚未研判"),
    C(20, "特殊情形", "circumstances", MULTI, "no", "限时加私、争议标记或账号处置的依据情形，可多选", values=CIRCUMSTANCES),
    C(21, "临时措施", "interim_measure", ENUM, "no", "办理期间采取的临时措施，空视为无", values=INTERIM_MEASURES),
    C(22, "临时措施时间", "interim_measure_at", DATETIME, "with 21 ≠ 无", "临时措施不为无时必填"),
    C(23, "处置措施", "measures", MULTI, "已办结 and 受理", "受理且已办结时必填，可多选；无需处置不得与其他措施同填", values=MEASURES),
    C(24, "账号处置", "account_action", ENUM, "no", "对被举报账号采取的措施，空视为无", values=ACCOUNT_ACTIONS),
    C(25, "被举报账号", "reported_account", TEXT, "no", "被举报账号在平台的ID或名称", 200),
    C(26, "侵权链接", "content_url", TEXT, "no", "侵权信息的链接", 2000),
    C(27, "办理状态", "status", ENUM, "always", "办理中或已办结", values=STATUSES),
    C(28, "处置完成时间", "disposed_at", DATETIME, "已办结", "办结的时间（不予受理时为作出决定的时间）；已办结时必填"),
    C(29, "延期", "extended", FLAG, "no", "平台是否标记延期办理（上海指引五（二）3）"),
    C(30, "延期说明", "extension_note", TEXT, "no", "延期为是时应填写延期说明", 500),
    C(31, "反馈时间", "feedback_at", DATETIME, "no", "向举报人反馈处置结果的时间"),
    C(32, "反馈方式", "feedback_channel", ENUM, "with 31", "填写反馈时间时必填", values=FEEDBACK_CHANNELS),
    C(33, "利益相关方举报", "stakeholder_report", FLAG, "no", "举报涉及股东、高管、子公司或业务伙伴（规范第二十五条）"),
    C(34, "省级审核文号", "provincial_approval_ref", TEXT, "no", "省级网信办审核同意的文号", 100),
    C(35, "告知发布者", "publisher_notified", FLAG, "no", "是否将举报转告信息发布者说明"),
    C(36, "举报人信息已隐去", "reporter_redacted", FLAG, "no", "告知发布者时是否隐去举报人信息；空视为否"),
    C(37, "被举报方异议", "objection", FLAG, "no", "被举报方是否提出异议（规范第二十四条）"),
    C(38, "承办人", "handler_id", TEXT, "always", "承办人工号", 64),
    C(39, "复核人", "reviewer_id", TEXT, "已办结", "复核人工号（层级把关）；已办结时必填", 64),
    C(40, "备注", "note", TEXT, "no", "其他需要说明的情况", 1000),
)
del C

BY_KEY: dict[str, Column] = {c.key: c for c in COLUMNS}
BY_HEADER: dict[str, Column] = {c.header: c for c in COLUMNS}
KEYS: tuple[str, ...] = tuple(c.key for c in COLUMNS)
DATETIME_KEYS = tuple(c.key for c in COLUMNS if c.kind == DATETIME)
FLAG_KEYS = tuple(c.key for c in COLUMNS if c.kind == FLAG)
MULTI_KEYS = tuple(c.key for c in COLUMNS if c.kind == MULTI)

# Flag spellings (ledger.md "Values"), compared case-insensitively after trimming.
TRUE_SPELLINGS = ("是", "y", "yes", "true", "1")
FALSE_SPELLINGS = ("否", "n", "no", "false", "0")
