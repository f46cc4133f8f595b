"""Progress is computed from facts alone."""

from __future__ import annotations

from lms.learn.progress import ItemFact, QuizResult, compute_progress

ITEMS = [ItemFact("a", "lesson"), ItemFact("b", "lesson"), ItemFact("q", "quiz")]
ALL = {"lessons": "all", "quizzes": "all"}


def test_nothing_done_is_zero_percent_and_next_is_first_item() -> None:
    progress = compute_progress(ITEMS, set(), {}, ALL)
    assert progress.percent == 0
    assert not progress.completed
    assert progress.next_item == "a"
    assert progress.items["q"].status == "not_started"


def test_viewed_lessons_count_and_failed_quiz_does_not() -> None:
    progress = compute_progress(ITEMS, {"a", "b"}, {"q": QuizResult("failed", 40.0)}, ALL)
    assert progress.percent == 66.7
    assert not progress.completed
    assert progress.next_item == "q"
    assert progress.items["q"].score_percent == 40.0


def test_all_lessons_viewed_and_quiz_passed_completes() -> None:
    progress = compute_progress(ITEMS, {"a", "b"}, {"q": QuizResult("passed", 90.0)}, ALL)
    assert progress.percent == 100
    assert progress.completed
    assert progress.next_item is None


def test_rule_without_lessons_needs_only_quizzes() -> None:
    rule = {"lessons": "none", "quizzes": "all"}
    progress = compute_progress(ITEMS, set(), {"q": QuizResult("passed", 80.0)}, rule)
    assert progress.completed
    assert progress.items["a"].required is False


def test_rule_requiring_nothing_completes_when_everything_was_opened() -> None:
    rule = {"lessons": "none", "quizzes": "none"}
    assert not compute_progress(ITEMS, {"a"}, {}, rule).completed
    progress = compute_progress(ITEMS, {"a", "b"}, {"q": QuizResult("failed", 0.0)}, rule)
    assert progress.completed


def test_empty_course_is_not_complete() -> None:
    assert not compute_progress([], set(), {}, ALL).completed
