"""Drive a fake Telegram running in another process through its /_fake/ control API."""

from __future__ import annotations

import asyncio
import base64
import json
import urllib.error
import urllib.request
from typing import Any

from .state import CallbackAnswer
from .users import BotMessage, Expectation, SentDocument, satisfied


class FakeTelegramRemote:
    """The user side of a fake Telegram at base, e.g. http://127.0.0.1:8081."""

    def __init__(self, base: str):
        self.base = base.rstrip("/")
        self.base_url = f"{self.base}/bot"
        self.base_file_url = f"{self.base}/file/bot"

    def request(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        """Call the control API and return the decoded JSON answer."""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            self.base + path, data, {"Content-Type": "application/json"}, method=method
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as error:
            answer = json.loads(error.read())
            raise AssertionError(answer.get("error", answer)) from None

    def user(
        self,
        user_id: int,
        language_code: str = "de",
        first_name: str = "Test",
        last_name: str | None = None,
        username: str | None = None,
    ) -> RemoteUser:
        """Create (or reuse) a user in the remote fake."""
        body = {"id": user_id, "language_code": language_code, "first_name": first_name}
        body.update({k: v for k, v in (("last_name", last_name), ("username", username)) if v})
        self.request("POST", "/_fake/users", body)
        return RemoteUser(self, user_id)

    def group(
        self, chat_id: int, title: str = "Test group", kind: str = "supergroup"
    ) -> RemoteChat:
        """Create a group chat in the remote fake."""
        self.request("POST", "/_fake/groups", {"id": chat_id, "title": title, "kind": kind})
        return RemoteChat(self, chat_id)

    def channel(
        self, chat_id: int, title: str = "Test channel", username: str = ""
    ) -> RemoteChannel:
        """Create a channel in the remote fake."""
        body = {"id": chat_id, "title": title, "username": username}
        self.request("POST", "/_fake/channels", body)
        return RemoteChannel(self, chat_id)

    @property
    def errors(self) -> list[str]:
        """Return the spec violations the remote fake recorded."""
        return list(self.request("GET", "/_fake/state")["errors"])

    def state(self) -> dict[str, Any]:
        """Return counters (too_many_requests, deliveries), errors and webhook deliveries."""
        return dict(self.request("GET", "/_fake/state"))


class RemoteChat:
    """A chat in the remote fake: what the bot sent there."""

    def __init__(self, fake: FakeTelegramRemote, chat_id: int):
        self._fake = fake
        self.chat_id = chat_id

    def _state(self) -> dict[str, Any]:
        return dict(self._fake.request("GET", f"/_fake/chats/{self.chat_id}"))

    def messages(self) -> list[BotMessage]:
        """Return the bot's messages in this chat, oldest first, as edited since."""
        return [BotMessage(**m) for m in self._state()["messages"]]

    def last_text(self) -> str | None:
        """Return the text of the bot's latest message here, or None."""
        messages = self.messages()
        return messages[-1].text if messages else None

    def documents(self) -> list[SentDocument]:
        """Return the documents the bot sent here with their bytes."""
        return [
            SentDocument(**{**d, "content": base64.b64decode(d["content"])})
            for d in self._state()["documents"]
        ]

    def chat_actions(self) -> list[str]:
        """Return the chat actions (typing, …) the bot sent here."""
        return list(self._state()["actions"])

    async def wait_for(self, what: Expectation = 1, timeout: float = 5.0) -> list[BotMessage]:  # noqa: ASYNC109
        """Wait for `what` new bot actions here (sends, edits, deletes) or until what(messages)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            state = await asyncio.to_thread(self._state)
            messages = [BotMessage(**m) for m in state["messages"]]
            if satisfied(what, messages, state["new_actions"]):
                await asyncio.to_thread(
                    self._fake.request, "POST", f"/_fake/chats/{self.chat_id}/seen"
                )
                return messages
            if loop.time() > deadline:
                raise AssertionError(
                    f"timed out after {timeout}s waiting for the bot in chat {self.chat_id}; "
                    f"its messages: {[m.text for m in messages]}"
                )
            await asyncio.sleep(0.05)


class RemoteChannel(RemoteChat):
    """A channel in the remote fake."""

    async def post(self, text: str) -> int:
        """Publish a channel post and return its message id."""
        path = f"/_fake/channels/{self.chat_id}/post"
        answer = await asyncio.to_thread(self._fake.request, "POST", path, {"text": text})
        return int(answer["result"])


class RemoteUser(RemoteChat):
    """A user in the remote fake, with the same methods as FakeUser."""

    @property
    def id(self) -> int:
        """Return the user's Telegram id."""
        return self.chat_id

    @property
    def answered_callbacks(self) -> list[CallbackAnswer]:
        """Return the bot's answers to this user's button presses."""
        answers = self._fake.request("GET", f"/_fake/users/{self.chat_id}/answered_callbacks")
        return [CallbackAnswer(**a) for a in answers]

    def block(self) -> None:
        """Block the bot: its sends to this user fail with 403."""
        self._fake.request("POST", f"/_fake/users/{self.chat_id}/block", {})

    def unblock(self) -> None:
        """Unblock the bot."""
        self._fake.request("POST", f"/_fake/users/{self.chat_id}/unblock", {})

    async def send(self, text: str, chat: RemoteChat | None = None) -> int:
        """Send a text message; return its id."""
        return int(await self._act("send", text=text, chat=chat))

    async def send_sticker(self, emoji: str = "👍", chat: RemoteChat | None = None) -> int:
        """Send a sticker."""
        return int(await self._act("send_sticker", emoji=emoji, chat=chat))

    async def send_photo(
        self,
        content: bytes = b"\xff\xd8",
        caption: str | None = None,
        chat: RemoteChat | None = None,
    ) -> int:
        """Send a photo, optionally captioned."""
        return int(await self._act("send_photo", content=content, caption=caption, chat=chat))

    async def send_voice(
        self, content: bytes = b"OggS", duration: int = 3, chat: RemoteChat | None = None
    ) -> int:
        """Send a voice message."""
        return int(await self._act("send_voice", content=content, duration=duration, chat=chat))

    async def send_document(
        self,
        filename: str,
        content: bytes,
        mime_type: str = "application/octet-stream",
        caption: str | None = None,
        chat: RemoteChat | None = None,
    ) -> int:
        """Send a file as a document."""
        return int(
            await self._act(
                "send_document", filename=filename, content=content, mime_type=mime_type,
                caption=caption, chat=chat,
            )
        )  # fmt: skip

    async def send_location(
        self, latitude: float, longitude: float, chat: RemoteChat | None = None
    ) -> int:
        """Send a location."""
        return int(
            await self._act("send_location", latitude=latitude, longitude=longitude, chat=chat)
        )

    async def forward(self, text: str, origin: int | str = "Hidden User") -> int:
        """Forward a text message from user id origin, or from a hidden user named origin."""
        return int(await self._act("forward", text=text, origin=origin))

    async def edit(
        self, text: str, message_id: int | None = None, chat: RemoteChat | None = None
    ) -> int:
        """Edit this user's message (their latest if no id)."""
        return int(await self._act("edit", text=text, message_id=message_id, chat=chat))

    async def press(self, label: str, chat: RemoteChat | None = None) -> None:
        """Press the button labelled label in the bot's latest message that has a keyboard."""
        await self._act("press", label=label, chat=chat)

    async def press_data(
        self, data: str, message_id: int | None = None, chat: RemoteChat | None = None
    ) -> None:
        """Send a callback query with any data."""
        await self._act("press_data", data=data, message_id=message_id, chat=chat)

    async def _act(self, action: str, **kwargs: Any) -> Any:
        body = {k: v for k, v in kwargs.items() if v is not None}
        if "chat" in body:
            body["chat"] = body["chat"].chat_id
        if "content" in body:
            body["content"] = base64.b64encode(body["content"]).decode()
        path = f"/_fake/users/{self.chat_id}/{action}"
        return (await asyncio.to_thread(self._fake.request, "POST", path, body))["result"]
