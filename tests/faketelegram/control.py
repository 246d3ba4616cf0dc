"""The control API under /_fake/ that lets another process drive users (see remote.py)."""

from __future__ import annotations

import base64
import inspect
from dataclasses import asdict
from typing import TYPE_CHECKING

from aiohttp import web

from .users import ChatView, FakeChannel

if TYPE_CHECKING:
    from .server import FakeTelegram

USER_ACTIONS = {
    "send", "send_sticker", "send_photo", "send_voice", "send_document", "send_location",
    "forward", "edit", "press", "press_data", "block", "unblock",
}  # fmt: skip


def control_routes(fake: FakeTelegram) -> list[web.RouteDef]:
    """Return the /_fake/ routes for fake."""

    async def create_user(request: web.Request) -> web.Response:
        body = await request.json()
        fake.user(body.pop("id"), **body)
        return web.json_response({"ok": True})

    async def user_action(request: web.Request) -> web.Response:
        action = request.match_info["action"]
        if action not in USER_ACTIONS:
            return web.json_response({"error": f"unknown action {action}"}, status=404)
        kwargs = await request.json()
        if "content" in kwargs:
            kwargs["content"] = base64.b64decode(kwargs["content"])
        if "chat" in kwargs:
            kwargs["chat"] = ChatView(fake.world, kwargs["chat"])
        user = fake.user(int(request.match_info["id"]))
        try:
            result = getattr(user, action)(**kwargs)
            if inspect.isawaitable(result):
                result = await result
        except AssertionError as error:
            return web.json_response({"error": str(error)}, status=400)
        return web.json_response({"result": result})

    async def answered(request: web.Request) -> web.Response:
        user = fake.user(int(request.match_info["id"]))
        return web.json_response([asdict(a) for a in user.answered_callbacks])

    async def create_chat(request: web.Request) -> web.Response:
        body = await request.json()
        if request.match_info["kind"] == "groups":
            fake.group(body.pop("id"), **body)
        else:
            fake.channel(body.pop("id"), **body)
        return web.json_response({"ok": True})

    async def channel_post(request: web.Request) -> web.Response:
        channel = FakeChannel(fake.world, int(request.match_info["id"]))
        return web.json_response({"result": await channel.post((await request.json())["text"])})

    async def chat_state(request: web.Request) -> web.Response:
        view = ChatView(fake.world, int(request.match_info["id"]))
        chat = fake.world.chats[view.chat_id]
        documents = [
            {**asdict(d), "content": base64.b64encode(d.content).decode()} for d in view.documents()
        ]
        return web.json_response(
            {
                "messages": [asdict(m) for m in view.messages()],
                "documents": documents,
                "actions": view.chat_actions(),
                "new_actions": chat.bot_actions - chat.seen_actions,
            }
        )

    async def mark_seen(request: web.Request) -> web.Response:
        chat = fake.world.chats[int(request.match_info["id"])]
        chat.seen_actions = chat.bot_actions
        return web.json_response({"ok": True})

    async def state(request: web.Request) -> web.Response:
        stats = fake.stats
        return web.json_response(
            {
                "too_many_requests": stats.too_many_requests,
                "deliveries": {str(k): v for k, v in stats.deliveries.items()},
                "errors": fake.errors,
                "webhook_deliveries": [asdict(d) for d in fake.webhook_deliveries],
            }
        )

    return [
        web.post("/_fake/users", create_user),
        web.post("/_fake/users/{id}/{action}", user_action),
        web.get("/_fake/users/{id}/answered_callbacks", answered),
        web.post("/_fake/{kind:groups|channels}", create_chat),
        web.post("/_fake/channels/{id}/post", channel_post),
        web.get("/_fake/chats/{id}", chat_state),
        web.post("/_fake/chats/{id}/seen", mark_seen),
        web.get("/_fake/state", state),
    ]
