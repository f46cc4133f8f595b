"""GIFT quizzes: every construct read as Moodle's importer reads it, errors located, round trips."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lms.authoring.markup import render_inline
from lms.authoring.problems import Problem
from lms.authoring.yamlsrc import load_yaml
from lms.quiz.gift import CATCH_ALL, export_gift, parse_gift, translation_problems
from lms.quiz.questions import (
    Accepted,
    DescriptionQuestion,
    EssayQuestion,
    MatchingQuestion,
    MultipleQuestion,
    NumericalQuestion,
    Option,
    Question,
    Range,
    ShortQuestion,
    SingleQuestion,
    TrueFalseQuestion,
)
from lms.quiz.quizdef import Quiz, QuizSettings, parse_quiz

FILE = "quizzes/m1.gift"
ROOT = Path(__file__).resolve().parents[2]
SAMPLE_QUIZZES = sorted(ROOT.glob("courses/*/quizzes/*.yaml"))


def parse(text: str) -> Quiz:
    """The quiz of a GIFT text that must be valid."""
    quiz, problems = parse_gift(text, FILE, "m1")
    assert problems == [], [str(p) for p in problems]
    assert quiz is not None
    return quiz


def one(text: str) -> Question:
    """The only question of a GIFT text."""
    questions = parse(text).questions
    assert len(questions) == 1, questions
    return questions[0]


def errors(text: str) -> list[str]:
    """The problems of a GIFT text that must be invalid, as 'file:line:col: message'."""
    quiz, problems = parse_gift(text, FILE, "m1")
    assert quiz is None
    assert problems
    return [str(p) for p in problems]


def line_count(text: str) -> int:
    """How many lines a text has, counted as the parser counts them."""
    text = text.removeprefix("\ufeff")
    sep = "\r" if "\r" in text and "\n" not in text else "\n"
    return text.count(sep) + 1


def assert_quiz_or_located(text: str) -> tuple[Quiz | None, list[Problem]]:
    """parse_gift's contract: a Quiz and no problems, or None and problems on real lines."""
    quiz, problems = parse_gift(text, FILE, "m1")
    if quiz is not None:
        assert problems == []
        assert quiz.questions
        assert all(isinstance(q, Question) for q in quiz.questions)
        assert len({q.id for q in quiz.questions}) == len(quiz.questions)
    else:
        assert problems
        for problem in problems:
            assert problem.file == FILE
            assert 1 <= problem.line <= line_count(text), (problem, text)
            assert problem.column >= 0
            assert problem.message.strip()
    return quiz, problems


# --- comments, names, categories, blank lines --------------------------------------------------


def test_comment_lines_are_skipped_even_inside_a_question() -> None:
    question = one(
        "// Module 1: who does what\n"
        "// reviewed with the protection cluster\n"
        "Which agency chairs the Global Protection Cluster?{\n"
        "// the right answer first\n"
        "=UNHCR\n"
        "~IOM\n"
        "}\n"
    )
    assert question == SingleQuestion(
        id="q1",
        prompt="Which agency chairs the Global Protection Cluster?",
        options=(Option("UNHCR", 100.0), Option("IOM", 0.0)),
    )


def test_double_slash_inside_a_line_is_text() -> None:
    question = one("The glossary is at https://www.iom.int/key-migration-terms for reference.")
    assert (
        question.prompt
        == "The glossary is at https://www.iom.int/key-migration-terms for reference."
    )


def test_comment_only_blocks_are_not_questions_and_do_not_count() -> None:
    quiz = parse(
        "// Module 2 quiz\n\n"
        "Smuggling always crosses a border.{T}\n\n"
        "// a note between questions\n\n"
        "Trafficking always crosses a border.{F}\n"
    )
    assert [q.id for q in quiz.questions] == ["q1", "q2"]


def test_a_name_becomes_the_id_slugged_when_it_is_not_an_id() -> None:
    quiz = parse(
        "::Referral Pathways 101::Who keeps the referral pathway?{=The protection lead ~Anyone}\n\n"
        "::q-consent::Consent of a victim is irrelevant once deception is used.{TRUE}\n\n"
        "::Fase: Asistencia Ñandú::¿Quién asiste?{=La agencia líder ~Nadie}\n\n"
        "::Art\\:3::The definition is in Article 3.{T}\n"
    )
    assert [q.id for q in quiz.questions] == [
        "referral-pathways-101",
        "q-consent",
        "fase-asistencia-nandu",
        "Art:3",
    ]


def test_unnamed_questions_take_their_position_descriptions_included() -> None:
    quiz = parse(
        "The next questions are about the flood case study.\n\n"
        "::flood::A flood raises the risk of trafficking.{T}\n\n"
        "Families may send children to work in the city.{T}\n\n"
        "::日本語::Names without Latin letters fall back to the position.{T}\n"
    )
    assert [q.id for q in quiz.questions] == ["q1", "flood", "q3", "q4"]
    assert isinstance(quiz.questions[0], DescriptionQuestion)


def test_an_empty_name_falls_back_to_the_position() -> None:
    assert one("::::Labour migration is always regular.{F}").id == "q1"


def test_category_lines_are_skipped() -> None:
    quiz = parse(
        "$CATEGORY: $course$/Protection/Module 1\n\n"
        "::m1-q1::Trafficking is a crime against the person.{T}\n"
    )
    assert [q.id for q in quiz.questions] == ["m1-q1"]


