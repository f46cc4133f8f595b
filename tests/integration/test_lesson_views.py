"""A lesson view: the first is a fact (stored, progress recomputed); a re-read writes nothing
but the resume point, and refreshes the view's time only once it is old."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from sqlalchemy import delete, select, update

from lms.auth.models import ApiToken, User
from lms.extensions import db
from lms.learn.models import Enrollment, LessonView
from lms.timeutil import utcnow
from tests.conftest import Api, sign_in
from tests.integration.test_query_counts import counting

COURSE = "ctip-humanitarian"
FIRST, SECOND = "palermo-definition", "trafficking-vs-smuggling"


def _writes(statements: list[str]) -> list[str]:
    return [s for s in statements if s.lstrip().upper().startswith(("INSERT", "UPDATE"))]


def _view(app: Flask, lesson: str) -> LessonView:
    with app.app_context():
        found = db.session.scalar(select(LessonView).where(LessonView.item_key == lesson))
        assert found is not None
        db.session.expunge(found)
        return found


def _enrollment(app: Flask) -> Enrollment:
    with app.app_context():
        found = db.session.scalar(select(Enrollment).where(Enrollment.course_id == COURSE))
        assert found is not None
        db.session.expunge(found)
        return found


def test_a_first_view_is_stored_and_counted(app: Flask, learner: Api):
    learner.post(f"/api/v1/courses/{COURSE}/enrollment")
    before = learner.get(f"/api/v1/courses/{COURSE}/progress").get_json()["progress_percent"]
    with counting(app) as statements:
        page = learner.get(f"/api/v1/courses/{COURSE}/lessons/{FIRST}")
    assert page.status_code == 200
    assert any(s.lstrip().upper().startswith("INSERT") for s in statements)
    after = learner.get(f"/api/v1/courses/{COURSE}/progress").get_json()
    assert after["progress_percent"] > before
    assert _enrollment(app).last_item_key == FIRST


def test_re_reading_a_lesson_writes_nothing(app: Flask, learner: Api):
    learner.post(f"/api/v1/courses/{COURSE}/enrollment")
    learner.get(f"/api/v1/courses/{COURSE}/lessons/{FIRST}")
    first_seen = _view(app, FIRST).last_viewed_at
    with counting(app) as statements:
        again = learner.get(f"/api/v1/courses/{COURSE}/lessons/{FIRST}")
    assert again.status_code == 200
    assert again.get_json()["html"]
    assert _writes(statements) == []
    assert _view(app, FIRST).last_viewed_at == first_seen


def test_going_back_to_a_read_lesson_moves_the_resume_point(app: Flask, learner: Api):
    learner.post(f"/api/v1/courses/{COURSE}/enrollment")
    learner.get(f"/api/v1/courses/{COURSE}/lessons/{FIRST}")
    learner.get(f"/api/v1/courses/{COURSE}/lessons/{SECOND}")
    assert _enrollment(app).last_item_key == SECOND
    with counting(app) as statements:
        learner.get(f"/api/v1/courses/{COURSE}/lessons/{FIRST}")
    assert len(_writes(statements)) == 1  # the enrolment's resume point, nothing else
    assert _enrollment(app).last_item_key == FIRST


def test_an_old_view_gets_its_time_refreshed(app: Flask, learner: Api):
    learner.post(f"/api/v1/courses/{COURSE}/enrollment")
    learner.get(f"/api/v1/courses/{COURSE}/lessons/{FIRST}")
    long_ago = utcnow() - timedelta(hours=2)
    with app.app_context():
        db.session.execute(update(LessonView).values(last_viewed_at=long_ago))
        db.session.execute(update(Enrollment).values(last_activity_at=long_ago))
        db.session.commit()
    learner.get(f"/api/v1/courses/{COURSE}/lessons/{FIRST}")
    assert _view(app, FIRST).last_viewed_at > long_ago
    assert _enrollment(app).last_activity_at > long_ago
    assert _view(app, FIRST).first_viewed_at <= long_ago + timedelta(hours=2)


def test_a_lesson_page_re_read_is_one_statement_with_the_account_in_it(app: Flask, learner: Api):
    """The page reads the account in the statement that reads the learner's facts: a re-read
    through the session cookie runs that statement and nothing else."""
    learner.post(f"/api/v1/courses/{COURSE}/enrollment")
    browser = sign_in(app, "ana@example.org")
    assert browser.get(f"/courses/{COURSE}/lessons/{FIRST}").status_code == 200
    with counting(app) as statements:
        again = browser.get(f"/courses/{COURSE}/lessons/{FIRST}")
    assert again.status_code == 200
    assert len(statements) == 1, statements
    assert "users" in statements[0] and "lesson_views" in statements[0]
    assert "Ana Pérez" in again.get_data(as_text=True)  # the frame's name, from that row


def test_a_lesson_page_shows_the_account_as_it_is_now(app: Flask, learner: Api):
    """A name changed elsewhere (another server, the API) shows on the next lesson page."""
    learner.post(f"/api/v1/courses/{COURSE}/enrollment")
    browser = sign_in(app, "ana@example.org")
    assert "Ana Pérez" in browser.get(f"/courses/{COURSE}/lessons/{FIRST}").get_data(as_text=True)
    assert learner.patch("/api/v1/me", {"name": "Ana P. Quispe"}).status_code == 200
    page = browser.get(f"/courses/{COURSE}/lessons/{FIRST}").get_data(as_text=True)
    assert "Ana P. Quispe" in page and "Ana Pérez" not in page


def test_a_lesson_page_whose_account_is_gone_asks_to_sign_in(app: Flask, learner: Api):
    """A session cookie naming an account that no longer exists is nobody: the lesson page
    sends to the sign-in page (as every signed-in-only page does), never a 500."""
    browser = sign_in(app, "ana@example.org")
    with app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.email == "ana@example.org"))
        db.session.execute(delete(ApiToken).where(ApiToken.user_id == user_id))
        db.session.execute(delete(User).where(User.id == user_id))
        db.session.commit()
    response = browser.get(f"/courses/{COURSE}/lessons/{FIRST}")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    assert browser.get("/my").status_code == 302  # the same answer as login_required's


def test_a_lesson_page_without_a_session_asks_to_sign_in(app: Flask):
    response = app.test_client().get(f"/courses/{COURSE}/lessons/{FIRST}")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    assert "next=" in response.headers["Location"]


def test_a_lesson_page_with_a_bearer_token(app: Flask, learner: Api):
    learner.post(f"/api/v1/courses/{COURSE}/enrollment")
    page = learner.get(f"/courses/{COURSE}/lessons/{FIRST}")
    assert page.status_code == 200
    assert "Ana Pérez" in page.get_data(as_text=True)
