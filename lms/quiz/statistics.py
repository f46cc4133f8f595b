"""Item analysis for authors, as Moodle's quiz statistics report computes it. Pure.

Facility index: the mean score on a question as a percentage of its maximum.
Discrimination index: the correlation (as a percentage) between the score on the question and
the score on the rest of the quiz (total minus this question) over the attempts considered;
undefined with fewer than two attempts or when either score never varies.
Per-option counts map each attempt's opaque option ids back to the quiz's options with the
attempt's seed, so shuffling does not scatter the counts.
"""

from __future__ import annotations

import csv
import io
import re
import statistics
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from lms.quiz.questions import (
    ChoiceQuestion,
    MatchingQuestion,
    MultipleQuestion,
    Question,
    TrueFalseQuestion,
    opaque_ids,
)
from lms.quiz.quizdef import Quiz

TOO_EASY = 90.0  # facility above this: nearly everyone gets it right
TOO_HARD = 20.0  # facility below this: nearly everyone gets it wrong
WEAK_DISCRIMINATION = 20.0  # below this (with enough attempts) the question separates little
MIN_ATTEMPTS_FOR_WEAK = 10
TOP_TEXT_ANSWERS = 10


@dataclass(frozen=True)
class AttemptRecord:
    """A submitted attempt as stored: the drawn questions, the answers and each score."""

    attempt_id: str
    user_id: int
    number: int
    seed: int
    question_ids: list[str]
    answers: dict[str, Any]
    scores: dict[str, float]


@dataclass(frozen=True)
class ResponseCount:
    label: str
    count: int
    correct: bool | None = None


@dataclass(frozen=True)
class QuestionStats:
    question_id: str
    type: str
    prompt: str
    attempts: int
    facility: float | None
    discrimination: float | None
    responses: list[ResponseCount] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)


def _plain(text: str, limit: int = 120) -> str:
    flat = re.sub(r"[*_`#>\[\]]", "", re.sub(r"<[^>]+>", "", text))
    flat = " ".join(flat.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _correlation(xs: list[float], ys: list[float]) -> float | None:
    if len(xs) < 2 or len(set(xs)) < 2 or len(set(ys)) < 2:
        return None
    return round(100.0 * statistics.correlation(xs, ys), 2)


def _max_points(question: Question) -> float:
    return float(getattr(question, "points", 1.0))


def _responses(question: Question, records: list[AttemptRecord]) -> list[ResponseCount]:
    counts: Counter[str] = Counter()
    qid = question.id
    for record in records:
        answer = record.answers.get(qid)
        if answer is None or answer == "" or answer == [] or answer == {}:
            counts["(no answer)"] += 1
            continue
        if isinstance(question, ChoiceQuestion):
            ids = opaque_ids(record.seed, qid, "option", len(question.options))
            chosen = answer if isinstance(answer, list) else [answer]
            for option_id in chosen:
                if option_id in ids:
                    counts[question.options[ids.index(option_id)].text] += 1
        elif isinstance(question, TrueFalseQuestion):
            counts["True" if answer is True else "False"] += 1
        elif isinstance(question, MatchingQuestion) and isinstance(answer, dict):
            lefts = opaque_ids(record.seed, qid, "left", len(question.pairs))
            choices = question.choices()
            rights = opaque_ids(record.seed, qid, "right", len(choices))
            for left_id, right_id in answer.items():
                if left_id in lefts and right_id in rights:
                    left = question.pairs[lefts.index(left_id)][0]
                    counts[f"{left} → {choices[rights.index(right_id)]}"] += 1
        else:
            counts[" ".join(str(answer).split()).lower()[:80]] += 1
    return _labelled(question, counts)


def _labelled(question: Question, counts: Counter[str]) -> list[ResponseCount]:
    if isinstance(question, ChoiceQuestion):
        found = []
        for option in question.options:
            right = (
                option.weight > 0
                if isinstance(question, MultipleQuestion)
                else option.weight >= 100
            )
            found.append(ResponseCount(option.text, counts.pop(option.text, 0), right))
        return found + [ResponseCount(k, v) for k, v in counts.items()]
    if isinstance(question, TrueFalseQuestion):
        return [
            ResponseCount("True", counts.pop("True", 0), question.answer is True),
            ResponseCount("False", counts.pop("False", 0), question.answer is False),
        ] + [ResponseCount(k, v) for k, v in counts.items()]
    if isinstance(question, MatchingQuestion):
        rights = dict(question.pairs)
        return [
            ResponseCount(label, count, rights.get(label.split(" → ")[0]) == label.split(" → ")[1])
            if " → " in label
            else ResponseCount(label, count)
            for label, count in counts.most_common()
        ]
    top = counts.most_common(TOP_TEXT_ANSWERS)
    rest = sum(counts.values()) - sum(count for _, count in top)
    found = [ResponseCount(label, count) for label, count in top]
    return found + ([ResponseCount("(other answers)", rest)] if rest else [])


def _flags(facility: float | None, discrimination: float | None, attempts: int) -> list[str]:
    flags = []
    if facility is not None and facility > TOO_EASY:
        flags.append("too easy")
    if facility is not None and facility < TOO_HARD:
        flags.append("too hard")
    if discrimination is not None and discrimination < 0:
        flags.append("negative discrimination")
    elif (
        discrimination is not None
        and discrimination < WEAK_DISCRIMINATION
        and attempts >= MIN_ATTEMPTS_FOR_WEAK
    ):
        flags.append("weak discrimination")
    return flags


def analyse(quiz: Quiz, records: list[AttemptRecord], which: str = "first") -> list[QuestionStats]:
    """Statistics per question (description questions skipped), in the quiz's order."""
    if which == "first":
        firsts: dict[int, AttemptRecord] = {}
        for record in sorted(records, key=lambda r: (r.user_id, r.number)):
            firsts.setdefault(record.user_id, record)
        chosen = list(firsts.values())
    else:
        chosen = list(records)
    found = []
    for question in quiz.questions:
        if question.type_name == "description":
            continue
        mine = [r for r in chosen if question.id in r.question_ids]
        most = _max_points(question)
        own = [float(r.scores.get(question.id, 0.0)) for r in mine]
        rest = [sum(r.scores.values()) - float(r.scores.get(question.id, 0.0)) for r in mine]
        facility = round(100.0 * statistics.fmean(own) / most, 2) if mine and most else None
        discrimination = _correlation(own, rest)
        found.append(
            QuestionStats(
                question_id=question.id,
                type=question.type_name,
                prompt=_plain(question.prompt),
                attempts=len(mine),
                facility=facility,
                discrimination=discrimination,
                responses=_responses(question, mine),
                flags=_flags(facility, discrimination, len(mine)),
            )
        )
    return found


def _cell(value: object) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def stats_csv(stats: list[QuestionStats]) -> str:
    """Per-question figures, a blank line, then every response count."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["question", "type", "prompt", "attempts", "facility_percent",
                     "discrimination_percent", "flags"])  # fmt: skip
    for s in stats:
        row = (s.question_id, s.type, s.prompt, s.attempts, s.facility, s.discrimination)
        writer.writerow([_cell(v) for v in (*row, "; ".join(s.flags))])
    writer.writerow([])
    writer.writerow(["question", "response", "count", "correct"])
    for s in stats:
        for r in s.responses:
            writer.writerow([_cell(s.question_id), _cell(r.label), r.count, r.correct])
    return out.getvalue()
