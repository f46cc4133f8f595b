"""The platform's application factory: config → extensions → blueprints → errors → CLI."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from flask import Flask, Response, g, request, session
from werkzeug.datastructures import Headers

from lms.auth.cookies import RememberingSessionInterface
from lms.config import Defaults, ensure_secret_key, environment_overrides
from lms.database import (
    ENGINE_OPTIONS,
    in_database_transaction,
    session_holds_connection,
    tune_engine,
)
from lms.extensions import babel, csrf, db, limiter, login_manager, migrate

ROOT = Path(__file__).resolve().parent.parent
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


class Platform(Flask):
    """Flask, minus one check per hook and view on every request.

    Flask asks of every request hook and view, on every request, whether it is a coroutine
    function (``ensure_sync``). The platform's are all plain functions and never change, so
    the answer is kept per function; an ``async def`` would still be wrapped as Flask does.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._plain_functions: set[Callable[..., Any]] = set()

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        if func in self._plain_functions:
            return func
        wrapped = super().ensure_sync(func)
        if wrapped is func:
            self._plain_functions.add(func)
        return wrapped


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app. ``test_config`` wins over defaults, instance/config.py and LMS_* vars."""
    instance_path = Path(os.environ.get("LMS_INSTANCE_PATH", "instance")).resolve()
    app = Platform(
        __name__,
        instance_path=str(instance_path),
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    _configure(app, instance_path, test_config)
    app.session_interface = RememberingSessionInterface()
    if app.config["PROXY_COUNT"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        count = int(app.config["PROXY_COUNT"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)  # type: ignore[method-assign]
    _init_extensions(app)
    _register_blueprints(app)
    _register_request_hooks(app)

    from lms.errors import register_error_handlers

    register_error_handlers(app)

    from lms.cli import register_cli

    register_cli(app)
    return app


def _configure(app: Flask, instance_path: Path, test_config: Mapping[str, Any] | None) -> None:
    app.config.from_object(Defaults)
    app.config.from_pyfile("config.py", silent=True)
    app.config.update(environment_overrides(os.environ))
    if test_config:
        app.config.update(test_config)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
        **ENGINE_OPTIONS,
        **app.config["SQLALCHEMY_ENGINE_OPTIONS"],
    }
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        instance_path.mkdir(parents=True, exist_ok=True)
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{instance_path / 'lms.sqlite3'}"
    if not app.config.get("SECRET_KEY"):
        instance_path.mkdir(parents=True, exist_ok=True)
        app.config["SECRET_KEY"] = ensure_secret_key(instance_path)
    app.config["BASE_URL"] = str(app.config["BASE_URL"]).rstrip("/")


def _init_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).parent / "migrations"))
    csrf.init_app(app)
    import lms.ratelimits  # noqa: F401  (registers the database store for the limits)

    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message_category = "info"

    from lms.i18n import install_template_gettext, select_locale

    babel.init_app(app, locale_selector=select_locale)
    install_template_gettext(app)

    from lms.auth.services import load_user

    login_manager.user_loader(load_user)

    with app.app_context():
        tune_engine(
            db.engine,
            ping_after_idle=float(app.config["DB_PING_AFTER_IDLE"]),
            lock_timeout=float(app.config["DB_LOCK_TIMEOUT"]),
        )


def _register_blueprints(app: Flask) -> None:
    from lms.admin.views import bp as admin_bp
    from lms.api.routes import bp as api_bp
    from lms.auth.views import bp as auth_bp
    from lms.authoring.views import bp as authoring_bp
    from lms.catalog.views import bp as catalog_bp
    from lms.certificates.views import bp as certificates_bp
    from lms.health import bp as health_bp
    from lms.learn.views import bp as learn_bp
    from lms.orgs.views import bp as orgs_bp
    from lms.quiz.views import bp as quiz_bp

    blueprints = (
        auth_bp, catalog_bp, learn_bp, quiz_bp, certificates_bp, authoring_bp, admin_bp, orgs_bp,
        api_bp, health_bp,
    )  # fmt: skip
    for blueprint in blueprints:
        app.register_blueprint(blueprint)


def _holds_nul(value: Any) -> bool:
    """Whether a string, or any string inside lists and mappings, holds a NUL character."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_nul(v) for v in value)
    return False


