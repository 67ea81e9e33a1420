"""The roles of shared/spec/workflows.md with their Chinese names."""
from __future__ import annotations

ADMIN = "admin"
AUDITOR = "security_auditor"
INSPECTOR = "inspector"
SUPERVISOR = "supervisor"
COMPLAINT_HANDLER = "complaint_handler"
LEADER = "leader"
PLATFORM = "platform"

ROLE_LABELS: dict[str, str] = {
    ADMIN: "系统管理员",
    AUDITOR: "审计管理员",
    INSPECTOR: "检查员",
    SUPERVISOR: "审核人",
    COMPLAINT_HANDLER: "投诉处理员",
    LEADER: "领导",
    PLATFORM: "平台用户",
}
ROLES: tuple[str, ...] = tuple(ROLE_LABELS)
STAFF_ROLES: tuple[str, ...] = tuple(r for r in ROLES if r != PLATFORM)
