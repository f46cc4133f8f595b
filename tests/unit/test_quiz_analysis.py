"""Item analysis (lms.quiz.analysis): figures checked against hand-computed values.

Attempts are built as the app builds them: option ids come from public_questions with the
attempt's seed (so they are opaque and shuffled) and scores from grade_attempt.
"""

from __future__ import annotations

import ast
import csv
import io
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lms.authoring.markup import render_inline
from lms.quiz.analysis import (
    FLAG_NEGATIVE,
    FLAG_TOO_EASY,
    FLAG_TOO_HARD,
    FLAG_WEAK,
    NO_ANSWER,
    OTHER,
    AttemptRecord,
    QuestionStats,
    ResponseCount,
    analyse,
    considered,
    correlation,
    flags_for,
    matching_index,
    option_index,
    safe_cell,
    stats_csv,
)
from lms.quiz.grading import grade_attempt, public_questions, select_questions
from lms.quiz.questions import ChoiceQuestion, MatchingQuestion
from lms.quiz.quizdef import Quiz, parse_quiz

LOCATE = lambda path: (1, 1)  # noqa: E731


def make_quiz(data: dict[str, Any]) -> Quiz:
    quiz, problems = parse_quiz(data, "quiz.yaml", LOCATE, "quiz")
    assert quiz is not None, problems
    return quiz


QUIZ = make_quiz(
    {
        "title": "Protection basics",
        "shuffle_options": True,
        "questions": [
            {"id": "intro", "type": "description", "prompt": "Read the case first."},
            {"id": "easy", "type": "true_false", "prompt": "Everyone knows this.", "answer": True},
            {
                "id": "good",
                "type": "single",
                "points": 2,
                "prompt": "Which **instrument** defines [trafficking](https://example.org)?",
                "options": [
                    {"text": "Palermo Protocol", "correct": True},
                    "Refugee Convention",
                    "Vienna Convention",
                    "Geneva Convention",
                ],
            },
            {
                "id": "bad",
                "type": "single",
                "prompt": "A trick question.",
                "options": [{"text": "Right", "correct": True}, "Wrong", "Also wrong"],
            },
            {"id": "fill1", "type": "true_false", "prompt": "Filler one.", "answer": True},
            {"id": "fill2", "type": "true_false", "prompt": "Filler two.", "answer": False},
        ],
    }
)


def public(quiz: Quiz, seed: int, ids: list[str] | None = None) -> dict[str, dict[str, Any]]:
    ids = select_questions(quiz, seed) if ids is None else ids
    return {q["id"]: q for q in public_questions(quiz, ids, seed)}


def option_id(view: dict[str, Any], text: str, side: str = "options") -> str:
    """The attempt's opaque id of the option (or matching side) showing text."""
    return next(o["id"] for o in view[side] if o["text_html"] == render_inline(text))


def make_record(
    quiz: Quiz,
    user: int,
    seed: int,
    picks: dict[str, Any],
    number: int = 1,
    question_ids: list[str] | None = None,
    raw: dict[str, Any] | None = None,
) -> AttemptRecord:
    """An attempt answering by option text: str for single, list[str] for multiple, dict for
    matching (left text -> right text); other answers, and those in raw, are kept as given."""
    ids = select_questions(quiz, seed) if question_ids is None else question_ids
    views = public(quiz, seed, ids)
    answers: dict[str, Any] = {}
    for qid, pick in picks.items():
        kind = views[qid]["type"]
        if kind == "single" and isinstance(pick, str):
            answers[qid] = option_id(views[qid], pick)
        elif kind == "multiple" and isinstance(pick, list):
            answers[qid] = [option_id(views[qid], text) for text in pick]
        elif kind == "matching" and isinstance(pick, dict):
            answers[qid] = {
                option_id(views[qid], left, "left"): option_id(views[qid], right, "right")
                for left, right in pick.items()
            }
        else:
            answers[qid] = pick
    answers.update(raw or {})
    grade = grade_attempt(quiz, ids, answers, seed)
    scores = {g.id: g.score for g in grade.questions}
    return AttemptRecord(f"u{user}-{number}", user, number, seed, ids, answers, scores)


