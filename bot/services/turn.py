"""One unit of work for one event, and the registry of what features add to it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.engine import Conversation, Engine, Output
from bot.domain.replies import Reply
from bot.i18n import Translations
from bot.services.events import Outcome
from bot.services.presenter import Presenter
from bot.storage.models import Booking, User

Action = Callable[["Turn"], Awaitable[list[Reply]]]
CommandHandler = Callable[["Turn", str], Awaitable[list[Output] | None]]
ButtonHandler = Callable[["Turn", str], Awaitable[Outcome]]
AfterTurn = Callable[["Turn"], Awaitable[None]]
BookingListener = Callable[["Turn", Booking, str], Awaitable[None]]


@dataclass
class Handlers:
    """What features offer: flow actions, slash commands, button prefixes and listeners.

    A command handler returns None when the command is not for it (e.g. /start without
    an advisor's code), so the built-in command runs. Booking listeners hear
    "booked", "cancelled", "moved", "confirmed" and "declined".
    """

    actions: dict[str, Action] = field(default_factory=dict)
    commands: dict[str, CommandHandler] = field(default_factory=dict)
    buttons: dict[str, ButtonHandler] = field(default_factory=dict)
    after_turn: list[AfterTurn] = field(default_factory=list)
    booking_changed: list[BookingListener] = field(default_factory=list)

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
    engine: Engine
    others: list[tuple[int, Reply]] = field(default_factory=list)
    erased: bool = False

    def tell(self, chat_id: int, reply: Reply) -> None:
        """Send a reply to another chat (an advisor) after this turn is saved."""
        self.others.append((chat_id, reply))

    async def booking_changed(self, booking: Booking, change: str) -> None:
        """Let every listener know that a booking changed."""
        for listener in self.handlers.booking_changed:
            await listener(self, booking, change)

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
