"""Quiz question types: one class per type, registered by name, so a new type is one class.

Pure: no Flask, no database. Each type parses its YAML mapping (collecting located Problems,
never raising), round-trips through a JSON-serializable dict, shows a public view that gives
no right answer away, checks the shape of a learner's answer, and grades it.
"""

from __future__ import annotations

import difflib
import hashlib
import math
import random
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, ClassVar, TypeVar

from lms.authoring.markup import render_inline, render_markdown
from lms.authoring.problems import Problem

YamlPath = tuple[str | int, ...]
Locate = Callable[[tuple[str | int, ...]], tuple[int, int]]

MAX_TEXT = 10_000
ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}")
_BLANK_RE = re.compile(r"_{3,}")
_BLANK_MARK = "\ue000"
_NUMBER_RE = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?")


# --- small helpers shared by the types (and by quizdef/grading) -------------------------------


def did_you_mean(word: str, choices: Sequence[str]) -> str:
    """' (did you mean 'x'?)' when a choice is close to word, else '': turns typos into fixes."""
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def describe(value: object) -> str:
    """A short, author-readable description of a YAML value for error messages."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"{str(value).lower()} (true/false)"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the text '{value[:40]}'" if value.strip() else "empty text"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    return type(value).__name__


def parse_number(value: object) -> float | None:
    """A finite float from a number or a numeric string ('3.5', '3,5'); None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        try:
            number = float(value)
        except OverflowError:
            return None
    elif isinstance(value, str):
        text = value.strip()
        if len(text) > 100 or not _NUMBER_RE.fullmatch(text):
            return None
        number = float(text.replace(",", "."))
    else:
        return None
    return number if math.isfinite(number) else None


def plain_number(value: float) -> int | float:
    """1.0 as 1 for JSON that people read; other values unchanged."""
    value = float(value)
    return int(value) if value.is_integer() else value


def seeded_random(seed: int, *parts: object) -> random.Random:
    """A Random seeded from (seed, parts) through sha256: stable across runs and processes."""
    digest = hashlib.sha256(":".join(map(str, (seed, *parts))).encode()).digest()
    return random.Random(int.from_bytes(digest[:16], "big"))


def opaque_ids(seed: int, question_id: str, kind: str, count: int) -> list[str]:
    """Short ids for a question's options or matching sides that say nothing of their index."""
    digests = [
        hashlib.sha256(f"{seed}:{question_id}:{kind}:{i}".encode()).hexdigest()
        for i in range(count)
    ]
    ids = digests
    for size in (8, 12, 16, 64):
        ids = [digest[:size] for digest in digests]
        if len(set(ids)) == count:
            break
    return ids


def render_prompt(prompt: str) -> str:
    """Sanitized prompt HTML where each run of 3+ underscores shows as the blank '_____'."""
    marked = _BLANK_RE.sub(_BLANK_MARK, prompt.replace(_BLANK_MARK, ""))
    return render_markdown(marked).replace(_BLANK_MARK, "_____")


def _fraction(weight: float) -> float:
    """A weight in percent as a fraction of the points, clamped to 0..1, float noise removed."""
    fraction = weight / 100
    if fraction >= 1 - 1e-4:
        return 1.0
    return max(0.0, round(fraction, 6))


def _normalize_text(text: str, case_sensitive: bool) -> str:
    """Text as short answers compare it: NFC, trimmed, inner whitespace runs collapsed."""
    text = " ".join(unicodedata.normalize("NFC", text).split())
    return text if case_sensitive else text.casefold()


@lru_cache(maxsize=1024)
def _wildcard(pattern: str, case_sensitive: bool) -> re.Pattern[str]:
    """A regex for a short-answer pattern: '*' matches any run of characters, '\\*' a star."""
    parts = _normalize_text(pattern, case_sensitive).split("\\*")
    regex = r"\*".join(".*".join(re.escape(p) for p in part.split("*")) for part in parts)
    return re.compile(regex, re.DOTALL)