def by_id(stats: list[QuestionStats]) -> dict[str, QuestionStats]:
    return {s.question_id: s for s in stats}


def counts(stats: QuestionStats) -> dict[str, tuple[int, bool | None]]:
    return {r.label: (r.count, r.correct) for r in stats.responses}


# Four learners; scores per question (points: good 2, the others 1):
#            easy good bad fill1 fill2 | total
#   A (u1)    1    2    0    1     1   |  5
#   B (u2)    1    2    0    1     0   |  4
#   C (u3)    1    0    1    0     0   |  2
#   D (u4)    1    0    1    0     0   |  2
ROWS = {
    1: ("Palermo Protocol", "Wrong", True, False),
    2: ("Palermo Protocol", "Also wrong", True, True),
    3: ("Vienna Convention", "Right", False, True),
    4: ("Refugee Convention", "Right", False, True),
}


def four_learners(quiz: Quiz = QUIZ) -> list[AttemptRecord]:
    return [
        make_record(
            quiz,
            user,
            seed=7000 + 37 * user,
            picks={"easy": True, "good": good, "bad": bad, "fill1": fill1, "fill2": fill2},
        )
        for user, (good, bad, fill1, fill2) in ROWS.items()
    ]


def test_scores_come_from_the_grader_as_the_table_says():
    totals = [sum(r.scores.values()) for r in four_learners()]
    assert totals == [5, 4, 2, 2]


def test_question_everyone_gets_right_has_full_facility_and_no_discrimination():
    easy = by_id(analyse(QUIZ, four_learners()))["easy"]
    assert easy.attempts == 4
    assert easy.facility == 100
    assert easy.discrimination is None  # zero variance: the correlation is undefined
    assert easy.flags == [FLAG_TOO_EASY]
    assert counts(easy) == {"True": (4, True), "False": (0, False), NO_ANSWER: (0, None)}


def test_question_the_best_learners_get_right_discriminates_positively():
    good = by_id(analyse(QUIZ, four_learners()))["good"]
    # facility: mean 1 of max 2 -> 50. own x = [2, 2, 0, 0], rest y = total - x = [3, 2, 2, 2]:
    # dx = [1, 1, -1, -1], dy = [.75, -.25, -.25, -.25]; Sxy = 1, Sxx = 4, Syy = .75
    # r = 1 / sqrt(4 * .75) = 0.57735 -> 57.74
    assert good.facility == 50
    assert good.discrimination == pytest.approx(57.74)
    assert good.flags == []  # fewer than 10 attempts: never "weak"


def test_question_the_worst_learners_get_right_discriminates_negatively_and_is_flagged():
    bad = by_id(analyse(QUIZ, four_learners()))["bad"]
    # x = [0, 0, 1, 1], y = [5, 4, 1, 1]: dx = [-.5, -.5, .5, .5], dy = [2.25, 1.25, -1.75, -1.75]
    # Sxy = -3.5, Sxx = 1, Syy = 5.0625 + 1.5625 + 3.0625 + 3.0625 = 12.75
    # r = -3.5 / sqrt(12.75) = -0.98020 -> -98.02
    assert bad.facility == 50
    assert bad.discrimination == pytest.approx(-98.02)
    assert bad.flags == [FLAG_NEGATIVE]


def test_discrimination_matches_an_independent_pearson():
    import statistics

    records = four_learners()
    for stats in analyse(QUIZ, records):
        own = [r.scores[stats.question_id] for r in records]
        rest = [sum(r.scores.values()) - x for r, x in zip(records, own, strict=True)]
        if stats.discrimination is None:
            assert len(set(own)) < 2 or len(set(rest)) < 2
        else:
            expected = 100 * statistics.correlation(own, rest)
            assert stats.discrimination == pytest.approx(expected, abs=0.005)


def test_questions_come_in_quiz_order_without_descriptions():
    stats = analyse(QUIZ, four_learners())
    assert [s.question_id for s in stats] == ["easy", "good", "bad", "fill1", "fill2"]
    types = [s.type for s in stats]
    assert types == ["true_false", "single", "single", "true_false", "true_false"]


