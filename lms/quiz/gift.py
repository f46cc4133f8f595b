"""Moodle GIFT quizzes: read the way Moodle's importer reads them, and written back out.

Pure: no Flask, no database. Each GIFT question is turned into the mapping a native YAML quiz
would hold and goes through the registry's parse_question, so both formats give identical
Question objects; every problem is located to a line (and column) of the GIFT file, and no
input makes the parser raise.

Moodle's rules, followed here: questions are separated by blank lines; a line whose first
characters are ``//`` is a comment; ``$CATEGORY:`` blocks are skipped; ``::name::`` names a
question; a ``[moodle]``/``[html]``/``[plain]``/``[markdown]`` prefix sets a text's format (and
the question text's format is the default of its answers and feedback); the first ``{...}`` holds
the answers, and text after it makes a missing-word question (the blank shows as ``_____``);
``####`` starts the general feedback; ``\\~ \\= \\# \\{ \\} \\: \\\\ \\n`` are escapes.
"""

from __future__ import annotations

import bisect
import re
import sys
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from lms.authoring.problems import Problem
from lms.quiz.questions import (
    ID_RE,
    ChoiceQuestion,
    DescriptionQuestion,
    EssayQuestion,
    MatchingQuestion,
    NumericalQuestion,
    Question,
    Range,
    Reporter,
    ShortQuestion,
    SingleQuestion,
    TrueFalseQuestion,
    YamlPath,
    parse_question,
    plain_number,
)
from lms.quiz.quizdef import Quiz, QuizSettings

# The bounds of the "any other number" answer that `~#feedback` adds to a numerical question.
CATCH_ALL = sys.float_info.max

_WS = " \t\n\r\0\x0b"  # what PHP's trim() strips; Moodle trims with it at every step
_FORMATS = ("moodle", "html", "plain", "markdown")
# Escaped special characters become lone surrogates while a question is read (no decoded text
# can hold one), so the structure is found with plain string searches, as Moodle does.
_ESCAPES = {
    ":": "\ud800",
    "#": "\ud801",
    "=": "\ud802",
    "{": "\ud803",
    "}": "\ud804",
    "~": "\ud805",
    "n": "\ud806",
}
_LITERAL = str.maketrans({mark: "\n" if char == "n" else char for char, mark in _ESCAPES.items()})
_SURROGATE = re.compile("[\ud800-\udfff]")
_WEIGHT = re.compile(r"%(-*)(\d{1,2}\.?\d*)%")  # Moodle's answer weight, at an answer's start
_WEIGHTISH = re.compile(r"%[-+\d.,\s]{1,20}%")  # what an author meant as a weight
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")  # PHP's is_numeric
_BLANK = re.compile(r"(?<!_)_____(?!_)")
_PLAIN_INLINE = re.compile(r"_{3,}|[\\`*_\[\]<>&!|]")
_PLAIN_LINE = re.compile(r"^([ \t]*)([#+=-])|^([ \t]*\d+)([.)])", re.MULTILINE)
_OUT = str.maketrans(
    {
        "\\": "\\\\",
        "#": "\\#",
        "=": "\\=",
        "~": "\\~",
        "{": "\\{",
        "}": "\\}",
        "\n": "\\n",
        "\r": "",
    }
)


# --- reading ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Src:
    """A run of GIFT text (escapes folded) with each character's file offset, to locate problems."""

    text: str
    offsets: tuple[int, ...]
    anchor: int

    @property
    def at(self) -> int:
        """The file offset the run starts at (its anchor when empty): where a problem points."""
        return self.offsets[0] if self.offsets else self.anchor

    def cut(self, start: int, end: int | None = None) -> _Src:
        """The part text[start:end], keeping its offsets."""
        stop = len(self.text) if end is None else end
        part = self.offsets[start:stop]
        if part:
            anchor = part[0]
        elif self.offsets:
            anchor = self.offsets[min(start, len(self.offsets) - 1)]
        else:
            anchor = self.anchor
        return _Src(self.text[start:stop], part, anchor)

    def strip(self) -> _Src:
        """The run without whitespace at either end, as Moodle trims every part it splits off."""
        left = len(self.text) - len(self.text.lstrip(_WS))
        right = len(self.text.rstrip(_WS))
        return self.cut(left, max(left, right))

    def __add__(self, other: _Src) -> _Src:
        """The two runs one after the other, as the missing-word prompt is put together."""
        return _Src(self.text + other.text, self.offsets + other.offsets, self.at)

    def split(self, drop: str, keep: str = "") -> list[tuple[int, _Src]]:
        """Moodle's explode of an answer list, each trimmed part with its marker's offset."""
        # cut at each `drop` (removed) and before each `keep` (kept); problems about a part point
        # at the marker that began it; the first part goes when empty, as Moodle drops it
        parts: list[tuple[int, _Src]] = []
        start, mark = 0, -1
        for index, char in enumerate(self.text):
            if char in (drop, keep):
                parts.append(self._part(start, index, mark))
                start = index + 1 if char == drop else index
                mark = self.offsets[index]
        parts.append(self._part(start, len(self.text), mark))
        return parts[1:] if not parts[0][1].text else parts

    def _part(self, start: int, end: int, mark: int) -> tuple[int, _Src]:
        """text[start:end] trimmed, with where it is marked (its own start when mark < 0)."""
        part = self.cut(start, end).strip()
        where = part.at if mark < 0 else mark
        return where, part if part.text else _Src("", (), where)

    def hash_split(self, limit: int) -> list[_Src]:
        """The run cut at its first limit-1 '#' marks: an answer and its feedback(s)."""
        parts: list[_Src] = []
        start = 0
        while len(parts) < limit - 1:
            index = self.text.find("#", start)
            if index < 0:
                break
            parts.append(self.cut(start, index))
            start = index + 1
        parts.append(self.cut(start))
        return [part.strip() for part in parts]


