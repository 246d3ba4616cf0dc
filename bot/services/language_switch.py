"""Offer another language when a founder keeps writing in it (never switch on one message)."""

from __future__ import annotations

import asyncio
from functools import cache

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

from bot.domain.engine import Output, Say
from bot.domain.replies import Button, Reply
from bot.i18n import LANGUAGES
from bot.i18n.marker import N_
from bot.services.events import Outcome
from bot.services.presenter import Presenter
from bot.services.turn import Handlers, Turn

LINGUA = {
    "de": Language.GERMAN, "en": Language.ENGLISH, "ar": Language.ARABIC,
    "tr": Language.TURKISH, "ru": Language.RUSSIAN, "uk": Language.UKRAINIAN,
    "fa": Language.PERSIAN, "pl": Language.POLISH, "ro": Language.ROMANIAN,
}
# lingua knows no Kurdish: Kurmanji often looks like Turkish to it, so Kurdish is never judged.
UNDETECTABLE = frozenset(LANGUAGES) - frozenset(LINGUA)
MESSAGES_BEFORE_OFFER = 2
MIN_LETTERS = 12
MAX_LETTERS = 1000
MIN_CONFIDENCE = 0.8
STREAK = "_other_language"
DECLINED = "_declined_languages"
PREFIX = "lang"

OFFER = N_("You are writing in {language}. Shall we continue in {language}?")
SWITCHED = N_("Okay, from now on I will write in {language_name}.")
STAY = N_("Stay with {language}")


@cache
def _detector() -> LanguageDetector:
    """Return the process's detector (trigram models: small, quick to load, fine for sentences)."""
    return LanguageDetectorBuilder.from_languages(*LINGUA.values()).with_low_accuracy_mode().build()


def detect(text: str) -> str | None:
    """Return the language a text is written in, when lingua is sure (blocking: use a thread)."""
    if not MIN_LETTERS <= sum(char.isalpha() for char in text) <= MAX_LETTERS:
        return None
    best = _detector().compute_language_confidence_values(text)[0]
    if best.value < MIN_CONFIDENCE:
        return None
    return next(code for code, language in LINGUA.items() if language == best.language)


class LanguageSwitch:
    """Watches which language a founder writes in and offers to switch to it."""

    async def observe(self, turn: Turn, text: str) -> list[Reply]:
        """Count messages in another language; after a few in a row, offer to switch."""
        current = turn.conversation.language
        slots = turn.conversation.slots
        written = None if current in UNDETECTABLE else await asyncio.to_thread(detect, text)
        if written is None or written == current or written in slots.get(DECLINED, []):
            slots.pop(STREAK, None)
            return []
        streak = slots.get(STREAK) or {"language": written, "count": 0}
        if streak["language"] != written:
            streak = {"language": written, "count": 0}
        streak["count"] += 1
        slots[STREAK] = streak
        if streak["count"] < MESSAGES_BEFORE_OFFER:
            return []
        slots.pop(STREAK)
        return [offer(turn, written)]


def offer(turn: Turn, language: str) -> Reply:
    """Ask, in the language the founder writes, whether to switch to it."""
    theirs = Presenter(turn.translations, language)
    current = turn.conversation.language or "en"
    buttons = (
        (Button(LANGUAGES[language], f"{PREFIX}|{language}"),),
        (Button(theirs.text(STAY, {"language": LANGUAGES[current]}), f"{PREFIX}|stay|{language}"),),
    )
    return Reply(theirs.text(OFFER, {"language": LANGUAGES[language]}), buttons)


async def answer_offer(turn: Turn, data: str) -> Outcome:
    """Switch to the offered language, or remember that the founder wants to stay."""
    parts = data.split("|")
    slots = turn.conversation.slots
    if len(parts) < 2:
        return Outcome(result="stale-button")
    if parts[1] == "stay" and len(parts) == 3:
        slots.setdefault(DECLINED, []).append(parts[2])
        return Outcome(chosen=turn.presenter.text(STAY, {
            "language": LANGUAGES.get(turn.conversation.language or "en", "")}), result="stay")
    if parts[1] not in turn.translations.languages:
        return Outcome(result="stale-button")
    turn.conversation.language = parts[1]
    slots["language"] = parts[1]
    slots["language_name"] = LANGUAGES[parts[1]]
    outputs: list[Output] = [Say(SWITCHED, {"language_name": LANGUAGES[parts[1]]})]
    if turn.engine.current_step(turn.conversation) is not None:
        outputs.append(turn.engine.prompt(turn.conversation))
    return Outcome(turn.presenter.render(outputs), chosen=LANGUAGES[parts[1]], result="switch")


def register(handlers: Handlers) -> None:
    """Handle the buttons of the offer."""
    handlers.buttons[PREFIX] = answer_offer