def test_prompt_is_plain_text_and_shortened():
    good = by_id(analyse(QUIZ, four_learners()))["good"]
    assert good.prompt == "Which instrument defines trafficking?"
    long = make_quiz(
        {"questions": [{"id": "q", "type": "true_false", "prompt": "word " * 60, "answer": True}]}
    )
    prompt = analyse(long, [])[0].prompt
    assert len(prompt) <= 120 and prompt.endswith("…") and "  " not in prompt


def test_shuffled_option_ids_map_back_to_the_quiz_options():
    records = four_learners()
    # the four attempts really saw different ids in different orders
    orders = [[o["id"] for o in public(QUIZ, r.seed)["good"]["options"]] for r in records]
    assert len({tuple(o) for o in orders}) == 4
    texts = [[o["text_html"] for o in public(QUIZ, r.seed)["good"]["options"]] for r in records]
    assert len({tuple(t) for t in texts}) > 1  # shuffle_options: the orders differ
    stats = by_id(analyse(QUIZ, records))
    assert stats["good"].responses == [
        ResponseCount("Palermo Protocol", 2, True),
        ResponseCount("Refugee Convention", 1, False),
        ResponseCount("Vienna Convention", 1, False),
        ResponseCount("Geneva Convention", 0, False),
        ResponseCount(NO_ANSWER, 0, None),
    ]
    assert counts(stats["bad"]) == {
        "Right": (2, True),
        "Wrong": (1, False),
        "Also wrong": (1, False),
        NO_ANSWER: (0, None),
    }


@pytest.mark.parametrize("seed", [0, 1, 2, 99, 123456789, 2**62])
def test_inverse_mappings_agree_with_public_questions(seed):
    quiz = make_quiz(
        {
            "shuffle_options": True,
            "questions": [
                {"id": "s", "type": "single", "prompt": "?", "options": [
                    {"text": f"option {i}", "correct": i == 0} for i in range(6)]},
                {"id": "m", "type": "matching", "prompt": "?", "pairs": [
                    {"left": f"l{i}", "right": f"r{i}"} for i in range(4)],
                 "distractors": ["d1", "d2"]},
            ],
        }
    )  # fmt: skip
    views = public(quiz, seed)
    single = quiz.question("s")
    assert isinstance(single, ChoiceQuestion)
    index = option_index(single, seed)
    for shown in views["s"]["options"]:
        assert render_inline(single.options[index[shown["id"]]].text) == shown["text_html"]
    matching = quiz.question("m")
    assert isinstance(matching, MatchingQuestion)
    lefts, rights = matching_index(matching, seed)
    for shown in views["m"]["left"]:
        assert render_inline(matching.pairs[lefts[shown["id"]]][0]) == shown["text_html"]
    for shown in views["m"]["right"]:
        assert render_inline(matching.choices()[rights[shown["id"]]]) == shown["text_html"]


def test_first_attempts_only_or_all():
    # u1's first attempt (number 1) is listed after the second one; u2 has a single attempt
    records = [
        make_record(QUIZ, 1, 501, {"good": "Palermo Protocol"}, number=2),
        make_record(QUIZ, 1, 502, {"good": "Vienna Convention"}, number=1),
        make_record(QUIZ, 2, 503, {"good": "Geneva Convention"}, number=1),
    ]
    first = by_id(analyse(QUIZ, records))  # "first" is the default
    assert first["good"].attempts == 2 and first["good"].facility == 0
    assert counts(first["good"])["Palermo Protocol"] == (0, True)
    every = by_id(analyse(QUIZ, records, "all"))
    assert every["good"].attempts == 3
    assert every["good"].facility == pytest.approx(100 / 3, abs=0.01)
    assert counts(every["good"])["Palermo Protocol"] == (1, True)
    assert [r.attempt_id for r in considered(records + records[:1], "all")] == [
        "u1-2",
        "u1-1",
        "u2-1",
    ]  # a repeated record counts once
    with pytest.raises(ValueError, match="first, all"):
        analyse(QUIZ, records, "last")


