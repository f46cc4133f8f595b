"""Question types and quiz parsing: each type parsed and graded, problems located, JSON kept."""

from __future__ import annotations

import json
from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from lms.authoring.problems import Problem
from lms.quiz.questions import (
    QUESTION_TYPES,
    DescriptionQuestion,
    EssayQuestion,
    MatchingQuestion,
    MultipleQuestion,
    NumericalQuestion,
    Question,
    Reporter,
    ShortQuestion,
    SingleQuestion,
    TrueFalseQuestion,
    opaque_ids,
    parse_question,
    render_prompt,
)
from lms.quiz.quizdef import (
    Quiz,
    QuizSettings,
    parse_quiz,
    parse_settings,
    quiz_from_json,
    quiz_to_json,
    with_settings,
)

SEED = 20240611

SPEC_QUIZ = """\
id: m1
title: Module 1 check
pass_mark: 80
max_attempts: 3
time_limit_seconds: 1200
shuffle_questions: true
shuffle_options: true
draw: 10
grading: highest
review: after_submit
questions:
  - id: q1
    type: single
    points: 1
    prompt: Which instrument defines trafficking in persons in international law?
    options:
      - text: The Palermo Protocol (2000)
        correct: true
        feedback: "Right: Article 3 gives the definition."
      - text: The Refugee Convention (1951)
    feedback: General feedback shown after the attempt.
  - id: q2
    type: multiple
    prompt: Which are elements of the definition?
    options:
      - {text: The act, weight: 33.3333}
      - {text: The means, weight: 33.3333}
      - {text: The purpose, weight: 33.3334}
      - {text: Crossing a border, weight: -100}
  - {id: q3, type: true_false, prompt: Consent is irrelevant once any means is used., answer: true}
  - {id: q4, type: short, prompt: "Acronym?", answers: [{text: CORETT}, {text: "C*T", weight: 50}]}
  - {id: q5, type: numerical, prompt: "In which year?", answers: [{value: 2000, tolerance: 0}]}
  - id: q6
    type: matching
    prompt: Match each term to its meaning.
    pairs:
      - {left: Smuggling, right: Crime against a state}
      - {left: Trafficking, right: Crime against a person}
    distractors: [A civil offence]
  - {id: q7, type: numerical, prompt: "Pi?", answers: [{min: 3.141, max: 3.142}, {value: 3.14, weight: 50}]}
  - {id: q8, type: true_false, prompt: "Sky is green.", answer: false, feedback_true: "No.", feedback_false: "Yes."}
  - {id: q9, type: single, prompt: "Referred through the ___ mechanism.", options: [{text: national referral, correct: true}, local]}
  - {id: q10, type: essay, prompt: Describe how you would refer a victim., points: 5}
  - {id: q11, type: description, prompt: The next questions are about the case study.}
feedback_bands:
  - {min: 0, text: Review module 1 before you try again.}
  - {min: 80, text: Well done.}
"""  # noqa: E501


def anywhere(path: tuple[str | int, ...]) -> tuple[int, int]:
    """A locate that knows nothing: every problem at 1:1."""
    return (1, 1)


def yaml_locate(text: str) -> Any:
    """A real locate over PyYAML nodes: the key's position, else the nearest ancestor's."""
    root = yaml.compose(text)
    assert root is not None

    def locate(path: tuple[str | int, ...]) -> tuple[int, int]:
        node: yaml.Node = root
        where = (node.start_mark.line + 1, node.start_mark.column + 1)
        for part in path:
            if isinstance(node, yaml.MappingNode):
                match = [(k, v) for k, v in node.value if k.value == str(part)]
                if not match:
                    break
                key, node = match[0]
                where = (key.start_mark.line + 1, key.start_mark.column + 1)
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
                if part >= len(node.value):
                    break
                node = node.value[part]
                where = (node.start_mark.line + 1, node.start_mark.column + 1)
            else:
                break
        return where

    return locate


def load(text: str, default_id: str = "quiz") -> tuple[Quiz | None, list[Problem]]:
    """Parse quiz YAML text with a real locate."""
    return parse_quiz(yaml.safe_load(text), "quizzes/t.yaml", yaml_locate(text), default_id)


def one(question: dict[str, Any]) -> tuple[Question | None, list[Problem]]:
    """Parse one question mapping alone."""
    rep = Reporter("quizzes/t.yaml", anywhere)
    return parse_question(question, 0, ("questions", 0), rep), rep.problems