def test_questions_span_several_lines_and_blank_lines_separate_them() -> None:
    quiz = parse(
        "::elements::\n"
        "For an adult victim, which elements\n"
        "make up trafficking in persons?\n"
        "{\n"
        "  ~%50%The act, such as\n"
        "  recruitment or transport\n"
        "  ~%50%The means and the purpose\n"
        "  ~%-100%A border crossing\n"
        "}\n"
        "\n"
        "\n"
        "::second::Smuggling requires the consent of the migrant.{T}\n"
    )
    first = quiz.questions[0]
    assert isinstance(first, MultipleQuestion)
    assert first.prompt == "For an adult victim, which elements\nmake up trafficking in persons?"
    assert first.options[0] == Option("The act, such as\nrecruitment or transport", 50.0)
    assert quiz.questions[1].id == "second"


def test_windows_line_ends_a_byte_order_mark_and_old_mac_line_ends() -> None:
    crlf = "\ufeff::a::Is asylum a right?{T}\r\n\r\n::b::Is smuggling legal?{F}\r\n"
    assert [q.id for q in parse(crlf).questions] == ["a", "b"]
    old_mac = "::a::Is asylum a right?{T}\r\r::b::Is smuggling legal?{F}\r"
    assert [q.id for q in parse(old_mac).questions] == ["a", "b"]


# --- formats ------------------------------------------------------------------------------------


def test_markdown_html_and_moodle_prefixes_are_dropped_and_the_text_kept() -> None:
    quiz = parse(
        "[markdown]Which *one* is a durable solution?{=Local integration ~Detention}\n\n"
        "[html]<p>Which <b>one</b> is a durable solution?</p>{=Resettlement ~Pushback}\n\n"
        "[moodle]Which one is a durable solution?{=Voluntary return ~Refoulement}\n"
    )
    assert [q.prompt for q in quiz.questions] == [
        "Which *one* is a durable solution?",
        "<p>Which <b>one</b> is a durable solution?</p>",
        "Which one is a durable solution?",
    ]


def test_plain_text_is_escaped_so_it_shows_as_written() -> None:
    question = one("[plain]Is 2 * 3 <b>people</b> a group?{=Yes#A *group* ~No}")
    assert isinstance(question, SingleQuestion)
    assert question.prompt == "Is 2 \\* 3 \\<b\\>people\\</b\\> a group?"
    assert render_inline(question.prompt) == "Is 2 * 3 &lt;b&gt;people&lt;/b&gt; a group?"
    # the question's format is the default of its answers and feedback
    assert question.options[0] == Option("Yes", 100.0, "A \\*group\\*")


def test_an_answer_may_carry_its_own_format_and_unknown_prefixes_stay_text() -> None:
    question = one("[note] Which is a shelter?{=[html]<b>Safe house</b> ~[plain]A *bar*}")
    assert isinstance(question, SingleQuestion)
    assert question.prompt == "[note] Which is a shelter?"
    assert question.options == (Option("<b>Safe house</b>", 100.0), Option("A \\*bar\\*", 0.0))


# --- multiple choice ----------------------------------------------------------------------------


def test_single_choice_with_answer_and_general_feedback() -> None:
    question = one(
        "::palermo::Which instrument defines trafficking in persons?{\n"
        "=The Palermo Protocol#Right: its Article 3 gives the definition.\n"
        "~The 1951 Refugee Convention#It defines who is a refugee.\n"
        "~The Kampala Convention\n"
        "####Adopted in 2000, it supplements the UNTOC.\n"
        "}"
    )
    assert question == SingleQuestion(
        id="palermo",
        prompt="Which instrument defines trafficking in persons?",
        feedback="Adopted in 2000, it supplements the UNTOC.",
        options=(
            Option("The Palermo Protocol", 100.0, "Right: its Article 3 gives the definition."),
            Option("The 1951 Refugee Convention", 0.0, "It defines who is a refugee."),
            Option("The Kampala Convention", 0.0, ""),
        ),
    )


def test_single_choice_with_partial_and_negative_weights() -> None:
    question = one(
        "Who should first receive a disclosure of trafficking?"
        "{=A trained case worker ~%50%A trusted nurse ~%-25%A journalist ~The recruiter}"
    )
    assert isinstance(question, SingleQuestion)
    assert [o.weight for o in question.options] == [100.0, 50.0, -25.0, 0.0]


def test_multiple_answers_with_weights() -> None:
    question = one(
        "Which are elements of trafficking?{\n"
        "~%33.3333%The act\n"
        "~%33.3333%The means\n"
        "~%33.3334%The purpose#Exploitation.\n"
        "~%-100%A border crossing#Not needed.\n"
        "~A fee paid\n"
        "}"
    )
    assert question == MultipleQuestion(
        id="q1",
        prompt="Which are elements of trafficking?",
        options=(
            Option("The act", 33.3333),
            Option("The means", 33.3333),
            Option("The purpose", 33.3334, "Exploitation."),
            Option("A border crossing", -100.0, "Not needed."),
            Option("A fee paid", 0.0),
        ),
    )


def test_one_hundred_percent_without_equals_is_a_multiple_answer_question() -> None:
    question = one("Which body hears asylum appeals here?{~%100%The tribunal ~The police}")
    assert isinstance(question, MultipleQuestion)


def test_text_before_the_first_marker_is_a_wrong_answer_as_in_moodle() -> None:
    question = one("Which is a push factor?{Tourism ~Festivals =Conflict}")
    assert isinstance(question, SingleQuestion)
    assert question.options == (
        Option("Tourism", 0.0),
        Option("Festivals", 0.0),
        Option("Conflict", 100.0),
    )


# --- true/false ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("token", "answer"), [("T", True), ("TRUE", True), ("F", False)])
def test_true_false_tokens(token: str, answer: bool) -> None:
    question = one(f"Refugees are protected against refoulement.{{{token}}}")
    assert question == TrueFalseQuestion(
        id="q1", prompt="Refugees are protected against refoulement.", answer=answer
    )


