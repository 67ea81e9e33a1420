from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from supervision.db import Base
from supervision.models.platforms import Platform
from supervision.roles import PLATFORM, ROLE_LABELS, ROLES, STAFF_ROLES

_ROLE_LIST = ", ".join(f"'{r}'" for r in ROLES)


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(f"role IN ({_ROLE_LIST})", name="role_known"),
        CheckConstraint(
            f"(role = '{PLATFORM}') = (platform_id IS NOT NULL)", name="platform_users_have_platform"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(32))
    platform_id: Mapped[int | None] = mapped_column(ForeignKey("platforms.id"), index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    must_change_password: Mapped[bool] = mapped_column(default=True)
    active: Mapped[bool] = mapped_column(default=True)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]
    password_changed_at: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]

    platform: Mapped[Platform | None] = relationship()

    # Flask-Login protocol
    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role]

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    def snapshot(self) -> dict:
        return {
            "username": self.username,
            "display_name": self.display_name,
            "role": self.role,
            "platform_id": self.platform_id,
            "active": self.active,
            "must_change_password": self.must_change_password,
            "totp_enrolled": self.totp_secret is not None,
        }


class UserSession(Base):
    """A server-side login session; the cookie holds a random token whose SHA-256 is the key."""

    __tablename__ = "user_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 hex of the token
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    end_reason: Mapped[str | None] = mapped_column(String(32))
    ip: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(255), default="")

    user: Mapped[User] = relationship()
