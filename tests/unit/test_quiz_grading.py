"""Attempt time: question selection, the public view, answer checks, grading and form answers."""

from __future__ import annotations

import functools
import json
import re
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from lms.quiz.grading import (
    AttemptGrade,
    aggregate_score,
    answers_from_form,
    check_answers,
    feedback_band,
    grade_attempt,
    public_questions,
    select_questions,
)
from lms.quiz.quizdef import Quiz, QuizSettings, parse_quiz, with_settings

SEED = 7_340_912_218_577

QUIZ = """\
title: Check
pass_mark: 75
questions:
  - id: s
    type: single
    prompt: Pick the treaty.
    feedback: Article 3 SECRET-GENERAL.
    options:
      - {text: Palermo, correct: true, feedback: SECRET-OPT-RIGHT}
      - {text: Geneva, feedback: SECRET-OPT-WRONG}
      - Vienna
  - id: m
    type: multiple
    prompt: Pick the elements.
    options:
      - {text: Act, weight: 50, feedback: SECRET-M-ACT}
      - {text: Means, weight: 50}
      - {text: Border, weight: -100}
  - {id: tf, type: true_false, prompt: Consent matters., answer: false,
     feedback_true: SECRET-TF-T, feedback_false: SECRET-TF-F}
  - {id: sh, type: short, prompt: "The ___ office.", answers: [{text: "ref*", feedback: SECRET-SH}]}
  - {id: n, type: numerical, prompt: "Year?", answers: [{value: 2000, feedback: SECRET-N}]}
  - id: mt
    type: matching
    prompt: Match them.
    feedback: SECRET-MT
    pairs:
      - {left: One, right: Uno}
      - {left: Two, right: Dos}
      - {left: Three, right: Tres}
      - {left: Four, right: Cuatro}
    distractors: [Cinco]
  - {id: e, type: essay, prompt: Explain., points: 4}
  - {id: d, type: description, prompt: Now the case study.}
feedback_bands:
  - {min: 0, text: Try *again*.}
  - {min: 75, text: Well done.}
"""
SECRETS = [
    "SECRET-GENERAL",
    "SECRET-OPT-RIGHT",
    "SECRET-OPT-WRONG",
    "SECRET-M-ACT",
    "SECRET-TF-T",
    "SECRET-TF-F",
    "SECRET-SH",
    "SECRET-N",
    "SECRET-MT",
]


@functools.cache
def _parsed() -> Quiz:
    quiz, problems = parse_quiz(yaml.safe_load(QUIZ), "q.yaml", lambda path: (1, 1), "q")
    assert problems == [] and quiz is not None
    return quiz


def make_quiz(**changes: Any) -> Quiz:
    """The test quiz, with settings changed as given."""
    quiz = _parsed()
    if changes:
        quiz = with_settings(quiz, QuizSettings(**{**quiz.settings.__dict__, **changes}))
    return quiz


def view_of(quiz: Quiz, seed: int = SEED) -> dict[str, dict[str, Any]]:
    ids = select_questions(quiz, seed)
    return {q["id"]: q for q in public_questions(quiz, ids, seed)}


def by_text(items: list[dict[str, Any]]) -> dict[str, str]:
    return {item["text_html"]: item["id"] for item in items}


def right_answers(quiz: Quiz, seed: int = SEED) -> dict[str, Any]:
    view = view_of(quiz, seed)
    options_s, options_m = by_text(view["s"]["options"]), by_text(view["m"]["options"])
    left, right = by_text(view["mt"]["left"]), by_text(view["mt"]["right"])
    pairs = {"One": "Uno", "Two": "Dos", "Three": "Tres", "Four": "Cuatro"}
    return {
        "s": options_s["Palermo"],
        "m": [options_m["Act"], options_m["Means"]],
        "tf": False,
        "sh": "Referral",
        "n": 2000,
        "mt": {left[k]: right[v] for k, v in pairs.items()},
    }


# --- selection ---------------------------------------------------------------------------------


