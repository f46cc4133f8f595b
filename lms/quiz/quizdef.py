"""A quiz: its settings, questions and feedback bands, parsed from native YAML and kept as JSON.

Pure: no Flask, no database. parse_quiz turns what yaml.safe_load returned into a Quiz or a
list of located Problems; quiz_to_json/quiz_from_json store it in a JSON column and back.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from lms.authoring.problems import Problem
from lms.quiz.questions import (
    Locate,
    Question,
    Reporter,
    YamlPath,
    did_you_mean,
    parse_question,
    question_from_json,
)

GRADING_METHODS = ("highest", "last", "first", "average")
REVIEW_MODES = ("after_submit", "after_pass", "never")
SETTING_KEYS = (
    "pass_mark",
    "max_attempts",
    "time_limit_seconds",
    "shuffle_questions",
    "shuffle_options",
    "draw",
    "grading",
    "review",
)
QUIZ_KEYS = ("id", "title", *SETTING_KEYS, "questions", "feedback_bands")
JSON_FORMAT = 1


@dataclass(frozen=True)
class QuizSettings:
    """How a quiz runs: pass mark (percent), attempts (0 = unlimited), timing, order, grading."""

    pass_mark: float = 80
    max_attempts: int = 0
    time_limit_seconds: int | None = None
    shuffle_questions: bool = False
    shuffle_options: bool = False
    draw: int | None = None
    grading: str = "highest"
    review: str = "after_submit"


@dataclass(frozen=True)
class Quiz:
    """A parsed quiz; feedback_bands are (min percent, Markdown text), sorted by min."""

    id: str
    title: str
    settings: QuizSettings
    questions: tuple[Question, ...]
    feedback_bands: tuple[tuple[float, str], ...] = ()

    def question(self, question_id: str) -> Question | None:
        """The question with this id, or None."""
        return next((q for q in self.questions if q.id == question_id), None)


def parse_settings(
    mapping: Mapping[Any, object],
    file: str,
    locate: Locate,
    base: QuizSettings,
    path_prefix: YamlPath = (),
    *,
    question_count: int | None = None,
) -> tuple[QuizSettings, list[Problem]]:
    """Read the setting keys of mapping over base (other keys are ignored: the caller checks them).

    Used for a quiz file's own keys and for overrides on the quiz item in course.yaml, which
    win. draw is checked against question_count when it is given.
    """
    rep = Reporter(file, locate)
    if not isinstance(mapping, Mapping):
        rep.add(path_prefix, "quiz settings must be a mapping of keys")
        return base, rep.problems
    values: dict[str, Any] = {}
    if "pass_mark" in mapping:
        values["pass_mark"] = rep.number(mapping, "pass_mark", path_prefix, base.pass_mark, 0, 100)
    if "max_attempts" in mapping:
        values["max_attempts"] = rep.integer(
            mapping, "max_attempts", path_prefix, base.max_attempts
        )
    for key in ("shuffle_questions", "shuffle_options"):
        if key in mapping:
            values[key] = rep.flag(mapping, key, path_prefix, getattr(base, key))
    for key in ("time_limit_seconds", "draw"):
        if key in mapping and mapping[key] is None:  # null clears a limit or draw from the file
            values[key] = None
        elif key in mapping:
            values[key] = rep.integer(mapping, key, path_prefix, getattr(base, key), lo=1)
    for key, choices in (("grading", GRADING_METHODS), ("review", REVIEW_MODES)):
        if mapping.get(key) is None:
            continue
        value = mapping[key]
        if isinstance(value, str) and value in choices:
            values[key] = value
        else:
            hint = did_you_mean(value, choices) if isinstance(value, str) else ""
            rep.add((*path_prefix, key), f"'{key}' must be one of {', '.join(choices)}{hint}")
    draw = values.get("draw", base.draw)
    if question_count is not None and draw is not None and draw > question_count:
        rep.add(
            (*path_prefix, "draw"),
            f"'draw' is {draw} but the quiz has only {question_count} questions",
        )
    return dataclasses.replace(base, **values), rep.problems


def parse_quiz(
    data: object, file: str, locate: Locate, default_id: str
) -> tuple[Quiz | None, list[Problem]]:
    """Parse a native YAML quiz: (Quiz, []) when it is valid, else (None, every problem)."""
    rep = Reporter(file, locate)
    if data is None:
        rep.add((), "the quiz file is empty: it needs at least 'questions'")
        return None, rep.problems
    if not isinstance(data, Mapping):
        rep.add((), "a quiz file must be a mapping of keys such as 'title' and 'questions'")
        return None, rep.problems
    rep.keys(data, QUIZ_KEYS, ())
    quiz_id = default_id
    if data.get("id") is not None:
        quiz_id = rep.as_text(data["id"], ("id",), "'id'") or default_id
        if not quiz_id.strip():
            rep.add(("id",), "'id' is empty")
    title = rep.text(data, "title", ()) or quiz_id
    raw_questions = rep.items(data, "questions", (), required=True, at_least=1)
    questions: list[Question] = []
    first_index: dict[str, int] = {}
    for index, raw in enumerate(raw_questions):
        question = parse_question(raw, index, ("questions", index), rep)
        if question is None:
            continue
        if question.id in first_index:
            given = isinstance(raw, Mapping) and raw.get("id") is not None
            other = first_index[question.id] + 1
            message = f"duplicate question id '{question.id}' (question {other} has it too)"
            if not given:
                message = (
                    f"question {index + 1} gets the id '{question.id}', which question {other} "
                    "already has: give one of them another 'id'"
                )
            rep.add(("questions", index, "id"), message)
        else:
            first_index[question.id] = index
        questions.append(question)
    count = len(raw_questions) or None
    settings, problems = parse_settings(
        data, file, locate, QuizSettings(), (), question_count=count
    )
    rep.problems.extend(problems)
    bands = _parse_bands(data, rep)
    if rep.problems:
        return None, rep.problems
    return Quiz(quiz_id, title, settings, tuple(questions), bands), []


def _parse_bands(data: Mapping[Any, object], rep: Reporter) -> tuple[tuple[float, str], ...]:
    """feedback_bands: [{min, text}], min in 0..100 and unique; returned sorted by min."""
    bands: dict[float, str] = {}
    for i, raw in enumerate(rep.items(data, "feedback_bands", ())):
        where: YamlPath = ("feedback_bands", i)
        band = rep.mapping(raw, where, "a feedback band")
        if band is None:
            continue
        rep.keys(band, ("min", "text"), where)
        if band.get("min") is None:
            rep.add(where, "missing 'min'")
        low = rep.number(band, "min", where, 0.0, 0, 100)
        text = rep.text(band, "text", where, required=True)
        if low in bands:
            rep.add((*where, "min"), f"two feedback bands start at {low:g}")
        bands[low] = text
    return tuple(sorted(bands.items()))


def with_settings(quiz: Quiz, settings: QuizSettings) -> Quiz:
    """The quiz with other settings (e.g. overrides from the quiz item in course.yaml)."""
    return dataclasses.replace(quiz, settings=settings)


def quiz_to_json(quiz: Quiz) -> dict[str, Any]:
    """A JSON-serializable dict of the whole quiz, right answers included: server side only."""
    return {
        "format": JSON_FORMAT,
        "id": quiz.id,
        "title": quiz.title,
        "settings": dataclasses.asdict(quiz.settings),
        "questions": [q.to_json() for q in quiz.questions],
        "feedback_bands": [[low, text] for low, text in quiz.feedback_bands],
    }


def quiz_from_json(data: Mapping[str, Any]) -> Quiz:
    """Rebuild the Quiz that quiz_to_json stored (raises KeyError/ValueError on foreign data)."""
    if data.get("format") != JSON_FORMAT:
        raise ValueError(f"unknown quiz JSON format {data.get('format')!r}")
    raw = data["settings"]
    settings = QuizSettings(
        pass_mark=float(raw["pass_mark"]),
        max_attempts=int(raw["max_attempts"]),
        time_limit_seconds=_optional_int(raw["time_limit_seconds"]),
        shuffle_questions=bool(raw["shuffle_questions"]),
        shuffle_options=bool(raw["shuffle_options"]),
        draw=_optional_int(raw["draw"]),
        grading=str(raw["grading"]),
        review=str(raw["review"]),
    )
    return Quiz(
        id=str(data["id"]),
        title=str(data["title"]),
        settings=settings,
        questions=tuple(question_from_json(q) for q in data["questions"]),
        feedback_bands=tuple((float(low), str(text)) for low, text in data["feedback_bands"]),
    )


def _optional_int(value: Any) -> int | None:
    return None if value is None else int(value)
