"""Shared pieces of the API: its blueprint, authentication, JSON bodies and paging."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Blueprint, current_app, request
from flask_babel import gettext as _
from flask_login import current_user

from lms.errors import InvalidInput, LmsError, Unauthorized

bp = Blueprint("api", __name__, url_prefix="/api/v1")

F = TypeVar("F", bound=Callable[..., Any])


def login_required_api(view: F) -> F:
    """401 unauthorized (JSON) instead of a redirect to the login page."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            raise Unauthorized()
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def json_body(optional: bool = False) -> dict[str, Any]:
    """The request's JSON object, or 400 bad_request."""
    data = request.get_json(silent=True)
    if data is None and optional and not request.get_data():
        return {}
    if not isinstance(data, dict):
        raise LmsError(_("Send a JSON object in the request body."), code="bad_request")
    return data


def paging(limit: int | None = None) -> tuple[int, int]:
    """?page= and ?per_page= checked: 400 invalid_input when they are not positive numbers;
    per_page capped at ``limit`` (PER_PAGE_MAX unless a route allows more)."""
    limit = limit or int(current_app.config["PER_PAGE_MAX"])
    errors = []
    values = {}
    for name, default in (("page", 1), ("per_page", 50)):
        raw = request.args.get(name, str(default))
        if not raw.isdigit() or int(raw) < 1:
            errors.append({"field": name, "message": _("A whole number of 1 or more.")})
        values[name] = int(raw) if raw.isdigit() else default
    if errors:
        raise InvalidInput(details=errors)
    return min(values["page"], 1_000_000), min(values["per_page"], limit)


def page_of(items: list[Any], page: int, per_page: int, total: int) -> dict[str, Any]:
    return {"items": items, "page": page, "per_page": per_page, "total": total}


def paged(rows: list[Any], serialize: Callable[[Any], dict[str, Any]]) -> dict[str, Any]:
    """One page of an in-memory list, with ?page= and ?per_page= applied."""
    page, per_page = paging()
    chosen = rows[(page - 1) * per_page : page * per_page]
    return page_of([serialize(row) for row in chosen], page, per_page, len(rows))