def ok(question: dict[str, Any]) -> Any:
    """Parse one question that must be valid."""
    parsed, problems = one(question)
    assert problems == [], problems
    assert parsed is not None
    return parsed


def messages(problems: list[Problem]) -> str:
    return "\n".join(str(p) for p in problems)


def option_id(question: Question, text: str) -> str:
    """The public id of the option with this text."""
    for option in question.public(SEED)["options"]:
        if option["text_html"] == text:
            return str(option["id"])
    raise AssertionError(text)


# --- the spec's example ------------------------------------------------------------------------


def test_spec_example_parses_into_every_type() -> None:
    quiz, problems = load(SPEC_QUIZ)
    assert problems == []
    assert quiz is not None
    assert quiz.id == "m1" and quiz.title == "Module 1 check"
    assert quiz.settings == QuizSettings(80, 3, 1200, True, True, 10, "highest", "after_submit")
    kinds = [q.type_name for q in quiz.questions]
    assert (
        set(kinds)
        == set(QUESTION_TYPES)
        == {
            "single",
            "multiple",
            "true_false",
            "short",
            "numerical",
            "matching",
            "essay",
            "description",
        }
    )
    assert quiz.feedback_bands == (
        (0.0, "Review module 1 before you try again."),
        (80.0, "Well done."),
    )


def test_json_round_trip_is_exact() -> None:
    quiz, _ = load(SPEC_QUIZ)
    assert quiz is not None
    stored = json.loads(json.dumps(quiz_to_json(quiz)))
    rebuilt = quiz_from_json(stored)
    assert rebuilt == quiz
    assert quiz_to_json(rebuilt) == stored
    for question in quiz.questions:
        assert type(question).from_json(json.loads(json.dumps(question.to_json()))) == question


def test_defaults_id_title_and_question_ids() -> None:
    quiz, problems = load(
        "questions:\n  - {type: true_false, prompt: A, answer: true}\n"
        "  - {type: true_false, prompt: B, answer: false}\n",
        "stem",
    )
    assert problems == [] and quiz is not None
    assert (quiz.id, quiz.title) == ("stem", "stem")
    assert [q.id for q in quiz.questions] == ["q1", "q2"]
    assert quiz.settings == QuizSettings()


# --- single ------------------------------------------------------------------------------------


def test_single_grades_right_and_wrong_with_option_feedback() -> None:
    q = ok(
        {
            "type": "single",
            "prompt": "P",
            "feedback": "General.",
            "points": 2,
            "options": [{"text": "A", "correct": True, "feedback": "Yes A."}, "B"],
        }
    )
    assert isinstance(q, SingleQuestion) and q.points == 2
    right = q.grade(option_id(q, "A"), SEED)
    assert right.fraction == 1.0 and right.feedback == "Yes A."
    assert q.grade(option_id(q, "B"), SEED).fraction == 0.0
    assert q.grade("nonsense", SEED).fraction == 0.0
    assert q.check("nonsense", SEED) and q.check(option_id(q, "B"), SEED) is None


def test_single_with_weights_gives_partial_credit() -> None:
    q = ok(
        {
            "type": "single",
            "prompt": "P",
            "options": [
                {"text": "A", "weight": 100},
                {"text": "B", "weight": 50},
                {"text": "C", "weight": -50},
            ],
        }
    )
    assert q.grade(option_id(q, "B"), SEED).fraction == 0.5
    assert q.grade(option_id(q, "C"), SEED).fraction == 0.0


def test_single_needs_exactly_one_right_option() -> None:
    _, none = one({"type": "single", "prompt": "P", "options": ["A", "B"]})
    assert "no option is marked" in messages(none)
    _, two = one(
        {
            "type": "single",
            "prompt": "P",
            "options": [{"text": "A", "correct": True}, {"text": "B", "correct": True}],
        }
    )
    assert "2 options are marked correct" in messages(two)
    _, clash = one(
        {
            "type": "single",
            "prompt": "P",
            "options": [{"text": "A", "correct": True, "weight": 50}, "B"],
        }
    )
    assert "disagree" in messages(clash)
    _, short = one({"type": "single", "prompt": "P", "options": [{"text": "A", "correct": True}]})
    assert "at least 2" in messages(short)


# --- multiple ----------------------------------------------------------------------------------


