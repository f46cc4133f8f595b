"""Attempt time: which questions, what the learner sees, whether answers are well formed, scores.

Pure and deterministic: everything follows from the quiz and the integer seed stored with the
attempt. The seed must be unpredictable (e.g. secrets.randbits(63)) and never sent to the
learner, since option ids and orders derive from it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from lms.authoring.markup import render_markdown
from lms.quiz.questions import Question, parse_number, seeded_random
from lms.quiz.quizdef import GRADING_METHODS, Quiz


@dataclass(frozen=True)
class QuestionGrade:
    """One question's result; feedback_html is the chosen answer's plus the general feedback."""

    id: str
    correct: bool
    score: float
    max_score: float
    feedback_html: str
    needs_manual_grading: bool = False


@dataclass(frozen=True)
class AttemptGrade:
    """An attempt's result; passed is None while an essay awaits a person's grade."""

    points: float
    max_points: float
    score_percent: float
    passed: bool | None
    needs_manual_grading: bool
    questions: list[QuestionGrade]


def select_questions(quiz: Quiz, seed: int) -> list[str]:
    """The question ids of one attempt: a seeded draw when set, shuffled when asked, else all."""
    ids = [q.id for q in quiz.questions]
    rng = seeded_random(seed, "questions")
    draw = quiz.settings.draw
    if draw is not None and 0 < draw < len(ids):
        picked = sorted(rng.sample(range(len(ids)), draw))
        ids = [ids[i] for i in picked]
    if quiz.settings.shuffle_questions:
        rng.shuffle(ids)
    return ids


def _chosen(quiz: Quiz, question_ids: list[str]) -> list[Question]:
    """The attempt's questions in its order; unknown and repeated ids are skipped."""
    by_id = {q.id: q for q in quiz.questions}
    seen: set[str] = set()
    chosen: list[Question] = []
    for question_id in question_ids:
        question = by_id.get(question_id)
        if question is not None and question_id not in seen:
            seen.add(question_id)
            chosen.append(question)
    return chosen


def public_questions(quiz: Quiz, question_ids: list[str], seed: int) -> list[dict[str, Any]]:
    """The API's Question objects for an attempt: prompts and opaque choices, no right answers."""
    shuffle = quiz.settings.shuffle_options
    return [q.public(seed, shuffle) for q in _chosen(quiz, question_ids)]


def check_answers(
    quiz: Quiz, question_ids: list[str], answers: object, seed: int
) -> dict[str, str]:
    """Shape errors by question id ('answers' when answers is not a mapping); {} when fine."""
    if answers is None:
        return {}
    if not isinstance(answers, Mapping):
        return {"answers": "Answers must be an object that maps question ids to answers."}
    by_id = {q.id: q for q in _chosen(quiz, question_ids)}
    errors: dict[str, str] = {}
    for key, answer in answers.items():
        question = by_id.get(key) if isinstance(key, str) else None
        if question is None:
            errors[str(key)] = "There is no such question in this attempt."
            continue
        message = question.check(answer, seed)
        if message is not None:
            errors[question.id] = message
    return errors


def grade_attempt(quiz: Quiz, question_ids: list[str], answers: object, seed: int) -> AttemptGrade:
    """Grade every question of the attempt; missing or badly shaped answers score 0."""
    given: Mapping[Any, object] = answers if isinstance(answers, Mapping) else {}
    grades: list[QuestionGrade] = []
    for question in _chosen(quiz, question_ids):
        outcome = question.grade(given.get(question.id), seed)
        texts = (outcome.feedback, question.feedback)
        grades.append(
            QuestionGrade(
                id=question.id,
                correct=outcome.fraction >= 1.0 and not outcome.needs_manual_grading,
                score=round(question.points * min(1.0, max(0.0, outcome.fraction)), 6),
                max_score=question.points,
                feedback_html="".join(render_markdown(t) for t in texts if t.strip()),
                needs_manual_grading=outcome.needs_manual_grading,
            )
        )
    points = round(sum(g.score for g in grades), 6)
    max_points = round(sum(g.max_score for g in grades), 6)
    percent = 100.0 if max_points == 0 else min(100.0, round(points / max_points * 100, 2))
    manual = any(g.needs_manual_grading for g in grades)
    passed = None if manual else percent >= quiz.settings.pass_mark
    return AttemptGrade(points, max_points, percent, passed, manual, grades)


def aggregate_score(method: str, scores_in_order: list[float]) -> float | None:
    """The quiz's score over its graded attempts (oldest first) by highest|last|first|average."""
    if method not in GRADING_METHODS:
        raise ValueError(f"unknown grading method {method!r}")
    if not scores_in_order:
        return None
    if method == "highest":
        return max(scores_in_order)
    if method == "last":
        return scores_in_order[-1]
    if method == "first":
        return scores_in_order[0]
    return round(sum(scores_in_order) / len(scores_in_order), 2)


def feedback_band(quiz: Quiz, score_percent: float) -> str | None:
    """The overall feedback (sanitized HTML) of the highest band whose min <= score_percent."""
    text: str | None = None
    for low, band_text in quiz.feedback_bands:
        if low <= score_percent:
            text = band_text
    return None if text is None else render_markdown(text)


def _values(form: Mapping[str, Any], name: str) -> list[str]:
    """The non-empty values of a form field, from a MultiDict or a mapping of name -> list."""
    getlist = getattr(form, "getlist", None)
    raw = getlist(name) if callable(getlist) else form.get(name, [])
    if isinstance(raw, str):
        raw = [raw]
    return [v for v in raw if isinstance(v, str) and v.strip()]


def answers_from_form(
    public_questions: list[dict[str, Any]], form: Mapping[str, list[str]]
) -> dict[str, Any]:
    """Turn an HTML form post into the API's answers dict; empty fields are left out.

    Fields: q-<question id> (single, multiple (several), true_false, short, numerical, essay);
    q-<question id>-<left id> (matching). Malformed values are kept so check_answers says so.
    """
    answers: dict[str, Any] = {}
    for question in public_questions:
        qid, kind = str(question.get("id")), question.get("type")
        values = _values(form, f"q-{qid}")
        if kind == "matching":
            matched = {}
            for left in question.get("left") or []:
                chosen = _values(form, f"q-{qid}-{left['id']}")
                if chosen:
                    matched[str(left["id"])] = chosen[0]
            if matched:
                answers[qid] = matched
        elif kind == "description" or not values:
            continue
        elif kind == "multiple":
            answers[qid] = values
        elif kind == "true_false":
            flag = values[0].strip().lower()
            answers[qid] = {"true": True, "false": False}.get(flag, values[0])
        elif kind == "numerical":
            number = parse_number(values[0])
            answers[qid] = values[0] if number is None else number
        else:
            answers[qid] = values[0]
    return answers
