"""The named actions that flows call, offered by the services layer."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from bot.domain.engine import Conversation
from bot.domain.replies import Reply
from bot.i18n import LANGUAGES, Translations

Action = Callable[[Conversation, datetime], Awaitable[list[Reply]]]


class FlowActions:
    """Runs actions by name; each may change the conversation and add replies."""

    def __init__(self, translations: Translations) -> None:
        self.translations = translations
        self._actions: dict[str, Action] = {
            "offer_languages": self.offer_languages,
            "set_language": self.set_language,
        }

    @property
    def names(self) -> frozenset[str]:
        """Return the names flows may use."""
        return frozenset(self._actions)

    def add(self, name: str, action: Action) -> None:
        """Offer another action to the flows."""
        self._actions[name] = action

    async def run(self, name: str, conversation: Conversation, now: datetime) -> list[Reply]:
        """Run the action called `name`."""
        return await self._actions[name](conversation, now)

    async def offer_languages(self, conversation: Conversation, now: datetime) -> list[Reply]:
        """Offer the bot's languages, each in its own name."""
        conversation.slots["languages"] = [
            {"value": code, "label": LANGUAGES[code]}
            for code in LANGUAGES if code in self.translations.languages
        ]
        return []

    async def set_language(self, conversation: Conversation, now: datetime) -> list[Reply]:
        """Use the chosen language from now on."""
        chosen = conversation.slots.get("language")
        if chosen in self.translations.languages:
            conversation.language = chosen
            conversation.slots["language_name"] = LANGUAGES[chosen]
        return []
