"""Show a questionnaire answer as words, in whichever language a presenter speaks."""

from __future__ import annotations

from typing import Any

from babel import Locale, UnknownLocaleError

from bot.directory import Directory
from bot.domain.engine import UNKNOWN
from bot.domain.flows import AnswerType, Step
from bot.i18n.marker import N_
from bot.services.presenter import Presenter

I_DONT_KNOW = N_("I don't know")
YES_NO = {"yes": N_("Yes"), "no": N_("No")}
SOMEWHERE_ELSE = N_("Somewhere else")


def language_name(code: str, in_language: str | None) -> str:
    """Return the name of a language in another language, from CLDR."""
    try:
        names = Locale.parse(in_language or "en").languages
    except (UnknownLocaleError, ValueError):
        names = Locale.parse("en").languages
    return str(names.get(code, code))


def answer_label(step: Step, value: Any, presenter: Presenter, directory: Directory) -> str:
    """Return an answer as the founder or advisor should read it; free text is quoted."""
    question = step.question
    assert question is not None
    if value == UNKNOWN:
        return presenter.text(I_DONT_KNOW)
    if question.options_from == "languages":
        return language_name(str(value), presenter.language)
    if question.options_from == "town_options":
        return directory.town(str(value)).name
    if question.options_from == "district_options":
        known = {d.id: d.name for d in directory.districts}
        return known.get(str(value)) or presenter.text(SOMEWHERE_ELSE)
    if question.type is AnswerType.YESNO:
        return presenter.text(YES_NO.get(str(value), str(value)))
    for option in question.options:
        if option.value == value:
            return presenter.text(option.label)
    return f"„{presenter.isolate(value)}“"