def test_false_with_wrong_and_right_feedback() -> None:
    question = one(
        "Smuggling can happen without crossing a border."
        "{FALSE#No: smuggling always crosses a border.#Right: trafficking need not.}"
    )
    assert question == TrueFalseQuestion(
        id="q1",
        prompt="Smuggling can happen without crossing a border.",
        answer=False,
        feedback_true="No: smuggling always crosses a border.",
        feedback_false="Right: trafficking need not.",
    )


def test_true_with_feedback_and_general_feedback() -> None:
    question = one("A child cannot consent to exploitation.{T#Not so.#Yes.####Article 3(c).}")
    assert question == TrueFalseQuestion(
        id="q1",
        prompt="A child cannot consent to exploitation.",
        feedback="Article 3(c).",
        answer=True,
        feedback_true="Yes.",
        feedback_false="Not so.",
    )


def test_lowercase_true_is_a_short_answer_as_in_moodle() -> None:
    question = one("Write the word: asylum is a right, true or false?{true}")
    assert question == ShortQuestion(
        id="q1",
        prompt="Write the word: asylum is a right, true or false?",
        answers=(Accepted("true"),),
    )


# --- numerical ----------------------------------------------------------------------------------


def test_numerical_value_and_margin() -> None:
    question = one("In which year was the Refugee Convention adopted?{#1951:1}")
    assert question == NumericalQuestion(
        id="q1",
        prompt="In which year was the Refugee Convention adopted?",
        answers=(Range(value=1951.0, tolerance=1.0),),
    )


def test_numerical_exact_value_and_negative_numbers() -> None:
    question = one("A camp sits how many metres below sea level (as a negative number)?{#-12.5}")
    assert isinstance(question, NumericalQuestion)
    assert question.answers == (Range(value=-12.5, tolerance=0.0),)


def test_numerical_range() -> None:
    question = one("What share of migrants are women, in percent?{#47.5..48.5}")
    assert isinstance(question, NumericalQuestion)
    assert question.answers == (Range(low=47.5, high=48.5),)


def test_numerical_several_answers_with_weights_feedback_and_any_other() -> None:
    question = one(
        "How many states were party to the Palermo Protocol in 2023?{#\n"
        "=181:0#Exactly.\n"
        "=%50%181:5#Close.\n"
        "~#Look it up in the UN treaty collection.\n"
        "####Almost every UN member.\n"
        "}"
    )
    assert question == NumericalQuestion(
        id="q1",
        prompt="How many states were party to the Palermo Protocol in 2023?",
        feedback="Almost every UN member.",
        answers=(
            Range(value=181.0, tolerance=0.0, feedback="Exactly."),
            Range(value=181.0, tolerance=5.0, weight=50.0, feedback="Close."),
            Range(
                low=-CATCH_ALL,
                high=CATCH_ALL,
                weight=0.0,
                feedback="Look it up in the UN treaty collection.",
            ),
        ),
    )
    assert question.grade("12", 1).feedback == "Look it up in the UN treaty collection."
    assert question.grade("181", 1).fraction == 1.0


def test_numerical_answers_on_one_line() -> None:
    question = one("Year of the Global Compact for Migration?{# =2018:0 =%50%2018:1}")
    assert isinstance(question, NumericalQuestion)
    assert question.answers == (
        Range(value=2018.0, tolerance=0.0),
        Range(value=2018.0, tolerance=1.0, weight=50.0),
    )


# --- matching, short answer, missing word, essay, description ----------------------------------


def test_matching_pairs_and_a_distractor() -> None:
    question = one(
        "Match each term with what it is a crime against.{\n"
        "=Smuggling -> The state\n"
        "=Trafficking -> The person\n"
        "= -> The employer\n"
        "####Smuggling ends at the border; trafficking goes on.\n"
        "}"
    )
    assert question == MatchingQuestion(
        id="q1",
        prompt="Match each term with what it is a crime against.",
        feedback="Smuggling ends at the border; trafficking goes on.",
        pairs=(("Smuggling", "The state"), ("Trafficking", "The person")),
        distractors=("The employer",),
    )


def test_matching_on_one_line_keeps_arrows_and_hashes_on_the_right() -> None:
    question = one("Match.{=Push->Conflict -> displacement =Pull->Jobs #1 abroad}")
    assert isinstance(question, MatchingQuestion)
    assert question.pairs == (("Push", "Conflict -> displacement"), ("Pull", "Jobs #1 abroad"))


def test_short_answers_with_weights_and_feedback() -> None:
    question = one(
        "Which UN agency is mandated to protect refugees?"
        "{=UNHCR#Right. =%50%UN refugee agency#Give its acronym. =%0%IOM#That is migration.}"
    )
    assert question == ShortQuestion(
        id="q1",
        prompt="Which UN agency is mandated to protect refugees?",
        answers=(
            Accepted("UNHCR", 100.0, "Right."),
            Accepted("UN refugee agency", 50.0, "Give its acronym."),
            Accepted("IOM", 0.0, "That is migration."),
        ),
    )


def test_a_single_answer_without_equals_is_a_short_answer() -> None:
    question = one("Acronym of the national counter-trafficking task force?{CORETT}")
    assert isinstance(question, ShortQuestion)
    assert question.answers == (Accepted("CORETT"),)


def test_missing_word_puts_a_blank_where_the_answers_were() -> None:
    quiz = parse(
        "Victims are referred through the {=national referral ~extradition} mechanism.\n\n"
        "{=Refugees ~Tourists} are protected against refoulement.\n\n"
        "The 1951 Convention was adopted in {#1951}, in Geneva.\n"
    )
    assert [q.prompt for q in quiz.questions] == [
        "Victims are referred through the _____ mechanism.",
        "_____ are protected against refoulement.",
        "The 1951 Convention was adopted in _____, in Geneva.",
    ]
    assert isinstance(quiz.questions[2], NumericalQuestion)


