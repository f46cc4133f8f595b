"""Organization pages driven through real forms (CSRF tokens, no JavaScript), and the
command line that creates organizations and adds people."""

from __future__ import annotations

import csv
import io
import re

from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import PASSWORD, Api, csrf_token, make_user, register_api, sign_in
from tests.integration.test_journey_api import complete_course
from tests.integration.test_query_counts import counting

COURSE = "migration-governance"


def post_form(client: FlaskClient, page_url: str, action: str, data: dict) -> str:
    """Fill in the form found on a page and follow the redirect; the page shown after."""
    page = client.get(page_url)
    assert page.status_code == 200
    response = client.post(
        action, data={"csrf_token": csrf_token(page.get_data(as_text=True)), **data}
    )
    assert response.status_code == 302, response.status_code
    return client.get(response.headers["Location"]).get_data(as_text=True)


def org_id_from(html: str) -> str:
    match = re.search(r'href="/orgs/(\d+)"', html)
    assert match, "no organization link"
    return match.group(1)


def test_an_admin_creates_an_organization_and_a_manager_follows_its_learners(app: Flask):
    make_user(app, "admin@example.org", "admin", "Site Admin")
    admin = sign_in(app, "admin@example.org")
    home = admin.get("/my").get_data(as_text=True)
    assert 'href="/orgs"' in home

    shown = post_form(admin, "/orgs", "/orgs", {"name": "Ministry of Labour"})
    assert "Ministry of Labour" in shown and "Add a person" in shown
    listing = admin.get("/orgs").get_data(as_text=True)
    org_id = org_id_from(listing)
    taken = post_form(admin, "/orgs", "/orgs", {"name": "ministry of labour"})
    assert "already exists" in taken

    learners: list[Api] = []
    for n, name in enumerate(("Ana Alba", "Bruno Bravo", "Carla Cruz")):
        learners.append(register_api(app.test_client(), f"l{n}@labour.example.org", name))
    register_api(app.test_client(), "head@labour.example.org", "Hana Head")
    page = f"/orgs/{org_id}"
    action = f"/orgs/{org_id}/members"
    shown = post_form(admin, page, action, {"email": "head@labour.example.org", "role": "manager"})
    assert "Hana Head is now in the organization" in shown
    unknown = post_form(admin, page, action, {"email": "nobody@example.org", "role": "member"})
    assert "No account has this email" in unknown
    wrong = post_form(admin, page, action, {"email": "l0@labour.example.org", "role": "chief"})
    assert "Choose member or manager" in wrong

    manager = sign_in(app, "head@labour.example.org")
    assert 'href="/orgs"' in manager.get("/my").get_data(as_text=True)
    for n in range(3):
        data = {"email": f"l{n}@labour.example.org", "role": "member", "unit": "Inspection"}
        post_form(manager, page, action, data)
        learners[n].post(f"/api/v1/courses/{COURSE}/enrollment")
    complete_course(app, learners[0], COURSE)

    show = manager.get(page).get_data(as_text=True)
    assert "Ana Alba" in show and "Inspection" in show
    transcripts = re.findall(
        r'href="(/api/v1/organizations/\d+/learners/\d+/transcript\.pdf)"', show
    )
    assert len(transcripts) == 4  # the manager and three learners
    assert manager.get(transcripts[0]).mimetype == "application/pdf"
    report_url = f"/orgs/{org_id}/reports/{COURSE}"
    assert f'href="{report_url}"' in show
    report = manager.get(report_url).get_data(as_text=True)
    assert re.search(r"<dt>Enrolled</dt><dd>3</dd>", report)
    assert re.search(r"<dt>Completed</dt><dd>1</dd>", report)
    assert re.search(r"<dt>Certified</dt><dd>1</dd>", report)
    assert "Bruno Bravo" in report and "100%" in report
    assert f'href="{report_url}.csv"' in report

    download = manager.get(f"{report_url}.csv")
    assert download.status_code == 200 and download.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(download.get_data().decode("utf-8-sig"))))
    assert [r["name"] for r in rows] == ["Ana Alba", "Bruno Bravo", "Carla Cruz"]
    assert f'href="{report_url}.xlsx"' in report
    workbook = manager.get(f"{report_url}.xlsx")
    assert workbook.status_code == 200 and workbook.mimetype.endswith("spreadsheetml.sheet")
    assert workbook.get_data()[:2] == b"PK"  # a zip, as every .xlsx is


