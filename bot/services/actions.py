"""The flow actions every conversation needs: choosing the language."""

from __future__ import annotations

from bot.domain.replies import Reply
from bot.i18n import LANGUAGES
from bot.services.turn import Handlers, Turn


async def offer_languages(turn: Turn) -> list[Reply]:
    """Offer the bot's languages, each in its own name."""
    turn.conversation.slots["languages"] = [
        {"value": code, "label": LANGUAGES[code]}
        for code in LANGUAGES if code in turn.translations.languages
    ]
    return []


async def set_language(turn: Turn) -> list[Reply]:
    """Use the chosen language from now on."""
    chosen = turn.conversation.slots.get("language")
    if chosen in turn.translations.languages:
        turn.conversation.language = chosen
        turn.conversation.slots["language_name"] = LANGUAGES[chosen]
    return []


def register(handlers: Handlers) -> None:
    """Offer the language actions to the flows."""
    handlers.actions.update(offer_languages=offer_languages, set_language=set_language)
