"""The user side: people and chats that talk to the bot under test."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .markup import utf16_len
from .state import CallbackAnswer, Chat, PendingQuery, Person, StoredMessage, World

_COMMAND = re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?")


@dataclass(frozen=True)
class BotMessage:
    """A message the bot sent, as it looks now."""

    message_id: int
    text: str
    buttons: list[list[str]]
    data: dict[str, Any]


@dataclass(frozen=True)
class SentDocument:
    """A document the bot sent, with the uploaded bytes."""

    message_id: int
    filename: str
    content: bytes
    caption: str | None
    mime_type: str


Expectation = int | Callable[[list[BotMessage]], bool]


def satisfied(what: Expectation, messages: list[BotMessage], new_actions: int) -> bool:
    """Tell whether what the test waits for has happened."""
    if isinstance(what, int):
        return new_actions >= what
    return new_actions > 0 and what(messages)


def command_entities(text: str) -> list[dict[str, Any]]:
    """Return bot_command entities for the commands in text."""
    return [
        {"type": "bot_command", "offset": utf16_len(text[: m.start()]), "length": utf16_len(m[0])}
        for m in _COMMAND.finditer(text)
    ]


def _bot_message(message: StoredMessage) -> BotMessage:
    data = message.data
    rows = data.get("reply_markup", {}).get("inline_keyboard")
    buttons = [[b["text"] for b in row] for row in rows] if rows else message.reply_keyboard or []
    text = data.get("text", data.get("caption", ""))
    return BotMessage(data["message_id"], text, buttons, data)


class ChatView:
    """A chat seen from the user side: what the bot sent there."""

    def __init__(self, world: World, chat_id: int):
        self._world = world
        self.chat_id = chat_id

    @property
    def _chat(self) -> Chat:
        return self._world.chats[self.chat_id]

    def messages(self) -> list[BotMessage]:
        """Return the bot's messages in this chat, oldest first, as edited since."""
        return [_bot_message(m) for m in self._chat.bot_messages()]

    def last_text(self) -> str | None:
        """Return the text of the bot's latest message here, or None."""
        messages = self.messages()
        return messages[-1].text if messages else None

    def documents(self) -> list[SentDocument]:
        """Return the documents the bot sent here with their bytes."""
        found = []
        for message in self._chat.bot_messages():
            if document := message.data.get("document"):
                stored = self._world.files[document["file_id"]]
                found.append(
                    SentDocument(
                        message.data["message_id"], stored.file_name, stored.content,
                        message.data.get("caption"), stored.mime_type,
                    )
                )  # fmt: skip
        return found

    def chat_actions(self) -> list[str]:
        """Return the chat actions (typing, …) the bot sent here."""
        return list(self._chat.actions)

    async def wait_for(self, what: Expectation = 1, timeout: float = 5.0) -> list[BotMessage]:  # noqa: ASYNC109
        """Wait for `what` new bot actions here (sends, edits, deletes) or until what(messages)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        chat = self._chat
        while not satisfied(what, self.messages(), chat.bot_actions - chat.seen_actions):
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(
                    f"timed out after {timeout}s waiting for the bot in chat {self.chat_id}; "
                    f"its messages: {[m.text for m in self.messages()]}"
                )
            await self._world.wait_change(remaining)
        chat.seen_actions = chat.bot_actions
        return self.messages()


class FakeGroup(ChatView):
    """A group chat the bot is a member of; users send into it with chat=group."""


class FakeChannel(ChatView):
    """A channel the bot administers."""

    async def post(self, text: str) -> int:
        """Publish a channel post and return its message id."""
        chat = self._chat
        message = self._world.store(chat, None, {"sender_chat": chat.info, "text": text}, False)
        await self._world.push_update("channel_post", message.data)
        return int(message.data["message_id"])


class FakeUser(ChatView):
    """A Telegram user who talks to the bot in a private chat."""

    def __init__(self, world: World, person: Person):
        super().__init__(world, person.user["id"])
        self._person = person

    @property
    def id(self) -> int:
        """Return the user's Telegram id."""
        return int(self._person.user["id"])

    @property
    def answered_callbacks(self) -> list[CallbackAnswer]:
        """Return the bot's answers to this user's button presses."""
        return list(self._person.answered_callbacks)

    def block(self) -> None:
        """Block the bot: its sends to this user fail with 403."""
        self._person.blocked = True

    def unblock(self) -> None:
        """Unblock the bot."""
        self._person.blocked = False

    async def send(self, text: str, chat: ChatView | None = None) -> int:
        """Send a text message (commands get bot_command entities); return its id."""
        content: dict[str, Any] = {"text": text}
        if entities := command_entities(text):
            content["entities"] = entities
        return await self._send(content, chat)

    async def send_sticker(self, emoji: str = "👍", chat: ChatView | None = None) -> int:
        """Send a sticker."""
        stored = self._world.add_file("stickers", "sticker.webp", "image/webp", b"RIFF")
        sticker = {
            "file_id": stored.file_id, "file_unique_id": stored.file_unique_id, "type": "regular",
            "width": 512, "height": 512, "is_animated": False, "is_video": False, "emoji": emoji,
        }  # fmt: skip
        return await self._send({"sticker": sticker}, chat)

    async def send_photo(
        self, content: bytes = b"\xff\xd8", caption: str | None = None, chat: ChatView | None = None
    ) -> int:
        """Send a photo (two sizes), optionally captioned."""
        stored = self._world.add_file("photos", "photo.jpg", "image/jpeg", content)
        sizes: list[dict[str, Any]] = [
            {"file_id": stored.file_id + suffix, "file_unique_id": stored.file_unique_id + suffix,
             "width": width, "height": width * 3 // 4, "file_size": len(content)}
            for suffix, width in (("s", 90), ("", 800))
        ]  # fmt: skip
        self._world.files[sizes[0]["file_id"]] = stored
        return await self._send(_captioned({"photo": sizes}, caption), chat)

    async def send_voice(
        self, content: bytes = b"OggS", duration: int = 3, chat: ChatView | None = None
    ) -> int:
        """Send a voice message."""
        stored = self._world.add_file("voice", "voice.ogg", "audio/ogg", content)
        voice = {
            "file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
            "duration": duration, "mime_type": "audio/ogg", "file_size": len(content),
        }  # fmt: skip
        return await self._send({"voice": voice}, chat)

    async def send_document(
        self,
        filename: str,
        content: bytes,
        mime_type: str = "application/octet-stream",
        caption: str | None = None,
        chat: ChatView | None = None,
    ) -> int:
        """Send a file as a document."""
        stored = self._world.add_file("documents", filename, mime_type, content)
        document = {
            "file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
            "file_name": filename, "mime_type": mime_type, "file_size": len(content),
        }  # fmt: skip
        return await self._send(_captioned({"document": document}, caption), chat)

    async def send_location(
        self, latitude: float, longitude: float, chat: ChatView | None = None
    ) -> int:
        """Send a location."""
        return await self._send({"location": {"latitude": latitude, "longitude": longitude}}, chat)

    async def forward(self, text: str, origin: int | str = "Hidden User") -> int:
        """Forward a text message from user id origin, or from a hidden user named origin."""
        world = self._world
        if isinstance(origin, int):
            source = {"type": "user", "date": world.now(), "sender_user": world.people[origin].user}
        else:
            source = {"type": "hidden_user", "date": world.now(), "sender_user_name": origin}
        return await self._send({"forward_origin": source, "text": text}, None)

    async def edit(
        self, text: str, message_id: int | None = None, chat: ChatView | None = None
    ) -> int:
        """Edit this user's message (their latest if no id) and return its id."""
        target = self._world.chats[chat.chat_id if chat else self.id]
        own = [m for m in target.messages.values() if not m.from_bot and not m.deleted
               and m.data.get("from", {}).get("id") == self.id]  # fmt: skip
        message = target.messages[message_id] if message_id else own[-1]
        message.data.update(text=text, edit_date=self._world.now())
        message.data.pop("entities", None)
        if entities := command_entities(text):
            message.data["entities"] = entities
        target.seen_actions = target.bot_actions
        await self._world.push_update("edited_message", message.data)
        return int(message.data["message_id"])

    async def press(self, label: str, chat: ChatView | None = None) -> None:
        """Press the button labelled label in the bot's latest message that has a keyboard."""
        target = self._world.chats[chat.chat_id if chat else self.id]
        inline = [m for m in target.bot_messages() if "reply_markup" in m.data]
        reply = target.reply_keyboard
        if reply and (not inline or reply[0] > inline[-1].data["message_id"]):
            if not any(label in row for row in reply[1]):
                raise AssertionError(f"no button {label!r} in the reply keyboard {reply[1]}")
            if reply[2]:
                target.reply_keyboard = None
            await self.send(label, chat)
            return
        if not inline:
            raise AssertionError(f"the bot sent no keyboard in chat {target.info['id']}")
        rows = inline[-1].data["reply_markup"]["inline_keyboard"]
        found = [b for row in rows for b in row if b["text"] == label]
        if not found:
            labels = [[b["text"] for b in row] for row in rows]
            raise AssertionError(f"no button {label!r} in the bot's latest keyboard {labels}")
        if "callback_data" not in found[0]:
            raise AssertionError(f"button {label!r} sends no callback data: {found[0]}")
        await self._callback(target, inline[-1], found[0]["callback_data"])

    async def press_data(
        self, data: str, message_id: int | None = None, chat: ChatView | None = None
    ) -> None:
        """Send a callback query with any data, as a forged or stale button would."""
        target = self._world.chats[chat.chat_id if chat else self.id]
        messages = target.bot_messages()
        if not messages:
            raise AssertionError(f"the bot sent no message in chat {target.info['id']}")
        message = target.messages[message_id] if message_id else messages[-1]
        await self._callback(target, message, data)

    async def _callback(self, chat: Chat, message: StoredMessage, data: str) -> None:
        world = self._world
        query_id = world.next_id("")
        world.queries[query_id] = PendingQuery(self.id, data)
        query = {
            "id": query_id, "from": self._person.user, "message": message.data,
            "chat_instance": str(abs(chat.info["id"]) * 1_000_003 + world.bot_user["id"]),
            "data": data,
        }  # fmt: skip
        chat.seen_actions = chat.bot_actions
        await world.push_update("callback_query", query)

    async def _send(self, content: dict[str, Any], chat: ChatView | None) -> int:
        target = self._world.chats[chat.chat_id if chat else self.id]
        message = self._world.store(target, self._person.user, content, False)
        target.seen_actions = target.bot_actions
        await self._world.push_update("message", message.data)
        return int(message.data["message_id"])


def _captioned(content: dict[str, Any], caption: str | None) -> dict[str, Any]:
    return {**content, "caption": caption} if caption else content
