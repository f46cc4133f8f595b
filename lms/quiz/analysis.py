"""Item analysis for quiz authors, after Moodle's quiz statistics report. Pure: no Flask, no DB.

Definitions (Moodle: docs.moodle.org/dev/Quiz_statistics_calculations and
question/classes/statistics/questions/calculator.php):

* Facility index: the mean score on the question over the attempts considered, as a percent of
  the question's maximum (its points). Undefined (None) without attempts or with 0 points.
* Discrimination index: 100 x the Pearson correlation between the score on the question and the
  score on the rest of the quiz (the attempt's total minus this question), over the attempts
  that had the question. Undefined (None) with fewer than 2 attempts or when either score does
  not vary (zero variance).
* Which attempts: by default each learner's first attempt only (later attempts build on the
  first and break the assumptions of item analysis); with which="all" every attempt counts as
  if it were a different learner's.

Option ids are opaque and differ per attempt (they derive from the attempt's seed, see
questions.opaque_ids), so response counts map each chosen id back to the option's index in the
quiz definition with the attempt's seed: shuffling never scatters the counts.
"""

from __future__ import annotations

import csv
import io
import math
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

from lms.authoring.markup import render_inline
from lms.quiz.questions import (
    ChoiceQuestion,
    DescriptionQuestion,
    EssayQuestion,
    MatchingQuestion,
    MultipleQuestion,
    NumericalQuestion,
    Question,
    ShortQuestion,
    TrueFalseQuestion,
    opaque_ids,
    parse_number,
    plain_number,
    render_prompt,
)
from lms.quiz.quizdef import Quiz

# --- thresholds of the flags (percent) ---------------------------------------------------------

#: facility above this: nearly everyone gets full marks, the question tells learners apart little
TOO_EASY_FACILITY = 90.0
#: facility below this: nearly no one gets it; check the key and the wording
TOO_HARD_FACILITY = 20.0
#: discrimination below this (but not negative) is weak ...
WEAK_DISCRIMINATION = 20.0
#: ... though only flagged from this many attempts on: with fewer, the correlation is noise
WEAK_DISCRIMINATION_MIN_ATTEMPTS = 10
# A negative discrimination (weaker learners do better on the question than stronger ones,
# often a wrong key or a misleading wording) is flagged with any number of attempts.

FLAG_TOO_EASY = "too easy"
FLAG_TOO_HARD = "too hard"
FLAG_NEGATIVE = "negative discrimination"
FLAG_WEAK = "weak discrimination"

#: distinct typed answers (short, numerical) listed before the rest is summed up as OTHER
TOP_TYPED_ANSWERS = 10
PROMPT_LENGTH = 120
LABEL_LENGTH = 120
NO_ANSWER = "(no answer)"
OTHER = "(other)"
ANSWERED = "(answered)"
WHICH = ("first", "all")

_SCORE_DIGITS = 6  # grading rounds scores to 6 places; sums are rounded alike to drop float noise
_CONSTANT_SPAN = 1e-9  # scores closer than this are the same score: no variance
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class AttemptRecord:
    """A submitted attempt as the caller reads it from the database.

    scores maps question id to the points scored (the maximum is the question's points in the
    quiz); answers maps question id to the answer as submitted, with the attempt's opaque ids.
    """

    attempt_id: str
    user_id: int
    number: int
    seed: int
    question_ids: list[str]
    answers: dict[str, Any]
    scores: dict[str, float]


@dataclass(frozen=True)
class ResponseCount:
    """How many attempts gave this response; correct is None when it is neither right nor wrong."""

    label: str
    count: int
    correct: bool | None = None


@dataclass(frozen=True)
class QuestionStats:
    """One question's figures; facility and discrimination are percents, None when undefined."""

    question_id: str
    type: str
    prompt: str
    attempts: int
    facility: float | None
    discrimination: float | None
    responses: list[ResponseCount]
    flags: list[str]


# --- text helpers ------------------------------------------------------------------------------


_INLINE_TAGS = frozenset({
    "a", "abbr", "b", "cite", "code", "del", "em", "i", "ins", "kbd", "mark", "q", "s", "small",
    "span", "strong", "sub", "sup", "u",
})  # fmt: skip


class _TextOnly(HTMLParser):
    """Collects the text of sanitized HTML; images become their alt text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img":
            alt = dict(attrs).get("alt")
            if alt:
                self.parts.append(f" {alt} ")
        elif tag not in _INLINE_TAGS:
            self.parts.append(" ")  # paragraphs, list items, <br> must not glue words together

    def handle_endtag(self, tag: str) -> None:
        if tag not in _INLINE_TAGS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _html_text(html: str) -> str:
    parser = _TextOnly()
    parser.feed(html)
    parser.close()
    return " ".join("".join(parser.parts).split())


def shorten(text: str, limit: int) -> str:
    """text on one line, cut to at most limit characters (at a space when one is near) with '…'."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1]
    space = cut.rfind(" ")
    if space >= limit * 2 // 3:
        cut = cut[:space]
    return cut.rstrip() + "…"