def test_select_questions_in_file_order_by_default() -> None:
    assert select_questions(make_quiz(), SEED) == ["s", "m", "tf", "sh", "n", "mt", "e", "d"]


def test_shuffle_is_seeded_and_stable() -> None:
    quiz = make_quiz(shuffle_questions=True)
    first = select_questions(quiz, SEED)
    assert first == select_questions(quiz, SEED)
    assert sorted(first) == sorted(q.id for q in quiz.questions)
    orders = {tuple(select_questions(quiz, seed)) for seed in range(20)}
    assert len(orders) > 1


def test_draw_picks_a_seeded_subset_in_file_order() -> None:
    quiz = make_quiz(draw=3)
    order = [q.id for q in quiz.questions]
    picked = select_questions(quiz, SEED)
    assert len(picked) == 3 and picked == select_questions(quiz, SEED)
    assert picked == sorted(picked, key=order.index)
    assert len({tuple(select_questions(quiz, seed)) for seed in range(30)}) > 1
    assert len(select_questions(make_quiz(draw=3, shuffle_questions=True), SEED)) == 3


# --- the public view ---------------------------------------------------------------------------


def test_public_view_reveals_no_answer() -> None:
    quiz = make_quiz(shuffle_options=True)
    view = public_questions(quiz, select_questions(quiz, SEED), SEED)
    dumped = json.dumps(view)
    for secret in SECRETS:
        assert secret not in dumped
    assert "correct" not in dumped.lower() and "weight" not in dumped.lower()
    for question in view:
        assert set(question) <= {"id", "type", "prompt_html", "points", "options", "left", "right"}
        for key in ("options", "left", "right"):
            for item in question.get(key, []):
                assert set(item) == {"id", "text_html"}
                assert re.fullmatch(r"[0-9a-f]{8}", item["id"])


def test_public_view_shape_per_type() -> None:
    view = view_of(make_quiz())
    assert [o["text_html"] for o in view["s"]["options"]] == ["Palermo", "Geneva", "Vienna"]
    assert view["sh"]["prompt_html"] == "<p>The _____ office.</p>\n"
    assert view["e"]["points"] == 4 and view["d"]["points"] == 0
    for key in ("tf", "sh", "n", "e", "d"):
        assert not {"options", "left", "right"} & set(view[key])
    assert len(view["mt"]["right"]) == 5  # the four answers and the distractor


def test_matching_right_order_is_not_the_pairing_order() -> None:
    quiz = make_quiz()
    pairing = ["Uno", "Dos", "Tres", "Cuatro", "Cinco"]
    shown = [r["text_html"] for r in view_of(quiz)["mt"]["right"]]
    assert shown != pairing and sorted(shown) == sorted(pairing)
    assert [x["text_html"] for x in view_of(quiz)["mt"]["left"]] == ["One", "Two", "Three", "Four"]
    orders = {tuple(r["text_html"] for r in view_of(quiz, s)["mt"]["right"]) for s in range(20)}
    assert len(orders) > 5


def test_public_view_is_stable_per_seed_and_differs_across_seeds() -> None:
    quiz = make_quiz(shuffle_options=True, shuffle_questions=True)
    ids = select_questions(quiz, SEED)
    assert public_questions(quiz, ids, SEED) == public_questions(quiz, ids, SEED)
    assert public_questions(quiz, ids, SEED) != public_questions(quiz, ids, SEED + 1)
    orders = {tuple(o["text_html"] for o in view_of(quiz, s)["s"]["options"]) for s in range(20)}
    assert len(orders) > 1


def test_unknown_question_ids_are_skipped() -> None:
    quiz = make_quiz()
    assert [q["id"] for q in public_questions(quiz, ["zz", "s", "s"], SEED)] == ["s"]


# --- answer checks -----------------------------------------------------------------------------


