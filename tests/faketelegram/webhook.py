"""Webhook mode: POST each update to the bot's URL, in order, until it answers 2xx."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import aiohttp

from .errors import bad_request
from .state import World

_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")


@dataclass(frozen=True)
class Delivery:
    """One attempt to deliver an update to the webhook."""

    update_id: int
    status: int
    secret_token: str | None


class Webhook:
    """The webhook setting and the task that delivers updates to it."""

    def __init__(self, world: World, check: Callable[[str, Any], None], retry_delay: float = 0.1):
        self._world = world
        self._check = check
        self.retry_delay = retry_delay
        self.url = ""
        self.secret_token: str | None = None
        self.deliveries: list[Delivery] = []
        self._last_error: tuple[int, str] | None = None
        self._task: asyncio.Task[None] | None = None

    async def set(self, params: dict[str, Any]) -> bool:
        """Apply setWebhook: remember the URL and secret and start delivering."""
        secret = params.get("secret_token")
        if secret is not None and not _SECRET.fullmatch(secret):
            raise bad_request("secret token contains unallowed characters")
        if not params["url"].startswith(("http://", "https://")):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        await self.stop()
        if params.get("drop_pending_updates"):
            self._world.updates.clear()
        if "allowed_updates" in params:
            self._world.allowed_updates = params["allowed_updates"]
        self.url, self.secret_token, self._last_error = params["url"], secret, None
        self._task = asyncio.create_task(self._deliver())
        return True

    async def delete(self, params: dict[str, Any]) -> bool:
        """Apply deleteWebhook: stop delivering and forget the URL."""
        await self.stop()
        self.url, self.secret_token = "", None
        if params.get("drop_pending_updates"):
            self._world.updates.clear()
        return True

    def info(self) -> dict[str, Any]:
        """Return the WebhookInfo object."""
        info: dict[str, Any] = {
            "url": self.url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._world.updates),
        }
        if self.url:
            info["max_connections"] = 40
        if self._last_error:
            info["last_error_date"], info["last_error_message"] = self._last_error
        return info

    async def stop(self) -> None:
        """Stop the delivery task."""
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _deliver(self) -> None:
        world = self._world
        delay = self.retry_delay
        timeout = aiohttp.ClientTimeout(total=10)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            while True:
                if not world.updates:
                    await world.wait_change(1.0)
                    continue
                update = world.updates[0]
                self._check("webhook update", update)
                status, reason = await self._post(session, update)
                self.deliveries.append(Delivery(update["update_id"], status, self.secret_token))
                if 200 <= status < 300:
                    if world.updates and world.updates[0] is update:
                        world.updates.pop(0)
                    delay = self.retry_delay
                    continue
                self._last_error = (world.now(), f"Wrong response from the webhook: {reason}")
                await asyncio.sleep(delay)
                delay = min(delay * 2, 2.0)

    async def _post(
        self, session: aiohttp.ClientSession, update: dict[str, Any]
    ) -> tuple[int, str]:
        headers = (
            {"X-Telegram-Bot-Api-Secret-Token": self.secret_token} if self.secret_token else {}
        )
        try:
            async with session.post(self.url, json=update, headers=headers) as response:
                return response.status, f"{response.status} {response.reason}"
        except (aiohttp.ClientError, TimeoutError) as error:
            return 0, str(error) or type(error).__name__
