"""Progress: facts in (items, views, quiz results), percent and completion out. Pure."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ItemFact:
    """An item of the learner's course version."""

    key: str
    kind: str  # lesson | quiz | scorm
    title: str = ""


@dataclass(frozen=True)
class QuizResult:
    """A quiz's graded result over all attempts (by its grading method)."""

    status: str  # not_started | incomplete | passed | failed | awaiting_grading
    score_percent: float | None


@dataclass(frozen=True)
class ItemStatus:
    kind: str
    status: str
    score_percent: float | None
    required: bool
    done: bool
    title: str = ""


@dataclass(frozen=True)
class Progress:
    percent: float
    completed: bool
    items: dict[str, ItemStatus]
    next_item: str | None


def required_kinds(rule: dict[str, str]) -> set[str]:
    """Which kinds of item the completion rule asks for."""
    kinds = set()
    if rule.get("lessons", "all") == "all":
        kinds.add("lesson")
    if rule.get("quizzes", "all") == "all":
        kinds.add("quiz")
    if rule.get("scorm", "all") == "all":
        kinds.add("scorm")
    return kinds


def compute_progress(
    items: list[ItemFact],
    viewed: set[str],
    quiz_results: dict[str, QuizResult],
    rule: dict[str, str],
) -> Progress:
    """Percent of required items done, whether the course is complete, and what comes next.

    A lesson is done once viewed; a quiz once passed. With nothing required (a rule of
    'none' everywhere) the course is complete once every item has been opened or tried.
    """
    kinds = required_kinds(rule)
    statuses: dict[str, ItemStatus] = {}
    for item in items:
        if item.kind == "lesson":
            status = "viewed" if item.key in viewed else "not_started"
            score = None
            done = status == "viewed"
        else:
            result = quiz_results.get(item.key, QuizResult("not_started", None))
            status, score = result.status, result.score_percent
            done = status in ("passed", "completed")
        statuses[item.key] = ItemStatus(
            item.kind, status, score, item.kind in kinds, done, item.title
        )
    required = [s for s in statuses.values() if s.required]
    if required:
        done_count = sum(1 for s in required if s.done)
        percent = round(100.0 * done_count / len(required), 1)
        completed = done_count == len(required)
    else:
        touched = [s for s in statuses.values() if s.status != "not_started"]
        percent = round(100.0 * len(touched) / len(statuses), 1) if statuses else 100.0
        completed = bool(statuses) and len(touched) == len(statuses)
    next_item = next((item.key for item in items if not statuses[item.key].done), None)
    return Progress(percent, completed, statuses, next_item)