def plain_prompt(question: Question) -> str:
    """The prompt as plain text (Markdown rendered, tags dropped), shortened to PROMPT_LENGTH."""
    return shorten(_html_text(render_prompt(question.prompt)), PROMPT_LENGTH)


def _plain_inline(text: str) -> str:
    return shorten(_html_text(render_inline(text)), LABEL_LENGTH)


# --- numbers -----------------------------------------------------------------------------------


def _score(value: object) -> float:
    """A stored score as a float; anything else (None, NaN, inf, not a number) counts as 0."""
    number = parse_number(value)
    return 0.0 if number is None else number


def _fsum(values: Iterable[float]) -> float:
    """math.fsum, but NaN instead of an error when absurd scores overflow."""
    try:
        return math.fsum(values)
    except (OverflowError, ValueError):
        return math.nan


def _percent(value: float) -> float | None:
    """value rounded to 2 places for display (never -0.0); None when not finite."""
    if not math.isfinite(value):
        return None
    return round(value, 2) + 0.0


def _varies(values: list[float]) -> bool:
    return max(values) - min(values) > _CONSTANT_SPAN * max(1.0, *(abs(v) for v in values))


def correlation(xs: list[float], ys: list[float]) -> float | None:
    """Pearson's r of paired samples; None with fewer than 2 pairs or when either is constant."""
    if len(xs) != len(ys) or len(xs) < 2 or not all(map(math.isfinite, [*xs, *ys])):
        return None
    if not _varies(xs) or not _varies(ys):
        return None
    n = len(xs)
    mean_x, mean_y = _fsum(xs) / n, _fsum(ys) / n
    dx = [x - mean_x for x in xs]
    dy = [y - mean_y for y in ys]
    sxx = _fsum(d * d for d in dx)
    syy = _fsum(d * d for d in dy)
    sxy = _fsum(a * b for a, b in zip(dx, dy, strict=True))
    if not (sxx > 0 and syy > 0 and math.isfinite(sxx) and math.isfinite(syy)):
        return None
    r = sxy / math.sqrt(sxx) / math.sqrt(syy)
    return max(-1.0, min(1.0, r)) if math.isfinite(r) else None


# --- which attempts ----------------------------------------------------------------------------


def considered(records: Iterable[AttemptRecord], which: str = "first") -> list[AttemptRecord]:
    """The attempts the analysis uses: each user's lowest-numbered one ("first") or all ("all").

    A record repeated with the same attempt_id counts once.
    """
    if which not in WHICH:
        raise ValueError(f"which must be one of {', '.join(WHICH)}, not {which!r}")
    unique: dict[str, AttemptRecord] = {}
    for record in records:
        unique.setdefault(record.attempt_id, record)
    if which == "all":
        return list(unique.values())
    first: dict[int, AttemptRecord] = {}
    for record in unique.values():
        seen = first.get(record.user_id)
        if seen is None or record.number < seen.number:
            first[record.user_id] = record
    return list(first.values())


def _attempt_total(record: AttemptRecord) -> float:
    """The attempt's score: the sum over the questions it drew (each counted once)."""
    ids = dict.fromkeys(record.question_ids)
    return _fsum(_score(record.scores.get(qid)) for qid in ids)


# --- mapping an attempt's opaque ids back to the quiz definition ---------------------------------
# The ids derive exactly as the question classes derive them for public_questions and grading:
# opaque_ids(seed, question id, "option" | "left" | "right", count).


def option_index(question: ChoiceQuestion, seed: int) -> dict[str, int]:
    """An attempt's option id -> the option's index in question.options."""
    ids = opaque_ids(seed, question.id, "option", len(question.options))
    return {option_id: i for i, option_id in enumerate(ids)}


def matching_index(question: MatchingQuestion, seed: int) -> tuple[dict[str, int], dict[str, int]]:
    """An attempt's left ids -> index in question.pairs, right ids -> index in choices()."""
    left = opaque_ids(seed, question.id, "left", len(question.pairs))
    right = opaque_ids(seed, question.id, "right", len(question.choices()))
    return (
        {left_id: i for i, left_id in enumerate(left)},
        {right_id: i for i, right_id in enumerate(right)},
    )


# --- response counts ---------------------------------------------------------------------------


def _is_blank(answer: object) -> bool:
    if answer is None:
        return True
    if isinstance(answer, str):
        return not answer.strip()
    return isinstance(answer, list | dict) and not answer