_PRIVATE_HEADERS = (("Cache-Control", "private, no-store"),)
_SECURITY_HEADERS = (
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    (
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "frame-ancestors 'self'; form-action 'self'; base-uri 'none'; object-src 'none'",
    ),
)


def _set_missing(headers: Headers, values: tuple[tuple[str, str], ...]) -> None:
    """Add each header the view did not set itself (a view may loosen one, as SCORM does)."""
    present = {key.lower() for key, _value in headers.items()} if headers else set()
    for key, value in values:
        if key.lower() not in present:
            headers.add(key, value)


def _something_to_commit() -> bool:
    """Whether this request changed anything: pending ORM changes or an open transaction.

    A request that only read ends without a COMMIT (the session is closed at teardown), which
    on PostgreSQL saves a round trip (lms.database begins transactions at the first write).
    """
    if not db.session.registry.has():
        return False  # the request never used its session
    session = db.session()
    if session.new or session.dirty or session.deleted:
        return True
    if not session_holds_connection(session):
        return False  # nothing ran through the session, or only a User was attached to it
    return in_database_transaction(session.connection().connection.dbapi_connection)


def _register_request_hooks(app: Flask) -> None:
    from flask_babel import gettext as _

    from lms.auth.services import user_for_token
    from lms.errors import LmsError, Unauthorized

    @app.before_request
    def refuse_nul_characters() -> None:
        """No text field may hold a NUL character (PostgreSQL cannot store one)."""
        if "\x00" in request.path or (
            request.query_string and _holds_nul(request.args.to_dict(flat=False))
        ):
            raise LmsError(_("The request contains a NUL character."), code="bad_request")
        if request.method in SAFE_METHODS:
            return  # a GET's body is not read
        if request.mimetype == "application/x-www-form-urlencoded" and _holds_nul(
            request.form.to_dict(flat=False)
        ):
            raise LmsError(_("The request contains a NUL character."), code="bad_request")
        if request.is_json and _holds_nul(request.get_json(silent=True)):
            raise LmsError(_("The request contains a NUL character."), code="bad_request")

    @app.before_request
    def authenticate_and_protect() -> None:
        """Bearer tokens authenticate alone (no cookie, no CSRF); a cookie session needs CSRF."""
        header = request.headers.get("Authorization", "")
        if header.lower().startswith("bearer "):
            user = user_for_token(header[7:].strip())
            if user is None:
                raise Unauthorized()
            g._login_user = user
            g.auth_token = header[7:].strip()
            return
        if request.method in SAFE_METHODS:
            return
        cookie_name = app.config.get("SESSION_COOKIE_NAME", "session")
        if request.path.startswith("/api/") and cookie_name not in request.cookies:
            return  # no ambient credentials: an anonymous API call cannot be forged cross-site
        csrf.protect()

    @app.after_request
    def commit_once(response: Response) -> Response:
        """One commit per request: kept when it succeeded, rolled back when it did not."""
        if response.status_code < 400:
            if _something_to_commit():
                db.session.commit()
        else:
            db.session.rollback()
        headers = response.headers
        # A signed-in session or a bearer token gets a private answer. Deciding it from the
        # session (not current_user) reads no account on pages that never needed one; the
        # session is read, so the answer still varies by cookie.
        if (
            session.get("_user_id") is not None
            or "auth_token" in g
            or request.path.startswith("/api/")
        ):
            _set_missing(headers, _PRIVATE_HEADERS)
        _set_missing(headers, _SECURITY_HEADERS)
        return response

    @app.template_filter("num")
    def format_number(value: float | int | None) -> str:
        """2, 2.5 or 0.33: numbers as people write them."""
        if value is None:
            return ""
        rounded = round(float(value), 2)
        return str(int(rounded)) if rounded == int(rounded) else f"{rounded:g}"

    @app.template_filter("reject_page")
    def reject_page(args: dict[str, str]) -> dict[str, str]:
        """Query arguments without 'page', for building pager links."""
        return {k: v for k, v in args.items() if k != "page"}

    @app.context_processor
    def inject_site() -> dict[str, Any]:
        from lms.i18n import current_language

        return {"site_name": app.config["SITE_NAME"], "lang": current_language()}
