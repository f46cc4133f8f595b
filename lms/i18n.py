"""The request's language: ?lang=, then the user's setting, then Accept-Language, then default."""

from __future__ import annotations

from flask import current_app, has_request_context, request
from flask_login import current_user


def select_locale() -> str:
    """Pick the language for this request among the site's languages."""
    if not has_request_context():
        return str(current_app.config["DEFAULT_LOCALE"])
    languages: list[str] = list(current_app.config["LANGUAGES"])
    asked = request.args.get("lang", "")
    if asked in languages:
        return asked
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return str(current_user.locale)
    best = request.accept_languages.best_match(languages)
    return best or str(current_app.config["DEFAULT_LOCALE"])


def current_language() -> str:
    """The language code chosen for the current request."""
    return select_locale()
