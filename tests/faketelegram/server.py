"""FakeTelegram: an aiohttp server on 127.0.0.1 that speaks the Bot API from the spec."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any

from aiohttp import BodyPartReader, web

from .bot_api import BotApi
from .control import control_routes
from .errors import ApiError, bad_request, not_found, unauthorized
from .ratelimit import FloodControl
from .spec import Spec, Upload
from .state import Person, Stats, World
from .users import FakeChannel, FakeGroup, FakeUser
from .webhook import Delivery, Webhook

log = logging.getLogger(__name__)


class FakeTelegram:
    """A fake Telegram Bot API server for one bot token, with a user side for tests."""

    def __init__(
        self,
        token: str = "123456:TEST",
        *,
        port: int = 0,
        global_per_second: int | None = 30,
        per_chat_per_second: float | None = 1.0,
        per_chat_burst: int = 3,
        webhook_retry_delay: float = 0.1,
        spec: Spec | None = None,
        clock: Callable[[], float] = time.time,
    ):
        self.token = token
        self.spec = spec or Spec()
        self.world = World(int(token.split(":")[0]), clock)
        self.flood = FloodControl(global_per_second, per_chat_per_second, per_chat_burst)
        self.webhook = Webhook(self.world, self._check, webhook_retry_delay)
        self.api = BotApi(self.world, self.flood, self.webhook)
        self.errors: list[str] = []
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.content_types: list[str] = []
        self._port = port
        self._runner: web.AppRunner | None = None

    @property
    def port(self) -> int:
        """Return the port the server listens on (after start)."""
        return self._port

    @property
    def base_url(self) -> str:
        """Return python-telegram-bot's base_url (it appends the token)."""
        return f"http://127.0.0.1:{self._port}/bot"

    @property
    def base_file_url(self) -> str:
        """Return python-telegram-bot's base_file_url."""
        return f"http://127.0.0.1:{self._port}/file/bot"

    @property
    def stats(self) -> Stats:
        """Return the counters: 429s sent and deliveries per chat with timestamps."""
        return self.world.stats

    @property
    def webhook_deliveries(self) -> list[Delivery]:
        """Return every attempt to deliver an update to the webhook."""
        return self.webhook.deliveries

    def user(
        self,
        user_id: int,
        language_code: str = "de",
        first_name: str = "Test",
        last_name: str | None = None,
        username: str | None = None,
    ) -> FakeUser:
        """Return the user with this id, creating the user and the private chat if new."""
        world = self.world
        if user_id not in world.people:
            user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
            if last_name:
                user["last_name"] = last_name
            if username:
                user["username"] = username
            user["language_code"] = language_code
            world.people[user_id] = Person(user)
            chat = {
                k: v for k, v in user.items() if k in ("id", "first_name", "last_name", "username")
            }
            world.add_chat({**chat, "type": "private"})
        return FakeUser(world, world.people[user_id])

    def group(self, chat_id: int, title: str = "Test group", kind: str = "supergroup") -> FakeGroup:
        """Return a group chat with the bot in it; users send there with chat=group."""
        self.world.add_chat({"id": chat_id, "type": kind, "title": title})
        return FakeGroup(self.world, chat_id)

    def channel(self, chat_id: int, title: str = "Test channel", username: str = "") -> FakeChannel:
        """Return a channel the bot administers."""
        info: dict[str, Any] = {"id": chat_id, "type": "channel", "title": title}
        if username:
            info["username"] = username
        self.world.add_chat(info)
        return FakeChannel(self.world, chat_id)

    async def start(self) -> None:
        """Listen on 127.0.0.1 (a free port unless one was given)."""
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._file)
        app.add_routes(control_routes(self))
        self._runner = web.AppRunner(
            app, handler_cancellation=True, access_log=None, shutdown_timeout=1.0
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self._port)
        await site.start()
        self._port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        """Stop delivering and listening."""
        self.api.closing = True
        await self.world.notify()
        await self.webhook.stop()
        if self._runner:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeTelegram:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()
        if self.errors and exc is None:
            raise AssertionError("fake Telegram saw errors:\n" + "\n".join(self.errors))

    def _check(self, where: str, value: Any, types: tuple[str, ...] = ("Update",)) -> None:
        """Record every way value breaks the spec (the fake must answer like Telegram)."""
        for violation in self.spec.violations(value, types, where):
            log.error("spec violation: %s", violation)
            self.errors.append(violation)

    async def _handle(self, request: web.Request) -> web.Response:
        name = request.match_info["method"]
        try:
            if request.match_info["token"] != self.token:
                raise unauthorized()
            method = self.spec.method(name)
            if method is None:
                raise not_found()
            raw, uploads = await self._read(request)
            params = self.spec.coerce_params(method, raw, uploads)
            self.calls.append((method.name, params))
            result = await self._call(method.name, method.returns, params)
            self._check(f"{method.name} result", result, method.returns)
            return web.json_response({"ok": True, "result": result})
        except ApiError as error:
            if error.code == 429:
                self.world.stats.too_many_requests += 1
            return web.json_response(error.body(), status=error.code)

    async def _call(self, name: str, returns: tuple[str, ...], params: dict[str, Any]) -> Any:
        handler = self.api.handlers.get(name)
        if handler:
            return await handler(params)
        if returns == ("Boolean",):
            return True
        self.errors.append(f"{name}: the fake does not implement this method")
        raise bad_request(f"method {name} is not implemented by the fake Telegram server")

    async def _read(self, request: web.Request) -> tuple[dict[str, Any], dict[str, Upload]]:
        """Read query string and body (JSON, form-urlencoded or multipart) into parameters."""
        self.content_types.append(request.content_type if request.can_read_body else "")
        raw: dict[str, Any] = dict(request.query)
        uploads: dict[str, Upload] = {}
        if request.content_type == "application/json" and request.can_read_body:
            try:
                body = await request.json()
            except json.JSONDecodeError as error:
                raise bad_request("can't parse JSON object") from error
            if not isinstance(body, dict):
                raise bad_request("can't parse JSON object")
            raw.update(body)
        elif request.content_type == "multipart/form-data":
            async for part in await request.multipart():
                if not isinstance(part, BodyPartReader) or part.name is None:
                    continue
                content = await part.read()
                if part.filename:
                    kind = part.headers.get("Content-Type", "application/octet-stream")
                    uploads[part.name] = Upload(part.filename, bytes(content), kind)
                else:
                    raw[part.name] = bytes(content).decode()
        elif request.can_read_body:
            raw.update(await request.post())
        return raw, uploads

    async def _file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.Response(status=401)
        path = request.match_info["path"]
        for stored in self.world.files.values():
            if stored.file_path == path:
                return web.Response(body=stored.content, content_type=stored.mime_type)
        return web.Response(status=404)