def test_multiple_adds_weights_and_clamps() -> None:
    q = ok(
        {
            "type": "multiple",
            "prompt": "P",
            "points": 3,
            "options": [
                {"text": "A", "weight": 33.3333, "feedback": "fa"},
                {"text": "B", "weight": 33.3333},
                {"text": "C", "weight": 33.3334},
                {"text": "D", "weight": -100, "feedback": "fd"},
            ],
        }
    )
    assert isinstance(q, MultipleQuestion)
    a, b, c, d = (option_id(q, t) for t in "ABCD")
    assert q.grade([a, b, c], SEED).fraction == 1.0
    assert q.grade([a], SEED).fraction == 0.333333
    assert q.grade([a, b, c, d], SEED).fraction == 0.0
    assert q.grade([a, d], SEED).feedback == "fa\n\nfd"
    assert q.grade([], SEED).fraction == 0.0
    assert q.check(a, SEED) is not None and q.check([a, "zz"], SEED) is not None


def test_multiple_weights_not_summing_to_100_give_located_problem() -> None:
    text = (
        "questions:\n"
        "  - type: multiple\n"
        "    prompt: P\n"
        "    options:\n"
        "      - {text: A, weight: 50}\n"
        "      - {text: B, weight: 40}\n"
    )
    quiz, problems = load(text)
    assert quiz is None
    assert [(p.line, p.column) for p in problems] == [(4, 5)]
    assert "add up to 100, not 90" in problems[0].message
    assert problems[0].file == "quizzes/t.yaml"


def test_multiple_weight_out_of_range_and_correct_hint() -> None:
    _, problems = one(
        {
            "type": "multiple",
            "prompt": "P",
            "options": [{"text": "A", "weight": 150}, {"text": "B", "correct": True}],
        }
    )
    text = messages(problems)
    assert "between -100 and 100" in text and "instead of 'correct'" in text


# --- true/false, short, numerical --------------------------------------------------------------


def test_true_false() -> None:
    q = ok(
        {
            "type": "true_false",
            "prompt": "P",
            "answer": False,
            "feedback_true": "ft",
            "feedback_false": "ff",
        }
    )
    assert isinstance(q, TrueFalseQuestion)
    assert q.grade(False, SEED).fraction == 1.0 and q.grade(False, SEED).feedback == "ff"
    assert q.grade(True, SEED).fraction == 0.0 and q.grade(True, SEED).feedback == "ft"
    assert q.check("true", SEED) is not None
    _, missing = one({"type": "true_false", "prompt": "P"})
    assert "missing 'answer'" in messages(missing)
    _, wrong = one({"type": "true_false", "prompt": "P", "answer": "yes please"})
    assert "must be true or false" in messages(wrong)


def test_short_wildcards_case_whitespace_and_best_weight() -> None:
    q = ok(
        {
            "type": "short",
            "prompt": "P",
            "answers": [
                {"text": "CORETT", "feedback": "exact"},
                {"text": "C*T", "weight": 50, "feedback": "near"},
                {"text": "a\\*b", "weight": 20},
            ],
        }
    )
    assert isinstance(q, ShortQuestion) and not q.case_sensitive
    assert q.grade("  corett ", SEED).fraction == 1.0
    assert q.grade("corett", SEED).feedback == "exact"
    assert q.grade("Cat", SEED).fraction == 0.5 and q.grade("cat", SEED).feedback == "near"
    assert q.grade("c   big   t", SEED).fraction == 0.5
    assert q.grade("dog", SEED).fraction == 0.0
    assert q.grade("a*b", SEED).fraction == 0.2 and q.grade("axb", SEED).fraction == 0.0
    assert q.check("x" * 10_001, SEED) is not None and q.check(3, SEED) is not None


def test_short_case_sensitive_and_needs_a_full_answer() -> None:
    q = ok({"type": "short", "prompt": "P", "case_sensitive": True, "answers": ["Paris"]})
    assert q.grade("Paris", SEED).fraction == 1.0 and q.grade("paris", SEED).fraction == 0.0
    _, problems = one({"type": "short", "prompt": "P", "answers": [{"text": "a", "weight": 50}]})
    assert "no answer has weight 100" in messages(problems)


