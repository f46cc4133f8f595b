"""Time helpers: the platform stores naive UTC datetimes and prints ISO 8601 with a Z."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Now in UTC, naive (SQLite keeps no zone; every stored time is UTC)."""
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 UTC with a trailing Z, as the API promises."""
    if moment is None:
        return None
    return moment.replace(microsecond=0).isoformat() + "Z"
