"""Organizations through the API: creating them, their people, due dates, the course report
(counts, paging, CSV, statement count), transcripts, and who may do what."""

from __future__ import annotations

import csv
import io
import subprocess
import zipfile
from dataclasses import dataclass
from xml.etree import ElementTree

import pytest
from flask import Flask

from lms.extensions import db
from tests.conftest import Api, make_user, register_api
from tests.integration.test_journey_api import complete_course
from tests.integration.test_query_counts import counting

COURSE = "migration-governance"
# the report's columns, as the contract's learner rows name them (CSV and xlsx alike)
COLUMNS = [
    "user_id",
    "name",
    "email",
    "unit",
    "progress_percent",
    "completed_at",
    "certificate_code",
    "due_date",
]
LESSON = "what-is-migration-governance"


def create_org(admin: Api, name: str) -> int:
    response = admin.post("/api/v1/organizations", json={"name": name})
    assert response.status_code == 201, response.get_json()
    return int(response.get_json()["id"])


def add(api: Api, org_id: int, email: str, role: str = "member", **extra: str) -> dict:
    body = {"email": email, "role": role, **extra}
    response = api.post(f"/api/v1/organizations/{org_id}/members", json=body)
    assert response.status_code in (200, 201), response.get_json()
    return dict(response.get_json())


def user_id(api: Api) -> int:
    return int(api.get("/api/v1/me").get_json()["id"])


@dataclass
class World:
    org_id: int
    other_org_id: int
    admin: Api
    manager: Api
    other_manager: Api
    member: Api
    outsider: Api
    anonymous: Api
    learners: dict[str, Api]


@pytest.fixture
def world(app: Flask, admin: Api) -> World:
    """One organization with learners in every state of one course, a second organization
    with its own manager, and an outsider enrolled in the same course."""
    org_id = create_org(admin, "Ministry of the Interior")
    other_org_id = create_org(admin, "Refugee Aid Network")
    manager = register_api(app.test_client(), "boss@interior.example.org", "Beatriz Boss")
    add(admin, org_id, "boss@interior.example.org", "manager")
    other_manager = register_api(app.test_client(), "boss@aid.example.org", "Omar Other")
    add(admin, other_org_id, "boss@aid.example.org", "manager")
    member = register_api(app.test_client(), "member@interior.example.org", "Mia Member")
    add(manager, org_id, "member@interior.example.org")  # a member enrolled in nothing
    outsider = register_api(app.test_client(), "out@example.org", "Oscar Outsider")
    outsider.post(f"/api/v1/courses/{COURSE}/enrollment")
    add(other_manager, other_org_id, "out@example.org")

    learners = {}
    for state in ("not_started", "started", "completed", "certified", "overdue"):
        learner = register_api(
            app.test_client(), f"{state}@interior.example.org", f"{state.title()} Learner"
        )
        add(manager, org_id, f"{state}@interior.example.org", unit="Border Police")
        learners[state] = learner
        assert learner.post(f"/api/v1/courses/{COURSE}/enrollment").status_code == 201
    learners["started"].get(f"/api/v1/courses/{COURSE}/lessons/{LESSON}")
    complete_course(app, learners["completed"], COURSE)
    complete_course(app, learners["certified"], COURSE)
    code = learners["completed"].get("/api/v1/me/certificates").get_json()["items"][0]["code"]
    revoked = admin.post(f"/api/v1/certificates/{code}/revoke", json={"reason": "test"})
    assert revoked.status_code == 200

    def due(state: str, day: str) -> None:
        path = (
            f"/api/v1/organizations/{org_id}/learners/{user_id(learners[state])}/courses/{COURSE}"
        )
        response = manager.put(path, json={"due_date": day})
        assert response.status_code == 200, response.get_json()
        assert response.get_json()["due_date"] == day

    due("overdue", "2020-01-31")  # past, not completed: overdue
    due("certified", "2020-01-31")  # past, but completed: not overdue
    due("started", "2999-12-31")  # future: not overdue
    return World(
        org_id,
        other_org_id,
        admin,
        manager,
        other_manager,
        member,
        outsider,
        Api(app.test_client()),
        learners,
    )


def report_path(world: World, org_id: int | None = None, query: str = "") -> str:
    return f"/api/v1/organizations/{org_id or world.org_id}/reports/courses/{COURSE}{query}"


