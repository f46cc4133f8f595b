"""Login, registration, logout and profile pages."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from lms.auth import services
from lms.auth.forms import LoginForm, ProfileForm, RegisterForm
from lms.errors import Conflict, InvalidInput
from lms.ratelimits import login_limit, register_limit

bp = Blueprint("auth", __name__)


def _safe_next(default: str) -> str:
    """Only follow ?next= to a path on this site."""
    target = request.args.get("next", "")
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and not parts.netloc:
        return target
    return default


@bp.route("/login", methods=["GET", "POST"])
@login_limit
def login() -> Response | tuple[str, int]:
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data or "", form.password.data or "")
        if user is not None:
            login_user(user)
            return redirect(_safe_next(url_for("learn.dashboard")))
        form.password.errors = [_("The email or password is not right.")]
    status = 400 if request.method == "POST" else 200
    return render_template("auth/login.html", form=form), status


@bp.route("/register", methods=["GET", "POST"])
@register_limit
def register() -> Response | str | tuple[str, int]:
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = services.register(
                email=form.email.data or "",
                password=form.password.data or "",
                name=form.name.data or "",
                locale=None,
                languages=current_app.config["LANGUAGES"],
                min_password_length=current_app.config["PASSWORD_MIN_LENGTH"],
            )
        except InvalidInput as error:
            for item in error.details:
                getattr(form, item["field"]).errors = [item["message"]]
        except Conflict as error:
            form.email.errors = [error.message]
        else:
            login_user(user)
            flash(_("Welcome, %(name)s. Your account is ready.", name=user.name), "success")
            return redirect(_safe_next(url_for("catalog.index")))
    status = 400 if request.method == "POST" else 200
    return render_template("auth/register.html", form=form), status


@bp.route("/logout", methods=["POST"])
def logout() -> Response:
    logout_user()
    flash(_("You are signed out."), "info")
    return redirect(url_for("catalog.index"))


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile() -> Response | str | tuple[str, int]:
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        services.update_profile(
            current_user, form.name.data, form.locale.data, current_app.config["LANGUAGES"]
        )
        flash(_("Your profile is saved."), "success")
        return redirect(url_for("auth.profile"))
    status = 400 if request.method == "POST" else 200
    return render_template("auth/profile.html", form=form), status