def test_numerical_tolerance_ranges_and_best_weight() -> None:
    q = ok(
        {
            "type": "numerical",
            "prompt": "P",
            "answers": [
                {"min": 3.141, "max": 3.142, "feedback": "pi"},
                {"value": 3.14, "weight": 50},
                {"value": 10, "tolerance": 0.5},
            ],
        }
    )
    assert isinstance(q, NumericalQuestion)
    assert q.grade(3.1415, SEED).fraction == 1.0 and q.grade(3.1415, SEED).feedback == "pi"
    assert q.grade("3,1415", SEED).fraction == 1.0
    assert q.grade(3.14, SEED).fraction == 0.5
    assert q.grade(9.5, SEED).fraction == 1.0 and q.grade(10.6, SEED).fraction == 0.0
    assert q.grade(2, SEED).fraction == 0.0
    assert q.check("abc", SEED) is not None and q.check(True, SEED) is not None
    assert q.check("3.5", SEED) is None


def test_numerical_shape_problems() -> None:
    _, problems = one(
        {
            "type": "numerical",
            "prompt": "P",
            "answers": [
                {"value": 1, "min": 0, "max": 2},
                {"min": 5, "max": 1},
                {"tolerance": 1},
                {"value": 1, "tolerance": -1},
            ],
        }
    )
    text = messages(problems)
    assert "not both" in text and "'min' is greater than 'max'" in text
    assert "missing 'value'" in text and "'tolerance' must be at least 0" in text


# --- matching, essay, description --------------------------------------------------------------


def matching() -> MatchingQuestion:
    q = ok(
        {
            "type": "matching",
            "prompt": "P",
            "points": 2,
            "pairs": [
                {"left": "Smuggling", "right": "State"},
                {"left": "Trafficking", "right": "Person"},
                {"left": "Forced labour", "right": "Person"},
            ],
            "distractors": ["Civil"],
        }
    )
    assert isinstance(q, MatchingQuestion)
    return q


def test_matching_partial_credit_per_pair() -> None:
    q = matching()
    view = q.public(SEED)
    left = {item["text_html"]: item["id"] for item in view["left"]}
    right = {item["text_html"]: item["id"] for item in view["right"]}
    assert sorted(right) == ["Civil", "Person", "State"]  # a shared right shows once
    full = {
        left["Smuggling"]: right["State"],
        left["Trafficking"]: right["Person"],
        left["Forced labour"]: right["Person"],
    }
    assert q.grade(full, SEED).fraction == 1.0
    two = {**full, left["Smuggling"]: right["Civil"]}
    assert q.grade(two, SEED).fraction == 2 / 3
    assert q.grade({left["Smuggling"]: right["State"]}, SEED).fraction == 1 / 3
    assert q.grade({"nope": right["State"]}, SEED).fraction == 0.0
    assert q.check({"nope": right["State"]}, SEED) is not None
    assert q.check({left["Smuggling"]: "nope"}, SEED) is not None
    assert q.check([right["State"]], SEED) is not None


def test_matching_problems() -> None:
    _, problems = one(
        {
            "type": "matching",
            "prompt": "P",
            "pairs": [{"left": "a", "right": "b"}],
            "distractors": ["b"],
        }
    )
    text = messages(problems)
    assert "at least 2" in text and "also a right answer" in text


def test_essay_needs_manual_grading() -> None:
    q = ok({"type": "essay", "prompt": "Describe.", "points": 5})
    assert isinstance(q, EssayQuestion)
    outcome = q.grade("My essay.", SEED)
    assert outcome.needs_manual_grading and outcome.fraction == 0.0
    assert not q.grade("   ", SEED).needs_manual_grading
    assert q.check("x" * 10_001, SEED) is not None


def test_description_has_no_points_and_nothing_to_answer() -> None:
    q = ok({"type": "description", "prompt": "Intro."})
    assert isinstance(q, DescriptionQuestion) and q.points == 0
    assert q.public(SEED)["points"] == 0
    assert q.check("anything", SEED) is not None
    _, problems = one({"type": "description", "prompt": "Intro.", "points": 2})
    assert "a description has no points" in messages(problems)


def test_blank_in_prompt_shows_as_five_underscores() -> None:
    assert "the _____ mechanism" in render_prompt("the ___ mechanism")
    assert "a _____ b" in render_prompt("a ________ b")
    assert "__init" not in render_prompt("x")


# --- problems ----------------------------------------------------------------------------------


def test_unknown_key_did_you_mean_is_located() -> None:
    text = "pasmark: 70\nquestions:\n  - type: true_false\n    prompt: P\n    anwser: true\n"
    quiz, problems = load(text)
    assert quiz is None
    found = {p.message: (p.line, p.column) for p in problems}
    assert found["unknown key 'pasmark' (did you mean 'pass_mark'?)"] == (1, 1)
    assert found["unknown key 'anwser' (did you mean 'answer'?)"] == (5, 5)
    assert "missing 'answer' (true or false)" in found


