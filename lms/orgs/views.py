"""Organization pages for managers and admins: the list, one organization's people and
courses, the course report with its CSV and Excel downloads, and transcripts as PDF."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response as BaseResponse

from lms.certificates import render
from lms.errors import Conflict, Forbidden, InvalidInput
from lms.orgs import services
from lms.timeutil import utcnow

bp = Blueprint("orgs", __name__, url_prefix="/orgs")

PER_PAGE = 50


def _origin() -> str:
    return request.remote_addr or ""


def _page() -> int:
    """?page= for the pages: anything but a sensible number is the first page."""
    raw = request.args.get("page", "1")
    return int(raw) if raw.isdigit() and 0 < int(raw) < 100000 else 1


@bp.get("")
@login_required
def index() -> str:
    if not services.may_see_organizations(current_user):
        raise Forbidden(_("Only organization managers and admins may see organizations."))
    page = _page()
    rows, total = services.visible_organizations(current_user, page, PER_PAGE, managing=True)
    return render_template("orgs/index.html", rows=rows, total=total, page=page, per_page=PER_PAGE)


@bp.post("")
@login_required
def create() -> BaseResponse:
    if not current_user.is_admin:
        raise Forbidden(_("Only admins may create organizations."))
    try:
        org = services.create_organization(
            request.form.get("name", ""), actor=current_user, origin=_origin()
        )
    except (InvalidInput, Conflict) as error:
        flash(error.specific_message, "error")
        return redirect(url_for("orgs.index"))
    flash(_("The organization %(name)s is created.", name=org.name), "success")
    return redirect(url_for("orgs.show", org_id=org.id))


@bp.get("/<org_id>")
@login_required
def show(org_id: str) -> str:
    found = services.access(current_user, services.parse_org_id(org_id))
    page = _page()
    people, total = services.members(found, page, PER_PAGE)
    return render_template(
        "orgs/show.html",
        org=found.organization,
        people=people,
        total=total,
        page=page,
        per_page=PER_PAGE,
        courses=services.courses_of_members(found),
    )


@bp.post("/<org_id>/members")
@login_required
def add_member(org_id: str) -> BaseResponse:
    found = services.access(current_user, services.parse_org_id(org_id))
    try:
        added = services.add_member(
            found,
            request.form.get("email", ""),
            request.form.get("role", "member"),
            request.form.get("unit", ""),
            actor=current_user,
            origin=_origin(),
        )
    except InvalidInput as error:
        flash(error.specific_message, "error")
    else:
        name = added.membership.user.name
        if added.created:
            flash(_("%(name)s is now in the organization.", name=name), "success")
        else:
            flash(_("%(name)s's role and unit are updated.", name=name), "success")
    return redirect(url_for("orgs.show", org_id=found.organization.id))


@bp.get("/<org_id>/reports/<course_id>")
@login_required
def report(org_id: str, course_id: str) -> str:
    found = services.access(current_user, services.parse_org_id(org_id))
    title = services.course_title(course_id)
    page = _page()
    counts, rows = services.report_page(found, course_id, utcnow().date(), page, PER_PAGE)
    return render_template(
        "orgs/report.html",
        org=found.organization,
        course_id=course_id,
        title=title,
        counts=counts,
        rows=rows,
        page=page,
        per_page=PER_PAGE,
        today=utcnow().date(),
    )


@bp.get("/<org_id>/reports/<course_id>.csv", defaults={"output": "csv"})
@bp.get("/<org_id>/reports/<course_id>.xlsx", defaults={"output": "xlsx"})
@login_required
def report_file(org_id: str, course_id: str, output: str) -> Response:
    found = services.access(current_user, services.parse_org_id(org_id))
    title = services.course_title(course_id)
    return report_download(found, course_id, title, output)


def report_download(
    found: services.OrgAccess, course_id: str, course_title: str, output: str
) -> Response:
    """The whole learner table as a download: CSV (UTF-8 with a BOM, for spreadsheets) or an
    Excel workbook."""
    rows = services.report_all(found, course_id)
    if output == "xlsx":
        title = f"{found.organization.name}: {course_title}"
        response = Response(services.report_xlsx(rows, title), mimetype=services.XLSX_TYPE)
    else:
        response = Response(services.report_csv(rows).encode("utf-8-sig"), mimetype="text/csv")
    name = f"report-{found.organization.id}-{course_id}.{output}"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def transcript_pdf_response(found: services.OrgAccess, transcript: services.Transcript) -> Response:
    """A transcript as an A4 PDF in the reader's language (the API's `.pdf` form)."""
    config = current_app.config
    html = render_template(
        "orgs/transcript_pdf.html",
        transcript=transcript,
        organization=found.organization.name,
        issuer=config["ISSUER_NAME"],
        today=utcnow().date().isoformat(),
        verify_base=f"{config['BASE_URL']}/verify/",
    )
    title = _("Learning transcript") + f": {transcript.user.name}"
    pdf = render.html_to_pdf(html, title, str(config["ISSUER_NAME"]))
    response = Response(pdf, mimetype="application/pdf")
    name = f"transcript-{transcript.user.id}.pdf"
    response.headers["Content-Disposition"] = f'inline; filename="{name}"'
    return response
