"""Quiz attempts and their graded answers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import db
from lms.timeutil import utcnow


class QuizAttempt(db.Model):  # type: ignore[name-defined]
    """One attempt at a quiz: the questions drawn for it, saved answers, and its grade.

    Two unique indexes make simultaneous starts one attempt: numbers never repeat, and at most
    one attempt per learner and quiz is open (not yet submitted) at a time.
    """

    __tablename__ = "quiz_attempts"
    __table_args__ = (
        UniqueConstraint("user_id", "course_id", "quiz_key", "number"),
        Index(
            "uq_quiz_attempts_open",
            "user_id",
            "course_id",
            "quiz_key",
            unique=True,
            sqlite_where=text("submitted_at IS NULL"),
            postgresql_where=text("submitted_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[str] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    course_version_id: Mapped[int] = mapped_column(ForeignKey("course_versions.id"))
    quiz_key: Mapped[str] = mapped_column(String(64))
    number: Mapped[int]
    seed: Mapped[int] = mapped_column(BigInteger)
    question_ids: Mapped[list[str]] = mapped_column(JSON)
    saved_answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    deadline: Mapped[datetime | None]
    submitted_at: Mapped[datetime | None]
    points: Mapped[float | None]
    max_points: Mapped[float | None]
    score_percent: Mapped[float | None]
    passed: Mapped[bool | None]

    answers: Mapped[list[AttemptAnswer]] = relationship(
        back_populates="attempt", cascade="all, delete-orphan", order_by="AttemptAnswer.position"
    )


class AttemptAnswer(db.Model):  # type: ignore[name-defined]
    """A submitted answer to one question, with its score: the raw material of item analysis."""

    __tablename__ = "attempt_answers"
    __table_args__ = (UniqueConstraint("attempt_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(
        ForeignKey("quiz_attempts.id", ondelete="CASCADE"), index=True
    )
    question_id: Mapped[str] = mapped_column(String(64))
    position: Mapped[int]
    answer: Mapped[Any] = mapped_column(JSON, nullable=True)
    score: Mapped[float]
    max_score: Mapped[float]
    correct: Mapped[bool]
    needs_grading: Mapped[bool] = mapped_column(default=False, index=True)
    grader_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    graded_at: Mapped[datetime | None]
    grader_feedback: Mapped[str | None] = mapped_column(Text)

    attempt: Mapped[QuizAttempt] = relationship(back_populates="answers")