def _usable(question: Question, answer: object, seed: int) -> bool:
    """Whether the answer is one the grader reads (not missing, empty or malformed)."""
    if _is_blank(answer):
        return False
    try:
        return question.check(answer, seed) is None
    except Exception:  # a stored answer of a foreign shape must not break the report
        return False


def _choice_responses(
    question: ChoiceQuestion, pairs: list[tuple[AttemptRecord, object]]
) -> list[ResponseCount]:
    counts: Counter[int] = Counter()
    blank = 0
    for record, answer in pairs:
        index = option_index(question, record.seed)
        given = answer if isinstance(answer, list) else [answer]
        usable = _usable(question, answer, record.seed)
        chosen = {index[a] for a in given if isinstance(a, str) and a in index} if usable else set()
        if not chosen:
            blank += 1
        counts.update(chosen)
    multiple = isinstance(question, MultipleQuestion)
    rows = [
        ResponseCount(
            _plain_inline(option.text),
            counts[i],
            option.weight > 0 if multiple else option.weight >= 100,
        )
        for i, option in enumerate(question.options)
    ]
    return [*rows, ResponseCount(NO_ANSWER, blank)]


def _true_false_responses(
    question: TrueFalseQuestion, pairs: list[tuple[AttemptRecord, object]]
) -> list[ResponseCount]:
    answers = [answer for _, answer in pairs]
    trues = sum(1 for a in answers if a is True)
    falses = sum(1 for a in answers if a is False)
    return [
        ResponseCount("True", trues, question.answer is True),
        ResponseCount("False", falses, question.answer is False),
        ResponseCount(NO_ANSWER, len(answers) - trues - falses),
    ]


def _matching_responses(
    question: MatchingQuestion, pairs: list[tuple[AttemptRecord, object]]
) -> list[ResponseCount]:
    choices = question.choices()
    counts: Counter[tuple[int, int]] = Counter()
    blank = 0
    for record, answer in pairs:
        lefts, rights = matching_index(question, record.seed)
        given: Mapping[Any, Any] = {}
        if isinstance(answer, Mapping) and _usable(question, answer, record.seed):
            given = answer
        chosen = {
            (lefts[left], rights[right])
            for left, right in given.items()
            if left in lefts and right in rights  # usable: known left ids, right ids or None
        }
        if not chosen:
            blank += 1
        counts.update(chosen)
    rows = [
        ResponseCount(
            f"{_plain_inline(question.pairs[left][0])} → {_plain_inline(choices[right])}",
            count,
            choices[right] == question.pairs[left][1],
        )
        for (left, right), count in sorted(counts.items())
    ]
    return [*rows, ResponseCount(NO_ANSWER, blank)]


def _typed_key(question: Question, answer: object) -> str:
    """A typed answer as it is compared: a number for numerical, normalized text for short."""
    if isinstance(question, NumericalQuestion):
        number = parse_number(answer)
        return str(plain_number(number)) if number is not None else str(answer)
    text = " ".join(unicodedata.normalize("NFC", str(answer)).split())
    case_sensitive = isinstance(question, ShortQuestion) and question.case_sensitive
    return text if case_sensitive else text.casefold()


def _typed_responses(
    question: Question, pairs: list[tuple[AttemptRecord, object]]
) -> list[ResponseCount]:
    counts: Counter[str] = Counter()
    sample: dict[str, tuple[object, int]] = {}
    blank = 0
    for record, answer in pairs:
        if not _usable(question, answer, record.seed):
            blank += 1
            continue
        key = _typed_key(question, answer)
        counts[key] += 1
        sample.setdefault(key, (answer, record.seed))
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    rows = []
    for key, count in ranked[:TOP_TYPED_ANSWERS]:
        answer, seed = sample[key]
        fraction = question.grade(answer, seed).fraction
        rows.append(ResponseCount(shorten(key, LABEL_LENGTH), count, fraction >= 1.0))
    rest = sum(count for _, count in ranked[TOP_TYPED_ANSWERS:])
    if rest:
        rows.append(ResponseCount(OTHER, rest))
    return [*rows, ResponseCount(NO_ANSWER, blank)]


def _essay_responses(
    question: Question, pairs: list[tuple[AttemptRecord, object]]
) -> list[ResponseCount]:
    answered = sum(1 for record, answer in pairs if _usable(question, answer, record.seed))
    return [ResponseCount(ANSWERED, answered), ResponseCount(NO_ANSWER, len(pairs) - answered)]


