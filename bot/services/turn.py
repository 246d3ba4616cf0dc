"""One unit of work for one event, and the registry of what features add to it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.engine import Conversation, Output
from bot.domain.replies import Reply
from bot.i18n import Translations
from bot.services.events import Outcome
from bot.services.presenter import Presenter
from bot.storage.models import User

Action = Callable[["Turn"], Awaitable[list[Reply]]]
CommandHandler = Callable[["Turn", str], Awaitable[list[Output]]]
ButtonHandler = Callable[["Turn", str], Awaitable[Outcome]]


@dataclass
class Handlers:
    """What features offer: flow actions, slash commands and button prefixes."""

    actions: dict[str, Action] = field(default_factory=dict)
    commands: dict[str, CommandHandler] = field(default_factory=dict)
    buttons: dict[str, ButtonHandler] = field(default_factory=dict)

    def button_for(self, data: str) -> ButtonHandler | None:
        """Return the handler of a button's data, chosen by the prefix before '|'."""
        return self.buttons.get(data.split("|", 1)[0])


@dataclass
class Turn:
    """The user, their conversation, the open session and the time of one event.

    It runs flow actions for the engine, so actions see the same unit of work.
    """

    session: AsyncSession
    user: User
    conversation: Conversation
    now: datetime
    translations: Translations
    handlers: Handlers

    @property
    def names(self) -> frozenset[str]:
        """Return the names of the flow actions."""
        return frozenset(self.handlers.actions)

    @property
    def presenter(self) -> Presenter:
        """Return a presenter in the user's current language."""
        return Presenter(self.translations, self.conversation.language)

    async def run(self, name: str, conversation: Conversation, now: datetime) -> list[Reply]:
        """Run a flow action in this unit of work."""
        return await self.handlers.actions[name](self)
