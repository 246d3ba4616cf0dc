"""What the fake Telegram holds: chats, messages, files, pending updates and counters."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import itertools
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .errors import bad_request, forbidden

ALWAYS_EXCLUDED = {"chat_member", "message_reaction", "message_reaction_count"}


@dataclass
class StoredMessage:
    """A message in a chat, as Telegram holds it."""

    data: dict[str, Any]
    from_bot: bool
    reply_keyboard: list[list[str]] | None = None
    deleted: bool = False


@dataclass
class Chat:
    """A chat with its messages."""

    info: dict[str, Any]
    messages: dict[int, StoredMessage] = field(default_factory=dict)
    next_message_id: int = 1
    reply_keyboard: tuple[int, list[list[str]], bool] | None = None
    actions: list[str] = field(default_factory=list)
    bot_actions: int = 0
    seen_actions: int = 0

    def bot_messages(self) -> list[StoredMessage]:
        """Return the bot's messages that were not deleted, oldest first."""
        return [m for m in self.messages.values() if m.from_bot and not m.deleted]


@dataclass
class StoredFile:
    """A file that was uploaded by the bot or sent by a user."""

    file_id: str
    file_unique_id: str
    file_path: str
    file_name: str
    mime_type: str
    content: bytes


@dataclass
class CallbackAnswer:
    """What the bot answered to a callback query."""

    query_id: str
    data: str | None
    text: str | None
    show_alert: bool
    url: str | None


@dataclass
class Person:
    """A Telegram user known to the fake."""

    user: dict[str, Any]
    blocked: bool = False
    answered_callbacks: list[CallbackAnswer] = field(default_factory=list)


@dataclass
class PendingQuery:
    """A callback query waiting for answerCallbackQuery."""

    user_id: int
    data: str | None
    answered: bool = False


@dataclass
class Stats:
    """Counters for tests and benchmarks."""

    too_many_requests: int = 0
    deliveries: dict[int, list[float]] = field(default_factory=lambda: defaultdict(list))


class World:
    """The state shared by the Bot API, the user side and the webhook sender."""

    def __init__(self, bot_id: int, clock: Callable[[], float] = time.time):
        self.clock = clock
        self.bot_user: dict[str, Any] = {
            "id": bot_id, "is_bot": True, "first_name": "Lotse Test", "username": "lotse_test_bot",
            "can_join_groups": True, "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }  # fmt: skip
        self.chats: dict[int, Chat] = {}
        self.people: dict[int, Person] = {}
        self.files: dict[str, StoredFile] = {}
        self.queries: dict[str, PendingQuery] = {}
        self.updates: list[dict[str, Any]] = []
        self.allowed_updates: list[str] = []
        self.stats = Stats()
        self.changed = asyncio.Condition()
        self._update_ids = itertools.count(1)
        self._ids = itertools.count(1)

    def now(self) -> int:
        """Return the current Unix time in seconds."""
        return int(self.clock())

    def next_id(self, prefix: str) -> str:
        """Return a new unique identifier such as a file or query id."""
        return f"{prefix}{next(self._ids)}"

    def chat(self, chat_id: int | str) -> Chat:
        """Return the chat by id or @username; raise Telegram's error if unknown or blocked."""
        if isinstance(chat_id, str):
            name = chat_id.removeprefix("@")
            found = [c for c in self.chats.values() if c.info.get("username") == name]
            if not found:
                raise bad_request("chat not found")
            return found[0]
        if chat_id not in self.chats:
            raise bad_request("chat not found")
        person = self.people.get(chat_id)
        if person and person.blocked:
            raise forbidden("bot was blocked by the user")
        return self.chats[chat_id]

    def add_chat(self, info: dict[str, Any]) -> Chat:
        """Create the chat if it is new and return it."""
        return self.chats.setdefault(info["id"], Chat(info))

    def store(
        self, chat: Chat, sender: dict[str, Any] | None, content: dict[str, Any], from_bot: bool
    ) -> StoredMessage:
        """Add a message with the chat's next id and return it."""
        data: dict[str, Any] = {"message_id": chat.next_message_id, "date": self.now()}
        if sender is not None:
            data["from"] = sender
        data["chat"] = chat.info
        data.update(content)
        chat.next_message_id += 1
        message = StoredMessage(data, from_bot)
        chat.messages[data["message_id"]] = message
        return message

    def add_file(self, folder: str, name: str, mime_type: str, content: bytes) -> StoredFile:
        """Keep a file's bytes and return its record with fresh ids."""
        number = next(self._ids)
        stored = StoredFile(
            f"BQACAgIAAx{number:08d}", f"AgAD{number:06d}", f"{folder}/file_{number}", name,
            mime_type, content,
        )  # fmt: skip
        self.files[stored.file_id] = stored
        return stored

    async def push_update(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Queue an update for getUpdates or the webhook, as allowed_updates permits."""
        update = {"update_id": next(self._update_ids), kind: copy.deepcopy(payload)}
        allowed = set(self.allowed_updates)
        if (kind in allowed) if allowed else (kind not in ALWAYS_EXCLUDED):
            self.updates.append(update)
        await self.notify()
        return update

    async def bot_acted(self, chat: Chat) -> None:
        """Record that the bot sent, edited or deleted something in chat."""
        chat.bot_actions += 1
        await self.notify()

    async def notify(self) -> None:
        """Wake everyone waiting for a change."""
        async with self.changed:
            self.changed.notify_all()

    async def wait_change(self, seconds: float) -> None:
        """Wait until something changes or the seconds pass."""
        async with self.changed:
            # asyncio.timeout, not wait_for: on 3.11 wait_for swallows a cancellation that
            # arrives as the condition is notified, and Webhook.stop() then waits forever.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(seconds):
                    await self.changed.wait()
