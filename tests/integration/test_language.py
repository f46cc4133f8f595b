"""Pages and errors in the request's language: ?lang=, the user's setting, Accept-Language."""

from __future__ import annotations

from flask import Flask

from tests.conftest import Api


def test_accept_language_gives_spanish_pages_and_errors(app: Flask):
    client = app.test_client()
    page = client.get("/login", headers={"Accept-Language": "es-MX,es;q=0.9"})
    text = page.get_data(as_text=True)
    assert '<html lang="es">' in text and "Iniciar sesión" in text
    error = client.get("/api/v1/me", headers={"Accept-Language": "es"})
    assert error.status_code == 401
    assert error.get_json()["error"]["message"] != "Please sign in."


def test_query_parameter_wins_over_accept_language(app: Flask):
    client = app.test_client()
    text = client.get("/?lang=es", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="es">' in text
    text = client.get("/?lang=en", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert '<html lang="en">' in text


def test_the_users_setting_wins_over_accept_language(app: Flask, learner: Api):
    learner.patch("/api/v1/me", json={"locale": "es"})
    response = learner.get("/api/v1/courses/nope", headers={"Accept-Language": "en"})
    assert response.get_json()["error"]["message"] != "We could not find that page."


def test_templates_follow_a_language_forced_inside_a_request(app: Flask):
    """Jinja's gettext keeps translations per locale; a forced locale still wins."""
    from flask import render_template_string
    from flask_babel import force_locale

    page = "{{ _('Courses') }}"
    with app.test_request_context("/", headers={"Accept-Language": "es"}):
        assert render_template_string(page) == "Cursos"
        with force_locale("en"):
            assert render_template_string(page) == "Courses"
        assert render_template_string(page) == "Cursos"
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert render_template_string(page) == "Courses"
