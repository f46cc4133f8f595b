"""Who may call what: every route of the app, every role, the expected status.

The table is built against the app's URL map, so a new route without an entry fails the
suite. Each request runs on a fresh copy of one prepared database, so no request changes
what the next one sees.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lms import create_app
from lms.extensions import db
from tests.conftest import Api, _config, make_user, register_api
from tests.integration.test_authoring_api import upload
from tests.integration.test_journey_api import complete_course
from tests.integration.test_two_servers import package

ROLES = ("anonymous", "learner", "other_learner", "author", "other_author", "manager", "admin")

# Statuses in ROLES order. Pages redirect anonymous visitors to the login page (302); page
# forms posted without a session's CSRF token are 400; the API answers 401 to anonymous calls.
# fmt: off
EXPECTED: dict[tuple[str, str], tuple[int, ...]] = {
    ("GET", "/"): (200, 200, 200, 200, 200, 200, 200),
    ("GET", "/login"): (200, 200, 200, 200, 200, 200, 200),
    ("POST", "/login"): (400, 400, 400, 400, 400, 400, 400),
    ("GET", "/register"): (200, 200, 200, 200, 200, 200, 200),
    ("POST", "/register"): (400, 400, 400, 400, 400, 400, 400),
    ("POST", "/logout"): (400, 302, 302, 302, 302, 302, 302),
    ("GET", "/profile"): (302, 200, 200, 200, 200, 200, 200),
    ("POST", "/profile"): (400, 400, 400, 400, 400, 400, 400),
    ("GET", "/my"): (302, 200, 200, 200, 200, 200, 200),
    ("GET", "/healthz"): (200, 200, 200, 200, 200, 200, 200),
    ("GET", "/static/<path:filename>"): (200, 200, 200, 200, 200, 200, 200),
    ("GET", "/verify/<code>"): (200, 200, 200, 200, 200, 200, 200),
    ("GET", "/certificates/<code>.pdf"): (404, 200, 404, 404, 404, 404, 200),
    ("GET", "/courses/<course_id>"): (200, 200, 200, 200, 200, 200, 200),
    ("GET", "/courses/<course_id>/assets/<version>/<path:path>"): (200,) * 7,
    ("POST", "/courses/<course_id>/enroll"): (400, 302, 302, 302, 302, 302, 302),
    ("POST", "/courses/<course_id>/switch-version"): (400, 400, 403, 403, 403, 403, 403),
    ("POST", "/courses/<course_id>/unenroll"): (400, 302, 403, 403, 403, 403, 403),
    ("GET", "/courses/<course_id>/resume"): (302, 302, 403, 403, 403, 403, 403),
    ("GET", "/courses/<course_id>/lessons/<lesson_id>"): (302, 200, 403, 403, 403, 403, 403),
    ("GET", "/courses/<course_id>/quizzes/<quiz_id>"): (302, 200, 403, 403, 403, 403, 403),
    ("POST", "/courses/<course_id>/quizzes/<quiz_id>/attempts"): (400, 302, 403, 403, 403, 403, 403),
    ("GET", "/attempts/<attempt_id>"): (302, 200, 404, 404, 404, 404, 404),
    ("POST", "/attempts/<attempt_id>"): (400, 302, 404, 404, 404, 404, 404),
    ("GET", "/attempts/<attempt_id>/result"): (302, 302, 404, 404, 404, 404, 404),
    ("GET", "/admin/audit"): (302, 403, 403, 403, 403, 403, 200),
    ("GET", "/api/v1/openapi.json"): (200,) * 7,
    ("POST", "/api/v1/auth/register"): (400,) * 7,
    ("POST", "/api/v1/auth/token"): (400,) * 7,
    ("DELETE", "/api/v1/auth/token"): (400, 204, 204, 204, 204, 204, 204),
    ("GET", "/api/v1/me"): (401, 200, 200, 200, 200, 200, 200),
    ("PATCH", "/api/v1/me"): (401, 200, 200, 200, 200, 200, 200),
    ("GET", "/api/v1/me/enrollments"): (401, 200, 200, 200, 200, 200, 200),
    ("GET", "/api/v1/me/certificates"): (401, 200, 200, 200, 200, 200, 200),
    ("GET", "/api/v1/courses"): (200,) * 7,
    ("POST", "/api/v1/courses"): (401, 403, 403, 400, 400, 403, 400),
    ("GET", "/api/v1/courses/<course_id>"): (200,) * 7,
    ("GET", "/api/v1/courses/<course_id>/versions"): (401, 404, 404, 200, 404, 404, 200),
    ("POST", "/api/v1/courses/<course_id>/versions/<version>/publish"): (401, 403, 403, 200, 403, 403, 200),
    ("POST", "/api/v1/courses/<course_id>/enrollment"): (401, 200, 201, 201, 201, 201, 201),
    ("DELETE", "/api/v1/courses/<course_id>/enrollment"): (401, 204, 403, 403, 403, 403, 403),
    ("GET", "/api/v1/courses/<course_id>/lessons/<lesson_id>"): (401, 200, 403, 403, 403, 403, 403),
    ("GET", "/api/v1/courses/<course_id>/progress"): (401, 200, 403, 403, 403, 403, 403),
    ("GET", "/api/v1/courses/<course_id>/quizzes/<quiz_id>/attempts"): (401, 200, 403, 403, 403, 403, 403),
    ("POST", "/api/v1/courses/<course_id>/quizzes/<quiz_id>/attempts"): (401, 200, 403, 403, 403, 403, 403),
    ("GET", "/api/v1/attempts/<attempt_id>"): (401, 200, 404, 404, 404, 404, 404),
    ("PUT", "/api/v1/attempts/<attempt_id>/answers"): (401, 200, 404, 404, 404, 404, 404),
    ("POST", "/api/v1/attempts/<attempt_id>/submit"): (401, 200, 404, 404, 404, 404, 404),
    ("GET", "/api/v1/certificates/<code>"): (200,) * 7,
    ("GET", "/api/v1/certificates/<code>/credential"): (200,) * 7,
    ("GET", "/api/v1/issuer"): (200,) * 7,
    ("GET", "/api/v1/certificates/<code>.pdf"): (404, 200, 404, 404, 404, 404, 200),
    ("POST", "/api/v1/certificates/<code>/revoke"): (401, 403, 403, 403, 403, 403, 200),
    ("GET", "/api/v1/admin/audit"): (401, 403, 403, 403, 403, 403, 200),
    ("GET", "/authoring/"): (302, 403, 403, 200, 200, 403, 200),
    ("POST", "/authoring/upload"): (400, 403, 403, 302, 302, 403, 302),
    ("GET", "/authoring/courses/<course_id>"): (302, 403, 403, 200, 404, 403, 200),
    ("POST", "/authoring/courses/<course_id>/versions/<version>/publish"): (400, 403, 403, 302, 403, 403, 302),
    ("POST", "/authoring/courses/<course_id>/versions/<version>/move-learners"): (400, 403, 403, 302, 404, 403, 302),
    ("GET", "/authoring/courses/<course_id>/versions/<version>/export"): (302, 403, 403, 200, 404, 403, 200),
    ("POST", "/authoring/courses/<course_id>/authors"): (400, 403, 403, 302, 302, 403, 302),
    ("POST", "/authoring/courses/<course_id>/authors/<int:user_id>/remove"): (400, 403, 403, 302, 404, 403, 302),
    ("GET", "/authoring/courses/<course_id>/versions/<version>/preview"): (302, 403, 403, 200, 404, 403, 200),
    ("GET", "/authoring/courses/<course_id>/versions/<version>/preview/<item_id>"): (302, 403, 403, 200, 404, 403, 200),
    ("POST", "/authoring/courses/<course_id>/versions/<version>/preview/<item_id>"): (400, 403, 403, 200, 404, 403, 200),
    ("GET", "/authoring/courses/<course_id>/quizzes/<quiz_id>/analysis"): (302, 403, 403, 200, 404, 403, 200),
    ("GET", "/authoring/courses/<course_id>/quizzes/<quiz_id>/analysis.csv"): (302, 403, 403, 200, 404, 403, 200),
    ("GET", "/authoring/grading"): (302, 403, 403, 200, 200, 403, 200),
    ("POST", "/authoring/grading/<int:answer_id>"): (400, 403, 403, 302, 302, 403, 302),
    ("GET", "/api/v1/grading"): (401, 403, 403, 200, 200, 403, 200),
    ("POST", "/api/v1/grading/<int:answer_id>"): (401, 403, 403, 404, 404, 403, 404),
    ("GET", "/api/v1/courses/<course_id>/versions/<version>/export"): (401, 404, 404, 200, 404, 404, 200),
    ("POST", "/api/v1/courses/<course_id>/versions/<version>/move-learners"): (401, 404, 404, 200, 404, 404, 200),
    ("POST", "/api/v1/courses/<course_id>/authors"): (401, 404, 404, 201, 404, 404, 201),
    ("DELETE", "/api/v1/courses/<course_id>/authors/<int:user_id>"): (401, 404, 404, 204, 404, 404, 204),
    # organizations: the manager manages one that the learner belongs to; an organization one
    # cannot see is 404, one a member sees but does not manage is 403 (the learner may read
    # their own transcript)
    ("GET", "/orgs"): (302, 403, 403, 403, 403, 200, 200),
    ("POST", "/orgs"): (400, 403, 403, 403, 403, 403, 302),
    ("GET", "/orgs/<org_id>"): (302, 403, 404, 404, 404, 200, 200),
    ("POST", "/orgs/<org_id>/members"): (400, 403, 404, 404, 404, 302, 302),
    ("GET", "/orgs/<org_id>/reports/<course_id>"): (302, 403, 404, 404, 404, 200, 200),
    ("GET", "/orgs/<org_id>/reports/<course_id>.csv"): (302, 403, 404, 404, 404, 200, 200),
    ("GET", "/orgs/<org_id>/reports/<course_id>.xlsx"): (302, 403, 404, 404, 404, 200, 200),
    ("POST", "/api/v1/organizations"): (401, 403, 403, 403, 403, 403, 201),
    ("GET", "/api/v1/organizations"): (401, 200, 200, 200, 200, 200, 200),
    ("POST", "/api/v1/organizations/<org_id>/members"): (401, 403, 404, 404, 404, 201, 201),
    ("PUT", "/api/v1/organizations/<org_id>/learners/<user_id>/courses/<course_id>"): (401, 403, 404, 404, 404, 200, 200),
    ("GET", "/api/v1/organizations/<org_id>/reports/courses/<course_id>"): (401, 403, 404, 404, 404, 200, 200),
    ("GET", "/api/v1/organizations/<org_id>/learners/<user_id>/transcript"): (401, 200, 404, 404, 404, 200, 200),
    ("GET", "/api/v1/organizations/<org_id>/learners/<user_id>/transcript.pdf"): (401, 200, 404, 404, 404, 200, 200),
}
# fmt: on

# Routes about a course the author owns; the rest use a course the learner is part-way through.
OWNED = {
    "/authoring/courses/<course_id>/quizzes/<quiz_id>/analysis",
    "/authoring/courses/<course_id>/quizzes/<quiz_id>/analysis.csv",
    "/authoring/courses/<course_id>",
    "/authoring/courses/<course_id>/versions/<version>/publish",
    "/authoring/courses/<course_id>/versions/<version>/move-learners",
    "/authoring/courses/<course_id>/versions/<version>/export",
    "/authoring/courses/<course_id>/authors",
    "/authoring/courses/<course_id>/authors/<int:user_id>/remove",
    "/authoring/courses/<course_id>/versions/<version>/preview",
    "/authoring/courses/<course_id>/versions/<version>/preview/<item_id>",
    "/api/v1/courses/<course_id>/versions/<version>/export",
    "/api/v1/courses/<course_id>/versions/<version>/move-learners",
    "/api/v1/courses/<course_id>/authors",
    "/api/v1/courses/<course_id>/authors/<int:user_id>",
    "/api/v1/courses/<course_id>/versions",
    "/api/v1/courses/<course_id>/versions/<version>/publish",
    "/courses/<course_id>/assets/<version>/<path:path>",
}
BODIES: dict[tuple[str, str], Any] = {
    ("PUT", "/api/v1/attempts/<attempt_id>/answers"): {"answers": {}},
    ("POST", "/api/v1/attempts/<attempt_id>/submit"): {"answers": {}},
    ("POST", "/api/v1/certificates/<code>/revoke"): {"reason": "checking access"},
    ("POST", "/api/v1/courses/<course_id>/authors"): {"email": "author2@example.org"},
    ("POST", "/api/v1/organizations"): {"name": "Ministry of Checks"},
    ("POST", "/api/v1/organizations/<org_id>/members"): {"email": "other@example.org"},
    ("PUT", "/api/v1/organizations/<org_id>/learners/<user_id>/courses/<course_id>"): {
        "due_date": "2030-01-31"
    },
}


@pytest.fixture(scope="module")
def scenario(template_db: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """A database holding one learner part-way through a course, one with a certificate, an
    author's own course, and a token for every role."""
    if not isinstance(template_db, Path):
        pytest.skip("access rules do not depend on the database; checked once, on SQLite")
    folder = tmp_path_factory.mktemp("matrix")
    prepared = folder / "prepared.sqlite3"
    shutil.copyfile(template_db, prepared)
    app = create_app(_config(f"sqlite:///{prepared}"))
    learner = register_api(app.test_client(), "learner@example.org", "Lena Learner")
    complete_course(app, learner, "ctip-humanitarian")
    code = learner.get("/api/v1/me/certificates").get_json()["items"][0]["code"]
    learner.post("/api/v1/courses/migration-governance/enrollment")
    attempt = learner.post("/api/v1/courses/migration-governance/quizzes/m1-quiz/attempts")
    tokens = {
        "learner": learner.token,
        "other_learner": register_api(app.test_client(), "other@example.org").token,
        "author": make_user(app, "author@example.org", "author").token,
        "other_author": make_user(app, "author2@example.org", "author").token,
        "manager": make_user(app, "manager@example.org", "manager").token,
        "admin": make_user(app, "admin@example.org", "admin").token,
    }
    author = Api(app.test_client(), tokens["author"])
    assert upload(author, package()).status_code == 201  # "shared-course", with an image
    assert author.post("/api/v1/courses/shared-course/versions/1.0.0/publish").status_code == 200
    added = author.post(
        "/api/v1/courses/shared-course/authors", json={"email": "author2@example.org"}
    )
    coauthor_id = added.get_json()["user_id"]
    author.delete(f"/api/v1/courses/shared-course/authors/{coauthor_id}")
    admin = Api(app.test_client(), tokens["admin"])
    org = admin.post("/api/v1/organizations", json={"name": "Ministry of the Interior"})
    org_id = org.get_json()["id"]
    for email, role in (("manager@example.org", "manager"), ("learner@example.org", "member")):
        body = {"email": email, "role": role}
        assert admin.post(f"/api/v1/organizations/{org_id}/members", json=body).status_code == 201
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    yield {
        "prepared": prepared,
        "working": folder / "working.sqlite3",
        "tokens": tokens,
        "values": {
            "course_id": "migration-governance",
            "lesson_id": "what-is-migration-governance",
            "quiz_id": "m1-quiz",
            "attempt_id": attempt.get_json()["attempt_id"],
            "code": code,
            "version": "1.0.0",
            "filename": "css/site.css",
            "user_id": str(coauthor_id),
            "item_id": "check",
            "org_id": str(org_id),
            "learner_id": str(learner.get("/api/v1/me").get_json()["id"]),
        },
    }


