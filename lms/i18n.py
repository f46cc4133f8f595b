"""The request's language: ?lang=, then the user's setting, then Accept-Language, then default."""

from __future__ import annotations

from typing import Any

from babel import Locale
from flask import Flask, current_app, g, has_request_context, request
from flask_babel import get_locale, get_translations
from flask_login import current_user

from lms.memo import Lru


def select_locale() -> Locale | str:
    """Pick the language for this request among the site's languages.

    Returns a parsed ``Locale`` from a per-process table (Flask-Babel would otherwise parse
    the code on every request), and remembers which language each Accept-Language header
    chooses, since a cohort sends the same few headers over and over.
    """
    if not has_request_context():
        return str(current_app.config["DEFAULT_LOCALE"])
    languages: tuple[str, ...] = tuple(current_app.config["LANGUAGES"])
    default = str(current_app.config["DEFAULT_LOCALE"])
    if request.query_string:
        asked = request.args.get("lang", "")
        if asked in languages:
            return _locale(asked)
    user = current_user._get_current_object()  # once: each proxy access costs a lookup
    if user is not None and user.is_authenticated and user.locale in languages:
        return _locale(str(user.locale))
    header = request.headers.get("Accept-Language", "")
    if not header:
        return _locale(default)
    key = (header, languages, default)
    chosen = _ACCEPTED.get(key)
    if chosen is None:
        chosen = request.accept_languages.best_match(languages) or default
        _ACCEPTED.put(key, chosen)
    return _locale(chosen)


_ACCEPTED: Lru[str] = Lru(4096)  # (Accept-Language header, languages, default) -> language
_LOCALES: dict[str, Locale] = {}


def _locale(code: str) -> Locale:
    found = _LOCALES.get(code)
    if found is None:
        found = _LOCALES[code] = Locale.parse(code)
    return found


def current_language() -> str:
    """The language code chosen for the current request (chosen once, then remembered)."""
    locale = get_locale()
    if locale is None:
        return str(current_app.config["DEFAULT_LOCALE"]).replace("_", "-")
    code = _CODES.get(locale)
    if code is None:
        code = _CODES[locale] = str(locale).replace("_", "-")
    return code


_CODES: dict[Locale, str] = {}  # "pt_BR" as a page's language: "pt-BR"


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
