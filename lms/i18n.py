"""The request's language: ?lang=, then the user's setting, then Accept-Language, then default."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, g, has_request_context, request
from flask_babel import get_locale, get_translations
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
    """The language code chosen for the current request (chosen once, then remembered)."""
    return str(get_locale() or current_app.config["DEFAULT_LOCALE"]).replace("_", "-")


# Translations by locale, for Jinja's gettext: Flask-Babel's own callables look the
# translations up through several context lookups for every string of a page.
_TRANSLATIONS: dict[str, Any] = {}


def _translations() -> Any:
    """The translations Flask-Babel chose for this request (force_locale included)."""
    state = g.get("_flask_babel") if g else None
    locale = getattr(state, "babel_locale", None)
    if locale is None:
        return get_translations()  # the first string of a request: Flask-Babel decides
    key = str(locale)
    found = _TRANSLATIONS.get(key)
    if found is None:
        found = _TRANSLATIONS[key] = get_translations()
    return found


def install_template_gettext(app: Flask) -> None:
    """Give Jinja gettext callables that read the request's translations once per locale."""
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