def test_creating_an_organization_and_a_taken_name(admin: Api):
    created = admin.post("/api/v1/organizations", json={"name": "  Ministry of Health "})
    assert created.status_code == 201
    assert created.get_json()["name"] == "Ministry of Health"
    assert set(created.get_json()) >= {"id", "name"}
    for name in ("Ministry of Health", "ministry of health"):
        taken = admin.post("/api/v1/organizations", json={"name": name})
        assert taken.status_code == 409
        assert taken.get_json()["error"]["code"] == "conflict"


def test_the_report_counts_every_state_once(world: World):
    body = world.manager.get(report_path(world)).get_json()
    counts = {k: body[k] for k in ("enrolled", "started", "completed", "certified", "overdue")}
    assert counts == {"enrolled": 5, "started": 3, "completed": 2, "certified": 1, "overdue": 1}
    learners = body["learners"]
    assert learners["total"] == 5 and learners["page"] == 1 and learners["per_page"] == 50
    rows = {row["email"].split("@")[0]: row for row in learners["items"]}
    assert set(rows) == {"not_started", "started", "completed", "certified", "overdue"}
    assert set(rows["certified"]) >= {
        "user_id",
        "name",
        "email",
        "progress_percent",
        "completed_at",
        "certificate_code",
    }
    assert rows["certified"]["progress_percent"] == 100
    assert rows["certified"]["completed_at"].endswith("Z")
    assert rows["certified"]["certificate_code"]
    assert rows["completed"]["certificate_code"] is None  # revoked
    assert rows["not_started"]["progress_percent"] == 0
    assert rows["not_started"]["completed_at"] is None
    assert rows["overdue"]["due_date"] == "2020-01-31"
    assert rows["started"]["unit"] == "Border Police"
    assert "out@example.org" not in {row["email"] for row in learners["items"]}


def test_the_report_pages_and_caps_per_page(world: World):
    first = world.admin.get(report_path(world, query="?per_page=2")).get_json()["learners"]
    second = world.admin.get(report_path(world, query="?per_page=2&page=2")).get_json()
    third = world.admin.get(report_path(world, query="?per_page=2&page=3")).get_json()
    names = [r["name"] for r in first["items"] + second["learners"]["items"]]
    names += [r["name"] for r in third["learners"]["items"]]
    assert len(first["items"]) == 2 and first["total"] == 5
    assert names == sorted(names) and len(set(names)) == 5
    beyond = world.admin.get(report_path(world, query="?per_page=2&page=9")).get_json()
    assert beyond["learners"]["items"] == [] and beyond["learners"]["total"] == 5
    assert (beyond["enrolled"], beyond["started"], beyond["overdue"]) == (5, 3, 1)
    capped = world.admin.get(report_path(world, query="?per_page=5000")).get_json()
    assert capped["learners"]["per_page"] == 200
    for query in ("?page=0", "?per_page=-1", "?page=abc", "?format=pdf"):
        response = world.admin.get(report_path(world, query=query))
        assert response.status_code == 400, query
        error = response.get_json()["error"]
        assert error["code"] == "invalid_input" and error["details"][0]["field"]


def test_the_report_as_csv_holds_every_row(world: World):
    response = world.manager.get(report_path(world, query="?format=csv&per_page=1"))
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert len(rows) == 5
    assert list(rows[0]) == COLUMNS
    certified = next(r for r in rows if r["email"].startswith("certified"))
    assert certified["progress_percent"] == "100" and certified["certificate_code"]


def test_a_name_that_looks_like_a_formula_is_defused_in_the_csv(app: Flask, world: World):
    evil = register_api(app.test_client(), "evil@interior.example.org", "=HYPERLINK(1)")
    add(world.manager, world.org_id, "evil@interior.example.org")
    evil.post(f"/api/v1/courses/{COURSE}/enrollment")
    data = world.manager.get(report_path(world, query="?format=csv")).get_data().decode()
    assert "'=HYPERLINK(1)" in data


