"""Registering and editing platforms (admin)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from supervision import auditlog, clock
from supervision.models import Platform, PlatformContact
from supervision.services import ValidationError
from supervision.standard import uscc

# A letter or digit first: the code goes unquoted into CSV exports (a leading "-" would be a formula).
CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{1,31}$")
MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
MOBILE_RE = re.compile(r"^(\+?86[- ]?)?1[3-9]\d{9}$|^0\d{2,3}-?\d{7,8}(-\d{1,6})?$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")


@dataclass
class ContactInput:
    name: str = ""
    title: str = ""
    phone: str = ""
    email: str = ""

    def is_empty(self) -> bool:
        return not (self.name or self.title or self.phone or self.email)


@dataclass
class PlatformInput:
    code: str
    name: str
    uscc: str
    is_local: bool = True
    onboarded: str = ""
    active: bool = True
    contacts: list[ContactInput] = field(default_factory=list)


def _clean(data: PlatformInput) -> PlatformInput:
    data.code = (data.code or "").strip()
    data.name = (data.name or "").strip()
    data.uscc = (data.uscc or "").strip().upper()
    data.onboarded = (data.onboarded or "").strip()
    for c in data.contacts:
        c.name, c.title, c.phone, c.email = (c.name.strip(), c.title.strip(), c.phone.strip(), c.email.strip())
    data.contacts = [c for c in data.contacts if not c.is_empty()]
    return data


def _validate(session: Session, data: PlatformInput, existing: Platform | None) -> None:
    errors: dict[str, str] = {}
    if not CODE_RE.match(data.code):
        errors["code"] = "平台简码须为 2–32 位字母、数字、下划线或连字符，并以字母或数字开头。"
    if not data.name or len(data.name) > 128:
        errors["name"] = "平台名称不能为空，且不超过 128 个字符。"
    problem = uscc.problem(data.uscc)
    if problem:
        errors["uscc"] = problem
    if not MONTH_RE.match(data.onboarded):
        errors["onboarded"] = f"纳管月份应为 YYYY-MM 格式，如 2026-01；填写的是“{data.onboarded}”。"
    for i, c in enumerate(data.contacts, start=1):
        if not c.name:
            errors[f"contact{i}"] = f"第 {i} 位联系人须填写姓名。"
        elif c.phone and not MOBILE_RE.match(c.phone):
            errors[f"contact{i}"] = f"第 {i} 位联系人的电话“{c.phone}”不是有效的手机号或固定电话。"
        elif c.email and not EMAIL_RE.match(c.email):
            errors[f"contact{i}"] = f"第 {i} 位联系人的邮箱“{c.email}”格式不正确。"
        elif not (c.phone or c.email):
            errors[f"contact{i}"] = f"第 {i} 位联系人至少填写电话或邮箱之一。"
    for attr, label in (("code", "平台简码"), ("name", "平台名称"), ("uscc", "统一社会信用代码")):
        if attr in errors:
            continue
        other = session.scalar(select(Platform).where(getattr(Platform, attr) == getattr(data, attr)))
        if other is not None and other is not existing:
            errors[attr] = f"{label}“{getattr(data, attr)}”已被平台“{other.name}”使用。"
    if errors:
        raise ValidationError(errors)


def register_platform(session: Session, data: PlatformInput) -> Platform:
    data = _clean(data)
    _validate(session, data, None)
    now = clock.now()
    platform = Platform(
        code=data.code, name=data.name, uscc=data.uscc, is_local=data.is_local,
        onboarded=data.onboarded, active=data.active, created_at=now, updated_at=now,
        contacts=[PlatformContact(**vars(c)) for c in data.contacts],
    )
    session.add(platform)
    session.flush()
    auditlog.record(session, "platform.create", "platform", platform.id, None, platform.snapshot(),
                    platform_id=platform.id)
    return platform


def update_platform(session: Session, platform: Platform, data: PlatformInput) -> Platform:
    data = _clean(data)
    _validate(session, data, platform)
    before = platform.snapshot()
    platform.code, platform.name, platform.uscc = data.code, data.name, data.uscc
    platform.is_local, platform.onboarded, platform.active = data.is_local, data.onboarded, data.active
    platform.contacts = [PlatformContact(**vars(c)) for c in data.contacts]
    platform.updated_at = clock.now()
    session.flush()
    after = platform.snapshot()
    if after != before:
        auditlog.record(session, "platform.update", "platform", platform.id, before, after,
                        platform_id=platform.id)
    return platform


def by_code(session: Session, code: str) -> Platform | None:
    return session.scalar(select(Platform).where(Platform.code == code))