def _path(rule: str, values: dict[str, str]) -> str:
    if rule in OWNED:
        values = {**values, "course_id": "shared-course", "quiz_id": "check"}
    if "<org_id>" in rule:  # a learner of the manager's organization
        values = {**values, "user_id": values["learner_id"]}
    path = rule.replace("<path:path>", "assets/map.png")
    path = path.replace("<path:filename>", values["filename"])
    path = path.replace("<int:user_id>", values["user_id"])
    path = path.replace("<int:answer_id>", "999999")
    for name, value in values.items():
        path = path.replace(f"<{name}>", value)
    return path


def test_every_route_has_an_entry(scenario: dict):
    app = create_app(_config(f"sqlite:///{scenario['prepared']}"))
    routes = {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
    }
    assert routes - set(EXPECTED) == set(), "add these routes to the access matrix"
    assert set(EXPECTED) - routes == set(), "these matrix entries name no route"


def test_each_role_gets_the_expected_status_on_each_route(scenario: dict):
    working: Path = scenario["working"]
    app = create_app(_config(f"sqlite:///{working}"))
    client = app.test_client()
    wrong = []
    for (method, rule), statuses in sorted(EXPECTED.items()):
        for role, expected in zip(ROLES, statuses, strict=True):
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
            for suffix in ("-wal", "-shm"):
                Path(f"{working}{suffix}").unlink(missing_ok=True)
            shutil.copyfile(scenario["prepared"], working)
            client.delete_cookie("session")
            headers = {}
            if role != "anonymous":
                headers["Authorization"] = f"Bearer {scenario['tokens'][role]}"
            body = BODIES.get((method, rule), {})
            response = client.open(
                _path(rule, scenario["values"]), method=method, json=body, headers=headers
            )
            response.close()
            if response.status_code != expected:
                wrong.append(
                    f"{method} {rule} as {role}: {response.status_code}, expected {expected}"
                )
    assert wrong == [], "\n".join(wrong)
