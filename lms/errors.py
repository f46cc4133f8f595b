"""The error hierarchy and its two faces: a page in the user's language, or the API's JSON shape.

Services raise ``LmsError`` subclasses; the handlers here turn them (and Werkzeug's HTTP
errors) into ``{"error": {"code", "message", "details"}}`` for the API and an error page for
people. Bad input never becomes a 500.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, DBAPIError
from werkzeug.exceptions import HTTPException

from lms.database import is_contention
from lms.extensions import db


class LmsError(Exception):
    """A failure a user can understand: an HTTP status, a stable code and a message."""

    status = 400
    code = "bad_request"

    def __init__(
        self, message: str | None = None, *, code: str | None = None, details: Any = None
    ) -> None:
        super().__init__(message or self.default_message())
        self.message = message or self.default_message()
        if code:
            self.code = code
        self.details = details if details is not None else []

    def default_message(self) -> str:
        return _("The request could not be understood.")

    @property
    def specific_message(self) -> str:
        """The first detail's message when there is one (it names what to fix), else the
        general message: what a page's flash or the command line shows."""
        first = self.details[0] if self.details else None
        if isinstance(first, dict) and first.get("message"):
            return str(first["message"])
        return self.message


class InvalidInput(LmsError):
    """Input that breaks a rule; ``details`` names the fields at fault."""

    status = 400
    code = "invalid_input"

    def default_message(self) -> str:
        return _("Some of the input is not valid.")


class Unauthorized(LmsError):
    status = 401
    code = "unauthorized"

    def default_message(self) -> str:
        return _("Please sign in.")


class Forbidden(LmsError):
    status = 403
    code = "forbidden"

    def default_message(self) -> str:
        return _("You are not allowed to do that.")


class NotEnrolled(Forbidden):
    code = "not_enrolled"

    def default_message(self) -> str:
        return _("Enrol in this course to open its lessons and quizzes.")


class NotFound(LmsError):
    status = 404
    code = "not_found"

    def default_message(self) -> str:
        return _("We could not find that page.")


class Conflict(LmsError):
    status = 409
    code = "conflict"

    def default_message(self) -> str:
        return _("That conflicts with the current state.")


class PackageError(LmsError):
    """A course package with problems; ``details`` is every located problem."""

    status = 422
    code = "invalid_package"

    def default_message(self) -> str:
        return _("The course package has problems; nothing was imported.")


HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid_input",
    429: "rate_limited",
}


def wants_json() -> bool:
    """API paths always get JSON; elsewhere, a client that prefers JSON gets it."""
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def error_response(status: int, code: str, message: str, details: Any = None) -> Response:
    """Render an error in the contract's JSON shape or as a page."""
    if wants_json():
        body = {"error": {"code": code, "message": message, "details": details or []}}
        response = jsonify(body)
    else:
        response = Response(
            render_template(
                "errors/error.html", status=status, code=code, message=message, details=details
            )
        )
    response.status_code = status
    return response


def register_error_handlers(app: Flask) -> None:
    """Install the handlers for our errors, CSRF failures, HTTP errors and the unexpected."""

    @app.errorhandler(LmsError)
    def handle_lms_error(error: LmsError) -> Response:
        db.session.rollback()
        return error_response(error.status, error.code, error.message, error.details)

    @app.errorhandler(CSRFError)
    def handle_csrf(error: CSRFError) -> Response:
        message = _("The form expired or its security token is missing. Reload and try again.")
        return error_response(400, "bad_request", message)

    @app.errorhandler(HTTPException)
    def handle_http(error: HTTPException) -> Response:
        status = error.code or 500
        messages = {
            404: _("We could not find that page."),
            405: _("That method is not allowed here."),
            413: _("The upload is too large."),
            429: _("Too many attempts. Wait a minute and try again."),
        }
        message = messages.get(status, error.description or error.name)
        return error_response(status, HTTP_CODES.get(status, "error"), message)

    @app.errorhandler(DataError)
    def handle_data_error(error: DataError) -> Response:
        """A value the database cannot store (out of range, bad encoding) is the client's."""
        db.session.rollback()
        return error_response(400, "bad_request", _("Some of the input cannot be stored."))

    @app.errorhandler(DBAPIError)
    def handle_database_error(error: DBAPIError) -> Response:
        """A connection lost mid-request (the database restarted), or a lock not granted in
        time, is a 503 to retry: the request was rolled back, nothing of it is stored."""
        if not (error.connection_invalidated or is_contention(error.orig)):
            return handle_unexpected(error)
        db.session.rollback()  # first: the message's language may read the user again
        if error.connection_invalidated:
            code = "database_unavailable"
            message = _("The database could not be reached. Please try again in a moment.")
        else:
            code = "database_busy"
            message = _("The database is busy. Please try again in a moment.")
        app.logger.warning("%s on %s %s: %s", code, request.method, request.path, error.orig)
        response = error_response(503, code, message)
        response.headers["Retry-After"] = "1"
        return response

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception) -> Response:
        db.session.rollback()
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        message = _("Something went wrong on our side. Please try again in a moment.")
        return error_response(500, "internal_error", message)