def test_answers_at_the_end_leave_no_blank() -> None:
    assert one("Who leads on refugee protection?{=UNHCR}").prompt == (
        "Who leads on refugee protection?"
    )


def test_essay_with_and_without_general_feedback() -> None:
    quiz = parse(
        "Describe how you would refer a survivor in your context.{}\n\n"
        "::plan::Draft a safety plan for a shelter.{####Look for confidentiality and consent.}\n"
    )
    assert quiz.questions == (
        EssayQuestion(id="q1", prompt="Describe how you would refer a survivor in your context."),
        EssayQuestion(
            id="plan",
            prompt="Draft a safety plan for a shelter.",
            feedback="Look for confidentiality and consent.",
        ),
    )


def test_description_has_no_braces_and_no_points() -> None:
    question = one("::intro::The next questions are about\nthe flood case study.")
    assert question == DescriptionQuestion(
        id="intro", prompt="The next questions are about\nthe flood case study."
    )
    assert question.points == 0.0


# --- escapes ------------------------------------------------------------------------------------


def test_every_escape_in_prompt_answers_and_feedback() -> None:
    question = one(
        "::esc::Which line reads \\{a\\} \\~ b \\= c \\# d\\: e \\\\ f?"
        "{=\\~\\=\\#\\{\\}\\:\\\\ and\\na new line#It \\= that ~plain#Not \\#1}"
    )
    assert question == SingleQuestion(
        id="esc",
        prompt="Which line reads {a} ~ b = c # d: e \\ f?",
        options=(
            Option("~=#{}:\\ and\na new line", 100.0, "It = that"),
            Option("plain", 0.0, "Not #1"),
        ),
    )


def test_a_backslash_before_any_other_character_stays() -> None:
    assert one("Path C:\\data\\x is kept.").prompt == "Path C:\\data\\x is kept."


def test_a_double_backslash_before_a_brace_leaves_the_brace_live() -> None:
    question = one("Ends in a backslash \\\\{T}")
    assert question == TrueFalseQuestion(id="q1", prompt="Ends in a backslash \\", answer=True)


# --- one GIFT file, the same questions as its YAML twin -----------------------------------------

TWIN_YAML = """\
questions:
  - id: q1
    type: single
    prompt: Which instrument defines trafficking in persons?
    options:
      - {text: The Palermo Protocol (2000), correct: true, feedback: "Right: Article 3."}
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
  - id: q7
    type: numerical
    prompt: "Pi?"
    answers: [{min: 3.141, max: 3.142}, {value: 3.14, weight: 50}]
  - id: q8
    type: true_false
    prompt: Is it?
    answer: false
    feedback_true: No.
    feedback_false: Yes.
  - id: q9
    type: single
    prompt: "Victims are referred through the _____ mechanism."
    options: [{text: national referral, correct: true}, {text: extradition}]
  - {id: q10, type: essay, prompt: Describe how you would refer a victim in your context.}
  - {id: q11, type: description, prompt: The next questions are about the case study.}
"""

TWIN_GIFT = """\
// The same quiz as TWIN_YAML, written the way GIFT authors write it.
Which instrument defines trafficking in persons?{
=The Palermo Protocol (2000)#Right: Article 3.
~The Refugee Convention (1951)
####General feedback shown after the attempt.
}

Which are elements of the definition?{
~%33.3333%The act ~%33.3333%The means ~%33.3334%The purpose ~%-100%Crossing a border
}

Consent is irrelevant once any means is used.{T}

Acronym?{=CORETT =%50%C*T}

In which year?{#2000:0}

Match each term to its meaning.{
=Smuggling -> Crime against a state
=Trafficking -> Crime against a person
= -> A civil offence
}

Pi?{#=3.141..3.142 =%50%3.14}

Is it?{F#No.#Yes.}

Victims are referred through the {=national referral ~extradition} mechanism.

Describe how you would refer a victim in your context.{}

The next questions are about the case study.
"""


def _yaml_quiz(text: str, file: str, default_id: str) -> Quiz:
    """A quiz parsed from native YAML, which must be valid."""
    data, locate, problems = load_yaml(text, file)
    assert problems == []
    quiz, problems = parse_quiz(data, file, locate, default_id)
    assert problems == [], [str(p) for p in problems]
    assert quiz is not None
    return quiz


def test_gift_gives_the_same_question_objects_as_yaml() -> None:
    assert parse(TWIN_GIFT).questions == _yaml_quiz(TWIN_YAML, "m1.yaml", "m1").questions


def test_settings_are_passed_through_and_the_title_is_the_id() -> None:
    chosen = QuizSettings(pass_mark=70, max_attempts=2, shuffle_options=True)
    quiz, problems = parse_gift(TWIN_GIFT, FILE, "m1", chosen)
    assert problems == []
    assert quiz is not None
    assert (quiz.id, quiz.title, quiz.settings) == ("m1", "m1", chosen)
    assert parse(TWIN_GIFT).settings == QuizSettings()


# --- errors, each with its line -----------------------------------------------------------------


def test_an_unclosed_brace_names_the_line_where_it_opened() -> None:
    text = (
        "::a::Asylum is a right.{T}\n"
        "\n"
        "::b::Which agency protects refugees?{\n"
        "=UNHCR\n"
        "~IOM\n"
        "\n"
        "::c::Smuggling crosses a border.{T}\n"
    )
    assert errors(text) == [f"{FILE}:5: answer list opened with '{{' on line 3 is never closed"]


