"""Accounts and API tokens."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import db
from lms.timeutil import utcnow

ROLES = ("learner", "author", "admin", "manager")


class User(UserMixin, db.Model):  # type: ignore[name-defined]
    """A person: learner by default; authors write courses, admins run the platform."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default="learner")
    locale: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    tokens: Mapped[list[ApiToken]] = relationship(back_populates="user")

    @property
    def roles(self) -> list[str]:
        """Roles as the API reports them: everyone learns; authors and admins do more."""
        found = ["learner"]
        if self.role in ("author", "admin"):
            found.append("author")
        if self.role == "admin":
            found.append("admin")
        if self.role == "manager":
            found.append("manager")
        return found

    @property
    def sees_organizations(self) -> bool:
        """Whether the navigation links the organization pages. Admins and managers are known
        from the account alone (no query on any page); an author who manages an organization
        costs one indexed lookup; a learner none (adding a learner as a manager makes the
        account a manager)."""
        if self.role in ("admin", "manager"):
            return True
        if self.role != "author":
            return False
        from lms.orgs.services import manages_any

        return manages_any(self)

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_author(self) -> bool:
        return self.role in ("author", "admin")


class ApiToken(db.Model):  # type: ignore[name-defined]
    """A bearer token: only its SHA-256 is stored; it expires and can be revoked."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(back_populates="tokens")