@dataclass(frozen=True)
class _Block:
    """The lines of one question (between blank lines), joined as Moodle joins them."""

    src: _Src
    code_lines: tuple[int, ...]
    last_line: int


def _fold_escapes(src: _Src) -> _Src:
    """Replace each escape by its placeholder (or '\\\\' by one backslash), keeping offsets."""
    text, offsets = src.text, src.offsets
    chars: list[str] = []
    where: list[int] = []
    index = 0
    while index < len(text):
        char = text[index]
        follow = text[index + 1] if index + 1 < len(text) else ""
        if char == "\\" and (follow == "\\" or follow in _ESCAPES):
            chars.append("\\" if follow == "\\" else _ESCAPES[follow])
            where.append(offsets[index])
            index += 2
            continue
        chars.append(char)
        where.append(offsets[index])
        index += 1
    return _Src("".join(chars), tuple(where), src.anchor)


def _decode(text: str) -> str:
    """Placeholders back to the characters they stand for."""
    return text.translate(_LITERAL)


def _formatted(src: _Src, default: str) -> tuple[str, str]:
    """A text and its format: a leading [moodle], [html], [plain] or [markdown] sets the format."""
    text, fmt = src.text, default
    if text.startswith("["):
        end = text.find("]")
        if end > 0 and text[1:end] in _FORMATS:
            fmt, text = text[1:end], text[end + 1 :]
    return _decode(text).strip(_WS), fmt


def _plain_to_markdown(text: str) -> str:
    """Plain text as Markdown that shows it literally: markup characters escaped, lines kept."""

    def inline(match: re.Match[str]) -> str:
        """One markup character escaped; a run of underscores (a blank) kept."""
        found = match.group()
        return found if len(found) >= 3 else "\\" + found

    def line_start(match: re.Match[str]) -> str:
        """A heading, list or rule marker at a line start escaped."""
        if match.group(2) is not None:
            return f"{match.group(1)}\\{match.group(2)}"
        return f"{match.group(3)}\\{match.group(4)}"

    escaped = _PLAIN_LINE.sub(line_start, _PLAIN_INLINE.sub(inline, text))
    return escaped.replace("\n", "\\\n")


def _rich(src: _Src, default: str) -> tuple[str, str]:
    """A shown text as Markdown (plain text escaped so it shows as written) and its format."""
    text, fmt = _formatted(src, default)
    return (_plain_to_markdown(text) if fmt == "plain" else text), fmt


def _slug(name: str) -> str:
    """A question id from a ::name::: the name itself when it is a valid id, else a slug of it."""
    if ID_RE.fullmatch(name):
        return name
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-")[:100].strip("-")


def _snip(text: str) -> str:
    """A short excerpt of an author's text for a message."""
    text = " ".join(_decode(text).split())
    return text if len(text) <= 40 else text[:39] + "…"


