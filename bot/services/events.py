"""Channel-free events: what a user did, as the services layer sees it."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.domain.replies import Reply


@dataclass(frozen=True)
class Sender:
    """Who sent an update, and which update it was (None: the console)."""

    chat_id: int
    language_code: str | None = None
    update_id: int | None = None


@dataclass(frozen=True)
class TextMessage:
    """The user wrote something."""

    sender: Sender
    text: str


@dataclass(frozen=True)
class ButtonPress:
    """The user pressed a button; `data` is what the button carried."""

    sender: Sender
    data: str


@dataclass(frozen=True)
class Command:
    """The user sent a command such as /start, with what followed it."""

    sender: Sender
    name: str
    argument: str = ""


@dataclass(frozen=True)
class Unsupported:
    """The user sent something the bot cannot read: a sticker, a voice note, …."""

    sender: Sender
    kind: str


Event = TextMessage | ButtonPress | Command | Unsupported


@dataclass
class Outcome:
    """What the bot answers to one event; `others` go to other chats (advisors)."""

    replies: list[Reply] = field(default_factory=list)
    others: list[tuple[int, Reply]] = field(default_factory=list)
    chosen: str | None = None
    notice: str | None = None
    result: str = "ok"
    flow: str | None = None
    step: str | None = None