def _xlsx_rows(data: bytes) -> list[list[str | float | None]]:
    """The first sheet's cells, read from the workbook's XML: text as text, numbers as floats;
    a formula anywhere fails."""
    ns = {"x": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        shared = [
            "".join(t.text or "" for t in item.iter(f"{{{ns['x']}}}t"))
            for item in ElementTree.fromstring(book.read("xl/sharedStrings.xml"))
        ]
        sheet = ElementTree.fromstring(book.read("xl/worksheets/sheet1.xml"))
    rows: list[list[str | float | None]] = []
    for row in sheet.iterfind(".//x:sheetData/x:row", ns):
        cells: list[str | float | None] = [None] * 8
        for cell in row.iterfind("x:c", ns):
            assert cell.find("x:f", ns) is None, "a formula in the report"
            column = ord(cell.attrib["r"][0]) - ord("A")
            value = cell.findtext("x:v", namespaces=ns)
            if cell.attrib.get("t") == "s":
                cells[column] = shared[int(value or 0)]
            elif value is not None:
                cells[column] = float(value)
        rows.append(cells)
    return rows


def test_the_report_as_xlsx_holds_every_row_as_typed_cells(app: Flask, world: World):
    evil = register_api(app.test_client(), "evil@interior.example.org", "=HYPERLINK(1)")
    add(world.manager, world.org_id, "evil@interior.example.org")
    evil.post(f"/api/v1/courses/{COURSE}/enrollment")
    response = world.manager.get(report_path(world, query="?format=xlsx&per_page=1"))
    assert response.status_code == 200
    assert response.mimetype == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response.headers["Content-Disposition"].endswith('.xlsx"')
    header, *rows = _xlsx_rows(response.get_data())
    assert header == COLUMNS
    assert len(rows) == 6
    certified = next(r for r in rows if str(r[2]).startswith("certified"))
    assert certified[4] == 100.0 and certified[6]
    assert isinstance(certified[5], float)  # a date and time cell, not text
    assert next(r for r in rows if r[2] == "evil@interior.example.org")[1] == "=HYPERLINK(1)"
    csv_rows = world.manager.get(report_path(world, query="?format=csv")).get_data()
    assert len(csv_rows.decode("utf-8-sig").strip().splitlines()) == len(rows) + 1


def test_an_unknown_course_or_organization_is_404(world: World):
    assert (
        world.admin.get(f"/api/v1/organizations/{world.org_id}/reports/courses/nope").status_code
        == 404
    )
    for org in ("999999", "abc", "99999999999999999999"):
        response = world.admin.get(f"/api/v1/organizations/{org}/reports/courses/{COURSE}")
        assert response.status_code == 404, org
        assert response.get_json()["error"]["code"] == "not_found"


def test_the_report_statement_count_does_not_grow_with_learners(app: Flask, world: World):
    from lms.auth.models import User
    from lms.learn.services import enroll, view_lesson
    from lms.orgs.models import OrgMembership

    def statements() -> tuple[int, int]:
        with counting(app) as json_statements:
            assert world.admin.get(report_path(world, query="?per_page=200")).status_code == 200
        with counting(app) as csv_statements:
            assert world.admin.get(report_path(world, query="?format=csv")).status_code == 200
        return len(json_statements), len(csv_statements)

    # three learners of the organization in the course: start from a smaller one
    with app.app_context():
        db.session.execute(
            db.delete(OrgMembership).where(
                OrgMembership.user_id.in_(
                    [user_id(world.learners[s]) for s in ("not_started", "started")]
                )
            )
        )
        db.session.commit()
    assert world.admin.get(report_path(world)).get_json()["enrolled"] == 3
    few = statements()
    with app.app_context():
        for n in range(27):
            user = User(email=f"bulk{n}@interior.example.org", name=f"Bulk {n}", password_hash="x")
            db.session.add(user)
            db.session.flush()
            db.session.add(
                OrgMembership(
                    org_id=world.org_id, user_id=user.id, role="member", member_name=user.name
                )
            )
            enroll(user, COURSE)
            if n % 2:
                view_lesson(user.id, COURSE, LESSON)
        db.session.commit()
    assert world.admin.get(report_path(world)).get_json()["enrolled"] == 30
    many = statements()
    assert many == few, (few, many)
    assert few[0] <= 8, few


def test_who_may_read_the_report(world: World):
    expected = {
        "admin": 200,
        "manager": 200,
        "other_manager": 404,
        "member": 403,
        "outsider": 404,
        "anonymous": 401,
    }
    for role, status in expected.items():
        api = getattr(world, role)
        for query in ("", "?format=csv", "?format=xlsx"):
            response = api.get(report_path(world, query=query))
            assert response.status_code == status, (role, query)
            if status >= 400:
                assert set(response.get_json()["error"]) == {"code", "message", "details"}


def test_who_may_add_members(world: World):
    expected = {
        "admin": 200,  # already a member: updated
        "manager": 200,
        "other_manager": 404,
        "member": 403,
        "outsider": 404,
        "anonymous": 401,
    }
    for role, status in expected.items():
        api = getattr(world, role)
        response = api.post(
            f"/api/v1/organizations/{world.org_id}/members",
            json={"email": "member@interior.example.org", "role": "member"},
        )
        assert response.status_code == status, role


def test_who_may_create_and_list_organizations(world: World):
    for role, status in {"manager": 403, "member": 403, "anonymous": 401}.items():
        response = getattr(world, role).post("/api/v1/organizations", json={"name": "Mine"})
        assert response.status_code == status, role
    names = {
        role: {
            o["name"] for o in getattr(world, role).get("/api/v1/organizations").get_json()["items"]
        }
        for role in ("admin", "manager", "other_manager", "member")
    }
    assert names["admin"] == {"Ministry of the Interior", "Refugee Aid Network"}
    assert names["manager"] == {"Ministry of the Interior"}
    assert names["other_manager"] == {"Refugee Aid Network"}
    assert names["member"] == {"Ministry of the Interior"}
    listed = world.manager.get("/api/v1/organizations").get_json()
    assert listed["total"] == 1 and listed["items"][0]["role"] == "manager"
    assert listed["items"][0]["members"] == 7
    assert world.outsider.get("/api/v1/organizations?per_page=1").get_json()["total"] == 1
    assert world.anonymous.get("/api/v1/organizations").status_code == 401


def test_bad_bodies_are_contract_errors(world: World):
    url = f"/api/v1/organizations/{world.org_id}/members"
    cases = [
        ("/api/v1/organizations", {}, "name"),
        ("/api/v1/organizations", {"name": ""}, "name"),
        ("/api/v1/organizations", {"name": 42}, "name"),
        ("/api/v1/organizations", {"name": "x" * 201}, "name"),
        ("/api/v1/organizations", {"name": "two\nlines"}, "name"),
        (url, {"email": "member@interior.example.org", "role": "boss"}, "role"),
        (url, {"email": "nobody@example.org", "role": "member"}, "email"),
        (url, {"role": "member"}, "email"),
        (url, {"email": ["a"], "role": "member"}, "email"),
        (url, {"email": "member@interior.example.org", "unit": 3}, "unit"),
    ]
    for path, body, field in cases:
        response = world.admin.post(path, json=body)
        assert response.status_code == 400, (path, body)
        error = response.get_json()["error"]
        assert error["code"] == "invalid_input", body
        assert field in {d["field"] for d in error["details"]}, body
    for path in ("/api/v1/organizations", url):
        not_json = world.admin.client.post(
            path, data="name=x", headers={"Authorization": f"Bearer {world.admin.token}"}
        )
        assert not_json.status_code == 400
        assert not_json.get_json()["error"]["code"] == "bad_request"
        nul = world.admin.post(path, json={"name": "a\x00b", "email": "a\x00b"})
        assert nul.status_code == 400 and nul.get_json()["error"]["code"] == "bad_request"
        array = world.admin.post(path, json=["name"])
        assert array.status_code == 400
    due = f"/api/v1/organizations/{world.org_id}/learners/{user_id(world.member)}/courses/{COURSE}"
    for bad in ("tomorrow", "2026-13-01", 20261201, "2026-1-1"):
        response = world.manager.put(due, json={"due_date": bad})
        assert response.status_code == 400, bad
        assert response.get_json()["error"]["details"][0]["field"] == "due_date"
    cleared = world.manager.put(due, json={"due_date": None})
    assert cleared.status_code == 200 and cleared.get_json()["due_date"] is None
    outside = (
        f"/api/v1/organizations/{world.org_id}/learners/{user_id(world.outsider)}/courses/{COURSE}"
    )
    assert world.manager.put(outside, json={"due_date": "2030-01-01"}).status_code == 404
    assert world.member.put(due, json={"due_date": "2030-01-01"}).status_code == 403


def test_adding_a_member_twice_changes_the_role_and_unit(world: World):
    body = add(world.admin, world.org_id, "member@interior.example.org", "member", unit="HR")
    assert body["unit"] == "HR"
    again = world.admin.post(
        f"/api/v1/organizations/{world.org_id}/members",
        json={"email": "MEMBER@interior.example.org", "role": "manager"},
    )
    assert again.status_code == 200
    assert again.get_json()["role"] == "manager" and again.get_json()["unit"] == "HR"
    assert world.member.get(report_path(world)).status_code == 200


def test_a_transcript_shows_courses_scores_and_certificates(world: World):
    learner = world.learners["certified"]
    path = f"/api/v1/organizations/{world.org_id}/learners/{user_id(learner)}/transcript"
    response = world.manager.get(path)
    assert response.status_code == 200
    body = response.get_json()
    assert body["email"] == "certified@interior.example.org"
    (course,) = body["courses"]
    assert course["course_id"] == COURSE and course["completed"] is True
    assert course["progress_percent"] == 100 and course["completed_at"].endswith("Z")
    assert course["quizzes"] and all(q["status"] == "passed" for q in course["quizzes"])
    assert all(q["score_percent"] is not None for q in course["quizzes"])
    (certificate,) = body["certificates"]
    assert certificate["course_id"] == COURSE and certificate["status"] == "valid"

    assert world.admin.get(path).status_code == 200
    assert learner.get(path).status_code == 200  # their own
    assert world.member.get(path).status_code == 403
    assert world.other_manager.get(path).status_code == 404
    assert world.outsider.get(path).status_code == 404
    assert world.anonymous.get(path).status_code == 401
    outside = f"/api/v1/organizations/{world.org_id}/learners/{user_id(world.outsider)}/transcript"
    assert world.manager.get(outside).status_code == 404
    assert world.admin.get(outside).status_code == 404
    bogus = f"/api/v1/organizations/{world.org_id}/learners/abc/transcript"
    assert world.manager.get(bogus).status_code == 404


def _pdf_text(data: bytes) -> str:
    """The PDF's text in reading order, every run of whitespace (a wrapped cell) one space."""
    done = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True)
    return " ".join(done.stdout.decode().split())