class _Reader:
    """Reads one GIFT file into questions, collecting located problems instead of raising."""

    def __init__(self, text: str, file: str) -> None:
        self.file = file
        self.text = text
        self.sep = "\r" if "\r" in text and "\n" not in text else "\n"
        self.line_starts = [0]
        for index, char in enumerate(text):
            if char == self.sep:
                self.line_starts.append(index + 1)
        self.problems: list[Problem] = []
        self.positions: dict[YamlPath, int] = {}
        self.reporter = Reporter(file, self.locate)

    # -- locations

    def where(self, offset: int) -> tuple[int, int]:
        """(line, column), 1-based, of a file offset."""
        index = bisect.bisect_right(self.line_starts, offset) - 1
        return index + 1, offset - self.line_starts[index] + 1

    def locate(self, path: tuple[str | int, ...]) -> tuple[int, int]:
        """Where a YAML-style path of a question stood in the GIFT file (nearest known ancestor)."""
        probe = tuple(path)
        while probe:
            if probe in self.positions:
                return self.where(self.positions[probe])
            probe = probe[:-1]
        return 1, 0

    def add(self, offset: int, message: str) -> None:
        """Record a problem at a file offset."""
        line, column = self.where(offset)
        self.problems.append(Problem(self.file, line, column, message))

    def mark(self, path: YamlPath, src: _Src) -> None:
        """Remember where the part at path starts, for parse_question's problems."""
        self.positions[path] = src.at

    # -- blocks

    def blocks(self) -> list[_Block]:
        """The file's question blocks: runs of non-blank lines, comment lines blanked."""
        blocks: list[_Block] = []
        current: list[tuple[int, int, str]] = []
        offset = 0
        for number, line in enumerate(self.text.split(self.sep), 1):
            content = line.strip(_WS)
            if content:
                current.append((number, offset + len(line) - len(line.lstrip(_WS)), content))
            elif current:
                blocks.append(self._block(current))
                current = []
            offset += len(line) + 1
        if current:
            blocks.append(self._block(current))
        return blocks

    def _block(self, lines: list[tuple[int, int, str]]) -> _Block:
        """Join a block's lines with newlines, a comment line counting as one space."""
        chars: list[str] = []
        offsets: list[int] = []
        code: list[int] = []
        for number, start, content in lines:
            if chars:
                chars.append("\n")
                offsets.append(offsets[-1] + 1)
            if content.startswith("//"):
                chars.append(" ")
                offsets.append(start)
                continue
            code.append(number)
            chars.append(content)
            offsets.extend(range(start, start + len(content)))
        src = _Src("".join(chars), tuple(offsets), lines[0][1]).strip()
        return _Block(_fold_escapes(src), tuple(code), lines[-1][0])

    # -- the file

    def read(self, default_id: str, settings: QuizSettings | None) -> Quiz | None:
        """Every question of the file, or None when there is any problem."""
        bad = _SURROGATE.search(self.text)
        if bad:
            self.add(bad.start(), "this text holds an invalid character (a lone surrogate)")
            return None
        found: list[tuple[Question, bool, int]] = []
        index = 0
        for block in self.blocks():
            if not block.src.text:
                continue  # only comments
            if block.src.text.startswith("$CATEGORY:"):
                if len(block.code_lines) > 1:
                    line = block.code_lines[1]
                    self.problems.append(
                        Problem(
                            self.file,
                            line,
                            0,
                            f"line {line} is read as part of the $CATEGORY name above it: "
                            "put a blank line after the $CATEGORY line",
                        )
                    )
                continue
            question, has_name = self.question(block, index)
            if question is not None:
                found.append((question, has_name, index))
            index += 1
        if index == 0 and not self.problems:
            self.problems.append(
                Problem(
                    self.file,
                    1,
                    0,
                    "the GIFT file holds no questions: write questions separated by blank lines",
                )
            )
        self._check_ids(found)
        self.problems.extend(self.reporter.problems)
        if self.problems:
            return None
        questions = tuple(question for question, _, _ in found)
        return Quiz(default_id, default_id, settings or QuizSettings(), questions)

    def _check_ids(self, found: list[tuple[Question, bool, int]]) -> None:
        """Report every question id that an earlier question already has."""
        first: dict[str, int] = {}
        for position, (question, has_name, index) in enumerate(found):
            if question.id not in first:
                first[question.id] = position
                continue
            other = first[question.id] + 1
            message = f"duplicate question id '{question.id}' (question {other} has it too)"
            if not has_name:
                message = (
                    f"question {position + 1} gets the id '{question.id}', which question "
                    f"{other} already has: give one of them another ::name::"
                )
            line, column = self.locate(("questions", index, "id"))
            self.problems.append(Problem(self.file, line, column, message))

    # -- one question

    def question(self, block: _Block, index: int) -> tuple[Question | None, bool]:
        """One question block as a Question (None on problems), and whether it has a ::name::."""
        before = len(self.problems)
        path: YamlPath = ("questions", index)
        src = block.src
        self.mark(path, src)
        name = ""
        has_name = src.text.startswith("::")
        if has_name:
            end = src.text.find("::", 2)
            if end < 0:
                self.add(src.at, "question name opened with '::' is never closed with '::'")
                return None, True
            name = _decode(src.text[2:end]).strip(_WS)
            self.mark((*path, "id"), src)
            src = src.cut(end + 2).strip()
        qid = _slug(name) or f"q{index + 1}"
        data = self._question_data(src, block, path)
        if data is None or len(self.problems) > before:
            return None, has_name
        data["id"] = qid
        return parse_question(data, index, path, self.reporter), has_name

    def _question_data(self, src: _Src, block: _Block, path: YamlPath) -> dict[str, Any] | None:
        """The YAML-shaped mapping of a question (without its id), or None on problems."""
        opens = [i for i, char in enumerate(src.text) if char == "{"]
        closes = [i for i, char in enumerate(src.text) if char == "}"]
        if not opens and not closes:
            prompt, _ = _rich(src, "moodle")
            self.mark((*path, "prompt"), src)
            if not prompt:
                self.add(self.positions[path], "this question has no text")
                return None
            return {"type": "description", "prompt": prompt}
        if not self._braces_ok(src, opens, closes, block):
            return None
        start, end = opens[0], closes[0]
        answers = src.cut(start + 1, end).strip()
        if end == len(src.text) - 1:
            prompt_src = src.cut(0, start)
        else:  # missing word: the text goes on after the answers
            prompt_src = src.cut(0, start) + _Src("_____", (src.offsets[start],) * 5, 0)
            prompt_src = prompt_src + src.cut(end + 1)
        prompt, fmt = _rich(prompt_src, "moodle")
        self.mark((*path, "prompt"), prompt_src)
        self.positions[(*path, "options")] = src.offsets[start]
        data: dict[str, Any] = {"prompt": prompt, "feedback": ""}
        split = answers.text.rfind("####")
        if split >= 0:
            feedback_src = answers.cut(split + 4)
            data["feedback"] = _rich(feedback_src, fmt)[0]
            self.mark((*path, "feedback"), feedback_src)
            answers = answers.cut(0, split).strip()
        if not prompt:
            self.add(self.positions[path], "this question has no text")
        body = self._answers(answers, fmt, path, src.offsets[start])
        return None if body is None else {**data, **body}

    def _braces_ok(self, src: _Src, opens: list[int], closes: list[int], block: _Block) -> bool:
        """Whether the question holds exactly one well-formed {...}; a located problem if not."""
        if closes and (not opens or closes[0] < opens[0]):
            self.add(src.offsets[closes[0]], "'}' closes no answer list: write \\} for a brace")
            return False
        if not closes:
            line = self.where(src.offsets[opens[0]])[0]
            self.problems.append(
                Problem(
                    self.file,
                    block.last_line,
                    0,
                    f"answer list opened with '{{' on line {line} is never closed",
                )
            )
            return False
        start, end = opens[0], closes[0]
        line = self.where(src.offsets[start])[0]
        if len(opens) > 1 and opens[1] < end:
            self.add(
                src.offsets[opens[1]],
                f"'{{' inside the answer list opened on line {line}: close that list first, "
                "or write \\{ for a brace",
            )
            return False
        if len(opens) > 1:
            self.add(
                src.offsets[opens[1]],
                "a second answer list in one question: put a blank line between questions, "
                "or write \\{ for a brace",
            )
            return False
        if len(closes) > 1:
            self.add(src.offsets[closes[1]], "'}' closes no answer list: write \\} for a brace")
            return False
        return True

    def _answers(
        self, answers: _Src, fmt: str, path: YamlPath, brace: int
    ) -> dict[str, Any] | None:
        """The type and answers of the {...} list, told apart by Moodle's rules."""
        text = answers.text
        if not text:
            return {"type": "essay"}
        if text.startswith("#"):
            return self._numerical(answers.cut(1), fmt, path, brace)
        if "~" in text:
            return self._choice(answers, fmt, path, brace)
        if "=" in text and "->" in text:
            return self._matching(answers, fmt, path, brace)
        hash_at = text.find("#")
        token = text[:hash_at].strip(_WS) if hash_at > 0 else text
        if token in ("T", "TRUE", "F", "FALSE"):
            return self._true_false(answers, fmt, path)
        return self._short(answers, fmt, path, brace)

    def _weight(self, part: _Src, default: float, at: int) -> tuple[float, _Src] | None:
        """A leading %weight% (percent) and the rest of the answer; default when there is none."""
        match = _WEIGHT.match(part.text)
        if match is None:
            loose = _WEIGHTISH.match(part.text)
            if loose and any(char.isdigit() for char in loose.group()):
                self.add(
                    at,
                    f"'{loose.group()}' is not a weight: write a number from -100 to 100 between "
                    "% signs, like %50% or %-25%",
                )
                return None
            return default, part
        minus, digits = match.groups()
        if len(minus) > 1:
            self.add(at, f"'{match.group()}' is not a weight: use at most one minus sign")
            return None
        weight = -float(digits) if minus else float(digits)
        if not -100 <= weight <= 100:
            self.add(at, f"weight {match.group()} is outside -100%..100%")
            return None
        return weight, part.cut(match.end())

    def _choice(self, answers: _Src, fmt: str, path: YamlPath, brace: int) -> dict[str, Any] | None:
        """Multiple choice: one right answer when any answer starts with '=', else weights."""
        single = "=" in answers.text
        parts = answers.split("~", "=")
        if len(parts) < 2:
            self.add(
                brace, f"a multiple-choice question needs at least 2 answers, not {len(parts)}"
            )
            return None
        options: list[dict[str, Any]] = []
        for number, (at, part) in enumerate(parts, 1):
            where: YamlPath = (*path, "options", number - 1)
            self.positions[where] = at
            if part.text.startswith("="):
                rest = part.cut(1)
                if _WEIGHTISH.match(rest.text.lstrip(_WS)):
                    self.add(
                        at,
                        "a '=' answer is the right one, worth 100%: for a partial weight write "
                        "~%50% before the answer instead",
                    )
                    continue
                weighed: tuple[float, _Src] | None = (100.0, rest)
            else:
                weighed = self._weight(part, 0.0, at)
            if weighed is None:
                continue
            weight, rest = weighed
            option = self._answer_texts(rest, fmt, where, number, at)
            if option is not None:
                options.append({**option, "weight": weight})
        if len(options) < len(parts):
            return None
        weights = [float(o["weight"]) for o in options]
        if single:
            right = sum(1 for w in weights if w == 100)
            if right > 1:
                self.add(
                    brace,
                    f"{right} answers are right (marked '=' or worth 100%), but an answer list "
                    "with '=' takes exactly one: for several right answers use ~%weights% "
                    "that add up to 100%",
                )
                return None
        else:
            total = sum(w for w in weights if w > 0)
            if total == 0:
                self.add(
                    brace,
                    "no answer is right: mark the right answer with '=', or give the right "
                    "answers ~%weights% that add up to 100%",
                )
                return None
            if abs(total - 100) > 0.01:
                shown = plain_number(round(total, 4))
                hint = ", so no learner could get full marks" if total < 100 else ""
                self.add(
                    brace,
                    f"the positive weights of a multiple-answer question must add up to 100%, "
                    f"not {shown}%{hint}",
                )
                return None
        return {"type": "single" if single else "multiple", "options": options}

    def _answer_texts(
        self, part: _Src, fmt: str, where: YamlPath, number: int, at: int
    ) -> dict[str, Any] | None:
        """An answer's text and '#' feedback, both shown texts; None when the text is empty."""
        pieces = part.hash_split(2)
        text = _rich(pieces[0], fmt)[0]
        feedback = _rich(pieces[1], fmt)[0] if len(pieces) > 1 else ""
        self.mark((*where, "text"), pieces[0])
        if len(pieces) > 1:
            self.mark((*where, "feedback"), pieces[1])
        if not text:
            self.add(at, f"answer {number} is empty")
            return None
        return {"text": text, "feedback": feedback}

    def _true_false(self, answers: _Src, fmt: str, path: YamlPath) -> dict[str, Any]:
        """{T}, {TRUE}, {F}, {FALSE}, each with optional #wrong feedback#right feedback."""
        pieces = answers.hash_split(3)
        answer = _formatted(pieces[0], fmt)[0] in ("T", "TRUE")
        wrong = _rich(pieces[1], fmt)[0] if len(pieces) > 1 else ""
        right = _rich(pieces[2], fmt)[0] if len(pieces) > 2 else ""
        self.mark((*path, "answer"), pieces[0])
        return {
            "type": "true_false",
            "answer": answer,
            "feedback_true": right if answer else wrong,
            "feedback_false": wrong if answer else right,
        }

    def _short(self, answers: _Src, fmt: str, path: YamlPath, brace: int) -> dict[str, Any] | None:
        """Short answer: each '=' answer (or the text before the first '=') is accepted."""
        parts = answers.split("=")
        accepted: list[dict[str, Any]] = []
        for number, (at, part) in enumerate(parts, 1):
            where: YamlPath = (*path, "answers", number - 1)
            self.positions[where] = at
            weighed = self._weight(part, 100.0, at)
            if weighed is None:
                continue
            weight, rest = weighed
            pieces = rest.hash_split(2)
            text = _formatted(pieces[0], fmt)[0]  # a pattern to match, not a text to show
            feedback = _rich(pieces[1], fmt)[0] if len(pieces) > 1 else ""
            if not text:
                self.add(at, f"answer {number} is empty")
                continue
            accepted.append({"text": text, "weight": weight, "feedback": feedback})
        if len(accepted) < len(parts):
            return None
        if not any(a["weight"] == 100 for a in accepted):
            self.add(
                brace,
                "no answer is worth 100%: at least one answer must earn full marks "
                "(an answer without a %weight% is worth 100%)",
            )
            return None
        return {"type": "short", "answers": accepted, "case_sensitive": False}

    def _numerical(self, body: _Src, fmt: str, path: YamlPath, brace: int) -> dict[str, Any] | None:
        """{#...}: number, number:margin or min..max answers, and ~#feedback for any other."""
        other_feedback = ""
        tilde = body.text.find("~")
        if tilde >= 0:
            pieces = body.cut(tilde + 1).hash_split(2)
            if pieces[0].text:
                self.add(
                    pieces[0].at,
                    "text after '~' in a numerical answer list is ignored: the feedback for "
                    "any other number is written ~#feedback",
                )
                return None
            if len(pieces) > 1:
                other_feedback = _rich(pieces[1], fmt)[0]
            body = body.cut(0, tilde)
        parts = body.split("=")
        if not parts:
            self.add(
                brace,
                "a numerical answer list needs a number after '#', such as {#1951}, "
                "{#1951:2} or {#1950..1952}",
            )
            return None
        ranges: list[dict[str, Any]] = []
        for number, (at, part) in enumerate(parts, 1):
            where: YamlPath = (*path, "answers", number - 1)
            self.positions[where] = at
            weighed = self._weight(part, 100.0, at)
            if weighed is None:
                continue
            weight, rest = weighed
            pieces = rest.hash_split(2)
            feedback = _rich(pieces[1], fmt)[0] if len(pieces) > 1 else ""
            bounds = self._range(_formatted(pieces[0], fmt)[0], at)
            if bounds is not None:
                ranges.append({**bounds, "weight": weight, "feedback": feedback})
        if len(ranges) < len(parts):
            return None
        if not any(r["weight"] == 100 for r in ranges):
            self.add(
                brace,
                "no answer is worth 100%: at least one answer must earn full marks "
                "(an answer without a %weight% is worth 100%)",
            )
            return None
        if other_feedback:
            ranges.append(
                {"min": -CATCH_ALL, "max": CATCH_ALL, "weight": 0.0, "feedback": other_feedback}
            )
        return {"type": "numerical", "answers": ranges}

    def _range(self, text: str, at: int) -> dict[str, float] | None:
        """One numerical answer's numbers: value (and margin) or min and max."""
        dots, colon = text.find(".."), text.find(":")
        if dots > 0:
            numbers = [_number(text[:dots]), _number(text[dots + 2 :])]
        elif colon > 0:
            numbers = [_number(text[:colon]), _number(text[colon + 1 :])]
        else:
            numbers = [_number(text)]
        if any(n is None for n in numbers):
            hint = " (decimals take a dot, not a comma)" if "," in text else ""
            self.add(
                at,
                f"'{_snip(text)}' is not a numerical answer: write a number (1951), a number "
                f"with its margin (1951:2) or a range (1950..1952){hint}",
            )
            return None
        values = [n for n in numbers if n is not None]
        if dots > 0:
            if values[0] > values[1]:
                self.add(at, f"the range {_snip(text)} starts above its end")
                return None
            return {"min": values[0], "max": values[1]}
        if len(values) > 1 and values[1] < 0:
            self.add(at, f"the margin after ':' must not be negative, not {_snip(text)}")
            return None
        return {"value": values[0], "tolerance": values[1] if len(values) > 1 else 0.0}

    def _matching(
        self, answers: _Src, fmt: str, path: YamlPath, brace: int
    ) -> dict[str, Any] | None:
        """Matching: '=item -> match' pairs; '= -> match' (no item) is a distractor."""
        pairs: list[dict[str, str]] = []
        distractors: list[str] = []
        parts = answers.split("=")
        ok = True
        for number, (at, part) in enumerate(parts, 1):
            arrow = part.text.find("->")
            if arrow < 0:
                self.add(
                    at,
                    f"'{_snip(part.text)}' has no '->': a matching answer is '=item -> match'",
                )
                ok = False
                continue
            left = _rich(part.cut(0, arrow), fmt)[0]
            right = _decode(part.cut(arrow + 2).text).strip(_WS)
            if not right:
                self.add(at, f"answer {number} has nothing after '->'")
                ok = False
            elif left:
                self.positions[(*path, "pairs", len(pairs))] = at
                pairs.append({"left": left, "right": right})
            else:
                self.positions[(*path, "distractors", len(distractors))] = at
                distractors.append(right)
        if not ok:
            return None
        if len(pairs) < 2:
            self.add(
                brace,
                f"a matching question needs at least 2 pairs '=item -> match', not {len(pairs)}",
            )
            return None
        return {"type": "matching", "pairs": pairs, "distractors": distractors}


