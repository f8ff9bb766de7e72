"""The condition questionnaire per category, as data, and the one function from answers to condition.

Every category asks the same six things (DOMAIN.md): does it power on, the screen, the body, the
functions, the battery, are the accounts signed out. The wording and the answers differ per category
(a pair of earbuds has no screen: its question is about the case). Each answer carries the **best
condition it still allows** (its cap); `condition_from_answers` is the worst cap among the answers:

- like_new: powers on, flawless screen and body, everything works, healthy battery, signed out;
- good: light scratches (screen or body) at most;
- fair: deep scratches or dents, or a battery below 80 % of its original capacity;
- broken: does not power on, a cracked screen or body, a faulty function, or an account still signed
  in (an activation-locked device can only be sold for parts).

The inspection answers the same questions, so a declared and an actual condition compare directly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from marketplace.errors import ApplicationError, ErrorCode
from tradein.states import CONDITION_RANK, Condition

L, G, F, B = Condition.LIKE_NEW, Condition.GOOD, Condition.FAIR, Condition.BROKEN


@dataclass(frozen=True)
class Answer:
    code: str
    label: Promise
    caps: str  # the best condition this answer allows


@dataclass(frozen=True)
class Question:
    code: str
    text: Promise
    answers: tuple[Answer, ...]

    def answer(self, code: str) -> Answer | None:
        return next((answer for answer in self.answers if answer.code == code), None)


POWERS_ON = Question(
    "powers_on",
    _("Does it switch on and start normally?"),
    (Answer("yes", _("Yes"), L), Answer("no", _("No"), B)),
)
SCREEN = Question(
    "screen",
    _("What state is the screen in?"),
    (
        Answer("flawless", _("Flawless, no scratch"), L),
        Answer("light_scratches", _("Light scratches, invisible when on"), G),
        Answer("deep_scratches", _("Deep scratches you can feel"), F),
        Answer("cracked", _("Cracked, or dead pixels"), B),
    ),
)
BODY = Question(
    "body",
    _("What state is the body in (back, edges)?"),
    (
        Answer("flawless", _("Flawless"), L),
        Answer("light_scratches", _("Light scratches"), G),
        Answer("dents", _("Dents or deep scratches"), F),
        Answer("cracked", _("Cracked or bent"), B),
    ),
)
FUNCTIONS = Question(
    "functions",
    _("Does everything work (buttons, cameras, speakers, microphone, charging, connectivity)?"),
    (Answer("all_working", _("Everything works"), L), Answer("faulty", _("Something does not work"), B)),
)
BATTERY = Question(
    "battery",
    _("How is the battery?"),
    (
        # xgettext:no-python-format
        Answer("healthy", _("Healthy: 80 % of its original capacity or more"), L),
        Answer("worn", _("Worn: below 80 %, or it does not last a day"), F),
    ),
)
ACCOUNTS = Question(
    "accounts_signed_out",
    _("Have you signed out of every account (Find My, Google, Samsung) and turned off the activation lock?"),
    (Answer("yes", _("Yes, signed out"), L), Answer("no", _("No, not yet"), B)),
)
# Devices without a screen of their own answer about the case instead (the same caps).
CASE = Question(
    "screen",
    _("What state is the charging case in?"),
    (
        Answer("flawless", _("Flawless"), L),
        Answer("light_scratches", _("Light scratches"), G),
        Answer("deep_scratches", _("Deep scratches"), F),
        Answer("cracked", _("Cracked, or the lid does not close"), B),
    ),
)
CONSOLE_SCREEN = Question(
    "screen",
    _("Does the picture show correctly on a TV or on its own screen?"),
    (
        Answer("flawless", _("Yes, perfectly (own screen flawless if it has one)"), L),
        Answer("light_scratches", _("Yes, light scratches on its own screen"), G),
        Answer("deep_scratches", _("Yes, deep scratches on its own screen"), F),
        Answer("cracked", _("No, or its screen is cracked"), B),
    ),
)

QUESTIONNAIRES: dict[str, tuple[Question, ...]] = {
    "smartphones": (POWERS_ON, SCREEN, BODY, FUNCTIONS, BATTERY, ACCOUNTS),
    "tablets": (POWERS_ON, SCREEN, BODY, FUNCTIONS, BATTERY, ACCOUNTS),
    "laptops": (POWERS_ON, SCREEN, BODY, FUNCTIONS, BATTERY, ACCOUNTS),
    "smartwatches": (POWERS_ON, SCREEN, BODY, FUNCTIONS, BATTERY, ACCOUNTS),
    "consoles": (POWERS_ON, CONSOLE_SCREEN, BODY, FUNCTIONS, BATTERY, ACCOUNTS),
    "audio": (POWERS_ON, CASE, BODY, FUNCTIONS, BATTERY, ACCOUNTS),
}
DEFAULT_CATEGORY = "smartphones"


def questionnaire_for(category_slug: str) -> tuple[Question, ...]:
    """The questions of a category (a sub-category asks its root's; an unknown one, the smartphones')."""
    return QUESTIONNAIRES.get(category_slug, QUESTIONNAIRES[DEFAULT_CATEGORY])


def answers_validate(
    questions: tuple[Question, ...], answers: Mapping[str, object], *, prefix: str = "answers"
) -> dict[str, str]:
    """Every question answered with one of its answers, and nothing else. Returns the clean answers.

    Raises VALIDATION naming each faulty field (`answers.screen`).
    """
    errors: list[dict[str, str]] = []
    clean: dict[str, str] = {}
    if not isinstance(answers, Mapping):
        raise ApplicationError(
            ErrorCode.VALIDATION,
            "The answers are an object of question code to answer code.",
            errors=[{"field": prefix, "message": "An object of question code to answer code."}],
        )
    known = {question.code for question in questions}
    for code in sorted(set(map(str, answers)) - known):
        errors.append({"field": f"{prefix}.{code}", "message": "Unknown question."})
    for question in questions:
        given = answers.get(question.code)
        if given is None or given == "":
            errors.append({"field": f"{prefix}.{question.code}", "message": "Required."})
        elif not isinstance(given, str) or question.answer(given) is None:
            allowed = ", ".join(answer.code for answer in question.answers)
            errors.append({"field": f"{prefix}.{question.code}", "message": f"One of: {allowed}."})
        else:
            clean[question.code] = given
    if errors:
        raise ApplicationError(ErrorCode.VALIDATION, "Some answers are missing or not allowed.", errors=errors)
    return clean


def condition_from_answers(questions: tuple[Question, ...], answers: Mapping[str, str]) -> str:
    """The device's condition: the worst cap among the answers (see the module's docstring).

    Pure: `answers` must have been validated (`answers_validate`).
    """
    worst = Condition.LIKE_NEW
    for question in questions:
        answer = question.answer(answers[question.code])
        if answer is not None and CONDITION_RANK[answer.caps] > CONDITION_RANK[worst]:
            worst = Condition(answer.caps)
    return str(worst)


def answer_label(questions: tuple[Question, ...], question_code: str, answer_code: str) -> str:
    """The translated label of an answer (for pages and documents); the code if unknown."""
    question = next((q for q in questions if q.code == question_code), None)
    answer = question.answer(answer_code) if question else None
    return str(answer.label) if answer else answer_code
