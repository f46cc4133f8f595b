"""API: the audit log (admins)."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify
from flask_login import current_user

from lms.admin import services
from lms.admin.models import AuditEvent
from lms.admin.views import parse_filter
from lms.api.common import bp, login_required_api, page_of, paging
from lms.errors import Forbidden
from lms.timeutil import iso


def event_json(event: AuditEvent) -> dict[str, Any]:
    return {
        "id": event.id,
        "at": iso(event.at),
        "actor": event.actor_email,
        "action": event.action,
        "target": event.target,
        "origin": event.origin,
        "details": event.details,
    }


@bp.get("/admin/audit")
@login_required_api
def audit_log() -> Response:
    if not current_user.is_admin:
        raise Forbidden()
    page, per_page = paging()
    events, total = services.list_events(parse_filter(), page=page, per_page=per_page)
    return jsonify(page_of([event_json(e) for e in events], page, per_page, total))
