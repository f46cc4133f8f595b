"""The OpenAPI 3.1 document of the API, served at /api/v1/openapi.json."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify

from lms.api.common import bp

ERROR = {"$ref": "#/components/schemas/Error"}


def _op(summary: str, ok: int, *errors: int, body: str | None = None, auth: bool = True,
        params: tuple[str, ...] = ()) -> dict[str, Any]:  # fmt: skip
    responses: dict[str, Any] = {str(ok): {"description": "OK"}}
    for status in errors:
        responses[str(status)] = {
            "description": "Error",
            "content": {"application/json": {"schema": ERROR}},
        }
    responses["503"] = {  # any operation, when its database connection was lost mid-request
        "description": "database_unavailable (the connection was lost) or database_busy (a "
        "lock was not granted in time): nothing was stored; retry after Retry-After seconds",
        "headers": {"Retry-After": {"schema": {"type": "integer"}}},
        "content": {"application/json": {"schema": ERROR}},
    }
    op: dict[str, Any] = {"summary": summary, "responses": responses}
    if not auth:
        op["security"] = []
    if body:
        op["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{body}"}}},
        }
    if params:
        op["parameters"] = [
            {"name": name, "in": "query", "required": False, "schema": {"type": "string"}}
            for name in params
        ]
    return op


def document() -> dict[str, Any]:
    """The whole document; paths and codes agree with the contract and add to it."""
    course = {"name": "course_id", "in": "path", "required": True, "schema": {"type": "string"}}
    paths: dict[str, Any] = {
        "/auth/register": {
            "post": _op("Create an account", 201, 400, 409, body="Register", auth=False)
        },
        "/auth/token": {
            "post": _op("Get a bearer token", 200, 400, 401, body="Credentials", auth=False),
            "delete": _op("Revoke the token used", 204, 400, 401),
        },
        "/me": {
            "get": _op("The current user", 200, 401),
            "patch": _op("Change name or language", 200, 400, 401, body="Profile"),
        },
        "/me/enrollments": {
            "get": _op("My enrolments, paged", 200, 401, params=("page", "per_page"))
        },
        "/me/certificates": {
            "get": _op("My certificates, paged", 200, 401, params=("page", "per_page"))
        },
        "/courses": {
            "get": _op(
                "Published courses, paged",
                200,
                400,
                auth=False,
                params=("q", "language", "tag", "page", "per_page"),
            ),
            "post": _op(
                "Upload a course package (multipart file=zip)", 201, 400, 401, 403, 409, 413, 422
            ),
        },
        "/courses/{course_id}": {
            "get": _op("A course with its outline", 200, 404, auth=False, params=("version",))
        },
        "/courses/{course_id}/versions": {
            "get": _op("Versions with enrolment counts", 200, 401, 404)
        },
        "/courses/{course_id}/versions/{version}/publish": {
            "post": _op("Publish a version", 200, 401, 403, 404)
        },
        "/courses/{course_id}/enrollment": {
            "post": _op(
                "Enrol (201), already enrolled (200), or move to a version", 201, 400, 401, 404
            ),
            "delete": _op("Leave the course; progress is kept", 204, 401, 403, 404),
        },
        "/courses/{course_id}/lessons/{lesson_id}": {
            "get": _op("A lesson; marks it viewed", 200, 401, 403, 404)
        },
        "/courses/{course_id}/progress": {"get": _op("Progress by item", 200, 401, 403, 404)},
        "/courses/{course_id}/quizzes/{quiz_id}/attempts": {
            "post": _op(
                "Start an attempt (201) or resume the open one (200)", 201, 401, 403, 404, 409
            ),
            "get": _op("My attempts at this quiz", 200, 401, 403, 404),
        },
        "/attempts/{attempt_id}/answers": {
            "put": _op("Save answers without submitting", 200, 400, 401, 404, 409, body="Answers")
        },
        "/attempts/{attempt_id}/submit": {
            "post": _op("Submit and grade", 200, 400, 401, 404, 409, body="Answers")
        },
        "/courses/{course_id}/versions/{version}/export": {
            "get": _op("The version as a zip that imports back unchanged", 200, 401, 404)
        },
        "/courses/{course_id}/versions/{version}/move-learners": {
            "post": _op("Move every enrolled learner to this published version", 200, 401, 404, 409)
        },
        "/courses/{course_id}/authors": {
            "post": _op(
                "Name a co-author (owner or admin)", 201, 400, 401, 403, 404, body="CoAuthor"
            )
        },
        "/courses/{course_id}/authors/{user_id}": {
            "delete": _op("Remove a co-author", 204, 401, 403, 404)
        },
        "/grading": {"get": _op("Essay answers awaiting a grade in my courses", 200, 401, 403)},
        "/grading/{answer_id}": {
            "post": _op("Grade an essay answer {points, feedback}", 200, 400, 401, 403, 404, 409)
        },
        "/admin/audit": {
            "get": _op(
                "The audit log (admins), paged",
                200,
                401,
                403,
                params=("action", "actor", "target", "since", "until", "page", "per_page"),
            )
        },
        "/attempts/{attempt_id}": {"get": _op("One of my attempts", 200, 401, 404)},
        "/certificates/{code}": {"get": _op("Public verification", 200, 404, auth=False)},
        "/certificates/{code}.pdf": {"get": _op("The certificate PDF", 200, 404, params=("lang",))},
        "/certificates/{code}/credential": {
            "get": _op(
                "The signed Open Badges 3.0 credential (application/vc+jwt, EdDSA over Ed25519)",
                200,
                404,
                auth=False,
            )
        },
        "/issuer": {
            "get": _op(
                "The issuer profile; its public keys, current and retired, under "
                '"keys" (a JWK set)',
                200,
                auth=False,
            )
        },
        "/certificates/{code}/revoke": {
            "post": _op("Revoke (admin)", 200, 400, 401, 403, 404, body="Revoke")
        },
        "/organizations": {
            "post": _op(
                "Create an organization (admin)", 201, 400, 401, 403, 409, body="Organization"
            ),
            "get": _op(
                "Organizations I may see, paged", 200, 400, 401, params=("page", "per_page")
            ),
        },
        "/organizations/{org_id}/members": {
            "post": _op(
                "Add a person with an account (201), or change their role (200)",
                201,
                400,
                401,
                403,
                404,
                body="Member",
            ),
        },
        "/organizations/{org_id}/learners/{user_id}/courses/{course_id}": {
            "put": _op(
                "Set or clear a member's due date for a course",
                200,
                400,
                401,
                403,
                404,
                body="DueDate",
            ),
        },
        "/organizations/{org_id}/reports/courses/{course_id}": {
            "get": _op(
                "Counts and the paged learner table (format=csv or xlsx: every row as a file)",
                200,
                400,
                401,
                403,
                404,
                params=("page", "per_page", "format"),
            ),
        },
        "/organizations/{org_id}/learners/{user_id}/transcript": {
            "get": _op("A member's courses, quiz scores and certificates", 200, 401, 403, 404),
        },
        "/organizations/{org_id}/learners/{user_id}/transcript.pdf": {
            "get": _op(
                "The same transcript as an A4 PDF (application/pdf), in the reader's language",
                200,
                401,
                403,
                404,
            ),
        },
    }
    for path, ops in paths.items():
        for name in ("user_id", "org_id", "course_id"):
            if f"{{{name}}}" in path:
                for op in ops.values():
                    op.setdefault("parameters", []).insert(
                        0, {**course, "name": name} if name != "course_id" else course
                    )
    string = {"type": "string"}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Learning platform API", "version": "1.0.0",
                 "description": "See docs/api.md for the decisions recorded beside the contract."},
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}, {"cookie": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "cookie": {"type": "apiKey", "in": "cookie", "name": "session",
                           "description": "Unsafe methods also need the X-CSRFToken header."},
            },
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {"error": {"type": "object", "required": ["code", "message"],
                                             "properties": {"code": string, "message": string,
                                                            "details": {"type": "array"}}}},
                },
                "Register": {"type": "object", "required": ["email", "password", "name"],
                             "properties": {"email": string, "password": string, "name": string,
                                            "locale": string}},
                "Credentials": {"type": "object", "required": ["email", "password"],
                                "properties": {"email": string, "password": string}},
                "Profile": {"type": "object", "properties": {"name": string, "locale": string}},
                "Answers": {"type": "object", "properties": {"answers": {"type": "object"}}},
                "Revoke": {"type": "object", "required": ["reason"],
                           "properties": {"reason": string}},
                "CoAuthor": {"type": "object", "required": ["email"],
                             "properties": {"email": string}},
                "Organization": {"type": "object", "required": ["name"],
                                 "properties": {"name": string}},
                "Member": {"type": "object", "required": ["email"],
                           "properties": {"email": string, "unit": string,
                                          "role": {"enum": ["member", "manager"]}}},
                "DueDate": {"type": "object", "required": ["due_date"],
                            "properties": {"due_date": {"type": ["string", "null"],
                                                        "format": "date"}}},
            },
        },
    }  # fmt: skip


@bp.get("/openapi.json")
def openapi() -> Response:
    return jsonify(document())
