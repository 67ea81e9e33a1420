"""Typed SQLAlchemy models, one module per area. Importing this package registers them all."""
from supervision.db import Base
from supervision.models.accounts import User, UserSession
from supervision.models.audit import AuditEvent, AuditHead
from supervision.models.platforms import Platform, PlatformContact

__all__ = ["Base", "User", "UserSession", "AuditEvent", "AuditHead", "Platform", "PlatformContact"]