def responses(question: Question, records: list[AttemptRecord]) -> list[ResponseCount]:
    """What the attempts answered to question, in the quiz definition's terms.

    single/multiple: every option in the quiz's order (correct: weight 100 for single, weight > 0
    for multiple); true_false: True, False; short/numerical: the TOP_TYPED_ANSWERS commonest
    normalized answers, then OTHER (correct: the answer earns full marks); matching: each
    "left → right" pair chosen; essay: ANSWERED. Each list ends with NO_ANSWER: the attempts
    whose answer was missing, empty or not one the grader reads.
    """
    pairs = [(record, record.answers.get(question.id)) for record in records]
    if isinstance(question, ChoiceQuestion):
        return _choice_responses(question, pairs)
    if isinstance(question, TrueFalseQuestion):
        return _true_false_responses(question, pairs)
    if isinstance(question, MatchingQuestion):
        return _matching_responses(question, pairs)
    if isinstance(question, EssayQuestion):
        return _essay_responses(question, pairs)
    return _typed_responses(question, pairs)


# --- the analysis ------------------------------------------------------------------------------


def flags_for(facility: float | None, discrimination: float | None, attempts: int) -> list[str]:
    """The warnings for a question's figures (see the thresholds at the top of the module)."""
    flags = []
    if facility is not None and facility > TOO_EASY_FACILITY:
        flags.append(FLAG_TOO_EASY)
    if facility is not None and facility < TOO_HARD_FACILITY:
        flags.append(FLAG_TOO_HARD)
    if discrimination is not None and discrimination < 0:
        flags.append(FLAG_NEGATIVE)
    elif (
        discrimination is not None
        and discrimination < WEAK_DISCRIMINATION
        and attempts >= WEAK_DISCRIMINATION_MIN_ATTEMPTS
    ):
        flags.append(FLAG_WEAK)
    return flags


def _question_stats(
    question: Question, records: list[AttemptRecord], totals: dict[str, float]
) -> QuestionStats:
    mine = [r for r in records if question.id in r.question_ids]
    own = [round(_score(r.scores.get(question.id)), _SCORE_DIGITS) for r in mine]
    pairs = zip(mine, own, strict=True)
    rest = [round(totals[r.attempt_id] - score, _SCORE_DIGITS) for r, score in pairs]
    facility = None
    if mine and question.points > 0:
        facility = _percent(100.0 * _fsum(own) / len(own) / question.points)
    r = correlation(own, rest)
    discrimination = None if r is None else _percent(100.0 * r)
    return QuestionStats(
        question_id=question.id,
        type=question.type_name,
        prompt=plain_prompt(question),
        attempts=len(mine),
        facility=facility,
        discrimination=discrimination,
        responses=responses(question, mine),
        flags=flags_for(facility, discrimination, len(mine)),
    )


def analyse(quiz: Quiz, records: list[AttemptRecord], which: str = "first") -> list[QuestionStats]:
    """Facility, discrimination, response counts and flags of each question of the quiz.

    In the quiz's question order, description items skipped. which is "first" (each user's
    first attempt, the default, as in Moodle) or "all"; a question's figures use the considered
    attempts that drew it (see quiz.settings.draw). A missing or non-numeric score counts as 0.
    Raises ValueError for an unknown which.
    """
    chosen = considered(records, which)
    totals = {record.attempt_id: _attempt_total(record) for record in chosen}
    return [
        _question_stats(question, chosen, totals)
        for question in quiz.questions
        if not isinstance(question, DescriptionQuestion)
    ]


# --- CSV ---------------------------------------------------------------------------------------


def safe_cell(text: str) -> str:
    """Text for a spreadsheet cell that is never run as a formula (CSV injection, OWASP).

    A cell starting with = + - @ (or a tab or carriage return) gets a leading single quote.
    """
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _number(value: float | None) -> str:
    return "" if value is None else f"{plain_number(value)}"


def _yes_no(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


def stats_csv(stats: list[QuestionStats]) -> str:
    """The analysis as CSV: one row per question, a blank line, then every response count.

    Text cells (ids, prompts, flags, responses) are guarded by safe_cell; the number columns
    are written as plain numbers (a negative discrimination stays a number). Lines end with
    CRLF (RFC 4180); encode as UTF-8 with a BOM (utf-8-sig) for Excel.
    """
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["question", "type", "prompt", "attempts", "facility", "discrimination", "flags"]
    )
    for s in stats:
        writer.writerow(
            [
                safe_cell(s.question_id),
                safe_cell(s.type),
                safe_cell(s.prompt),
                s.attempts,
                _number(s.facility),
                _number(s.discrimination),
                safe_cell("; ".join(s.flags)),
            ]
        )
    writer.writerow([])
    writer.writerow(["question", "response", "count", "correct"])
    for s in stats:
        for response in s.responses:
            writer.writerow(
                [
                    safe_cell(s.question_id),
                    safe_cell(response.label),
                    response.count,
                    _yes_no(response.correct),
                ]
            )
    return out.getvalue()