class Reporter:
    """Collects located Problems while YAML is read, so that parsing never raises."""

    def __init__(self, file: str, locate: Locate) -> None:
        self.file = file
        self.locate = locate
        self.problems: list[Problem] = []

    def add(self, path: YamlPath, message: str) -> None:
        """Record a problem at the position of path (or its nearest existing ancestor)."""
        line, column = self.locate(path)
        self.problems.append(Problem(self.file, line, column, message))

    def keys(
        self,
        data: Mapping[Any, object],
        allowed: Sequence[str],
        path: YamlPath,
        hints: Mapping[str, str] | None = None,
    ) -> None:
        """Report every key outside allowed, with a hint or a did-you-mean."""
        for key in data:
            name = str(key)
            if name in allowed:
                continue
            where = key if isinstance(key, str | int) and not isinstance(key, bool) else name
            if hints and name in hints:
                self.add((*path, where), hints[name])
            else:
                self.add((*path, where), f"unknown key '{name}'{did_you_mean(name, allowed)}")

    def as_text(self, value: object, path: YamlPath, what: str) -> str | None:
        """value as text (integers become text too); None and a Problem otherwise."""
        if isinstance(value, str):
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        hint = " (put it in quotes)" if isinstance(value, bool | float) else ""
        self.add(path, f"{what} must be text, not {describe(value)}{hint}")
        return None

    def text(
        self, data: Mapping[Any, object], key: str, path: YamlPath, *, required: bool = False
    ) -> str:
        """The text under key ('' when absent); a Problem when missing but required, or empty."""
        value = data.get(key)
        if value is None:
            if required:
                self.add(path if key not in data else (*path, key), f"missing '{key}'")
            return ""
        text = self.as_text(value, (*path, key), f"'{key}'")
        if text is not None and required and not text.strip():
            self.add((*path, key), f"'{key}' is empty")
        return text or ""

    def number(
        self,
        data: Mapping[Any, object],
        key: str,
        path: YamlPath,
        default: float,
        lo: float | None = None,
        hi: float | None = None,
    ) -> float:
        """The number under key (default when absent), checked against lo..hi."""
        value = data.get(key)
        if value is None:
            return default
        number = parse_number(value)
        if number is None:
            self.add((*path, key), f"'{key}' must be a number, not {describe(value)}")
            return default
        if (lo is not None and number < lo) or (hi is not None and number > hi):
            span = f"at least {plain_number(lo or 0.0)}"
            if hi is not None:
                span = f"between {plain_number(lo or 0.0)} and {plain_number(hi)}"
            self.add((*path, key), f"'{key}' must be {span}, not {plain_number(number)}")
            return default
        return number

    def integer(
        self,
        data: Mapping[Any, object],
        key: str,
        path: YamlPath,
        default: int | None,
        lo: int = 0,
    ) -> int | None:
        """The whole number under key (default when absent), at least lo."""
        value = data.get(key)
        if value is None:
            return default
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool):
            self.add((*path, key), f"'{key}' must be a whole number, not {describe(value)}")
            return default
        if value < lo:
            self.add((*path, key), f"'{key}' must be at least {lo}, not {value}")
            return default
        return value

    def flag(self, data: Mapping[Any, object], key: str, path: YamlPath, default: bool) -> bool:
        """The true/false under key (default when absent)."""
        value = data.get(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.add((*path, key), f"'{key}' must be true or false, not {describe(value)}")
            return default
        return value

    def items(
        self,
        data: Mapping[Any, object],
        key: str,
        path: YamlPath,
        *,
        required: bool = False,
        at_least: int = 0,
    ) -> list[object]:
        """The list under key ([] when absent), with at least at_least entries."""
        value = data.get(key)
        if value is None:
            if required:
                self.add(path if key not in data else (*path, key), f"missing '{key}'")
            return []
        if not isinstance(value, list):
            self.add((*path, key), f"'{key}' must be a list, not {describe(value)}")
            return []
        if len(value) < at_least:
            self.add((*path, key), f"'{key}' needs at least {at_least} entries, not {len(value)}")
        return value

    def mapping(self, value: object, path: YamlPath, what: str) -> Mapping[Any, object] | None:
        """value when it is a mapping; None and a Problem otherwise."""
        if isinstance(value, Mapping):
            return value
        self.add(path, f"{what} must be a mapping of keys, not {describe(value)}")
        return None


# --- the registry and the base class ----------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """How one answer scored: the fraction of the question's points and the feedback it earns."""

    fraction: float
    feedback: str = ""
    needs_manual_grading: bool = False


UNANSWERED = Outcome(0.0)
QUESTION_TYPES: dict[str, type[Question]] = {}
_Q = TypeVar("_Q", bound="type[Question]")


def register(cls: _Q) -> _Q:
    """Add a question class to the registry under its type_name."""
    QUESTION_TYPES[cls.type_name] = cls
    return cls


@dataclass(frozen=True, kw_only=True)
class Question:
    """What every question type shares; subclasses add their data and override the hooks."""

    type_name: ClassVar[str] = ""
    keys: ClassVar[tuple[str, ...]] = ()
    common_keys: ClassVar[tuple[str, ...]] = ("id", "type", "prompt", "points", "feedback")
    key_hints: ClassVar[dict[str, str]] = {}

    id: str
    prompt: str
    points: float = 1.0
    feedback: str = ""

    @classmethod
    def parse(
        cls, data: Mapping[Any, object], path: YamlPath, rep: Reporter, common: dict[str, Any]
    ) -> Question:
        """Build the question from its YAML mapping; common holds the already-read shared keys."""
        return cls(**common)

    def to_json(self) -> dict[str, Any]:
        """A JSON-serializable dict that from_json turns back into an equal question."""
        head = {"type": self.type_name, "id": self.id, "prompt": self.prompt}
        return {**head, "points": self.points, "feedback": self.feedback, **self._data_json()}

    def _data_json(self) -> dict[str, Any]:
        return {}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Question:
        """Rebuild a question from to_json's dict."""
        return cls(
            id=str(data["id"]),
            prompt=str(data["prompt"]),
            points=float(data["points"]),
            feedback=str(data.get("feedback", "")),
            **cls._data_from_json(data),
        )

    @classmethod
    def _data_from_json(cls, data: Mapping[str, Any]) -> dict[str, Any]:
        return {}

    def public(self, seed: int, shuffle_options: bool = False) -> dict[str, Any]:
        """The API's Question object: what a learner may see before submitting, nothing more."""
        view: dict[str, Any] = {"id": self.id, "type": self.type_name}
        view["prompt_html"] = render_prompt(self.prompt)
        view["points"] = plain_number(self.points)
        view.update(self._public_data(seed, shuffle_options))
        return view

    def _public_data(self, seed: int, shuffle_options: bool) -> dict[str, Any]:
        return {}

    def check(self, answer: object, seed: int) -> str | None:
        """None when answer has the right shape (or is None: unanswered), else a message."""
        return None if answer is None else self._check(answer, seed)

    def _check(self, answer: object, seed: int) -> str | None:
        return "This item has nothing to answer."

    def grade(self, answer: object, seed: int) -> Outcome:
        """Score answer; an unanswered or badly shaped answer scores 0, never raises."""
        if answer is None or self._check(answer, seed) is not None:
            return UNANSWERED
        return self._grade(answer, seed)

    def _grade(self, answer: object, seed: int) -> Outcome:
        return UNANSWERED


def question_from_json(data: Mapping[str, Any]) -> Question:
    """Rebuild any question from its to_json dict, dispatching on 'type'."""
    return QUESTION_TYPES[str(data["type"])].from_json(data)


def parse_question(data: object, index: int, path: YamlPath, rep: Reporter) -> Question | None:
    """Parse one question (0-based index in the file) at path; problems go to rep."""
    item = rep.mapping(data, path, "a question")
    if item is None:
        return None
    type_name = item.get("type")
    if type_name is None:
        kinds = ", ".join(QUESTION_TYPES)
        rep.add(path if "type" not in item else (*path, "type"), f"missing 'type' (one of {kinds})")
        return None
    cls = QUESTION_TYPES.get(type_name) if isinstance(type_name, str) else None
    if cls is None:
        name = str(type_name)
        hint = did_you_mean(name, list(QUESTION_TYPES))
        rep.add((*path, "type"), f"unknown question type '{name}'{hint}")
        return None
    rep.keys(item, cls.common_keys + cls.keys, path, cls.key_hints)
    common: dict[str, Any] = {"id": f"q{index + 1}"}
    if item.get("id") is not None:
        given = rep.as_text(item["id"], (*path, "id"), "'id'")
        if given is not None and not ID_RE.fullmatch(given):
            rep.add(
                (*path, "id"),
                f"question id '{given[:40]}' may hold only letters, digits, "
                "'_', '.', ':' and '-' (up to 100)",
            )
        elif given is not None:
            common["id"] = given
    common["prompt"] = rep.text(item, "prompt", path, required=True)
    if "points" in cls.common_keys:
        common["points"] = rep.number(item, "points", path, 1.0, lo=0)
        common["feedback"] = rep.text(item, "feedback", path)
    else:
        common["points"] = 0.0
    return cls.parse(item, path, rep, common)


# --- single and multiple choice ---------------------------------------------------------------


@dataclass(frozen=True)
class Option:
    """One choice of a single or multiple question, with its weight in percent of the points."""

    text: str
    weight: float = 0.0
    feedback: str = ""


@dataclass(frozen=True, kw_only=True)
class ChoiceQuestion(Question):
    """What single and multiple share: options, shown by opaque ids, shuffled when asked."""

    keys = ("options",)
    option_keys: ClassVar[tuple[str, ...]] = ("text", "weight", "feedback")
    option_hints: ClassVar[dict[str, str]] = {}

    options: tuple[Option, ...] = ()

    @classmethod
    def parse(
        cls, data: Mapping[Any, object], path: YamlPath, rep: Reporter, common: dict[str, Any]
    ) -> Question:
        options: list[Option] = []
        for i, raw in enumerate(rep.items(data, "options", path, required=True, at_least=2)):
            option = cls._parse_option(raw, (*path, "options", i), rep)
            if option.text and any(o.text == option.text for o in options):
                rep.add((*path, "options", i), f"option '{option.text[:40]}' appears twice")
            options.append(option)
        question = cls(**common, options=tuple(options))
        if len(options) >= 2:
            question._check_weights((*path, "options"), rep)
        return question

    @classmethod
    def _parse_option(cls, raw: object, path: YamlPath, rep: Reporter) -> Option:
        if not isinstance(raw, Mapping):
            return Option(text=rep.as_text(raw, path, "an option") or "")
        rep.keys(raw, cls.option_keys, path, cls.option_hints)
        text = rep.text(raw, "text", path, required=True)
        weight = rep.number(raw, "weight", path, 0.0, lo=-100, hi=100)
        return Option(text=text, weight=weight, feedback=rep.text(raw, "feedback", path))

    def _check_weights(self, path: YamlPath, rep: Reporter) -> None:
        pass

    def _data_json(self) -> dict[str, Any]:
        return {"options": [[o.text, o.weight, o.feedback] for o in self.options]}

    @classmethod
    def _data_from_json(cls, data: Mapping[str, Any]) -> dict[str, Any]:
        return {"options": tuple(Option(str(t), float(w), str(f)) for t, w, f in data["options"])}

    def _ids(self, seed: int) -> list[str]:
        return opaque_ids(seed, self.id, "option", len(self.options))

    def _public_data(self, seed: int, shuffle_options: bool) -> dict[str, Any]:
        ids = self._ids(seed)
        order = list(range(len(self.options)))
        if shuffle_options:
            seeded_random(seed, self.id, "options").shuffle(order)
        shown = [{"id": ids[i], "text_html": render_inline(self.options[i].text)} for i in order]
        return {"options": shown}


@register
@dataclass(frozen=True, kw_only=True)
class SingleQuestion(ChoiceQuestion):
    """One answer: the option marked correct (weight 100); others may carry partial weights."""

    type_name = "single"
    option_keys = ("text", "correct", "weight", "feedback")

    @classmethod
    def _parse_option(cls, raw: object, path: YamlPath, rep: Reporter) -> Option:
        option = super()._parse_option(raw, path, rep)
        if not isinstance(raw, Mapping) or raw.get("correct") is None:
            return option
        correct = rep.flag(raw, "correct", path, False)
        if raw.get("weight") is not None and correct != (option.weight == 100):
            rep.add((*path, "weight"), "'correct' and 'weight' disagree: keep one of them")
        return Option(option.text, 100.0 if correct else option.weight, option.feedback)

    def _check_weights(self, path: YamlPath, rep: Reporter) -> None:
        right = sum(1 for o in self.options if o.weight == 100)
        if right == 0:
            rep.add(path, "no option is marked 'correct: true': mark exactly one")
        elif right > 1:
            rep.add(
                path,
                f"{right} options are marked correct: a single question takes exactly "
                "one (use type: multiple for several)",
            )

    def _check(self, answer: object, seed: int) -> str | None:
        if not isinstance(answer, str) or answer not in self._ids(seed):
            return "Choose one of the options of this question."
        return None

    def _grade(self, answer: object, seed: int) -> Outcome:
        option = self.options[self._ids(seed).index(str(answer))]
        return Outcome(_fraction(option.weight), option.feedback)


@register
@dataclass(frozen=True, kw_only=True)
class MultipleQuestion(ChoiceQuestion):
    """Several answers: chosen weights add up, the score clamped to 0..points."""

    type_name = "multiple"
    option_hints = {
        "correct": "in a multiple question give each option a 'weight' (-100..100) instead of "
        "'correct'; the weights of the right options add up to 100"
    }

    def _check_weights(self, path: YamlPath, rep: Reporter) -> None:
        total = sum(o.weight for o in self.options if o.weight > 0)
        if abs(total - 100) > 0.01:
            rep.add(
                path,
                f"the positive option weights must add up to 100, not "
                f"{plain_number(round(total, 4))}",
            )

    def _check(self, answer: object, seed: int) -> str | None:
        if not isinstance(answer, list):
            return "This answer must be a list of the chosen options."
        ids = self._ids(seed)
        if not all(isinstance(a, str) and a in ids for a in answer):
            return "Some of the chosen answers are not options of this question."
        return None

    def _grade(self, answer: object, seed: int) -> Outcome:
        chosen = set(answer) if isinstance(answer, list) else set()
        picked = [o for i, o in zip(self._ids(seed), self.options, strict=True) if i in chosen]
        feedback = "\n\n".join(o.feedback for o in picked if o.feedback)
        return Outcome(_fraction(sum(o.weight for o in picked)), feedback)


# --- true/false, short answer, numerical ------------------------------------------------------


@register
@dataclass(frozen=True, kw_only=True)
class TrueFalseQuestion(Question):
    """A statement that is true or false; each answer may carry its own feedback."""

    type_name = "true_false"
    keys = ("answer", "feedback_true", "feedback_false")

    answer: bool = True
    feedback_true: str = ""
    feedback_false: str = ""

    @classmethod
    def parse(
        cls, data: Mapping[Any, object], path: YamlPath, rep: Reporter, common: dict[str, Any]
    ) -> Question:
        if data.get("answer") is None:
            rep.add(
                path if "answer" not in data else (*path, "answer"),
                "missing 'answer' (true or false)",
            )
        return cls(
            **common,
            answer=rep.flag(data, "answer", path, True),
            feedback_true=rep.text(data, "feedback_true", path),
            feedback_false=rep.text(data, "feedback_false", path),
        )

    def _data_json(self) -> dict[str, Any]:
        return {
            "answer": self.answer,
            "feedback_true": self.feedback_true,
            "feedback_false": self.feedback_false,
        }

    @classmethod
    def _data_from_json(cls, data: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "answer": bool(data["answer"]),
            "feedback_true": str(data["feedback_true"]),
            "feedback_false": str(data["feedback_false"]),
        }

    def _check(self, answer: object, seed: int) -> str | None:
        return None if isinstance(answer, bool) else "This answer must be true or false."

    def _grade(self, answer: object, seed: int) -> Outcome:
        feedback = self.feedback_true if answer else self.feedback_false
        return Outcome(1.0 if answer == self.answer else 0.0, feedback)


@dataclass(frozen=True)
class Accepted:
    """An accepted short answer (with '*' wildcards) and its weight in percent."""

    text: str
    weight: float = 100.0
    feedback: str = ""


def _check_text(answer: object) -> str | None:
    """The shape check of a typed answer: text of at most MAX_TEXT characters."""
    if not isinstance(answer, str):
        return "This answer must be text."
    if len(answer) > MAX_TEXT:
        return f"This answer is longer than {MAX_TEXT:,} characters."
    return None


def _check_has_full(weights: list[float], path: YamlPath, rep: Reporter) -> None:
    """An answer list must hold one answer worth 100, or no one could get full marks."""
    if weights and max(weights) != 100:
        rep.add(path, "no answer has weight 100: one answer must be worth full marks")


@register
@dataclass(frozen=True, kw_only=True)
class ShortQuestion(Question):
    """A typed answer matched against patterns; the best matching weight wins."""

    type_name = "short"
    keys = ("answers", "case_sensitive")
    answer_keys: ClassVar[tuple[str, ...]] = ("text", "weight", "feedback")

    answers: tuple[Accepted, ...] = ()
    case_sensitive: bool = False

    @classmethod
    def parse(
        cls, data: Mapping[Any, object], path: YamlPath, rep: Reporter, common: dict[str, Any]
    ) -> Question:
        answers: list[Accepted] = []
        for i, raw in enumerate(rep.items(data, "answers", path, required=True, at_least=1)):
            where = (*path, "answers", i)
            if not isinstance(raw, Mapping):
                answers.append(Accepted(rep.as_text(raw, where, "an answer") or ""))
                continue
            rep.keys(raw, cls.answer_keys, where)
            text = rep.text(raw, "text", where, required=True)
            weight = rep.number(raw, "weight", where, 100.0, lo=-100, hi=100)
            answers.append(Accepted(text, weight, rep.text(raw, "feedback", where)))
        _check_has_full([a.weight for a in answers], (*path, "answers"), rep)
        case_sensitive = rep.flag(data, "case_sensitive", path, False)
        return cls(**common, answers=tuple(answers), case_sensitive=case_sensitive)

    def _data_json(self) -> dict[str, Any]:
        answers = [[a.text, a.weight, a.feedback] for a in self.answers]
        return {"answers": answers, "case_sensitive": self.case_sensitive}

    @classmethod
    def _data_from_json(cls, data: Mapping[str, Any]) -> dict[str, Any]:
        answers = tuple(Accepted(str(t), float(w), str(f)) for t, w, f in data["answers"])
        return {"answers": answers, "case_sensitive": bool(data["case_sensitive"])}

    def _check(self, answer: object, seed: int) -> str | None:
        return _check_text(answer)

    def _grade(self, answer: object, seed: int) -> Outcome:
        given = _normalize_text(str(answer), self.case_sensitive)
        best: Accepted | None = None
        for accepted in self.answers:
            if _wildcard(accepted.text, self.case_sensitive).fullmatch(given) and (
                best is None or accepted.weight > best.weight
            ):
                best = accepted
        return UNANSWERED if best is None else Outcome(_fraction(best.weight), best.feedback)


@dataclass(frozen=True)
class Range:
    """An accepted numerical answer: value ± tolerance, or low..high; weight in percent."""

    value: float | None = None
    tolerance: float = 0.0
    low: float | None = None
    high: float | None = None
    weight: float = 100.0
    feedback: str = ""

    def matches(self, number: float) -> bool:
        """Whether number falls in this answer's range (with a hair of float slack)."""
        if self.value is not None:
            slack = 1e-9 * max(1.0, abs(self.value))
            return abs(number - self.value) <= self.tolerance + slack
        low, high = self.low or 0.0, self.high or 0.0
        slack = 1e-9 * max(1.0, abs(low), abs(high))
        return low - slack <= number <= high + slack


@register
@dataclass(frozen=True, kw_only=True)
class NumericalQuestion(Question):
    """A number checked against value±tolerance or min..max ranges; the best weight wins."""

    type_name = "numerical"
    keys = ("answers",)
    answer_keys: ClassVar[tuple[str, ...]] = (
        "value",
        "tolerance",
        "min",
        "max",
        "weight",
        "feedback",
    )

    answers: tuple[Range, ...] = ()

    @classmethod
    def parse(
        cls, data: Mapping[Any, object], path: YamlPath, rep: Reporter, common: dict[str, Any]
    ) -> Question:
        answers: list[Range] = []
        for i, raw in enumerate(rep.items(data, "answers", path, required=True, at_least=1)):
            where = (*path, "answers", i)
            if not isinstance(raw, Mapping):
                answers.append(Range(value=rep.number({"value": raw}, "value", where, 0.0)))
                continue
            rep.keys(raw, cls.answer_keys, where)
            answers.append(cls._parse_range(raw, where, rep))
        _check_has_full([a.weight for a in answers], (*path, "answers"), rep)
        return cls(**common, answers=tuple(answers))

    @staticmethod
    def _parse_range(raw: Mapping[Any, object], where: YamlPath, rep: Reporter) -> Range:
        weight = rep.number(raw, "weight", where, 100.0, lo=-100, hi=100)
        feedback = rep.text(raw, "feedback", where)
        has_value = raw.get("value") is not None
        if has_value and (raw.get("min") is not None or raw.get("max") is not None):
            rep.add(where, "give either 'value' (with 'tolerance') or 'min' and 'max', not both")
        if has_value or (raw.get("min") is None and raw.get("max") is None):
            if not has_value:
                rep.add(where, "missing 'value' (or 'min' and 'max')")
            value = rep.number(raw, "value", where, 0.0)
            tolerance = rep.number(raw, "tolerance", where, 0.0, lo=0)
            return Range(value=value, tolerance=tolerance, weight=weight, feedback=feedback)
        for key in ("min", "max"):
            if raw.get(key) is None:
                rep.add(where, f"missing '{key}'")
        low, high = rep.number(raw, "min", where, 0.0), rep.number(raw, "max", where, 0.0)
        if low > high:
            rep.add((*where, "min"), "'min' is greater than 'max'")
        return Range(low=low, high=high, weight=weight, feedback=feedback)

    def _data_json(self) -> dict[str, Any]:
        answers = [
            {
                "value": a.value,
                "tolerance": a.tolerance,
                "min": a.low,
                "max": a.high,
                "weight": a.weight,
                "feedback": a.feedback,
            }
            for a in self.answers
        ]
        return {"answers": answers}

    @classmethod
    def _data_from_json(cls, data: Mapping[str, Any]) -> dict[str, Any]:
        def opt(value: Any) -> float | None:
            return None if value is None else float(value)

        answers = tuple(
            Range(
                opt(a["value"]),
                float(a["tolerance"]),
                opt(a["min"]),
                opt(a["max"]),
                float(a["weight"]),
                str(a["feedback"]),
            )
            for a in data["answers"]
        )
        return {"answers": answers}

    def _check(self, answer: object, seed: int) -> str | None:
        return None if parse_number(answer) is not None else "This answer must be a number."

    def _grade(self, answer: object, seed: int) -> Outcome:
        number = parse_number(answer)
        best: Range | None = None
        for accepted in self.answers:
            matched = number is not None and accepted.matches(number)
            if matched and (best is None or accepted.weight > best.weight):
                best = accepted
        return UNANSWERED if best is None else Outcome(_fraction(best.weight), best.feedback)


# --- matching, essay, description -------------------------------------------------------------


@register
@dataclass(frozen=True, kw_only=True)
class MatchingQuestion(Question):
    """Pairs to match, plus distractors on the right; credit per correct pair."""

    type_name = "matching"
    keys = ("pairs", "distractors")

    pairs: tuple[tuple[str, str], ...] = ()
    distractors: tuple[str, ...] = ()

    @classmethod
    def parse(
        cls, data: Mapping[Any, object], path: YamlPath, rep: Reporter, common: dict[str, Any]
    ) -> Question:
        pairs: list[tuple[str, str]] = []
        for i, raw in enumerate(rep.items(data, "pairs", path, required=True, at_least=2)):
            where = (*path, "pairs", i)
            item = rep.mapping(raw, where, "a pair")
            if item is None:
                continue
            rep.keys(item, ("left", "right"), where)
            left = rep.text(item, "left", where, required=True)
            if left and any(left == p[0] for p in pairs):
                rep.add((*where, "left"), f"'{left[:40]}' is on the left of two pairs")
            pairs.append((left, rep.text(item, "right", where, required=True)))
        distractors: list[str] = []
        for i, raw in enumerate(rep.items(data, "distractors", path)):
            text = rep.as_text(raw, (*path, "distractors", i), "a distractor") or ""
            if text in (p[1] for p in pairs):
                rep.add((*path, "distractors", i), f"'{text[:40]}' is also a right answer")
            distractors.append(text)
        return cls(**common, pairs=tuple(pairs), distractors=tuple(distractors))

    def _data_json(self) -> dict[str, Any]:
        return {"pairs": [list(p) for p in self.pairs], "distractors": list(self.distractors)}

    @classmethod
    def _data_from_json(cls, data: Mapping[str, Any]) -> dict[str, Any]:
        pairs = tuple((str(left), str(right)) for left, right in data["pairs"])
        return {"pairs": pairs, "distractors": tuple(str(d) for d in data["distractors"])}

    def choices(self) -> list[str]:
        """The texts on the right: each pair's right once, then the distractors."""
        return list(dict.fromkeys([*(p[1] for p in self.pairs), *self.distractors]))

    def _ids(self, seed: int) -> tuple[list[str], list[str]]:
        left = opaque_ids(seed, self.id, "left", len(self.pairs))
        return left, opaque_ids(seed, self.id, "right", len(self.choices()))

    def _public_data(self, seed: int, shuffle_options: bool) -> dict[str, Any]:
        left_ids, right_ids = self._ids(seed)
        choices = self.choices()
        left_order = list(range(len(self.pairs)))
        if shuffle_options:
            seeded_random(seed, self.id, "left").shuffle(left_order)
        right_order = list(range(len(choices)))
        seeded_random(seed, self.id, "right").shuffle(right_order)
        return {
            "left": [
                {"id": left_ids[i], "text_html": render_inline(self.pairs[i][0])}
                for i in left_order
            ],
            "right": [
                {"id": right_ids[i], "text_html": render_inline(choices[i])} for i in right_order
            ],
        }

    def _check(self, answer: object, seed: int) -> str | None:
        if not isinstance(answer, Mapping):
            return "This answer must map each item on the left to one on the right."
        left_ids, right_ids = self._ids(seed)
        for left, right in answer.items():
            if left not in left_ids:
                return "This answer names an item that is not on the left of this question."
            if right is not None and right not in right_ids:
                return "This answer matches an item to something that is not one of the choices."
        return None

    def _grade(self, answer: object, seed: int) -> Outcome:
        given = answer if isinstance(answer, Mapping) else {}
        left_ids, right_ids = self._ids(seed)
        choices = self.choices()
        right = sum(
            1
            for left_id, (_, text) in zip(left_ids, self.pairs, strict=True)
            if given.get(left_id) == right_ids[choices.index(text)]
        )
        return Outcome(right / len(self.pairs) if self.pairs else 0.0)


@register
@dataclass(frozen=True, kw_only=True)
class EssayQuestion(Question):
    """A free text answer that a person grades later."""

    type_name = "essay"

    def _check(self, answer: object, seed: int) -> str | None:
        return _check_text(answer)

    def _grade(self, answer: object, seed: int) -> Outcome:
        if not str(answer).strip():
            return UNANSWERED
        return Outcome(0.0, needs_manual_grading=True)


@register
@dataclass(frozen=True, kw_only=True)
class DescriptionQuestion(Question):
    """Text between questions: nothing to answer, no points."""

    type_name = "description"
    common_keys = ("id", "type", "prompt")
    key_hints = {
        "points": "a description has no points: remove 'points' (or use type: essay)",
        "feedback": "a description has nothing to answer, so no feedback: remove 'feedback'",
    }
    points: float = 0.0

    def grade(self, answer: object, seed: int) -> Outcome:
        """Nothing to answer, so nothing to get wrong: full marks of zero points."""
        return Outcome(1.0)
