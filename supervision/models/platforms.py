from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from supervision.db import Base


class Platform(Base):
    """A registered 网站平台."""

    __tablename__ = "platforms"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    is_local: Mapped[bool] = mapped_column(default=True)
    onboarded: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    contacts: Mapped[list[PlatformContact]] = relationship(
        back_populates="platform", cascade="all, delete-orphan", order_by="PlatformContact.id"
    )

    def snapshot(self) -> dict:
        return {
            "code": self.code,
            "name": self.name,
            "uscc": self.uscc,
            "is_local": self.is_local,
            "onboarded": self.onboarded,
            "active": self.active,
            "contacts": [c.snapshot() for c in self.contacts],
        }


class PlatformContact(Base):
    __tablename__ = "platform_contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("platforms.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(64), default="")
    phone: Mapped[str] = mapped_column(String(32), default="")
    email: Mapped[str] = mapped_column(String(128), default="")

    platform: Mapped[Platform] = relationship(back_populates="contacts")

    def snapshot(self) -> dict:
        return {"name": self.name, "title": self.title, "phone": self.phone, "email": self.email}
