"""Read typed text: as the answer to the open question, or as a wish of its own."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from bot.domain.engine import Engine, Output, Say
from bot.domain.flows import AnswerType, Option, Step
from bot.domain.replies import Button, Reply
from bot.i18n import SOURCE_LANGUAGE
from bot.i18n.marker import N_
from bot.services import faq, texts
from bot.services.events import Outcome
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
INTENT_COMMANDS = {
    "my_appointments": "appointments",
    "cancel_appointment": "appointments",
    "reschedule_appointment": "appointments",
}
YES_NO = {"affirm": "yes", "deny": "no"}
CLARIFY = "i"
MAYBE = 0.15
# What the founder may have meant, as buttons of the clarifying question.
INTENT_LABELS = {
    "start_business": N_("Check my business idea"),
    "book_appointment": N_("Book an appointment"),
    "ask_human": N_("Talk to a person"),
    "my_appointments": N_("See my appointments"),
    "cancel_appointment": N_("Cancel my appointment"),
    "reschedule_appointment": N_("Move my appointment"),
    "ask_cost": N_("Is the advice free?"),
    "ask_residence_permit": N_("Self-employment and my residence permit"),
    "ask_business_registration": N_("Registering a business"),
    "ask_financing": N_("Money and grants for founders"),
    "ask_recognition": N_("Recognition of qualifications"),
    "ask_taxes": N_("Taxes"),
    "ask_insurance": N_("Insurance"),
    "ask_language_support": N_("Advice in my language"),
    "ask_location": N_("Where and how we meet"),
    "change_language": N_("Change the language"),
    "help": N_("What can you do?"),
}
DID_YOU_MEAN = N_("I am not sure I understood. Did you mean one of these?")
SOMETHING_ELSE = N_("Something else")


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

    def match(self, step: Step, turn: Turn, text: str) -> str | None:
        """Return the option a text names, when the open question offers options."""
        question = step.question
        assert question is not None
        options = self.engine.options(step, turn.conversation)
        return match_option(text, options, turn.presenter, question.options_from is not None)

    async def read(self, step: Step, turn: Turn, text: str) -> Reading:
        """Read text typed while a question is open: an answer, or a side question."""
        question = step.question
        assert question is not None
        conversation = turn.conversation
        if question.type not in (AnswerType.CHOICE, AnswerType.YESNO):
            return Reading(value=text)
        value = self.match(step, turn, text)
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
        if meaning.confidence >= CONFIDENT:
            return await self.follow(meaning.intent, turn)
        likely = [intent for intent, confidence in meaning.ranking[:3]
                  if confidence >= MAYBE and intent in INTENT_LABELS]
        if len(likely) < 2:
            return [Say(texts.NOT_UNDERSTOOD), *await self.menu(turn)]
        return [clarifying_question(likely, turn.presenter)]

    async def clarified(self, turn: Turn, data: str) -> Outcome:
        """Follow the meaning the founder chose from the clarifying question."""
        intent = data.removeprefix(f"{CLARIFY}|")
        presenter = turn.presenter
        if intent not in INTENT_LABELS:
            return Outcome(presenter.render(await self.menu(turn)),
                           chosen=presenter.text(SOMETHING_ELSE), result="clarified")
        outputs = await self.follow(intent, turn)
        return Outcome(presenter.render(outputs), chosen=presenter.text(INTENT_LABELS[intent]),
                       result="clarified")

    async def follow(self, intent: str, turn: Turn) -> list[Output]:
        """Do what an understood intent asks for."""
        command = turn.handlers.commands.get(INTENT_COMMANDS.get(intent, ""))
        if command is not None:
            outputs = await command(turn, "")
            if outputs is not None:
                return outputs
        flow = INTENT_FLOWS.get(intent)
        if flow is not None and flow in self.engine.book.flows:
            return await self.engine.start(turn.conversation, flow, turn.now, turn)
        answer = faq.answer_for(intent)
        if answer is not None:
            return [Say(answer), Say(faq.NOT_LEGAL_ADVICE), *await self.menu(turn)]
        if intent in ("thanks", "goodbye", "bot_challenge"):
            return [Say(INTENT_TEXTS[intent])]
        return [Say(INTENT_TEXTS.get(intent, texts.OUT_OF_SCOPE)), *await self.menu(turn)]

    async def menu(self, turn: Turn) -> list[Output]:
        """Show the main menu."""
        return await self.engine.start(turn.conversation, "menu", turn.now, turn)


def clarifying_question(intents: list[str], presenter: Presenter) -> Reply:
    """Ask which of the likeliest meanings the founder had in mind."""
    rows = [(Button(presenter.text(INTENT_LABELS[intent]), f"{CLARIFY}|{intent}"),)
            for intent in intents]
    rows.append((Button(presenter.text(SOMETHING_ELSE), f"{CLARIFY}|other"),))
    return Reply(presenter.text(DID_YOU_MEAN), tuple(rows))


def match_option(text: str, options: tuple[Option, ...], presenter: Presenter,
                 translated: bool) -> str | None:
    """Return the value of the option the text names, in the user's language or English.

    A number picks the option at that place; otherwise the whole text must be a label or a
    value, or a label must contain it (or it a label) without doubt.
    """
    typed = normalized(text)
    if typed.isdigit() and 1 <= int(typed) <= len(options):
        return options[int(typed) - 1].value
    labels: dict[str, set[str]] = {}
    for option in options:
        for label in (presenter.label(option, translated), option.label):
            labels.setdefault(normalized(label), set()).add(option.value)
    exact = {o.value for o in options if normalized(o.value) == typed} | labels.get(typed, set())
    if len(exact) == 1:
        return next(iter(exact))
    partial = {value for label, values in labels.items() if min(len(typed), len(label)) >= 4
               and (typed in label or label in typed) for value in values}
    return next(iter(partial)) if len(partial) == 1 else None
