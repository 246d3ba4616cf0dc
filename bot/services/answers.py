"""Read typed text: as the answer to the open question, or as a wish of its own."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from bot.domain.engine import Engine, Output, Say
from bot.domain.flows import AnswerType, Option, Step
from bot.i18n import SOURCE_LANGUAGE
from bot.services import faq, texts
from bot.services.presenter import Presenter
from bot.services.turn import Turn
from bot.services.understanding import Understander

CONFIDENT = 0.5
INTENT_FLOWS = {
    "start_business": "precheck",
    "book_appointment": "booking",
    "ask_human": "booking",
    "change_language": "language",
}
INTENT_TEXTS = {
    "greet": texts.GREETING,
    "thanks": texts.THANKS,
    "goodbye": texts.GOODBYE,
    "bot_challenge": texts.BOT_CHALLENGE,
    "help": texts.HELP,
}
YES_NO = {"affirm": "yes", "deny": "no"}


@dataclass
class Reading:
    """What a text means for the open question: a value to take, or replies to show."""

    value: str | None = None
    outputs: list[Output] = field(default_factory=list)


def normalized(text: str) -> str:
    """Fold case, accents and punctuation so that typed text matches labels."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().replace("ß", "ss"))
    kept = "".join(c for c in decomposed if unicodedata.category(c)[0] in "LN" or c == " ")
    return " ".join(kept.split())


class AnswerReader:
    """Understands typed text, with the open question as context."""

    def __init__(self, engine: Engine, understander: Understander) -> None:
        self.engine = engine
        self.understander = understander

    async def read(self, step: Step, turn: Turn, text: str) -> Reading:
        """Read text typed while a question is open."""
        conversation, presenter = turn.conversation, turn.presenter
        question = step.question
        assert question is not None
        if question.type not in (AnswerType.CHOICE, AnswerType.YESNO):
            return Reading(value=text)
        options = self.engine.options(step, conversation)
        translated = question.options_from is not None
        value = match_option(text, options, presenter, translated)
        if value is not None:
            return Reading(value=value)
        meaning = await self.understander.parse(text, conversation.language or SOURCE_LANGUAGE)
        if meaning.confidence >= CONFIDENT:
            if question.type is AnswerType.YESNO and meaning.intent in YES_NO:
                return Reading(value=YES_NO[meaning.intent])
            answer = faq.answer_for(meaning.intent)
            if answer is not None:
                return Reading(outputs=[Say(answer), Say(faq.NOT_LEGAL_ADVICE)])
        return Reading(outputs=[Say(texts.CHOOSE_BUTTON)])

    async def outside_flow(self, text: str, turn: Turn) -> list[Output]:
        """Answer text typed when no question is open."""
        language = turn.conversation.language or SOURCE_LANGUAGE
        meaning = await self.understander.parse(text, language)
        if meaning.confidence < CONFIDENT:
            return [Say(texts.NOT_UNDERSTOOD), *await self.menu(turn)]
        return await self.follow(meaning.intent, turn)

    async def follow(self, intent: str, turn: Turn) -> list[Output]:
        """Do what an understood intent asks for."""
        flow = INTENT_FLOWS.get(intent)
        if flow is not None and flow in self.engine.book.flows:
            return await self.engine.start(turn.conversation, flow, turn.now, turn)
        answer = faq.answer_for(intent)
        if answer is not None:
            return [Say(answer), Say(faq.NOT_LEGAL_ADVICE), *await self.menu(turn)]
        if intent in ("thanks", "goodbye", "bot_challenge"):
            return [Say(INTENT_TEXTS[intent])]
        return [Say(INTENT_TEXTS.get(intent, texts.NOT_UNDERSTOOD)), *await self.menu(turn)]

    async def menu(self, turn: Turn) -> list[Output]:
        """Show the main menu."""
        return await self.engine.start(turn.conversation, "menu", turn.now, turn)


def match_option(text: str, options: tuple[Option, ...], presenter: Presenter,
                 translated: bool) -> str | None:
    """Return the value of the option the text names, in the user's language or English."""
    typed = normalized(text)
    if typed.isdigit() and 1 <= int(typed) <= len(options):
        return options[int(typed) - 1].value
    names: dict[str, set[str]] = {}
    for option in options:
        for name in (presenter.label(option, translated), option.label, option.value):
            names.setdefault(normalized(name), set()).add(option.value)
    exact = names.get(typed)
    if exact is not None and len(exact) == 1:
        return next(iter(exact))
    partial = {value for name, values in names.items() if min(len(typed), len(name)) >= 3
               and (typed in name or name in typed) for value in values}
    return next(iter(partial)) if len(partial) == 1 else None