def test_a_closing_brace_without_an_opening_one() -> None:
    assert errors("Which agency } protects refugees?") == [
        f"{FILE}:1:14: '}}' closes no answer list: write \\}} for a brace"
    ]


def test_a_brace_inside_an_answer_list() -> None:
    assert errors("Which agency?{\n=UNHCR {the agency}\n~IOM\n}") == [
        f"{FILE}:2:8: '{{' inside the answer list opened on line 1: close that list first, "
        "or write \\{ for a brace"
    ]


def test_two_answer_lists_in_one_question() -> None:
    assert errors("Asylum is a right.{T}\nSmuggling is legal.{F}") == [
        f"{FILE}:2:20: a second answer list in one question: put a blank line between "
        "questions, or write \\{ for a brace"
    ]


def test_an_unclosed_name() -> None:
    assert errors("\n::referral Who keeps the pathway?{=The lead ~Anyone}") == [
        f"{FILE}:2:1: question name opened with '::' is never closed with '::'"
    ]


def test_a_category_line_that_swallows_a_question() -> None:
    assert errors("$CATEGORY: Module 1\n::a::Asylum is a right.{T}\n") == [
        f"{FILE}:2: line 2 is read as part of the $CATEGORY name above it: "
        "put a blank line after the $CATEGORY line"
    ]


def test_multiple_answer_weights_that_cannot_reach_100() -> None:
    text = (
        "::a::Asylum is a right.{T}\n\n"
        "Which are durable solutions?{\n~%50%Return\n~%30%Resettlement\n~Detention\n}"
    )
    assert errors(text) == [
        f"{FILE}:3:29: the positive weights of a multiple-answer question must add up to 100%, "
        "not 80%, so no learner could get full marks"
    ]


def test_multiple_answer_weights_above_100() -> None:
    assert errors("Durable solutions?{~%50%Return ~%50%Resettlement ~%50%Integration}") == [
        f"{FILE}:1:19: the positive weights of a multiple-answer question must add up to 100%, "
        "not 150%"
    ]


def test_an_answer_list_with_no_right_answer() -> None:
    assert errors("Who protects refugees?{~Smugglers ~Recruiters}") == [
        f"{FILE}:1:23: no answer is right: mark the right answer with '=', or give the right "
        "answers ~%weights% that add up to 100%"
    ]


def test_two_right_answers_where_one_is_expected() -> None:
    assert errors("Who protects refugees?{=UNHCR =The state ~Smugglers}") == [
        f"{FILE}:1:23: 2 answers are right (marked '=' or worth 100%), but an answer list with "
        "'=' takes exactly one: for several right answers use ~%weights% that add up to 100%"
    ]


def test_a_choice_with_one_answer_and_an_empty_answer() -> None:
    assert errors("Who?{~UNHCR}") == [
        f"{FILE}:1:5: a multiple-choice question needs at least 2 answers, not 1"
    ]
    assert errors("Who?{=UNHCR ~\n~IOM}") == [f"{FILE}:1:13: answer 2 is empty"]


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        (
            "~%33,3%A",
            "1:19: '%33,3%' is not a weight: write a number from -100 to 100 between % signs, "
            "like %50% or %-25%",
        ),
        ("~%--5%A", "1:19: '%--5%' is not a weight: use at most one minus sign"),
        ("~%150%A", "1:19: weight %150% is outside -100%..100%"),
        (
            "=%50%A",
            "1:19: a '=' answer is the right one, worth 100%: for a partial weight write ~%50% "
            "before the answer instead",
        ),
    ],
)
def test_malformed_weights(answers: str, message: str) -> None:
    assert errors(f"Who leads?{{=UNHCR {answers} ~B}}") == [f"{FILE}:{message}"]


def test_a_short_answer_list_with_no_full_marks() -> None:
    assert errors("Acronym of the refugee agency?\n{=%50%UNHCR}") == [
        f"{FILE}:2:1: no answer is worth 100%: at least one answer must earn full marks "
        "(an answer without a %weight% is worth 100%)"
    ]


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        (
            "#nineteen fifty-one",
            "1:14: 'nineteen fifty-one' is not a numerical answer: write a number (1951), a "
            "number with its margin (1951:2) or a range (1950..1952)",
        ),
        (
            "#1951,5",
            "1:14: '1951,5' is not a numerical answer: write a number (1951), a number with its "
            "margin (1951:2) or a range (1950..1952) (decimals take a dot, not a comma)",
        ),
        ("#1952..1950", "1:14: the range 1952..1950 starts above its end"),
        ("#1951:-1", "1:14: the margin after ':' must not be negative, not 1951:-1"),
        (
            "#",
            "1:12: a numerical answer list needs a number after '#', such as {#1951}, {#1951:2} "
            "or {#1950..1952}",
        ),
        (
            "#1951 ~oops",
            "1:20: text after '~' in a numerical answer list is ignored: the feedback for any "
            "other number is written ~#feedback",
        ),
        (
            "#=%50%1951",
            "1:12: no answer is worth 100%: at least one answer must earn full marks (an answer "
            "without a %weight% is worth 100%)",
        ),
    ],
)
def test_unknown_numerical_syntax(answers: str, message: str) -> None:
    assert errors(f"Which year?{{{answers}}}") == [f"{FILE}:{message}"]


def test_matching_errors() -> None:
    assert errors("Match.{=Smuggling -> The state}") == [
        f"{FILE}:1:7: a matching question needs at least 2 pairs '=item -> match', not 1"
    ]
    assert errors("Match.{=Smuggling -> The state = -> The person =Trafficking}") == [
        f"{FILE}:1:48: 'Trafficking' has no '->': a matching answer is '=item -> match'"
    ]
    assert errors("Match.{=Smuggling -> =Trafficking -> The person}") == [
        f"{FILE}:1:8: answer 1 has nothing after '->'"
    ]


