"""API: organizations, their members, due dates, the course report and transcripts."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from lms.api.common import bp, json_body, login_required_api, page_of, paging
from lms.errors import InvalidInput
from lms.orgs import services
from lms.orgs.models import Organization
from lms.orgs.views import report_download, transcript_pdf_response
from lms.timeutil import iso, utcnow


def _origin() -> str:
    return request.remote_addr or ""


def org_json(org: Organization, role: str | None = None, members: int | None = None) -> dict:
    found: dict[str, Any] = {"id": org.id, "name": org.name, "created_at": iso(org.created_at)}
    if members is not None:
        found["role"] = role
        found["members"] = members
    return found


@bp.post("/organizations")
@login_required_api
def create_organization() -> tuple[Response, int]:
    body = json_body()
    org = services.create_organization(body.get("name"), actor=current_user, origin=_origin())
    return jsonify(org_json(org)), 201


@bp.get("/organizations")
@login_required_api
def list_organizations() -> Response:
    page, per_page = paging()
    rows, total = services.visible_organizations(current_user, page, per_page)
    items = [org_json(org, role, count) for org, role, count in rows]
    return jsonify(page_of(items, page, per_page, total))


@bp.post("/organizations/<org_id>/members")
@login_required_api
def add_member(org_id: str) -> tuple[Response, int]:
    found = services.access(current_user, services.parse_org_id(org_id))
    body = json_body()
    added = services.add_member(
        found,
        body.get("email"),
        body.get("role", "member"),
        body.get("unit"),
        actor=current_user,
        origin=_origin(),
    )
    membership = added.membership
    return jsonify(
        {
            "org_id": membership.org_id,
            "user_id": membership.user_id,
            "email": membership.user.email,
            "name": membership.user.name,
            "role": membership.role,
            "unit": membership.unit,
        }
    ), 201 if added.created else 200


@bp.put("/organizations/<org_id>/learners/<user_id>/courses/<course_id>")
@login_required_api
def set_due_date(org_id: str, user_id: str, course_id: str) -> Response:
    found = services.access(current_user, services.parse_org_id(org_id))
    body = json_body()
    assignment = services.set_due_date(
        found,
        services.parse_user_id(user_id),
        course_id,
        body.get("due_date"),
        actor=current_user,
        origin=_origin(),
    )
    return jsonify(
        {
            "org_id": assignment.org_id,
            "user_id": assignment.user_id,
            "course_id": assignment.course_id,
            "due_date": assignment.due_date.isoformat() if assignment.due_date else None,
        }
    )


def report_row_json(row: services.ReportRow) -> dict[str, Any]:
    return {
        "user_id": row.user_id,
        "name": row.name,
        "email": row.email,
        "progress_percent": row.progress_percent,
        "completed_at": iso(row.completed_at),
        "certificate_code": row.certificate_code,
        "unit": row.unit,
        "due_date": row.due_date.isoformat() if row.due_date else None,
    }


@bp.get("/organizations/<org_id>/reports/courses/<course_id>")
@login_required_api
def course_report(org_id: str, course_id: str) -> Response:
    found = services.access(current_user, services.parse_org_id(org_id))
    title = services.course_title(course_id)
    output = request.args.get("format", "json")
    if output not in ("json", "csv", "xlsx"):
        raise InvalidInput(details=[{"field": "format", "message": _("Choose json, csv or xlsx.")}])
    if output != "json":  # every row, read in one query
        return report_download(found, course_id, title, output)
    page, per_page = paging(limit=services.REPORT_PER_PAGE_MAX)
    counts, rows = services.report_page(found, course_id, utcnow().date(), page, per_page)
    return jsonify(
        {
            "enrolled": counts.enrolled,
            "started": counts.started,
            "completed": counts.completed,
            "certified": counts.certified,
            "overdue": counts.overdue,
            "learners": page_of(
                [report_row_json(r) for r in rows], page, per_page, counts.enrolled
            ),
        }
    )


@bp.get("/organizations/<org_id>/learners/<user_id>/transcript")
@login_required_api
def transcript(org_id: str, user_id: str) -> Response:
    found = services.access(current_user, services.parse_org_id(org_id), manage=False)
    result = services.transcript(current_user, found, services.parse_user_id(user_id))
    return jsonify(
        {
            "user_id": result.user.id,
            "name": result.user.name,
            "email": result.user.email,
            "courses": [
                {
                    **course,
                    "enrolled_at": iso(course["enrolled_at"]),
                    "completed_at": iso(course["completed_at"]),
                }
                for course in result.courses
            ],
            "certificates": [
                {
                    "code": c.code,
                    "course_id": c.course_id,
                    "course_title": c.course_title,
                    "issued_at": iso(c.issued_at),
                    "expires_at": iso(c.expires_at),
                    "status": c.status_at(),
                }
                for c in result.certificates
            ],
        }
    )


@bp.get("/organizations/<org_id>/learners/<user_id>/transcript.pdf")
@login_required_api
def transcript_pdf(org_id: str, user_id: str) -> Response:
    found = services.access(current_user, services.parse_org_id(org_id), manage=False)
    result = services.transcript(current_user, found, services.parse_user_id(user_id))
    return transcript_pdf_response(found, result)