def _number(text: str) -> float | None:
    """A finite number written as PHP's is_numeric reads decimals; None otherwise."""
    text = text.strip(_WS)
    if not _NUMBER.fullmatch(text):
        return None
    value = float(text)
    return value if value not in (float("inf"), float("-inf")) else None


def parse_gift(
    text: str, file: str, default_id: str, settings: QuizSettings | None = None
) -> tuple[Quiz | None, list[Problem]]:
    """Parse a GIFT quiz: (Quiz, []) when it is valid, else (None, every located problem)."""
    reader = _Reader(text[1:] if text.startswith("\ufeff") else text, file)
    quiz = reader.read(default_id, settings)
    problems = sorted(reader.problems, key=lambda p: (p.line, p.column))
    return (None, problems) if problems or quiz is None else (quiz, [])


# --- writing ---------------------------------------------------------------------------------


def _esc(text: str) -> str:
    """Text with GIFT's special characters escaped and newlines as \\n, all on one line."""
    return text.translate(_OUT)


def _text_out(text: str, *, arrows: bool = False) -> str:
    """A shown text for GIFT; a [markdown] prefix guards a leading '[' or '%' from being read."""
    # arrows: '->' becomes '-\\>' (Markdown shows '->') where Moodle would see a matching pair
    out = _esc(text)
    if arrows:
        out = out.replace("->", "-\\>")
    return "[markdown]" + out if text[:1] in ("[", "%") else out


