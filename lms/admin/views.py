"""Admin pages: the audit log, filterable."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, render_template, request
from flask_login import current_user, login_required

from lms.admin import services
from lms.errors import Forbidden

bp = Blueprint("admin", __name__, url_prefix="/admin")


def require_admin() -> None:
    if not current_user.is_admin:
        raise Forbidden()


def parse_filter() -> services.AuditFilter:
    """The filter from the query string; dates that do not parse are ignored."""

    def day(name: str) -> datetime | None:
        try:
            return datetime.fromisoformat(request.args.get(name, "")[:32])
        except ValueError:
            return None

    return services.AuditFilter(
        action=request.args.get("action", "")[:60],
        actor=request.args.get("actor", "")[:254],
        target=request.args.get("target", "")[:300],
        since=day("since"),
        until=day("until"),
    )


@bp.get("/audit")
@login_required
def audit() -> str:
    require_admin()
    raw = request.args.get("page", "1")
    page = int(raw) if raw.isdigit() and 0 < int(raw) < 100000 else 1
    filters = parse_filter()
    events, total = services.list_events(filters, page=page, per_page=50)
    return render_template(
        "admin/audit.html",
        events=events,
        total=total,
        page=page,
        per_page=50,
        filters=filters,
        actions=services.actions(),
    )