def test_problems_found_by_the_question_registry_are_located_too() -> None:
    assert errors("Who?{\n=UNHCR\n~IOM\n~IOM\n}") == [f"{FILE}:4:1: option 'IOM' appears twice"]
    assert errors("Match.{\n=Push -> Conflict\n=Push -> Jobs\n}") == [
        f"{FILE}:3:1: 'Push' is on the left of two pairs"
    ]


def test_duplicate_ids() -> None:
    text = (
        "::flood::Floods raise trafficking risks.{T}\n\n"
        "::flood::Droughts raise trafficking risks.{T}\n\n"
        "::q4::Conflict raises trafficking risks.{T}\n\n"
        "Pandemics raise trafficking risks.{T}\n"
    )
    assert errors(text) == [
        f"{FILE}:3:1: duplicate question id 'flood' (question 1 has it too)",
        f"{FILE}:7:1: question 4 gets the id 'q4', which question 3 already has: "
        "give one of them another ::name::",
    ]


def test_questions_without_text() -> None:
    assert errors("{=UNHCR ~IOM}") == [f"{FILE}:1:1: this question has no text"]
    assert errors("::lonely::") == [f"{FILE}:1:1: this question has no text"]
    assert errors("::a::[html]{T}") == [f"{FILE}:1:1: this question has no text"]


def test_an_empty_file_or_only_comments() -> None:
    message = (
        f"{FILE}:1: the GIFT file holds no questions: write questions separated by blank lines"
    )
    assert errors("") == [message]
    assert errors("// nothing yet\n\n$CATEGORY: Module 1\n") == [message]


def test_every_problem_is_reported_at_once_in_file_order() -> None:
    text = (
        "::a::Who?{~UNHCR}\n\n"
        "::b::Asylum is a right.{T}\n\n"
        "::c::Which year?{#soon}\n\n"
        "::d::Which agency?{\n=UNHCR\n"
    )
    assert [p.split(": ", 1)[0] for p in errors(text)] == [
        f"{FILE}:1:10",
        f"{FILE}:5:19",
        f"{FILE}:8",
    ]


def test_an_invalid_character_is_a_problem_not_a_crash() -> None:
    assert errors("Who?{=A ~B}\n\nA lone \ud800 surrogate.{T}") == [
        f"{FILE}:3:8: this text holds an invalid character (a lone surrogate)"
    ]


# --- export and round trips ---------------------------------------------------------------------

ROUND_TRIP = """\
// Module 3: identifying and assisting victims safely
$CATEGORY: $course$/Module 3

::m3-q1::[markdown]Which *first* step protects a possible victim?{
=Move them to a safe place#Safety comes first.
~Call the media
~%50%Call a hotline#Good, but safety comes first.
####The do-no-harm principle.
}

::m3-q2::Which are indicators of forced labour?{
~%50%Withheld identity documents
~%50%Debt that keeps growing
~%-100%A written contract#Not by itself.
}

::m3-q3::Consent is irrelevant once deception is used.{TRUE#No.#Yes: Article 3(b).}

::m3-q4::A child can consent to exploitation.{F}

::m3-q5::How many indicators does the ILO list for forced labour?{#
=11:0#Right.
=%50%11:2#Close.
~#See the ILO indicators.
}

::m3-q6::Share of detected victims who are women or girls, in percent?{#55..65}

::m3-q7::Match each service to who provides it.{
=Shelter -> The safe-house network
=Legal aid -> The bar association
= -> The recruitment agency
}

::m3-q8::Acronym of the referral mechanism?{=NRM#Yes. =%50%N*M ####National Referral Mechanism.}

::m3-q9::A survivor must give {=informed ~no} consent before a referral.

::m3-q10::Describe how you would refer a survivor.{####Safety, consent, confidentiality.}

::m3-q11::[plain]Read the case *carefully* before you answer.

::m3-q12::Escapes: \\{braces\\}, \\~tilde, \\=equals, \\#hash, \\:colon, \\\\ and\\na line.{
=\\=100%#\\#1
~%25%\\[bracket\\]
}
"""


def test_parse_export_parse_gives_the_same_questions() -> None:
    quiz = parse(ROUND_TRIP)
    assert len(quiz.questions) == 12
    again = parse(export_gift(quiz))
    assert again.questions == quiz.questions


def test_export_writes_moodle_gift() -> None:
    text = export_gift(parse(TWIN_GIFT))
    assert text.startswith("// m1\n\n::q1::[markdown]Which instrument defines")
    assert "::q3::[markdown]Consent is irrelevant once any means is used.{TRUE}\n" in text
    assert "\t~%33.3333%The act\n" in text
    assert "\t=%50%3.14\n" in text
    assert "::q8::[markdown]Is it?{FALSE#No.#Yes.}" in text
    assert "through the {=national referral ~extradition} mechanism." in text
    assert "::q11::[markdown]The next questions are about the case study.\n" in text


def test_export_escapes_and_guards_texts_that_look_like_syntax() -> None:
    quiz = Quiz(
        "m1",
        "Guards",
        QuizSettings(),
        (
            SingleQuestion(
                id="odd:id",
                prompt="[html] is a prefix; {braces} ~ = # \\ and\na line",
                options=(Option("%50% of people", 100.0), Option("[1] a note", 0.0, "[2] x")),
            ),
        ),
    )
    text = export_gift(quiz)
    assert text == (
        "// Guards\n\n"
        "::odd\\:id::[markdown][html] is a prefix; \\{braces\\} \\~ \\= \\# \\\\ and\\na line{\n"
        "\t=[markdown]%50% of people\n"
        "\t~[markdown][1] a note#[markdown][2] x\n"
        "}\n"
    )
    assert parse(text).questions == quiz.questions


