"""WTForms forms of the web pages (CSRF through Flask-WTF)."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from supervision.roles import ROLE_LABELS

REQUIRED = "此项必填。"


class LoginForm(FlaskForm):
    username = StringField("用户名", validators=[DataRequired(REQUIRED), Length(max=64)])
    password = PasswordField("密码", validators=[DataRequired(REQUIRED), Length(max=256)])


class TotpForm(FlaskForm):
    code = StringField("动态验证码", validators=[DataRequired(REQUIRED), Length(max=10)])


class PasswordChangeForm(FlaskForm):
    current = PasswordField("当前密码", validators=[DataRequired(REQUIRED)])
    new = PasswordField("新密码", validators=[DataRequired(REQUIRED), Length(max=256)])
    confirm = PasswordField("确认新密码", validators=[DataRequired(REQUIRED)])


class ActionForm(FlaskForm):
    """A bare form for POST buttons (log out, reset): carries only the CSRF token."""


ROLE_CHOICES = [SelectChoice(k, v) for k, v in ROLE_LABELS.items()]


class UserCreateForm(FlaskForm):
    username = StringField("用户名", validators=[DataRequired(REQUIRED), Length(max=64)])
    display_name = StringField("姓名", validators=[Length(max=64)])
    role = SelectField("角色", choices=ROLE_CHOICES)
    platform = SelectField("所属平台（仅平台用户）", choices=[])
    password = PasswordField("初始密码", validators=[DataRequired(REQUIRED), Length(max=256)])


class UserEditForm(FlaskForm):
    display_name = StringField("姓名", validators=[Length(max=64)])
    role = SelectField("角色", choices=ROLE_CHOICES)
    platform = SelectField("所属平台（仅平台用户）", choices=[])
    active = BooleanField("账户启用")


class PasswordResetForm(FlaskForm):
    password = PasswordField("临时密码", validators=[DataRequired(REQUIRED), Length(max=256)])


class PlatformForm(FlaskForm):
    code = StringField("平台简码", validators=[DataRequired(REQUIRED), Length(max=32)])
    name = StringField("平台名称", validators=[DataRequired(REQUIRED), Length(max=128)])
    uscc = StringField("统一社会信用代码", validators=[DataRequired(REQUIRED), Length(max=18)])
    is_local = BooleanField("属地平台", default=True)
    onboarded = StringField("纳管月份（YYYY-MM）", validators=[DataRequired(REQUIRED), Length(max=7)])
    active = BooleanField("在管", default=True)
    contact1_name = StringField("联系人一 姓名", validators=[Length(max=64)])
    contact1_title = StringField("职务", validators=[Length(max=64)])
    contact1_phone = StringField("电话", validators=[Length(max=32)])
    contact1_email = StringField("邮箱", validators=[Length(max=128)])
    contact2_name = StringField("联系人二 姓名", validators=[Length(max=64)])
    contact2_title = StringField("职务", validators=[Length(max=64)])
    contact2_phone = StringField("电话", validators=[Length(max=32)])
    contact2_email = StringField("邮箱", validators=[Length(max=128)])


class LedgerUploadForm(FlaskForm):
    period = SelectField("报送月份", choices=[])
    file = FileField("台账文件（.xlsx 或 .csv）", validators=[FileRequired("请选择台账文件。")])


class TokenForm(FlaskForm):
    name = StringField("令牌用途", validators=[DataRequired(REQUIRED), Length(max=64)])


class CheckForm(FlaskForm):
    platform = SelectField("平台", choices=[])
    period = StringField("月份（YYYY-MM）", validators=[DataRequired(REQUIRED), Length(min=7, max=7)])


class DisclosureForm(FlaskForm):
    platform = SelectField("平台", choices=[])
    period = StringField("月份（YYYY-MM）", validators=[DataRequired(REQUIRED), Length(min=7, max=7)])
    published_on = DateField("公开日期", validators=[DataRequired("请填写 YYYY-MM-DD 格式的日期。")])
    url = StringField("公开链接", validators=[DataRequired(REQUIRED), Length(max=1000)])


def choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms select choices."""
    return [SelectChoice(value, label) for value, label in pairs]


class AuditForm(FlaskForm):
    title = StringField("检查名称", validators=[DataRequired(REQUIRED), Length(max=200)])
    kind = SelectField("检查类型", choices=choices([("full", "全面检查（全部属地平台）"), ("focused", "重点检查（选定平台）")]))
    period_from = StringField("起始月份（YYYY-MM）", validators=[DataRequired(REQUIRED), Length(min=7, max=7)])
    period_to = StringField("截止月份（YYYY-MM）", validators=[DataRequired(REQUIRED), Length(min=7, max=7)])
    focus = SelectField("检查重点", choices=[])
    due_date = DateField("完成期限", validators=[DataRequired("请填写 YYYY-MM-DD 格式的日期。")])
    confidence = SelectField("置信水平", choices=choices([("0.95", "95%"), ("0.90", "90%"), ("0.99", "99%")]))
    tolerable_rate = SelectField("可容忍偏差率", choices=choices([("0.05", "5%"), ("0.03", "3%"), ("0.10", "10%")]))
    expected_deviations = SelectField("预期偏差数", choices=choices([("0", "0"), ("1", "1"), ("2", "2")]))


MAX_PAGE = 1_000_000  # (page - 1) × page size stays far inside a 64-bit OFFSET


def int_arg(name: str, default: int, low: int, high: int) -> int:
    """An integer query parameter: ``default`` when missing or not a number, clamped to
    [low, high] (a huge number must not reach the database as an OFFSET or an id)."""
    from flask import request

    raw = request.args.get(name, "").strip()
    try:
        value = int(raw) if raw else default
    except ValueError:
        value = default
    return min(max(value, low), high)


def page_arg() -> int:
    """The ``page`` query parameter (1 when missing or invalid)."""
    return int_arg("page", 1, 1, MAX_PAGE)