def test_drawn_questions_count_only_the_attempts_that_had_them():
    records = four_learners()
    without_bad = [q for q in records[0].question_ids if q != "bad"]
    records[0] = make_record(QUIZ, 1, 9001, {"easy": True, "good": "Palermo Protocol"}, 1,
                             without_bad)  # fmt: skip
    stats = by_id(analyse(QUIZ, records))
    assert stats["bad"].attempts == 3 and stats["good"].attempts == 4
    assert sum(r.count for r in stats["bad"].responses) == 3


def test_no_attempts_and_one_attempt_leave_the_figures_undefined():
    assert all(
        s.attempts == 0 and s.facility is None and s.discrimination is None and s.flags == []
        for s in analyse(QUIZ, [])
    )
    one = by_id(analyse(QUIZ, four_learners()[:1]))
    assert one["good"].facility == 100 and one["good"].discrimination is None


def test_unanswered_and_malformed_answers_count_as_no_answer():
    records = [
        make_record(QUIZ, 1, 1, {}, raw={"good": None, "bad": "not-an-id", "easy": "yes"}),
        make_record(QUIZ, 2, 2, {}),
        AttemptRecord("x", 3, 1, 3, ["good", "bad", "easy"], {"good": {"a": 1}}, {"good": None}),
    ]
    stats = by_id(analyse(QUIZ, records))
    for qid in ("good", "bad", "easy"):
        assert counts(stats[qid])[NO_ANSWER] == (3, None)
        assert stats[qid].facility == 0 and FLAG_TOO_HARD in stats[qid].flags


TYPES_QUIZ = make_quiz(
    {
        "shuffle_options": True,
        "questions": [
            {
                "id": "multi",
                "type": "multiple",
                "prompt": "Which are rights?",
                "options": [
                    {"text": "Life", "weight": 50},
                    {"text": "Liberty", "weight": 50},
                    {"text": "Profit", "weight": -100},
                ],
            },
            {
                "id": "city",
                "type": "short",
                "prompt": "Capital of France?",
                "answers": [{"text": "Paris"}, {"text": "Lutetia", "weight": 50}],
            },
            {
                "id": "num",
                "type": "numerical",
                "prompt": "Half of seven?",
                "answers": [{"value": 3.5, "tolerance": 0.01}],
            },
            {
                "id": "pairs",
                "type": "matching",
                "prompt": "Match the agencies.",
                "pairs": [
                    {"left": "UNHCR", "right": "Refugees"},
                    {"left": "UNICEF", "right": "Children"},
                ],
                "distractors": ["Trade"],
            },
            {"id": "essay", "type": "essay", "prompt": "Discuss."},
        ],
    }
)


def test_multiple_counts_each_ticked_option():
    records = [
        make_record(TYPES_QUIZ, 1, 11, {"multi": ["Life", "Liberty"]}),
        make_record(TYPES_QUIZ, 2, 12, {"multi": ["Life", "Profit"]}),
        make_record(TYPES_QUIZ, 3, 13, {"multi": []}),
        make_record(TYPES_QUIZ, 4, 14, {}),
    ]
    multi = by_id(analyse(TYPES_QUIZ, records))["multi"]
    assert multi.responses == [
        ResponseCount("Life", 2, True),
        ResponseCount("Liberty", 1, True),
        ResponseCount("Profit", 1, False),
        ResponseCount(NO_ANSWER, 2, None),
    ]
    assert multi.facility == 25  # scores 1, 0 (50 - 100 clamped), 0, 0


def test_short_answers_are_grouped_as_normalized_text_top_ten_then_other():
    given = [" Paris ", "paris", "PARIS", "Lutetia", "London", *[f"town {i}" for i in range(10)]]
    records = [make_record(TYPES_QUIZ, u, u, {"city": a}) for u, a in enumerate(given)]
    records.append(make_record(TYPES_QUIZ, 99, 99, {"city": "   "}))
    city = by_id(analyse(TYPES_QUIZ, records))["city"]
    rows = counts(city)
    assert rows["paris"] == (3, True)
    assert rows["lutetia"] == (1, False)  # partial credit is not "correct"
    assert len(city.responses) == 10 + 2  # top 10, other, no answer
    assert city.responses[0] == ResponseCount("paris", 3, True)
    assert rows[OTHER] == (15 - 3 - 9, None)
    assert rows[NO_ANSWER] == (1, None)


