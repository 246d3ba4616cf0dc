"""The German summary of a founder's answers, for the advisor."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.directory import Directory
from bot.domain.engine import UNKNOWN
from bot.domain.flows import AnswerType, FlowBook, Step
from bot.i18n import Translations
from bot.i18n.marker import N_
from bot.services.answer_labels import answer_label, language_name
from bot.services.precheck import ANSWERS
from bot.services.presenter import Presenter
from bot.services.turn import Turn

ADVISOR_LANGUAGE = "de"
PRECHECK = "precheck"
TITLE = N_("Pre-founding check: the founder's answers")
WRITES_IN = N_("The founder writes in {language}.")
WRITTEN_IN = N_("written in {language}")
NOT_DONE = N_("The founder has not answered the pre-founding questions yet.")
DISTRICT = N_("District")
OUTSIDE = N_("The town is outside our districts.")
MEISTER_TRADE = N_("This craft needs a Meister (Anlage A of the Handwerksordnung).")


def advisor_summary(answers: Mapping[str, Any], founder_language: str | None, book: FlowBook,
                    translations: Translations, directory: Directory) -> str:
    """Return the founder's answers in German: choices as words, free text quoted as written."""
    german = Presenter(translations, ADVISOR_LANGUAGE)
    written_in = language_name(founder_language or "en", ADVISOR_LANGUAGE)
    lines = [german.text(TITLE), german.text(WRITES_IN, {"language": written_in})]
    if not answers:
        return "\n".join([*lines, german.text(NOT_DONE)])
    for step in book.flows[PRECHECK].steps.values():
        question = step.question
        if question is None or question.topic is None or question.slot not in answers:
            continue
        value = answers[question.slot]
        label = answer_label(step, value, german, directory)
        if _free_text(step) and value != UNKNOWN:
            label += f" ({german.text(WRITTEN_IN, {'language': written_in})})"
        lines.append(f"{german.text(question.topic)}: {label}")
    if answers.get("district"):
        lines.append(f"{german.text(DISTRICT)}: {directory.district(answers['district']).name}")
    if answers.get("outside_districts"):
        lines.append(german.text(OUTSIDE))
    if answers.get("needs_meister"):
        lines.append(german.text(MEISTER_TRADE))
    return "\n".join(lines)


def founder_summary(turn: Turn, directory: Directory) -> str:
    """Return the German summary for the advisor: the finished check, else what was answered."""
    slots = turn.conversation.slots
    answers = slots.get(ANSWERS) or {k: v for k, v in slots.items() if not k.startswith("_")}
    return advisor_summary(answers, turn.conversation.language, turn.engine.book,
                           turn.translations, directory)


def _free_text(step: Step) -> bool:
    """Return whether the answer to this question was typed by the founder."""
    question = step.question
    return question is not None and question.type is AnswerType.TEXT
