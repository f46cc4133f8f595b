"""Issued certificates, with their PDF kept in the database so every server can serve it, and
the keys their credentials are signed with."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from lms.extensions import db
from lms.timeutil import utcnow


class Certificate(db.Model):  # type: ignore[name-defined]
    """A certificate; at most one current (not superseded) per learner and course, enforced by a
    partial unique index so two concurrent completions cannot issue two."""

    __tablename__ = "certificates"
    __table_args__ = (
        Index(
            "uq_certificates_current",
            "user_id",
            "course_id",
            unique=True,
            sqlite_where=text("superseded_by IS NULL"),
            postgresql_where=text("superseded_by IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[str] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    course_version_id: Mapped[int] = mapped_column(ForeignKey("course_versions.id"))
    holder_name: Mapped[str] = mapped_column(String(200))
    course_title: Mapped[str] = mapped_column(String(300))
    hours: Mapped[float | None]
    language: Mapped[str] = mapped_column(String(20))
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    revoked_reason: Mapped[str | None] = mapped_column(Text)
    superseded_by: Mapped[str | None] = mapped_column(String(32))
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)

    def status_at(self, moment: datetime | None = None) -> str:
        """valid, revoked, expired or superseded, as the verification page shows it."""
        moment = moment or utcnow()
        if self.revoked_at is not None:
            return "revoked"
        if self.superseded_by is not None:
            return "superseded"
        if self.expires_at is not None and self.expires_at <= moment:
            return "expired"
        return "valid"


class SigningKey(db.Model):  # type: ignore[name-defined]
    """An Ed25519 key (as JWK JSON) that signs certificates' credentials. In the database so
    every server signs with the same one; the oldest unretired key signs, and every key,
    retired or not, stays published so credentials signed with it still verify."""

    __tablename__ = "signing_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    kid: Mapped[str] = mapped_column(String(64), unique=True)
    private_jwk: Mapped[str] = mapped_column(Text)
    public_jwk: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    retired_at: Mapped[datetime | None]