def test_a_transcript_as_pdf_shows_the_same_facts(world: World):
    learner = world.learners["completed"]  # completed, and their certificate revoked
    path = f"/api/v1/organizations/{world.org_id}/learners/{user_id(learner)}/transcript"
    facts = world.manager.get(path).get_json()
    response = world.manager.get(path + ".pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.get_data()[:5] == b"%PDF-"
    text = _pdf_text(response.get_data())
    assert "Learning transcript" in text
    assert "Completed Learner" in text and "completed@interior.example.org" in text
    assert "Ministry of the Interior" in text
    (course,) = facts["courses"]
    assert course["title"] in text and course["completed_at"][:10] in text
    for quiz in course["quizzes"]:
        assert quiz["title"] in text
    (certificate,) = facts["certificates"]
    assert certificate["code"] in text and "Revoked" in text

    spanish = world.manager.get(path + ".pdf", headers={"Accept-Language": "es"})
    assert "Expediente de aprendizaje" in _pdf_text(spanish.get_data())

    assert learner.get(path + ".pdf").status_code == 200  # their own
    for api, status in ((world.member, 403), (world.other_manager, 404), (world.anonymous, 401)):
        refused = api.get(path + ".pdf")
        assert refused.status_code == status
        assert refused.get_json()["error"]["code"]


def test_me_lists_manager_for_anyone_who_manages_an_organization(app: Flask, world: World):
    assert "manager" in world.manager.get("/api/v1/me").get_json()["roles"]
    assert "manager" not in world.member.get("/api/v1/me").get_json()["roles"]
    author = make_user(app, "writer@example.org", "author")
    assert "manager" not in author.get("/api/v1/me").get_json()["roles"]
    add(world.admin, world.org_id, "writer@example.org", "manager")
    roles = author.get("/api/v1/me").get_json()["roles"]
    assert "manager" in roles and "author" in roles
    by_role = make_user(app, "global@example.org", "manager")
    assert "manager" in by_role.get("/api/v1/me").get_json()["roles"]


def _report_names(world: World) -> list[str]:
    body = world.manager.get(report_path(world, query="?per_page=200")).get_json()
    return [row["name"] for row in body["learners"]["items"]]


def test_a_renamed_learner_moves_to_their_new_place_in_the_report(app: Flask, world: World):
    """The report sorts by the name each membership holds: renaming the account (the
    learner's own profile, or the command line) renames it there in the same request."""
    before = _report_names(world)
    assert before == sorted(before) and "Started Learner" in before
    renamed = world.learners["started"].patch("/api/v1/me", json={"name": "Aaron Started"})
    assert renamed.status_code == 200, renamed.get_json()
    after = _report_names(world)
    assert after[0] == "Aaron Started" and after == sorted(after)
    assert "Started Learner" not in after
    created = app.test_cli_runner().invoke(
        args=["users", "create", "overdue@interior.example.org", "--name", "Zoe Overdue",
              "--role", "learner", "--password", "a long enough passphrase 42"]
    )  # fmt: skip
    assert created.exit_code == 0, created.output
    assert _report_names(world)[-1] == "Zoe Overdue"
    from sqlalchemy import select

    from lms.auth.models import User
    from lms.orgs.models import OrgMembership

    with app.app_context():
        held = dict(
            db.session.execute(
                select(User.name, OrgMembership.member_name).join(
                    OrgMembership, OrgMembership.user_id == User.id
                )
            ).all()
        )
    assert held and all(name == member_name for name, member_name in held.items())
