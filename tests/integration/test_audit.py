"""Every administrative and authoring action lands in the audit log, which admins can filter."""

from __future__ import annotations

from flask import Flask

from tests.conftest import Api
from tests.integration.test_authoring_api import COURSES, upload, zipped
from tests.integration.test_journey_api import complete_course


def test_uploads_publishing_and_revocations_are_logged(
    app: Flask, author: Api, admin: Api, learner: Api
):
    package = zipped(
        COURSES / "migration-governance",
        {"course.yaml": ("id: migration-governance", "id: audited-course")},
    )
    assert upload(author, package).status_code == 201
    assert upload(author, package).status_code == 200  # unchanged: nothing to log
    author.post("/api/v1/courses/audited-course/versions/1.0.0/publish")
    complete_course(app, learner)
    code = learner.get("/api/v1/me/certificates").get_json()["items"][0]["code"]
    admin.post(f"/api/v1/certificates/{code}/revoke", json={"reason": "Duplicate account"})

    log = admin.get("/api/v1/admin/audit").get_json()
    actions = [(e["action"], e["actor"], e["target"]) for e in log["items"]]
    assert actions[:3] == [
        ("certificate.revoke", "admin@example.org", code),
        ("course.publish", "author@example.org", "audited-course 1.0.0"),
        ("course.import", "author@example.org", "audited-course 1.0.0"),
    ]
    assert all(e["origin"] == "127.0.0.1" and e["at"].endswith("Z") for e in log["items"][:3])
    assert log["items"][0]["details"]["reason"] == "Duplicate account"

    only = admin.get("/api/v1/admin/audit?action=course.&actor=author@example.org").get_json()
    assert {e["action"] for e in only["items"]} == {"course.import", "course.publish"}
    assert admin.get("/api/v1/admin/audit?since=2999-01-01").get_json()["total"] == 0


def test_only_admins_see_the_log(app: Flask, author: Api, admin: Api, learner: Api):
    assert learner.get("/api/v1/admin/audit").status_code == 403
    assert author.get("/api/v1/admin/audit").status_code == 403
    assert learner.get("/admin/audit").status_code == 403
    page = admin.get("/admin/audit?action=course.import")
    assert page.status_code == 200 and "Audit log" in page.get_data(as_text=True)


def test_command_line_actions_are_logged_as_such(app: Flask, admin: Api):
    runner = app.test_cli_runner()
    runner.invoke(args=["users", "create", "new@example.org", "--name", "New", "--role", "author",
                        "--password", "a long password here"])  # fmt: skip
    events = admin.get("/api/v1/admin/audit?action=user.save").get_json()["items"]
    assert events[0]["origin"] == "cli" and events[0]["actor"] is None
    assert events[0]["target"] == "new@example.org"