def test_check_answers_accepts_right_shapes_and_missing_answers() -> None:
    quiz = make_quiz()
    ids = select_questions(quiz, SEED)
    answers = {**right_answers(quiz), "e": "An essay.", "n": "2000,0"}
    assert check_answers(quiz, ids, answers, SEED) == {}
    assert check_answers(quiz, ids, {}, SEED) == {}
    assert check_answers(quiz, ids, {"s": None}, SEED) == {}
    assert check_answers(quiz, ids, {"n": "3.5"}, SEED) == {}


def test_check_answers_reports_each_shape_error() -> None:
    quiz = make_quiz()
    ids = select_questions(quiz, SEED)
    good = right_answers(quiz)
    bad = {
        "zz": "x",
        "s": "not-an-option",
        "m": good["s"],
        "tf": "false",
        "sh": "x" * 10_001,
        "n": "two thousand",
        "mt": {"nope": "x"},
        "e": 12,
        "d": "text",
    }
    errors = check_answers(quiz, ids, bad, SEED)
    assert set(errors) == set(bad)
    assert all(isinstance(m, str) and m.endswith(".") for m in errors.values())
    assert check_answers(quiz, ids, ["s"], SEED) == {
        "answers": "Answers must be an object that maps question ids to answers."
    }
    assert "m" in check_answers(quiz, ids, {"m": [good["s"]]}, SEED)
    right_id = next(iter(good["mt"].values()))
    assert "mt" in check_answers(quiz, ids, {"mt": {right_id: right_id}}, SEED)


# --- grading -----------------------------------------------------------------------------------


def test_all_right_scores_full_marks_but_waits_for_the_essay() -> None:
    quiz = make_quiz()
    ids = select_questions(quiz, SEED)
    grade = grade_attempt(quiz, ids, {**right_answers(quiz), "e": "My essay."}, SEED)
    assert isinstance(grade, AttemptGrade)
    assert (grade.points, grade.max_points) == (6.0, 10.0)
    assert grade.score_percent == 60.0
    assert grade.needs_manual_grading and grade.passed is None
    essay = next(g for g in grade.questions if g.id == "e")
    assert essay.needs_manual_grading and not essay.correct and essay.max_score == 4


def test_grade_without_essay_passes_and_collects_feedback() -> None:
    quiz = make_quiz()
    ids = [i for i in select_questions(quiz, SEED) if i != "e"]
    grade = grade_attempt(quiz, ids, right_answers(quiz), SEED)
    assert (grade.points, grade.max_points, grade.score_percent) == (6.0, 6.0, 100.0)
    assert grade.passed is True and not grade.needs_manual_grading
    by_id = {g.id: g for g in grade.questions}
    assert all(g.correct for g in grade.questions)
    assert "SECRET-OPT-RIGHT" in by_id["s"].feedback_html
    assert "SECRET-GENERAL" in by_id["s"].feedback_html
    assert by_id["tf"].feedback_html == "<p>SECRET-TF-F</p>\n"
    assert by_id["mt"].feedback_html == "<p>SECRET-MT</p>\n"


def test_partial_and_wrong_answers() -> None:
    quiz = make_quiz()
    ids = ["s", "m", "tf", "mt"]
    good = right_answers(quiz)
    options_s = by_text(view_of(quiz)["s"]["options"])
    first_left = next(iter(good["mt"]))
    answers = {
        "s": options_s["Geneva"],
        "m": good["m"][:1],
        "tf": True,
        "mt": {k: v for k, v in good["mt"].items() if k != first_left},
    }
    grade = grade_attempt(quiz, ids, answers, SEED)
    scores = {g.id: g.score for g in grade.questions}
    assert scores == {"s": 0.0, "m": 0.5, "tf": 0.0, "mt": 0.75}
    assert grade.score_percent == 31.25 and grade.passed is False
    assert not any(g.correct for g in grade.questions)
    feedback = {g.id: g.feedback_html for g in grade.questions}
    assert "SECRET-OPT-WRONG" in feedback["s"] and "SECRET-M-ACT" in feedback["m"]