def test_unknown_type_missing_prompt_and_wrong_types() -> None:
    _, typo = one({"type": "singel", "prompt": "P"})
    assert "unknown question type 'singel' (did you mean 'single'?)" in messages(typo)
    _, no_prompt = one({"type": "essay"})
    assert "missing 'prompt'" in messages(no_prompt)
    _, points = one({"type": "essay", "prompt": "P", "points": "many"})
    assert "'points' must be a number, not the text 'many'" in messages(points)
    _, prompt = one({"type": "essay", "prompt": ["a"]})
    assert "'prompt' must be text, not a list" in messages(prompt)
    _, no_type = one({"prompt": "P"})
    assert "missing 'type'" in messages(no_type)


def test_duplicate_question_ids_including_generated_ones() -> None:
    text = (
        "questions:\n"
        "  - {id: a, type: essay, prompt: P}\n"
        "  - {id: q3, type: essay, prompt: P}\n"
        "  - {type: essay, prompt: P}\n"
        "  - {id: a, type: essay, prompt: P}\n"
    )
    _, problems = load(text)
    text_of = messages(problems)
    assert "question 3 gets the id 'q3', which question 2 already has" in text_of
    assert "duplicate question id 'a' (question 1 has it too)" in text_of
    assert {p.line for p in problems} == {4, 5}


def test_quiz_file_that_is_not_a_mapping() -> None:
    for data in (None, [1, 2], "text", 3):
        quiz, problems = parse_quiz(data, "q.yaml", anywhere, "q")
        assert quiz is None and len(problems) == 1 and problems[0].line == 1
    quiz, problems = parse_quiz({"questions": []}, "q.yaml", anywhere, "q")
    assert quiz is None and "at least 1" in messages(problems)


def test_settings_ranges_and_choices() -> None:
    text = (
        "pass_mark: 120\nmax_attempts: -1\ngrading: highst\nreview: always\n"
        "shuffle_options: maybe\ntime_limit_seconds: 0\ndraw: 3\n"
        "questions:\n  - {type: essay, prompt: P}\n"
    )
    _, problems = load(text)
    text_of = messages(problems)
    assert "'pass_mark' must be between 0 and 100, not 120" in text_of
    assert "'max_attempts' must be at least 0" in text_of
    assert (
        "'grading' must be one of highest, last, first, average (did you mean 'highest'?)"
        in text_of
    )
    assert "'review' must be one of after_submit, after_pass, never" in text_of
    assert "'shuffle_options' must be true or false" in text_of
    assert "'time_limit_seconds' must be at least 1" in text_of
    assert "'draw' is 3 but the quiz has only 1 questions" in text_of
    assert len(problems) == 7


def test_item_overrides_win_and_are_located() -> None:
    quiz, _ = load(SPEC_QUIZ)
    assert quiz is not None
    override = {"pass_mark": 50, "draw": None, "grading": "last", "quiz": "quizzes/m1.yaml"}
    settings, problems = parse_settings(override, "course.yaml", anywhere, quiz.settings)
    assert problems == []
    assert (settings.pass_mark, settings.draw, settings.grading) == (50, None, "last")
    assert settings.max_attempts == 3  # from the file
    assert with_settings(quiz, settings).settings == settings
    seen: list[tuple[str | int, ...]] = []

    def locate(path: tuple[str | int, ...]) -> tuple[int, int]:
        seen.append(path)
        return (7, 9)

    prefix = ("modules", 0, "items", 2)
    _, bad = parse_settings({"max_attempts": "x"}, "course.yaml", locate, quiz.settings, prefix)
    assert bad == [
        Problem("course.yaml", 7, 9, "'max_attempts' must be a whole number, not the text 'x'")
    ]
    assert seen == [(*prefix, "max_attempts")]
    _, draw = parse_settings({"draw": 20}, "c.yaml", anywhere, quiz.settings, question_count=11)
    assert "only 11 questions" in messages(draw)


def test_feedback_band_problems() -> None:
    text = (
        "feedback_bands:\n  - {min: 0, text: a}\n  - {min: 0, text: b}\n  - {min: 101, text: c}\n"
        "  - {text: d}\nquestions:\n  - {type: essay, prompt: P}\n"
    )
    _, problems = load(text)
    text_of = messages(problems)
    assert "two feedback bands start at 0" in text_of
    assert "'min' must be between 0 and 100" in text_of and "missing 'min'" in text_of