def test_export_notes_what_gift_cannot_hold() -> None:
    quiz = Quiz(
        "m1",
        "",
        QuizSettings(),
        (
            ShortQuestion(
                id="q1",
                prompt="Acronym?",
                points=3,
                answers=(Accepted("NRM"),),
                case_sensitive=True,
            ),
        ),
    )
    assert export_gift(quiz) == (
        "// worth 3 points in the source quiz; GIFT has no syntax for points\n"
        "// answers are case-sensitive in the source quiz; GIFT cannot say so\n"
        "::q1::[markdown]Acronym?{\n\t=NRM\n}\n"
    )


@pytest.mark.parametrize("path", SAMPLE_QUIZZES, ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_yaml_sample_quizzes_survive_a_trip_through_gift(path: Path) -> None:
    quiz = _yaml_quiz(path.read_text(encoding="utf-8"), str(path), path.stem)
    gift = export_gift(quiz)
    again, problems = parse_gift(gift, "export.gift", quiz.id)
    assert problems == [], [str(p) for p in problems]
    assert again is not None
    assert again.questions == quiz.questions


def test_the_sample_quizzes_are_there() -> None:
    assert len(SAMPLE_QUIZZES) >= 9  # one sample quiz is written in GIFT


# --- translations -------------------------------------------------------------------------------

SPANISH = """\
¿Qué instrumento define la trata de personas?{
=El Protocolo de Palermo (2000)#Correcto: artículo 3.
~La Convención sobre el Estatuto de los Refugiados (1951)
####Comentario general.
}

¿Cuáles son elementos de la definición?{
~%33.3333%El acto ~%33.3333%Los medios ~%33.3334%El fin ~%-100%Cruzar una frontera
}

El consentimiento es irrelevante si se usa algún medio.{T}

¿Sigla?{=CORETT =%50%C*T =CTF}

¿En qué año?{#2000:0}

Relacione cada término con su significado.{
=Tráfico ilícito -> Delito contra el Estado
=Trata -> Delito contra la persona
= -> Una falta civil
}

¿Pi?{#=3.141..3.142 =%50%3.14}

¿Lo es?{F#No.#Sí.}

Las víctimas se derivan por el mecanismo {=nacional de derivación ~de extradición}.

Describa cómo derivaría a una víctima en su contexto.{}

Las siguientes preguntas tratan del estudio de caso.
"""


def test_a_faithful_translation_has_no_problems() -> None:
    main = _yaml_quiz(TWIN_YAML, "m1.yaml", "m1")
    assert translation_problems(main, parse(SPANISH), "quizzes/m1.es.gift") == []
    assert translation_problems(parse(TWIN_GIFT), parse(SPANISH), "quizzes/m1.es.gift") == []


def test_a_translation_with_other_right_answers() -> None:
    changed = (
        SPANISH.replace("=El Protocolo", "~El Protocolo")
        .replace("~La Convención", "=La Convención")
        .replace("{T}", "{F}")
        .replace("{#2000:0}", "{#2001:0}")
        .replace("= -> Una falta civil\n", "")
    )
    found = translation_problems(parse(TWIN_GIFT), parse(changed), "quizzes/m1.es.gift")
    assert [str(p) for p in found] == [
        "quizzes/m1.es.gift: question 'q1': option 1 is worth 0% here but 100% in the main "
        "quiz: keep the options in the same order with the same weights",
        "quizzes/m1.es.gift: question 'q3': the right answer is false here but true in the main "
        "quiz",
        "quizzes/m1.es.gift: question 'q5': the accepted numbers or their weights differ from "
        "the main quiz",
        "quizzes/m1.es.gift: question 'q6' has 2 pairs and 0 distractors here but 2 and 1 in "
        "the main quiz",
    ]


def test_a_translation_with_missing_extra_reordered_or_retyped_questions() -> None:
    main = parse("::a::A?{T}\n\n::b::B?{=x ~y}\n\n::c::C?{}\n")
    variant = parse("::b::B?{=x ~y}\n\n::a::A?{=si =sí}\n\n::d::D?{}\n")
    assert [p.message for p in translation_problems(main, variant, "m1.es.gift")] == [
        "question 'c' of the main quiz is missing here (questions without a ::name:: are "
        "matched by position)",
        "question 'd' is not in the main quiz: keep each ::name:: as it is",
        "question 1 is 'b' here but 'a' in the main quiz: keep the questions in the same order",
        "question 'a' is short here but true_false in the main quiz",
    ]


# --- properties ---------------------------------------------------------------------------------

GIFT_ALPHABET = st.sampled_from(list("{}=~#:%->\\n[]/$ \n\t\r_TFaé1.,")) | st.characters()


@given(st.text(GIFT_ALPHABET, max_size=200))
def test_any_text_gives_a_quiz_or_located_problems(text: str) -> None:
    assert_quiz_or_located(text)


EDITS = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=len(ROUND_TRIP)),
        st.integers(min_value=0, max_value=3),
        st.text(GIFT_ALPHABET, max_size=3),
    ),
    max_size=6,
)


@given(EDITS)
@settings(suppress_health_check=[HealthCheck.too_slow])
def test_mutated_gift_gives_a_quiz_or_located_problems(
    edits: list[tuple[int, int, str]],
) -> None:
    text = ROUND_TRIP
    for at, cut, insert in edits:
        at = min(at, len(text))
        text = text[:at] + insert + text[at + cut :]
    quiz, _ = assert_quiz_or_located(text)
    if quiz is not None and "\r" not in text and not _has_arrow_in_short_answers(quiz):
        again = parse(export_gift(quiz))
        assert again.questions == quiz.questions