def test_numerical_answers_are_grouped_by_value():
    given: list[Any] = [3.5, "3,5", "3.50", 7, -3, "seven"]
    records = [make_record(TYPES_QUIZ, u, u, {"num": a}) for u, a in enumerate(given)]
    num = by_id(analyse(TYPES_QUIZ, records))["num"]
    assert counts(num) == {
        "3.5": (3, True),
        "7": (1, False),
        "-3": (1, False),
        NO_ANSWER: (1, None),  # not a number: the grader reads it as unanswered
    }


def test_matching_counts_the_pairs_chosen():
    records = [
        make_record(TYPES_QUIZ, 1, 21, {"pairs": {"UNHCR": "Refugees", "UNICEF": "Children"}}),
        make_record(TYPES_QUIZ, 2, 22, {"pairs": {"UNHCR": "Children", "UNICEF": "Trade"}}),
        make_record(TYPES_QUIZ, 3, 23, {"pairs": {"UNHCR": "Refugees"}}),
        make_record(TYPES_QUIZ, 4, 24, {}),
    ]
    pairs = by_id(analyse(TYPES_QUIZ, records))["pairs"]
    assert pairs.responses == [
        ResponseCount("UNHCR → Refugees", 2, True),
        ResponseCount("UNHCR → Children", 1, False),
        ResponseCount("UNICEF → Children", 1, True),
        ResponseCount("UNICEF → Trade", 1, False),
        ResponseCount(NO_ANSWER, 1, None),
    ]
    assert pairs.facility == pytest.approx((1 + 0 + 0.5 + 0) / 4 * 100)


def test_essay_counts_answers_only():
    records = [
        make_record(TYPES_QUIZ, 1, 31, {"essay": "A long answer."}),
        make_record(TYPES_QUIZ, 2, 32, {"essay": ""}),
    ]
    essay = by_id(analyse(TYPES_QUIZ, records))["essay"]
    assert counts(essay) == {"(answered)": (1, None), NO_ANSWER: (1, None)}


def test_flag_thresholds():
    assert flags_for(90.01, None, 1) == [FLAG_TOO_EASY]
    assert flags_for(90, None, 1) == []
    assert flags_for(19.99, None, 1) == [FLAG_TOO_HARD]
    assert flags_for(20, None, 1) == []
    assert flags_for(50, -0.01, 2) == [FLAG_NEGATIVE]
    assert flags_for(50, 0, 10) == [FLAG_WEAK]
    assert flags_for(50, 19.99, 10) == [FLAG_WEAK]
    assert flags_for(50, 19.99, 9) == []
    assert flags_for(50, 20, 10) == []
    assert flags_for(95, -50, 3) == [FLAG_TOO_EASY, FLAG_NEGATIVE]


def test_weak_discrimination_needs_ten_attempts():
    # 10 learners. Rest of the quiz for "fill1": easy 1 + good 2 (u < 5) + bad 1 (u even)
    # + fill2 1 (u < 3) = [5, 4, 5, 3, 4, 1, 2, 1, 2, 1]; fill1 right for u in 0, 1, 3, 5, 6.
    # y mean 2.8; rest sums 15 where x = 1 and 13 where x = 0: Sxy = .5 (15 - 14) - .5 (13 - 14)
    # = 1, Sxx = 10 * .25 = 2.5, Syy = 102 - 10 * 2.8^2 = 23.6
    # r = 1 / sqrt(2.5 * 23.6) = 0.1302 -> 13.02: positive but weak
    records = [
        make_record(
            QUIZ,
            u,
            300 + u,
            {
                "easy": True,
                "good": "Palermo Protocol" if u < 5 else "Vienna Convention",
                "bad": "Right" if u % 2 == 0 else "Wrong",
                "fill1": u in (0, 1, 3, 5, 6),
                "fill2": u >= 3,
            },
        )
        for u in range(10)
    ]
    fill1 = by_id(analyse(QUIZ, records))["fill1"]
    assert fill1.discrimination == pytest.approx(13.02)
    assert fill1.flags == [FLAG_WEAK]
    nine = by_id(analyse(QUIZ, records[:9]))["fill1"]
    assert nine.discrimination is not None and 0 <= nine.discrimination < 20
    assert nine.flags == []  # too few attempts to call it weak