def test_bad_shapes_score_zero_and_no_points_is_full_marks() -> None:
    quiz = make_quiz()
    grade = grade_attempt(quiz, ["s", "m", "n"], {"s": 3, "m": "x", "n": "abc"}, SEED)
    assert grade.points == 0 and grade.score_percent == 0
    only_description = grade_attempt(quiz, ["d"], {}, SEED)
    assert only_description.max_points == 0 and only_description.score_percent == 100.0
    assert only_description.passed is True
    assert grade_attempt(quiz, ["s"], "garbage", SEED).points == 0


def test_aggregate_score() -> None:
    scores = [40.0, 90.0, 70.0]
    assert aggregate_score("highest", scores) == 90.0
    assert aggregate_score("last", scores) == 70.0
    assert aggregate_score("first", scores) == 40.0
    assert aggregate_score("average", scores) == 66.67
    for method in ("highest", "last", "first", "average"):
        assert aggregate_score(method, []) is None
    with pytest.raises(ValueError):
        aggregate_score("best", scores)


def test_feedback_band() -> None:
    quiz = make_quiz()
    assert feedback_band(quiz, 10) == "<p>Try <em>again</em>.</p>\n"
    assert feedback_band(quiz, 75) == "<p>Well done.</p>\n"
    quiz_no_bands = Quiz(quiz.id, quiz.title, quiz.settings, quiz.questions, ())
    assert feedback_band(quiz_no_bands, 50) is None


# --- forms -------------------------------------------------------------------------------------


class FakeMultiDict(dict[str, list[str]]):
    """Like werkzeug's MultiDict: [] gives the first value, getlist all of them."""

    def __getitem__(self, key: str) -> Any:
        return super().__getitem__(key)[0]

    def getlist(self, key: str) -> list[str]:
        return list(super().get(key, []))


def test_answers_from_form() -> None:
    quiz = make_quiz()
    view = public_questions(quiz, select_questions(quiz, SEED), SEED)
    good = right_answers(quiz)
    form: dict[str, list[str]] = {
        "q-s": [good["s"]],
        "q-m": [*good["m"], ""],
        "q-tf": ["false"],
        "q-sh": ["Referral"],
        "q-n": ["1999,5"],
        "q-e": ["   "],
        "q-d": ["ignored"],
        "csrf_token": ["x"],
    }
    for left, right in good["mt"].items():
        form[f"q-mt-{left}"] = [right]
    answers = answers_from_form(view, form)
    assert answers == {**good, "n": 1999.5}
    assert answers_from_form(view, FakeMultiDict(form)) == answers
    odd = answers_from_form(view, {"q-n": ["lots"], "q-tf": ["maybe"], "q-s": [""]})
    assert odd == {"n": "lots", "tf": "maybe"}
    assert set(check_answers(quiz, [q["id"] for q in view], odd, SEED)) == {"n", "tf"}
    assert answers_from_form(view, {}) == {}


# --- properties --------------------------------------------------------------------------------

json_like = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children)
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(
    st.integers(min_value=0, max_value=2**63),
    st.dictionaries(st.sampled_from(["s", "m", "tf", "sh", "n", "mt", "e", "d", "x"]), json_like)
    | json_like,
)
def test_grading_arbitrary_answers_never_raises(seed: int, answers: Any) -> None:
    quiz = make_quiz()
    ids = select_questions(quiz, seed)
    check_answers(quiz, ids, answers, seed)
    grade = grade_attempt(quiz, ids, answers, seed)
    assert 0 <= grade.points <= grade.max_points
    assert 0 <= grade.score_percent <= 100
    for question in grade.questions:
        assert 0 <= question.score <= question.max_score


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=0, max_value=2**63))
def test_right_answers_always_score_full_marks(seed: int) -> None:
    quiz = make_quiz(shuffle_options=True, shuffle_questions=True)
    ids = [i for i in select_questions(quiz, seed) if i != "e"]
    grade = grade_attempt(quiz, ids, right_answers(quiz, seed), seed)
    assert grade.score_percent == 100.0 and grade.passed is True
