"""Recording and reading the audit log. The caller says where the action came from
(the client's address, or "cli"), so services never read the request."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from lms.admin.models import AuditEvent
from lms.auth.models import User
from lms.extensions import db


def record(
    action: str,
    *,
    actor: User | None,
    target: str = "",
    origin: str = "",
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add one event to the log, in the caller's transaction (so it commits with the action)."""
    event = AuditEvent(
        actor_id=actor.id if actor is not None else None,
        actor_email=actor.email if actor is not None else None,
        action=action,
        target=target[:300],
        origin=origin[:100],
        details=details or {},
    )
    db.session.add(event)
    db.session.flush()
    return event


@dataclass(frozen=True)
class AuditFilter:
    action: str = ""
    actor: str = ""
    target: str = ""
    since: datetime | None = None
    until: datetime | None = None


def list_events(
    filters: AuditFilter, page: int = 1, per_page: int = 50
) -> tuple[list[AuditEvent], int]:
    """Events newest first, filtered; (the page of events, the total count)."""
    query = select(AuditEvent)
    if filters.action:
        query = query.where(AuditEvent.action.startswith(filters.action, autoescape=True))
    if filters.actor:
        query = query.where(AuditEvent.actor_email == filters.actor.strip().lower())
    if filters.target:
        query = query.where(AuditEvent.target.contains(filters.target, autoescape=True))
    if filters.since:
        query = query.where(AuditEvent.at >= filters.since)
    if filters.until:
        query = query.where(AuditEvent.at <= filters.until)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.session.scalars(
        query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    return list(rows), int(total)


def actions() -> list[str]:
    """Every action name seen so far, for the filter's choices."""
    return list(
        db.session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action))
    )
