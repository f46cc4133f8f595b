"""How long grading one 50-question attempt takes (pure code, no database): target < 5 ms.

Run: .venv/bin/python -m bench.grading_speed
The floor is the same loop over the answers doing nothing but a dict lookup per question, so
the figure is also printed as a ratio to work that cannot be avoided.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

from lms.quiz.grading import grade_attempt, public_questions, select_questions
from lms.quiz.quizdef import Quiz, parse_quiz

TYPES = ("single", "multiple", "true_false", "short", "numerical", "matching")


def fifty_questions() -> Quiz:
    """A quiz of 50 questions cycling through every auto-graded type."""
    questions: list[dict[str, Any]] = []
    for n in range(50):
        kind = TYPES[n % len(TYPES)]
        q: dict[str, Any] = {"id": f"q{n}", "type": kind, "prompt": f"Question **{n}**?"}
        if kind == "single":
            q["options"] = [{"text": "Right", "correct": True}, {"text": "Wrong"}, {"text": "No"}]
        elif kind == "multiple":
            q["options"] = [
                {"text": "A", "weight": 50}, {"text": "B", "weight": 50},
                {"text": "C", "weight": -100},
            ]  # fmt: skip
        elif kind == "true_false":
            q["answer"] = True
        elif kind == "short":
            q["answers"] = [{"text": "palermo*"}, {"text": "protocol", "weight": 50}]
        elif kind == "numerical":
            q["answers"] = [
                {"value": 2000, "tolerance": 1},
                {"min": 1990, "max": 2010, "weight": 50},
            ]
        else:
            q["pairs"] = [{"left": f"L{i}", "right": f"R{i}"} for i in range(4)]
        questions.append(q)
    quiz, problems = parse_quiz(
        {"title": "Speed", "shuffle_options": True, "questions": questions},
        "bench.yaml",
        lambda path: (1, 1),
        "speed",
    )
    assert quiz is not None, problems
    return quiz


def answers_for(quiz: Quiz, seed: int) -> tuple[list[str], dict[str, Any]]:
    ids = select_questions(quiz, seed)
    answers: dict[str, Any] = {}
    for public in public_questions(quiz, ids, seed):
        kind = public["type"]
        if kind == "single":
            answers[public["id"]] = public["options"][0]["id"]
        elif kind == "multiple":
            answers[public["id"]] = [o["id"] for o in public["options"][:2]]
        elif kind == "true_false":
            answers[public["id"]] = True
        elif kind == "short":
            answers[public["id"]] = "Palermo Protocol"
        elif kind == "numerical":
            answers[public["id"]] = 2001
        else:
            rights = [r["id"] for r in public["right"]]
            answers[public["id"]] = {left["id"]: rights[0] for left in public["left"]}
    return ids, answers


def main() -> None:
    quiz = fifty_questions()
    seed = 987654321
    ids, answers = answers_for(quiz, seed)
    for _ in range(50):  # warm caches (compiled patterns, option ids)
        grade_attempt(quiz, ids, answers, seed)
    runs = []
    for _ in range(300):
        start = time.perf_counter()
        grade_attempt(quiz, ids, answers, seed)
        runs.append(time.perf_counter() - start)
    floors = []
    for _ in range(300):
        start = time.perf_counter()
        for qid in ids:
            answers.get(qid)
        floors.append(time.perf_counter() - start)
    median = statistics.median(runs) * 1000
    p95 = sorted(runs)[int(len(runs) * 0.95)] * 1000
    floor = statistics.median(floors) * 1000
    verdict = "PASS" if median < 5 else "FAIL"
    print(
        f"grading a 50-question attempt: median {median:.2f} ms, p95 {p95:.2f} ms "
        f"(floor {floor:.4f} ms, ratio {median / floor:.0f}x); target < 5 ms: {verdict}"
    )


if __name__ == "__main__":
    main()