def test_correlation_edge_cases():
    assert correlation([1.0], [2.0]) is None
    assert correlation([1.0, 1.0], [1.0, 2.0]) is None
    assert correlation([1 / 3] * 5, [0.1, 0.2, 0.3, 0.4, 0.5]) is None
    assert correlation([0.0, 1.0], [0.0, 2.0]) == pytest.approx(1.0)
    assert correlation([0.0, 1.0, math.nan], [0.0, 2.0, 1.0]) is None


def test_float_noise_in_totals_is_not_variance():
    quiz = make_quiz(
        {
            "questions": [
                {"id": "a", "type": "true_false", "prompt": "a", "answer": True},
                {"id": "b", "type": "true_false", "prompt": "b", "answer": True, "points": 0.1},
                {"id": "c", "type": "true_false", "prompt": "c", "answer": True, "points": 0.2},
            ]
        }
    )
    # rest of "a" is 0.1 + 0.2 for one learner and 0.3 for the other: the same score
    records = [
        AttemptRecord("1", 1, 1, 1, ["a", "b", "c"], {}, {"a": 1, "b": 0.1, "c": 0.2}),
        AttemptRecord("2", 2, 1, 2, ["a", "b", "c"], {}, {"a": 0, "b": 0.3, "c": 0.0}),
    ]
    assert by_id(analyse(quiz, records))["a"].discrimination is None


def read_csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_csv_has_a_question_table_a_blank_line_and_a_response_table():
    stats = analyse(QUIZ, four_learners())
    rows = read_csv(stats_csv(stats))
    assert rows[0] == [
        "question", "type", "prompt", "attempts", "facility", "discrimination", "flags",
    ]  # fmt: skip
    assert rows[1] == ["easy", "true_false", "Everyone knows this.", "4", "100", "", "too easy"]
    assert rows[2][:6] == ["good", "single", "Which instrument defines trafficking?", "4", "50",
                           "57.74"]  # fmt: skip
    assert rows[3][5:] == ["-98.02", "negative discrimination"]  # a number, not guarded text
    assert rows[6] == []
    assert rows[7] == ["question", "response", "count", "correct"]
    assert rows[8] == ["easy", "True", "4", "yes"]
    assert ["good", "Palermo Protocol", "2", "yes"] in rows
    assert ["good", NO_ANSWER, "0", ""] in rows
    assert len(rows) == 8 + sum(len(s.responses) for s in stats)