def _has_arrow_in_short_answers(quiz: Quiz) -> bool:
    """Whether a short answer holds '->', which GIFT cannot write (Moodle reads a matching list)."""
    return any(
        "->" in answer.text + answer.feedback
        for question in quiz.questions
        if isinstance(question, ShortQuestion)
        for answer in question.answers
    )


TEXT_CHARS = st.sampled_from(list("ab XYé1_*~=#{}:\\%[]-<>!/\n\t\u00a0"))


def _clean(text: str) -> str:
    return text.strip(" \t\n\r\0\x0b")


TEXT = st.text(TEXT_CHARS, min_size=1, max_size=16).map(_clean).filter(str.strip)
SAFE = TEXT.filter(lambda t: "->" not in t)  # short answers and matching items: see export_gift
FEEDBACK = st.one_of(st.just(""), TEXT)
PROMPT = st.one_of(TEXT, st.builds(lambda a, b: f"{a} _____ {b}", TEXT, TEXT))
IDS = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,12}", fullmatch=True)


@st.composite
def choice_questions(draw: st.DrawFn, qid: str) -> Question:
    texts = draw(st.lists(TEXT, min_size=2, max_size=5, unique=True))
    feedback = [draw(FEEDBACK) for _ in texts]
    if draw(st.booleans()):
        right = draw(st.integers(0, len(texts) - 1))
        others = st.sampled_from([0.0, 50.0, -25.0, 33.3333, 12.5])
        weights = [100.0 if i == right else draw(others) for i in range(len(texts))]
        options = tuple(Option(t, w, f) for t, w, f in zip(texts, weights, feedback, strict=True))
        return SingleQuestion(id=qid, prompt=draw(PROMPT), options=options)
    rights = draw(st.integers(1, len(texts)))
    wrong = st.sampled_from([0.0, -100.0, -50.0])
    weights = [100 / rights if i < rights else draw(wrong) for i in range(len(texts))]
    options = tuple(Option(t, w, f) for t, w, f in zip(texts, weights, feedback, strict=True))
    return MultipleQuestion(id=qid, prompt=draw(PROMPT), feedback=draw(FEEDBACK), options=options)


@st.composite
def other_questions(draw: st.DrawFn, qid: str) -> Question:
    kind = draw(st.sampled_from(["tf", "short", "numerical", "matching", "essay", "description"]))
    prompt, feedback = draw(PROMPT), draw(FEEDBACK)
    if kind == "tf":
        return TrueFalseQuestion(
            id=qid,
            prompt=prompt,
            feedback=feedback,
            answer=draw(st.booleans()),
            feedback_true=draw(FEEDBACK),
            feedback_false=draw(FEEDBACK),
        )
    if kind == "short":
        texts = draw(st.lists(SAFE, min_size=1, max_size=3, unique=True))
        answers = tuple(
            Accepted(
                text,
                100.0 if i == 0 else draw(st.sampled_from([100.0, 50.0, 0.0])),
                draw(st.one_of(st.just(""), SAFE)),
            )
            for i, text in enumerate(texts)
        )
        return ShortQuestion(id=qid, prompt=prompt, feedback=feedback, answers=answers)
    if kind == "numerical":
        numbers = st.floats(-1e9, 1e9, allow_nan=False) | st.integers(-3000, 3000).map(float)
        ranges = []
        for i in range(draw(st.integers(1, 3))):
            weight = 100.0 if i == 0 else draw(st.sampled_from([50.0, 0.0, 25.0]))
            fb = draw(FEEDBACK)
            if draw(st.booleans()):
                tolerance = draw(st.floats(0, 1e6, allow_nan=False))
                ranges.append(Range(draw(numbers), tolerance, weight=weight, feedback=fb))
            else:
                low, high = sorted((draw(numbers), draw(numbers)))
                ranges.append(Range(low=low, high=high, weight=weight, feedback=fb))
        if draw(st.booleans()):
            ranges.append(Range(low=-CATCH_ALL, high=CATCH_ALL, weight=0.0, feedback=draw(TEXT)))
        return NumericalQuestion(id=qid, prompt=prompt, feedback=feedback, answers=tuple(ranges))
    if kind == "matching":
        lefts = draw(st.lists(SAFE, min_size=2, max_size=4, unique=True))
        rights = [draw(TEXT) for _ in lefts]
        distractors = draw(st.lists(TEXT.filter(lambda t: t not in rights), max_size=2))
        return MatchingQuestion(
            id=qid,
            prompt=prompt,
            feedback=feedback,
            pairs=tuple(zip(lefts, rights, strict=True)),
            distractors=tuple(distractors),
        )
    if kind == "essay":
        return EssayQuestion(id=qid, prompt=prompt, feedback=feedback)
    return DescriptionQuestion(id=qid, prompt=draw(TEXT))


@st.composite
def quizzes(draw: st.DrawFn) -> Quiz:
    ids = draw(st.lists(IDS, min_size=1, max_size=5, unique=True))
    questions = tuple(draw(st.one_of(choice_questions(qid), other_questions(qid))) for qid in ids)
    return Quiz("m1", "Generated", QuizSettings(), questions)


@given(quizzes())
@settings(suppress_health_check=[HealthCheck.too_slow])
def test_any_quiz_survives_export_and_parse(quiz: Quiz) -> None:
    text = export_gift(quiz)
    again, problems = parse_gift(text, FILE, "m1")
    assert problems == [], ([str(p) for p in problems], text)
    assert again is not None
    assert again.questions == quiz.questions, text
