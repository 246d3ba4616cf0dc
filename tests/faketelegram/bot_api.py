"""The Bot API methods the fake implements, with Telegram's rules and errors."""

from __future__ import annotations

import asyncio
import json
import mimetypes
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

from .errors import bad_request, conflict
from .markup import parse, utf16_len
from .ratelimit import FloodControl
from .spec import Upload
from .state import CallbackAnswer, Chat, StoredMessage, World
from .webhook import Webhook

Handler = Callable[[dict[str, Any]], Awaitable[Any]]
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
CHAT_ACTIONS = {
    "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
    "upload_document", "choose_sticker", "find_location", "record_video_note",
    "upload_video_note",
}  # fmt: skip
_COMMAND = re.compile(r"[a-z0-9_]{1,32}")
_BUTTON_ACTIONS = {
    "url", "callback_data", "web_app", "login_url", "switch_inline_query",
    "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text",
    "callback_game", "pay",
}  # fmt: skip


class BotApi:
    """Answer Bot API calls against the world's state."""

    def __init__(self, world: World, flood: FloodControl, webhook: Webhook):
        self._world = world
        self._flood = flood
        self.webhook = webhook
        self.closing = False
        self._commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self._poll = 0
        self.handlers: dict[str, Handler] = {
            "getMe": self.get_me,
            "getUpdates": self.get_updates,
            "setWebhook": webhook.set,
            "deleteWebhook": webhook.delete,
            "getWebhookInfo": self.get_webhook_info,
            "sendMessage": self.send_message,
            "sendDocument": self.send_document,
            "sendChatAction": self.send_chat_action,
            "editMessageText": self.edit_message_text,
            "editMessageReplyMarkup": self.edit_message_reply_markup,
            "deleteMessage": self.delete_message,
            "answerCallbackQuery": self.answer_callback_query,
            "setMyCommands": self.set_my_commands,
            "getMyCommands": self.get_my_commands,
            "deleteMyCommands": self.delete_my_commands,
            "getFile": self.get_file,
        }

    async def get_me(self, params: dict[str, Any]) -> dict[str, Any]:
        """Return the bot's User."""
        return self._world.bot_user

    async def get_webhook_info(self, params: dict[str, Any]) -> dict[str, Any]:
        """Return the WebhookInfo."""
        return self.webhook.info()

    async def get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        """Confirm updates below offset, then long-poll up to timeout seconds for new ones."""
        world = self._world
        if self.webhook.url:
            raise conflict(
                "can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first"
            )
        offset = params.get("offset", 0)
        if offset < 0:
            del world.updates[:offset]
        elif offset:
            world.updates[:] = [u for u in world.updates if u["update_id"] >= offset]
        if "allowed_updates" in params:
            world.allowed_updates = params["allowed_updates"]
        self._poll += 1
        poll = self._poll
        await world.notify()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + params.get("timeout", 0)
        while not world.updates and not self.closing and loop.time() < deadline:
            await world.wait_change(deadline - loop.time())
            if poll != self._poll:
                raise conflict(
                    "terminated by other getUpdates request; "
                    "make sure that only one bot instance is running"
                )
        return world.updates[: max(1, min(params.get("limit", 100), 100))]

    async def send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        """Send a text message."""
        chat = self._world.chat(params["chat_id"])
        text, entities = self._text(
            params["text"], params.get("parse_mode"), params.get("entities")
        )
        if not text.strip():
            raise bad_request("message text is empty")
        if utf16_len(text) > 4096:
            raise bad_request("message is too long")
        return await self._send(chat, {"text": text, **_entities("entities", entities)}, params)

    async def send_document(self, params: dict[str, Any]) -> dict[str, Any]:
        """Send a document, keeping the uploaded bytes and filename."""
        chat = self._world.chat(params["chat_id"])
        document = params["document"]
        if isinstance(document, Upload):
            mime = mimetypes.guess_type(document.filename)[0] or document.content_type
            stored = self._world.add_file("documents", document.filename, mime, document.content)
        elif document in self._world.files:
            stored = self._world.files[document]
        elif document.startswith(("http://", "https://")):
            name = document.rsplit("/", 1)[-1] or "file"
            stored = self._world.add_file("documents", name, "application/octet-stream", b"")
        else:
            raise bad_request("wrong file identifier/HTTP URL specified")
        content: dict[str, Any] = {
            "document": {
                "file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
                "file_name": stored.file_name, "mime_type": stored.mime_type,
                "file_size": len(stored.content),
            }
        }  # fmt: skip
        if caption := params.get("caption"):
            text, entities = self._text(
                caption, params.get("parse_mode"), params.get("caption_entities")
            )
            if utf16_len(text) > 1024:
                raise bad_request("message caption is too long")
            content.update(caption=text, **_entities("caption_entities", entities))
        return await self._send(chat, content, params)

    async def send_chat_action(self, params: dict[str, Any]) -> bool:
        """Record a chat action such as typing."""
        chat = self._world.chat(params["chat_id"])
        if params["action"] not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        chat.actions.append(params["action"])
        return True

    async def edit_message_text(self, params: dict[str, Any]) -> dict[str, Any]:
        """Edit a message's text; without reply_markup its inline keyboard goes, as in Telegram."""
        chat, message = self._editable(params)
        if "text" not in message.data:
            raise bad_request("there is no text in the message to edit")
        if not params.get("text"):
            raise bad_request("message text is empty")
        text, entities = self._text(
            params["text"], params.get("parse_mode"), params.get("entities")
        )
        markup = _inline_markup(params.get("reply_markup"))
        now = {k: message.data.get(k) for k in ("text", "entities", "reply_markup")}
        if now == {"text": text, "entities": entities or None, "reply_markup": markup}:
            raise bad_request(NOT_MODIFIED)
        message.data.update(text=text, entities=entities, reply_markup=markup)
        return await self._edited(chat, message)

    async def edit_message_reply_markup(self, params: dict[str, Any]) -> dict[str, Any]:
        """Replace or remove a message's inline keyboard."""
        chat, message = self._editable(params)
        markup = _inline_markup(params.get("reply_markup"))
        if message.data.get("reply_markup") == markup:
            raise bad_request(NOT_MODIFIED)
        message.data["reply_markup"] = markup
        return await self._edited(chat, message)

    async def delete_message(self, params: dict[str, Any]) -> bool:
        """Delete a message."""
        chat = self._world.chat(params["chat_id"])
        message = chat.messages.get(params["message_id"])
        if message is None or message.deleted:
            raise bad_request("message to delete not found")
        message.deleted = True
        await self._world.bot_acted(chat)
        return True

    async def answer_callback_query(self, params: dict[str, Any]) -> bool:
        """Answer a callback query once."""
        query = self._world.queries.get(params["callback_query_id"])
        if query is None or query.answered:
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        query.answered = True
        self._world.people[query.user_id].answered_callbacks.append(
            CallbackAnswer(
                params["callback_query_id"], query.data, params.get("text"),
                bool(params.get("show_alert")), params.get("url"),
            )
        )  # fmt: skip
        await self._world.notify()
        return True

    async def set_my_commands(self, params: dict[str, Any]) -> bool:
        """Store the command list for a scope and language."""
        for command in params["commands"]:
            if not _COMMAND.fullmatch(command["command"]):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(command["description"]) <= 256:
                raise bad_request("command description must be 1-256 characters long")
        self._commands[_scope_key(params)] = params["commands"]
        return True

    async def get_my_commands(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        """Return the command list for a scope and language."""
        return self._commands.get(_scope_key(params), [])

    async def delete_my_commands(self, params: dict[str, Any]) -> bool:
        """Delete the command list for a scope and language."""
        self._commands.pop(_scope_key(params), None)
        return True

    async def get_file(self, params: dict[str, Any]) -> dict[str, Any]:
        """Return the File for a file_id; its bytes are served under base_file_url."""
        stored = self._world.files.get(params["file_id"])
        if stored is None:
            raise bad_request("invalid file_id")
        return {
            "file_id": params["file_id"], "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.content), "file_path": stored.file_path,
        }  # fmt: skip

    def _text(
        self, source: str, parse_mode: str | None, entities: list[dict[str, Any]] | None
    ) -> tuple[str, list[dict[str, Any]]]:
        if entities is not None:
            return source, entities
        return parse(source, parse_mode)

    def _editable(self, params: dict[str, Any]) -> tuple[Chat, StoredMessage]:
        if "inline_message_id" in params:
            raise bad_request("message to edit not found")
        if "chat_id" not in params or "message_id" not in params:
            raise bad_request("message identifier is not specified")
        chat = self._world.chat(params["chat_id"])
        message = chat.messages.get(params["message_id"])
        if message is None or message.deleted:
            raise bad_request("message to edit not found")
        if not message.from_bot:
            raise bad_request("message can't be edited")
        return chat, message

    async def _edited(self, chat: Chat, message: StoredMessage) -> dict[str, Any]:
        for key in ("entities", "reply_markup"):
            if message.data.get(key) is None:
                message.data.pop(key, None)
        message.data["edit_date"] = self._world.now()
        await self._world.bot_acted(chat)
        return message.data

    async def _send(
        self, chat: Chat, content: dict[str, Any], params: dict[str, Any]
    ) -> dict[str, Any]:
        markup = params.get("reply_markup") or {}
        inline = _inline_markup(markup)
        if reply := params.get("reply_parameters"):
            replied = chat.messages.get(reply["message_id"])
            if replied is None or replied.deleted:
                if not reply.get("allow_sending_without_reply"):
                    raise bad_request("message to be replied not found")
            else:
                content["reply_to_message"] = {
                    k: v for k, v in replied.data.items() if k != "reply_to_message"
                }
        self._flood.check(chat.info["id"])
        sender = {k: self._world.bot_user[k] for k in ("id", "is_bot", "first_name", "username")}
        message = self._world.store(chat, sender, content, True)
        if inline:
            message.data["reply_markup"] = inline
        if "keyboard" in markup:
            message.reply_keyboard = [[_label(b) for b in row] for row in markup["keyboard"]]
            chat.reply_keyboard = (
                message.data["message_id"], message.reply_keyboard,
                bool(markup.get("one_time_keyboard")),
            )  # fmt: skip
        if markup.get("remove_keyboard"):
            chat.reply_keyboard = None
        self._world.stats.deliveries[chat.info["id"]].append(time.time())
        await self._world.bot_acted(chat)
        return message.data


def _inline_markup(markup: dict[str, Any] | None) -> dict[str, Any] | None:
    """Check an inline keyboard as Telegram does and return it (None if absent or empty)."""
    if not markup or "inline_keyboard" not in markup:
        return None
    for row in markup["inline_keyboard"]:
        for button in row:
            if not _BUTTON_ACTIONS & button.keys():
                raise bad_request("text buttons are unallowed in the inline keyboard")
            if "callback_data" in button and not 1 <= len(button["callback_data"].encode()) <= 64:
                raise bad_request("BUTTON_DATA_INVALID")
    return markup if any(markup["inline_keyboard"]) else None


def _label(button: dict[str, Any] | str) -> str:
    return button if isinstance(button, str) else str(button["text"])


def _entities(key: str, entities: list[dict[str, Any]]) -> dict[str, Any]:
    return {key: entities} if entities else {}


def _scope_key(params: dict[str, Any]) -> tuple[str, str]:
    scope = json.dumps(params.get("scope") or {"type": "default"}, sort_keys=True)
    return scope, params.get("language_code", "")