def test_the_report_table_pages(app: Flask, admin: Api):
    org_id = admin.post("/api/v1/organizations", json={"name": "Big Agency"}).get_json()["id"]
    for n in range(52):
        email = f"p{n:02d}@agency.example.org"
        learner = register_api(app.test_client(), email, f"Person {n:02d}")
        admin.post(f"/api/v1/organizations/{org_id}/members", json={"email": email})
        learner.post(f"/api/v1/courses/{COURSE}/enrollment")
    client = sign_in(app, "admin@example.org")
    first = client.get(f"/orgs/{org_id}/reports/{COURSE}").get_data(as_text=True)
    assert "Person 00" in first and "Person 49" in first and "Person 50" not in first
    assert f"/orgs/{org_id}/reports/{COURSE}?page=2" in first
    second = client.get(f"/orgs/{org_id}/reports/{COURSE}?page=2").get_data(as_text=True)
    assert "Person 51" in second and "Person 00" not in second
    odd = client.get(f"/orgs/{org_id}/reports/{COURSE}?page=x")
    assert odd.status_code == 200
    people = client.get(f"/orgs/{org_id}?page=2").get_data(as_text=True)
    assert "Person 51" in people


def test_who_may_open_the_pages(app: Flask, admin: Api):
    org_id = admin.post("/api/v1/organizations", json={"name": "Agency"}).get_json()["id"]
    other_id = admin.post("/api/v1/organizations", json={"name": "Other"}).get_json()["id"]
    for email, org, role in (
        ("boss@example.org", org_id, "manager"),
        ("staff@example.org", org_id, "member"),
        ("elsewhere@example.org", other_id, "manager"),
        ("nobody@example.org", None, None),
    ):
        register_api(app.test_client(), email)
        if org is not None:
            body = {"email": email, "role": role}
            admin.post(f"/api/v1/organizations/{org}/members", json=body)
    pages = (f"/orgs/{org_id}", f"/orgs/{org_id}/reports/{COURSE}")
    expected = {
        "admin@example.org": (200, 200, 200),
        "boss@example.org": (200, 200, 200),
        "staff@example.org": (403, 403, 403),
        "elsewhere@example.org": (200, 404, 404),
        "nobody@example.org": (403, 404, 404),
    }
    for email, statuses in expected.items():
        client = sign_in(app, email)
        got = tuple(client.get(path).status_code for path in ("/orgs", *pages))
        assert got == statuses, email
        nav = client.get("/my").get_data(as_text=True)
        assert ('href="/orgs"' in nav) == (statuses[0] == 200), email
    anonymous = app.test_client()
    for path in ("/orgs", *pages):
        assert anonymous.get(path).status_code == 302
    assert sign_in(app, "staff@example.org").get("/orgs/abc").status_code == 404
    forged = sign_in(app, "boss@example.org").post(
        f"/orgs/{org_id}/members", data={"email": "nobody@example.org"}
    )
    assert forged.status_code == 400  # no CSRF token


def test_a_learner_page_asks_nothing_about_organizations(app: Flask, learner: Api):
    learner.post(f"/api/v1/courses/{COURSE}/enrollment")
    client = sign_in(app, "ana@example.org")
    for path in ("/my", f"/courses/{COURSE}/lessons/what-is-migration-governance"):
        with counting(app) as statements:
            assert client.get(path).status_code == 200
        assert not [s for s in statements if "org_" in s], path


def test_the_command_line_creates_organizations_and_adds_people(app: Flask):
    runner = app.test_cli_runner()
    register_api(app.test_client(), "staff@example.org", "Sara Staff")
    created = runner.invoke(args=["orgs", "create", "Ministry of Justice"])
    assert created.exit_code == 0 and "created" in created.output
    again = runner.invoke(args=["orgs", "create", "Ministry of Justice"])
    assert again.exit_code == 0 and "exists" in again.output
    args = ["orgs", "add-member", "Ministry of Justice", "staff@example.org"]
    added = runner.invoke(args=[*args, "--role", "manager"])
    assert added.exit_code == 0 and "added" in added.output, added.output
    repeated = runner.invoke(args=[*args, "--role", "manager"])
    assert repeated.exit_code == 0 and "updated" in repeated.output
    unknown = runner.invoke(args=["orgs", "add-member", "Ministry of Justice", "no@example.org"])
    assert unknown.exit_code == 1 and "No account has this email" in unknown.output
    no_org = runner.invoke(args=["orgs", "add-member", "Nowhere", "staff@example.org"])
    assert no_org.exit_code == 1
    bad_role = runner.invoke(args=[*args, "--role", "chief"])
    assert bad_role.exit_code == 2
    blank = runner.invoke(args=["orgs", "create", "  "])
    assert blank.exit_code == 1
    staff = Api(app.test_client())
    token = staff.client.post(
        "/api/v1/auth/token", json={"email": "staff@example.org", "password": PASSWORD}
    )
    staff.token = token.get_json()["token"]
    listed = staff.get("/api/v1/organizations").get_json()["items"]
    assert [(o["name"], o["role"]) for o in listed] == [("Ministry of Justice", "manager")]
