"""API: register, tokens, the current user."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, g, jsonify
from flask_babel import gettext as _
from flask_login import current_user

from lms.api.common import bp, json_body, login_required_api
from lms.auth import services
from lms.auth.models import User
from lms.errors import InvalidInput, LmsError, Unauthorized
from lms.orgs.services import manages_any
from lms.ratelimits import login_limit, register_limit
from lms.timeutil import iso


def user_json(user: User) -> dict[str, Any]:
    roles = user.roles
    if "manager" not in roles and manages_any(user):
        roles.append("manager")  # an author or admin made a manager of an organization
    return {
        "id": user.id,
        "email": user.email,
        "name": user.name,
        "locale": user.locale,
        "roles": roles,
    }


def _strings(body: dict[str, Any], *names: str) -> list[str]:
    errors = [
        {"field": name, "message": _("Required, as text.")}
        for name in names
        if not isinstance(body.get(name), str)
    ]
    if errors:
        raise InvalidInput(details=errors)
    return [body[name] for name in names]


@bp.post("/auth/register")
@register_limit
def register() -> tuple[Response, int]:
    body = json_body()
    email, password, name = _strings(body, "email", "password", "name")
    locale = body.get("locale")
    if locale is not None and not isinstance(locale, str):
        raise InvalidInput(details=[{"field": "locale", "message": _("A language code.")}])
    user = services.register(
        email=email,
        password=password,
        name=name,
        locale=locale,
        languages=current_app.config["LANGUAGES"],
        min_password_length=current_app.config["PASSWORD_MIN_LENGTH"],
    )
    return jsonify(
        {"id": user.id, "email": user.email, "name": user.name, "locale": user.locale}
    ), 201


@bp.post("/auth/token")
@login_limit
def token() -> Response:
    body = json_body()
    email, password = _strings(body, "email", "password")
    user = services.authenticate(email, password)
    if user is None:
        raise Unauthorized(_("The email or password is not right."))
    value, expires_at = services.issue_token(user, int(current_app.config["TOKEN_LIFETIME_DAYS"]))
    return jsonify({"token": value, "expires_at": iso(expires_at)})


@bp.delete("/auth/token")
def revoke_token() -> tuple[str, int]:
    token_value = g.get("auth_token")
    if not token_value:
        raise LmsError(_("Send the token to revoke as a bearer token."), code="bad_request")
    services.revoke_token(token_value)
    return "", 204


@bp.get("/me")
@login_required_api
def me() -> Response:
    return jsonify(user_json(current_user))


@bp.patch("/me")
@login_required_api
def update_me() -> Response:
    body = json_body()
    name = body.get("name")
    locale = body.get("locale")
    if name is not None and not isinstance(name, str):
        raise InvalidInput(details=[{"field": "name", "message": _("Required, as text.")}])
    user = services.update_profile(current_user, name, locale, current_app.config["LANGUAGES"])
    return jsonify(user_json(user))
