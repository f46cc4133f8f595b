"""The page frame (base.html around a page's body), rendered once and filled per request.

The frame is the same for every request with the same language, URL root and navigation
(which links the account's role shows); what differs is the page's title and body, the
signed-in person's name and the sign-out form's CSRF token. `render_page` renders the frame
once per such key with a marked hole for each of those, and fills the holes for each
request, so a page whose body is itself cached (a lesson) costs no template rendering at
all. A request with flashed messages is rendered whole, the ordinary way.
"""

from __future__ import annotations

from flask import current_app, render_template, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from lms.i18n import current_language
from lms.memo import Lru

TEMPLATE = "frame.html"
# A hole is its name between two NUL characters: NUL never reaches a template (requests
# holding one are refused) and the frame is rendered with holes, not with content.
_HOLES = {name: Markup(f"\x00{name}\x00") for name in ("title", "body", "name", "csrf")}
_FRAMES: Lru[tuple[str, ...]] = Lru(512)
# Signed CSRF tokens by session token: with WTF_CSRF_TIME_LIMIT None a signed token is good for
# as long as its session, so signing it again for every page only costs time.
_SIGNED: Lru[str] = Lru(20_000)


def render_page(title: str, body: Markup) -> str:
    """The whole page: the frame around ``body`` (already rendered HTML)."""
    if session.get("_flashes"):
        return render_template(TEMPLATE, title=title, body=body)
    user = current_user._get_current_object()  # once: each proxy access costs a lookup
    signed_in = bool(user.is_authenticated)
    key = (
        current_app.config["SITE_NAME"],
        current_language(),
        request.script_root,
        signed_in,
        signed_in and user.is_author,
        signed_in and user.sees_organizations,
        signed_in and user.is_admin,
    )
    parts = _FRAMES.get(key)
    if parts is None:
        parts = tuple(render_template(TEMPLATE, frame_holes=_HOLES, **_HOLES).split("\x00"))
        _FRAMES.put(key, parts)
    fill = {"title": escape(title), "body": body}
    if signed_in:
        fill["name"] = escape(user.name)
        fill["csrf"] = escape(_csrf_token())
    # parts alternate: frame text, a hole's name, frame text, ...
    return "".join(part if n % 2 == 0 else fill[part] for n, part in enumerate(parts))


def _csrf_token() -> str:
    """The signed CSRF token for this session (signed once per session and process)."""
    raw = session.get("csrf_token")
    if raw is None or current_app.config.get("WTF_CSRF_TIME_LIMIT") is not None:
        return str(generate_csrf())
    key = (current_app.secret_key, raw)
    signed = _SIGNED.get(key)
    if signed is None:
        signed = str(generate_csrf())
        _SIGNED.put(key, signed)
    return signed