def test_opaque_ids_are_short_unique_and_seeded() -> None:
    ids = opaque_ids(SEED, "q1", "option", 50)
    assert len(set(ids)) == 50 and all(len(i) == 8 for i in ids)
    assert opaque_ids(SEED, "q1", "option", 50) == ids
    assert opaque_ids(SEED + 1, "q1", "option", 50) != ids


# --- properties --------------------------------------------------------------------------------

scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12)
keys = st.sampled_from(
    [
        "id",
        "title",
        "type",
        "prompt",
        "points",
        "options",
        "text",
        "correct",
        "weight",
        "answers",
        "answer",
        "value",
        "min",
        "max",
        "tolerance",
        "pairs",
        "left",
        "right",
        "distractors",
        "questions",
        "draw",
        "pass_mark",
        "grading",
        "feedback_bands",
        "single",
        "multiple",
        "matching",
        "numerical",
        "short",
        "true_false",
        "essay",
        "description",
    ]
) | st.text(max_size=8)
yaml_like = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(keys | st.integers(), children, max_size=6)
    ),
    max_leaves=40,
)
question_like = st.fixed_dictionaries(
    {"type": st.sampled_from(sorted(QUESTION_TYPES)), "prompt": scalars},
    optional={k: yaml_like for k in ("options", "answers", "pairs", "answer", "points", "id")},
)


@settings(max_examples=300, deadline=None)
@given(yaml_like | st.dictionaries(keys, yaml_like, max_size=6))
def test_parse_quiz_never_raises(data: object) -> None:
    _check_contract(data)


@settings(max_examples=150, deadline=None)
@given(st.lists(question_like, min_size=1, max_size=4), st.dictionaries(keys, yaml_like))
def test_parse_quiz_never_raises_on_question_like_data(
    questions: list[dict[str, Any]], extra: dict[str, Any]
) -> None:
    _check_contract({**extra, "questions": questions})


words = st.text(min_size=1, max_size=15).filter(str.strip)
finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)
valid_question = st.one_of(
    st.builds(lambda p, a: {"type": "true_false", "prompt": p, "answer": a}, words, st.booleans()),
    st.builds(lambda p, n: {"type": "essay", "prompt": p, "points": n}, words, st.integers(0, 10)),
    st.builds(lambda p: {"type": "description", "prompt": p}, words),
    st.builds(lambda p, a: {"type": "short", "prompt": p, "answers": [a]}, words, words),
    st.builds(
        lambda p, v, t: {
            "type": "numerical",
            "prompt": p,
            "answers": [{"value": v, "tolerance": t}],
        },
        words,
        finite,
        st.floats(min_value=0, max_value=10),
    ),
    st.builds(
        lambda p, o: {
            "type": "single",
            "prompt": p,
            "options": [{"text": o[0], "correct": True}, *o[1:]],
        },
        words,
        st.lists(words, min_size=2, max_size=5, unique=True),
    ),
    st.builds(
        lambda p, lefts, rights: {
            "type": "matching",
            "prompt": p,
            "pairs": [
                {"left": left, "right": right} for left, right in zip(lefts, rights, strict=False)
            ],
        },
        words,
        st.lists(words, min_size=2, max_size=4, unique=True),
        st.lists(words, min_size=4, max_size=4),
    ),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(valid_question, min_size=1, max_size=6), st.integers(0, 2**63))
def test_valid_questions_parse_round_trip_and_show(
    questions: list[dict[str, Any]], seed: int
) -> None:
    quiz, problems = parse_quiz({"questions": questions}, "q.yaml", anywhere, "q")
    assert problems == [] and quiz is not None
    assert quiz_from_json(json.loads(json.dumps(quiz_to_json(quiz)))) == quiz
    for question in quiz.questions:
        json.dumps(question.public(seed, shuffle_options=True))
        assert question.grade(None, seed).fraction in (0.0, 1.0)


def _check_contract(data: object) -> None:
    quiz, problems = parse_quiz(data, "q.yaml", anywhere, "q")
    assert all(isinstance(p, Problem) for p in problems)
    if problems:
        assert quiz is None or isinstance(quiz, Quiz)
    else:
        assert isinstance(quiz, Quiz)
        assert quiz_from_json(json.loads(json.dumps(quiz_to_json(quiz)))) == quiz
