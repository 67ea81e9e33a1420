"""Forms of the complaint window (CSRF through Flask-WTF). Field checks are done by
supervision.services.complaints so that every message is Chinese and stays next to its field."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import Length

from supervision.standard import complaints as std
from supervision.web.forms import choices


class FileComplaintForm(FlaskForm):
    name = StringField("姓名")
    contact = StringField("联系方式（手机号码或电子邮箱）")
    platform = SelectField("投诉的平台", choices=[], validate_choice=False)
    platform_other = StringField("其他平台名称（选择“其他平台”时填写）")
    report_number = StringField("举报编号（您在平台举报时获得的编号）")
    report_date = StringField("举报日期")
    complaint_type = SelectField("投诉类型", choices=choices([("", "请选择")] + [(t, t) for t in std.TYPES]),
                                 validate_choice=False)
    description = TextAreaField("投诉内容（不超过 2000 字）")
    attachments = MultipleFileField("附件（图片或 PDF，最多 5 个，每个不超过 10 MB）")
    consent = BooleanField("我已阅读并同意《投诉处理办法》，同意办理人员为处理本投诉使用我提供的信息")
    answer = StringField("验证题")
    challenge = HiddenField()
    website = StringField("请勿填写此项")  # honeypot: people never see it


class QueryForm(FlaskForm):
    tracking_no = StringField("投诉编号", validators=[Length(max=20)])
    code = StringField("查询码", validators=[Length(max=20)])


class RatingForm(FlaskForm):
    rating = SelectField("满意度评价", choices=choices([("", "请选择"), ("5", "5 分 非常满意"), ("4", "4 分 满意"),
                                                   ("3", "3 分 基本满意"), ("2", "2 分 不满意"),
                                                   ("1", "1 分 非常不满意")]), validate_choice=False)
    comment = TextAreaField("评价意见（选填，不超过 500 字）")


class ReexamForm(FlaskForm):
    reason = TextAreaField("申请复查的理由")


class AcceptForm(FlaskForm):
    note = TextAreaField("内部备注（选填，不向公众显示）")


class RejectForm(FlaskForm):
    reason = SelectField("不予受理理由", choices=choices([("", "请选择")] + [(r, r) for r in std.REJECT_REASONS]),
                         validate_choice=False)
    forward_to = StringField("转送部门（非属地时必填）")
    explanation = TextAreaField("向投诉人说明（公开）")
    note = TextAreaField("内部备注（选填）")


class TransferForm(FlaskForm):
    request_text = TextAreaField("转办说明（平台可见，勿写投诉人信息）")
    note = TextAreaField("内部备注（选填）")


class ReturnForm(FlaskForm):
    request_text = TextAreaField("需要平台补充的内容（平台可见）")
    note = TextAreaField("内部备注（选填）")


class CloseForm(FlaskForm):
    conclusion = SelectField("办结结论", choices=choices([("", "请选择")] + [(c, c) for c in std.CONCLUSIONS]),
                             validate_choice=False)
    reply = TextAreaField("给投诉人的答复（公开）")
    note = TextAreaField("内部备注（选填）")


class ConfirmUnreportedForm(FlaskForm):
    note = TextAreaField("核实情况（选填）")


class ResponseForm(FlaskForm):
    text = TextAreaField("答复内容")
    files = MultipleFileField("附件（图片或 PDF，最多 5 个，每个不超过 10 MB）")