def test_csv_cells_cannot_run_as_formulas():
    quiz = make_quiz(
        {
            "questions": [
                {"id": "f", "type": "short", "prompt": '=HYPERLINK("http://x", "y")',
                 "answers": ["+1"]},
                {"id": "n", "type": "numerical", "prompt": "@SUM(A1)", "answers": [{"value": 1}]},
            ]
        }
    )  # fmt: skip
    records = [
        make_record(quiz, 1, 1, {"f": "=cmd|' /C calc'!A0", "n": -2}),
        make_record(quiz, 2, 2, {"f": "+1", "n": 1}),
    ]
    rows = read_csv(stats_csv(analyse(quiz, records)))
    cells = [cell for row in rows for cell in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@")]
    assert '\'=HYPERLINK("http://x", "y")' in cells
    assert "'@SUM(A1)" in cells
    assert "'=cmd|' /c calc'!a0" in cells  # normalized (casefolded) answer, still guarded
    assert "'+1" in cells and "'-2" in cells
    assert safe_cell("\tx") == "'\tx" and safe_cell("a=b") == "a=b" and safe_cell("") == ""


def test_the_module_stays_pure():
    source = Path(__file__).resolve().parents[2] / "lms" / "quiz" / "analysis.py"
    imported: set[str] = set()
    for node in ast.walk(ast.parse(source.read_text())):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
    assert not {n for n in imported if n.split(".")[0] in ("flask", "flask_sqlalchemy",
                                                           "sqlalchemy")}  # fmt: skip
    lms = {n for n in imported if n.startswith("lms.")}
    assert lms <= {"lms.authoring.markup", "lms.quiz.questions", "lms.quiz.quizdef"}


# --- analyse never raises -----------------------------------------------------------------------

FUZZ_QUIZ = make_quiz(
    {
        "shuffle_options": True,
        "draw": 4,
        "questions": [
            {"id": "d", "type": "description", "prompt": "Intro"},
            {"id": "s", "type": "single", "prompt": "S", "options": [
                {"text": "a", "correct": True}, "b", "c"]},
            {"id": "m", "type": "multiple", "prompt": "M", "options": [
                {"text": "a", "weight": 100}, {"text": "b", "weight": -50}]},
            {"id": "t", "type": "true_false", "prompt": "T", "answer": False},
            {"id": "w", "type": "short", "prompt": "W", "answers": ["yes*"]},
            {"id": "n", "type": "numerical", "prompt": "N", "answers": [{"min": 1, "max": 2}]},
            {"id": "p", "type": "matching", "prompt": "P", "pairs": [
                {"left": "x", "right": "1"}, {"left": "y", "right": "2"}]},
            {"id": "e", "type": "essay", "prompt": "E"},
        ],
    }
)  # fmt: skip

JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.lists(st.one_of(st.text(max_size=4), st.integers()), max_size=3),
    st.dictionaries(st.text(max_size=4), st.one_of(st.none(), st.text(max_size=4)), max_size=3),
)


@st.composite
def fuzz_record(draw: st.DrawFn, attempt: int) -> AttemptRecord:
    seed = draw(st.integers(0, 2**63 - 1))
    ids = select_questions(FUZZ_QUIZ, seed)
    views = public(FUZZ_QUIZ, seed, ids)
    answers: dict[str, Any] = {}
    for qid in draw(st.lists(st.sampled_from([*ids, "ghost"]), unique=True)):
        view = views.get(qid, {})
        real: list[Any] = [o["id"] for o in view.get("options", [])]
        lefts = [o["id"] for o in view.get("left", [])]
        rights = [o["id"] for o in view.get("right", [])]
        valid = [
            *real,
            st.lists(st.sampled_from(real), max_size=3) if real else None,
            st.dictionaries(st.sampled_from(lefts), st.sampled_from([*rights, None]))
            if lefts
            else None,
        ]
        strategies = [JUNK, *(s if isinstance(s, st.SearchStrategy) else st.just(s)
                              for s in valid if s is not None)]  # fmt: skip
        answers[qid] = draw(st.one_of(strategies))
    scores = {g.id: g.score for g in grade_attempt(FUZZ_QUIZ, ids, answers, seed).questions}
    if draw(st.booleans()):  # and sometimes junk in the stored scores too
        scores.update(draw(st.dictionaries(st.sampled_from(ids), JUNK)))
    user = draw(st.integers(1, 4))
    number = draw(st.integers(1, 3))
    return AttemptRecord(f"a{attempt}", user, number, seed, ids, answers, scores)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 6).flatmap(lambda n: st.tuples(*(fuzz_record(i) for i in range(n)))))
def test_analyse_never_raises_on_random_answers(records: tuple[AttemptRecord, ...]):
    for which in ("first", "all"):
        stats = analyse(FUZZ_QUIZ, list(records), which)
        assert [s.question_id for s in stats] == ["s", "m", "t", "w", "n", "p", "e"]
        for s in stats:
            assert s.facility is None or math.isfinite(s.facility)
            assert s.discrimination is None or -100 <= s.discrimination <= 100
            assert all(r.count >= 0 for r in s.responses)
            if s.type in ("single", "true_false", "short", "numerical", "essay"):
                assert sum(r.count for r in s.responses) == s.attempts
        text = stats_csv(stats)
        assert not [c for row in read_csv(text) for c in row if c[:1] in ("=", "+", "@")]