def _feedback_out(feedback: str, *, arrows: bool = False) -> str:
    """'#feedback', or nothing when there is none."""
    return "#" + _text_out(feedback, arrows=arrows) if feedback else ""


def _percent(weight: float) -> str:
    """A weight as Moodle's %..% reads it: plain digits, never an exponent."""
    if weight == 0:
        return "0"
    text = format(Decimal(repr(float(weight))), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _num(value: float) -> str:
    """A number in its shortest exact form, '1822' rather than '1822.0'."""
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def _is_catch_all(answer: Range) -> bool:
    """Whether a numerical answer is the 'any other number' one that ~#feedback writes."""
    return (
        answer.low is not None
        and answer.high is not None
        and answer.low <= -CATCH_ALL
        and answer.high >= CATCH_ALL
        and answer.weight == 0
    )


def _pieces(question: Question) -> tuple[str, list[str]]:
    """What goes inside a question's braces: a lead ('#' for numerical) and one piece an answer."""
    if isinstance(question, ChoiceQuestion):
        single = isinstance(question, SingleQuestion)
        pieces = []
        for option in question.options:
            if single and option.weight == 100:
                mark = "="
            elif option.weight == 0:
                mark = "~"
            else:
                mark = f"~%{_percent(option.weight)}%"
            pieces.append(mark + _text_out(option.text) + _feedback_out(option.feedback))
        return "", pieces
    if isinstance(question, TrueFalseQuestion):
        right, wrong = question.feedback_true, question.feedback_false
        if not question.answer:
            right, wrong = wrong, right
        piece = "TRUE" if question.answer else "FALSE"
        if wrong or right:
            piece += "#" + (_text_out(wrong) if wrong else "")
        if right:
            piece += "#" + _text_out(right)
        return "", [piece]
    if isinstance(question, ShortQuestion):
        return "", [
            "="
            + (f"%{_percent(a.weight)}%" if a.weight != 100 else "")
            + _text_out(a.text)
            + _feedback_out(a.feedback, arrows=True)
            for a in question.answers
        ]
    if isinstance(question, NumericalQuestion):
        pieces = []
        others = [a for a in question.answers if _is_catch_all(a)]
        for answer in question.answers:
            if _is_catch_all(answer):
                continue
            weight = f"%{_percent(answer.weight)}%" if answer.weight != 100 else ""
            if answer.value is not None:
                number = _num(answer.value)
                if answer.tolerance:
                    number += ":" + _num(answer.tolerance)
            else:
                number = f"{_num(answer.low or 0.0)}..{_num(answer.high or 0.0)}"
            pieces.append(f"={weight}{number}{_feedback_out(answer.feedback)}")
        pieces.extend("~" + _feedback_out(a.feedback) for a in others if a.feedback)
        return "#", pieces
    if isinstance(question, MatchingQuestion):
        pairs = [
            f"={_text_out(left, arrows=True)} -> {_esc(right)}" for left, right in question.pairs
        ]
        return "", pairs + [f"= -> {_esc(d)}" for d in question.distractors]
    return "", []  # essay


def _question_out(question: Question) -> str:
    """One question as a GIFT block: notes on what GIFT cannot hold, the name, the question."""
    notes = []
    default_points = 0.0 if isinstance(question, DescriptionQuestion) else 1.0
    if question.points != default_points:
        notes.append(
            f"// worth {_points(question.points)} in the source quiz; GIFT has no syntax for points"
        )
    if isinstance(question, ShortQuestion) and question.case_sensitive:
        notes.append("// answers are case-sensitive in the source quiz; GIFT cannot say so")
    head = "::" + _esc(question.id).replace(":", "\\:") + "::[markdown]"
    if isinstance(question, DescriptionQuestion):
        return "\n".join([*notes, head + _esc(question.prompt)])
    lead, pieces = _pieces(question)
    if question.feedback:
        pieces.append("####" + _text_out(question.feedback))
    prompt = question.prompt
    blank = _BLANK.search(prompt)
    if blank and prompt[blank.end() :].strip(_WS):  # missing word: answers where the blank is
        before, after = _esc(prompt[: blank.start()]), _esc(prompt[blank.end() :])
        body = before + "{" + lead + " ".join(pieces) + "}" + after
    elif isinstance(question, TrueFalseQuestion | EssayQuestion):
        body = _esc(prompt) + "{" + " ".join(pieces) + "}"
    else:
        body = _esc(prompt) + "{" + lead + "\n" + "".join(f"\t{p}\n" for p in pieces) + "}"
    return "\n".join([*notes, head + body])


def export_gift(quiz: Quiz) -> str:
    """The quiz as GIFT that Moodle imports and parse_gift reads back to the same questions."""
    blocks = [f"// {' '.join(quiz.title.split())}"] if quiz.title.strip() else []
    blocks.extend(_question_out(question) for question in quiz.questions)
    return "\n\n".join(blocks) + "\n"


# --- translations ----------------------------------------------------------------------------


def _differences(main: Question, variant: Question) -> list[str]:
    """How a translated question differs from the main one in what decides its grade."""
    label = f"question '{main.id}'"
    if type(main) is not type(variant):
        return [f"{label} is {variant.type_name} here but {main.type_name} in the main quiz"]
    found = []
    if main.points != variant.points:
        found.append(
            f"{label} is worth {_points(variant.points)} here but {_points(main.points)} "
            "in the main quiz"
        )
    if isinstance(main, ChoiceQuestion) and isinstance(variant, ChoiceQuestion):
        ours, theirs = [o.weight for o in main.options], [o.weight for o in variant.options]
        if len(ours) != len(theirs):
            found.append(f"{label} has {len(theirs)} options here but {len(ours)} in the main quiz")
        else:
            for number, (mine, other) in enumerate(zip(ours, theirs, strict=True), 1):
                if abs(mine - other) > 1e-9:
                    found.append(
                        f"{label}: option {number} is worth {plain_number(other)}% here but "
                        f"{plain_number(mine)}% in the main quiz: keep the options in the same "
                        "order with the same weights"
                    )
                    break
    elif isinstance(main, TrueFalseQuestion) and isinstance(variant, TrueFalseQuestion):
        if main.answer != variant.answer:
            found.append(
                f"{label}: the right answer is {str(variant.answer).lower()} here but "
                f"{str(main.answer).lower()} in the main quiz"
            )
    elif isinstance(main, NumericalQuestion) and isinstance(variant, NumericalQuestion):
        if [_grading(a) for a in main.answers] != [_grading(a) for a in variant.answers]:
            found.append(
                f"{label}: the accepted numbers or their weights differ from the main quiz"
            )
    elif isinstance(main, MatchingQuestion) and isinstance(variant, MatchingQuestion):
        shape = (len(variant.pairs), len(variant.distractors))
        if shape != (len(main.pairs), len(main.distractors)):
            found.append(
                f"{label} has {shape[0]} pairs and {shape[1]} distractors here but "
                f"{len(main.pairs)} and {len(main.distractors)} in the main quiz"
            )
    return found


def _points(points: float) -> str:
    """'1 point', '2 points': a question's worth for a message."""
    return f"{plain_number(points)} point{'' if points == 1 else 's'}"


def _grading(answer: Range) -> tuple[float | None, float, float | None, float | None, float]:
    """What of a numerical answer decides grades (its feedback is translated)."""
    return answer.value, answer.tolerance, answer.low, answer.high, answer.weight


def translation_problems(main: Quiz, variant: Quiz, file: str) -> list[Problem]:
    """Where a translation strays from the main quiz: other questions, order or right answers."""
    # questions are matched by id (a ::name:: kept as it is, or the position when unnamed);
    # short-answer texts are not compared: accepted answers are words of each language
    problems: list[Problem] = []

    def add(message: str) -> None:
        """A problem of the translation file (the Quiz keeps no lines, so none is given)."""
        problems.append(Problem(file, 0, 0, message))

    ours = [q.id for q in main.questions]
    theirs = {q.id: q for q in variant.questions}
    for qid in ours:
        if qid not in theirs:
            add(
                f"question '{qid}' of the main quiz is missing here (questions without a "
                "::name:: are matched by position)"
            )
    for qid in theirs:
        if qid not in ours:
            add(f"question '{qid}' is not in the main quiz: keep each ::name:: as it is")
    shared_ours = [qid for qid in ours if qid in theirs]
    shared_theirs = [q.id for q in variant.questions if q.id in ours]
    for position, (mine, other) in enumerate(zip(shared_ours, shared_theirs, strict=True), 1):
        if mine != other:
            add(
                f"question {position} is '{other}' here but '{mine}' in the main quiz: "
                "keep the questions in the same order"
            )
            break
    for question in main.questions:
        if question.id in theirs:
            for message in _differences(question, theirs[question.id]):
                add(message)
    return problems
