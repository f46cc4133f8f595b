"""Item analysis: facility, discrimination and response counts, checked by hand."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from lms.quiz.grading import grade_attempt, public_questions, select_questions
from lms.quiz.quizdef import Quiz, parse_quiz
from lms.quiz.statistics import AttemptRecord, analyse, stats_csv

QUIZ = {
    "title": "Stats",
    "shuffle_options": True,
    "questions": [
        {"id": "easy", "type": "true_false", "prompt": "Everyone knows this.", "answer": True},
        {
            "id": "good",
            "type": "single",
            "prompt": "Which instrument defines trafficking?",
            "options": [
                {"text": "Palermo Protocol", "correct": True},
                {"text": "Refugee Convention"},
                {"text": "Vienna Convention"},
            ],
        },
        {"id": "bad", "type": "true_false", "prompt": "A trick question.", "answer": False},
        {"id": "fill", "type": "true_false", "prompt": "More of the same.", "answer": True},
    ],
}


def quiz() -> Quiz:
    parsed, problems = parse_quiz(QUIZ, "q.yaml", lambda path: (1, 1), "stats")
    assert parsed is not None, problems
    return parsed


def record(q: Quiz, user: int, seed: int, good: bool, bad: bool, fill: bool, number: int = 1):
    ids = select_questions(q, seed)
    public = {p["id"]: p for p in public_questions(q, ids, seed)}
    options = public["good"]["options"]
    right = next(
        o["id"]
        for o in options
        if grade_attempt(q, ids, {"good": o["id"]}, seed).questions[1].score == 1
    )
    wrong = next(o["id"] for o in options if o["id"] != right)
    answers = {"easy": True, "good": right if good else wrong, "bad": not bad, "fill": fill}
    grade = grade_attempt(q, ids, answers, seed)
    scores = {g.id: g.score for g in grade.questions}
    return AttemptRecord(f"a{user}-{number}", user, number, seed, ids, answers, scores)


def test_facility_discrimination_and_flags():
    q = quiz()
    # strong learners (fill right) get "good" right and "bad" wrong; weak ones the reverse
    records = [record(q, u, 1000 + u, good=u < 5, bad=u >= 8, fill=u < 5) for u in range(10)]
    stats = {s.question_id: s for s in analyse(q, records)}
    assert stats["easy"].facility == 100 and stats["easy"].discrimination is None
    assert "too easy" in stats["easy"].flags
    assert stats["good"].facility == 50 and stats["good"].discrimination > 0
    assert stats["bad"].discrimination < 0 and "negative discrimination" in stats["bad"].flags
    counts = {r.label: (r.count, r.correct) for r in stats["good"].responses}
    assert counts["Palermo Protocol"] == (5, True)  # mapped back despite shuffled ids
    assert sum(c for c, _ in counts.values()) == 10


def test_first_or_all_attempts():
    q = quiz()
    records = [
        record(q, 1, 11, good=False, bad=False, fill=False, number=1),
        record(q, 1, 12, good=True, bad=True, fill=True, number=2),
    ]
    assert {s.question_id: s.attempts for s in analyse(q, records, "first")}["good"] == 1
    assert {s.question_id: s.facility for s in analyse(q, records, "first")}["good"] == 0
    assert {s.question_id: s.facility for s in analyse(q, records, "all")}["good"] == 50


def test_csv_cells_cannot_run_as_formulas():
    q = quiz()
    r = record(q, 1, 5, good=True, bad=True, fill=True)
    hostile = AttemptRecord(r.attempt_id, 2, 1, r.seed, r.question_ids, r.answers, r.scores)
    text = stats_csv(analyse(q, [r, hostile]))
    assert text.startswith("question,type,prompt")
    stats = analyse(q, [r])
    stats[0] = type(stats[0])(**{**stats[0].__dict__, "prompt": "=HYPERLINK(evil)"})
    assert "'=HYPERLINK(evil)" in stats_csv(stats)


ANSWERS = st.one_of(st.none(), st.booleans(), st.text(max_size=5), st.lists(st.text(max_size=3)))


@given(st.dictionaries(st.sampled_from(["easy", "good", "bad", "fill", "x"]), ANSWERS))
def test_any_stored_answers_are_analysed_without_error(answers):
    q = quiz()
    ids = select_questions(q, 3)
    rec = AttemptRecord("a", 1, 1, 3, ids, answers, {"easy": 1.0})
    assert len(analyse(q, [rec], "all")) == 4
