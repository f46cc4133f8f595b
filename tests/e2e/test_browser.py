"""The learner journey in Chromium: with JavaScript, without it, and with the keyboard alone;
and axe-core finds no serious or critical accessibility problem on any page of it."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.conftest import register_api
from tests.e2e.conftest import AXE
from tests.e2e.journey import (
    PASSWORD,
    click_and_load,
    fill_quiz_by_mouse,
    questions_and_answers,
)
from tests.integration.test_journey_api import complete_course

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("browser")]

COURSE = "migration-governance"
_emails = itertools.count(1)


def _register(page: Any, base: str, name: str) -> str:
    email = f"e2e{next(_emails)}-{id(page)}@example.org"
    page.goto(f"{base}/register")
    page.fill("#name", name)
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    click_and_load(page, "button[type=submit]")
    assert page.url.rstrip("/") == base or "/courses" in page.url or page.url.endswith("/")
    return email


def _take_course_by_mouse(page: Any, base: str, app: Flask, shots: Path, tag: str) -> None:
    for step in range(80):
        page.goto(f"{base}/courses/{COURSE}/resume")
        if page.url.endswith(f"/courses/{COURSE}"):
            return
        if "/lessons/" in page.url:
            assert page.locator("h1").count() == 1
            if step == 0:
                page.screenshot(path=str(shots / f"{tag}-lesson.png"), full_page=True)
            continue
        click_and_load(page, "form button[type=submit]")  # Start the quiz / Try again
        attempt_id = page.url.rsplit("/", 1)[1]
        questions, answers = questions_and_answers(app, attempt_id)
        fill_quiz_by_mouse(page, questions, answers)
        click_and_load(page, "button[value=submit]")
        assert "You passed" in page.content(), page.content()
    raise AssertionError("the course never completed")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_the_whole_journey_in_the_browser(
    browser: Any, live_server: str, live_app: Flask, shots: Path, javascript: bool
):
    context = browser.new_context(
        java_script_enabled=javascript, viewport={"width": 390, "height": 844}
    )
    page = context.new_page()
    tag = "js" if javascript else "nojs"
    _register(page, live_server, "Juana Mamani")
    page.goto(f"{live_server}/courses/{COURSE}")
    click_and_load(page, "text=Enrol in this course")
    assert "/lessons/" in page.url
    _take_course_by_mouse(page, live_server, live_app, shots, tag)

    page.goto(f"{live_server}/my")
    assert "Completed" in page.content()
    page.screenshot(path=str(shots / f"{tag}-dashboard.png"), full_page=True)
    pdf_href = page.get_attribute("text=Download PDF", "href")
    pdf = page.request.get(f"{live_server}{pdf_href}")
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    click_and_load(page, "text=Public verification page")
    assert "This certificate is valid" in page.content()
    assert "Juana Mamani" in page.content()
    page.screenshot(path=str(shots / f"{tag}-verify.png"), full_page=True)
    context.close()


def _tab_to(page: Any, selector: str, limit: int = 200) -> None:
    """Press Tab until the element matching selector has the focus."""
    for _ in range(limit):
        if page.evaluate(
            "s => document.activeElement && document.activeElement.matches(s)", selector
        ):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{selector} cannot be reached with the Tab key")


def _answer_by_keyboard(page: Any, question: dict, value: Any) -> None:
    name = f"q-{question['id']}"
    kind = question["type"]
    if kind in ("single", "true_false"):
        wanted = value if kind == "single" else ("true" if value else "false")
        options = page.eval_on_selector_all(f'input[name="{name}"]', "els => els.map(e => e.value)")
        _tab_to(page, f'input[name="{name}"]')
        index = options.index(wanted)
        if index == 0:
            page.keyboard.press("Space")
        for _ in range(index):
            page.keyboard.press("ArrowDown")
        assert page.is_checked(f'input[name="{name}"][value="{wanted}"]')
    elif kind == "multiple":
        for option in value:
            _tab_to(page, f'input[name="{name}"][value="{option}"]')
            page.keyboard.press("Space")
    elif kind in ("short", "numerical"):
        _tab_to(page, f"#{name}")
        page.keyboard.type(str(value))
    elif kind == "matching":
        for left, right in value.items():
            selector = f"#{name}-{left}"
            _tab_to(page, selector)
            for _ in range(20):
                if page.eval_on_selector(selector, "e => e.value") == right:
                    break
                page.keyboard.press("ArrowDown")
            assert page.eval_on_selector(selector, "e => e.value") == right


def test_the_journey_works_with_the_keyboard_alone(browser: Any, live_server: str, live_app: Flask):
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server}/register")
    _tab_to(page, "#name")
    page.keyboard.type("Teclado Solo")
    _tab_to(page, "#email")
    page.keyboard.type(f"keyboard-{id(page)}@example.org")
    _tab_to(page, "#password")
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Teclado Solo" in page.content()
    page.goto(f"{live_server}/courses/{COURSE}")
    _tab_to(page, "form[action$='/enroll'] button")
    page.keyboard.press("Enter")
    page.wait_for_url("**/lessons/**")
    for _ in range(80):
        if "/lessons/" in page.url:
            _tab_to(page, ".next-prev a.btn")
            with page.expect_navigation():
                page.keyboard.press("Enter")
            continue
        if "/quizzes/" in page.url:
            _tab_to(page, "form[action$='/attempts'] button")
            page.keyboard.press("Enter")
            page.wait_for_url("**/attempts/**")
            attempt_id = page.url.rsplit("/", 1)[1]
            questions, answers = questions_and_answers(live_app, attempt_id)
            for question in questions:
                _answer_by_keyboard(page, question, answers[question["id"]])
            _tab_to(page, "button[value=submit]")
            page.keyboard.press("Enter")
            page.wait_for_url("**/result")
            assert "You passed" in page.content()
            if "Congratulations" in page.content():
                break
            _tab_to(page, "a.btn.secondary")
            with page.expect_navigation():
                page.keyboard.press("Enter")
            continue
        raise AssertionError(f"unexpected page {page.url}")
    assert "Congratulations" in page.content()
    _tab_to(page, "a[href*='/verify/']")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "This certificate is valid" in page.content()
    context.close()


def test_no_serious_accessibility_violations_on_the_journeys_pages(
    browser: Any, live_server: str, live_app: Flask, shots: Path
):
    if not AXE.exists():
        pytest.skip("axe-core is not installed (npm install --no-save axe-core)")
    axe_source = AXE.read_text()
    context = browser.new_context(bypass_csp=True, viewport={"width": 1200, "height": 900})
    page = context.new_page()
    found: dict[str, list[str]] = {}

    def audit(name: str) -> None:
        page.evaluate(axe_source)
        result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        bad = [
            f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        if bad:
            found[name] = bad
        page.screenshot(path=str(shots / f"axe-{name}.png"), full_page=True)

    page.goto(f"{live_server}/register")
    audit("register")
    page.goto(f"{live_server}/login")
    audit("login")
    _register(page, live_server, "Axe Auditor")
    page.goto(f"{live_server}/")
    audit("catalog")
    page.goto(f"{live_server}/courses/{COURSE}")
    audit("course")
    click_and_load(page, "text=Enrol in this course")
    audit("lesson")
    page.goto(f"{live_server}/courses/{COURSE}/quizzes/m1-quiz")
    audit("quiz")
    click_and_load(page, "form button[type=submit]")
    audit("attempt")
    attempt_id = page.url.rsplit("/", 1)[1]
    questions, answers = questions_and_answers(live_app, attempt_id)
    fill_quiz_by_mouse(page, questions, answers)
    click_and_load(page, "button[value=submit]")
    audit("result")
    page.goto(f"{live_server}/my")
    audit("dashboard")
    holder = register_api(live_app.test_client(), f"holder-{id(page)}@example.org", "Ana Holder")
    complete_course(live_app, holder, COURSE)
    code = holder.get("/api/v1/me/certificates").get_json()["items"][0]["code"]
    page.goto(f"{live_server}/verify/{code}")
    assert "This certificate is valid" in page.content()
    audit("verify")
    page.goto(f"{live_server}/verify/0000-0000-0000-0000")
    audit("not-found")
    assert found == {}, found

    # the audit itself must be able to fail: a planted image without alt text is caught
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<img src=\\'x.png\\'>')")
    audit("planted")
    assert "planted" in found and "image-alt" in found["planted"][0]
    context.close()


def test_an_author_uploads_a_package_with_a_progress_bar(
    browser: Any, live_server: str, live_app: Flask, tmp_path: Path
):
    from tests.conftest import make_user
    from tests.integration.test_authoring_api import COURSES, zipped

    make_user(live_app, "e2e-author@example.org", "author", "E2E Author")
    package = tmp_path / "course.zip"
    package.write_bytes(
        zipped(
            COURSES / "ctip-humanitarian",
            {"course.yaml": ("id: ctip-humanitarian", "id: e2e-upload")},
        )
    )
    broken = tmp_path / "broken.zip"
    broken.write_bytes(zipped(COURSES / "ctip-humanitarian", {"course.yaml": ("title:", "titel:")}))
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{live_server}/login")
    page.fill("#email", "e2e-author@example.org")
    page.fill("#password", "correct horse battery")
    click_and_load(page, "button[type=submit]")
    page.goto(f"{live_server}/authoring/")
    page.set_input_files("#file", str(broken))
    page.click("text=Upload and check")
    page.wait_for_selector("text=nothing was imported")
    assert "did you mean" in page.content()
    page.set_input_files("#file", str(package))
    page.click("text=Upload and check")
    page.wait_for_selector("text=Preview")
    assert page.url.endswith("/authoring/courses/e2e-upload")
    assert page.locator("#upload-progress").count() == 0  # the course page replaced the form
    context.close()


def test_answers_autosave_and_survive_a_reload(browser: Any, live_server: str, live_app: Flask):
    context = browser.new_context()
    page = context.new_page()
    _register(page, live_server, "Auto Saver")
    page.goto(f"{live_server}/courses/{COURSE}")
    click_and_load(page, "text=Enrol in this course")
    page.goto(f"{live_server}/courses/{COURSE}/quizzes/m1-quiz")
    click_and_load(page, "form button[type=submit]")
    attempt_url = page.url
    page.fill("#q-q2", "23")
    page.wait_for_selector("#autosave-status:has-text('Saved at')", timeout=10000)
    page.goto(attempt_url)  # a reload, or the same attempt opened on another device
    assert page.input_value("#q-q2") == "23"
    context.close()
