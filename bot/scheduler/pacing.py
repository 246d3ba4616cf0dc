"""Pace sends under Telegram's flood limits: so many per second overall and per chat."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

HEADROOM = 0.97  # stay a little under each limit, so network jitter never makes a 429
_PRUNE_ABOVE = 50_000


class Pacer:
    """Space sends evenly: at most `per_second` overall and `per_chat` into one chat.

    A send into a chat waits for the chat's previous one and its gap, then reserves the
    next free moment overall; reservations are made at once, so senders never wake together.
    When the event loop was busy and senders wake late, a count of the last second keeps
    them from going out in a burst.
    """

    def __init__(self, per_second: float, per_chat: float,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.gap = 1.0 / (per_second * HEADROOM)
        self.chat_gap = 1.0 / (per_chat * HEADROOM)
        self.monotonic = monotonic
        self._next = 0.0
        self._next_in_chat: dict[int, float] = {}
        self._chats: dict[int, asyncio.Lock] = {}
        self._window = max(1, int(per_second * HEADROOM))
        self._recent: deque[float] = deque()

    @asynccontextmanager
    async def slot(self, chat_id: int) -> AsyncIterator[None]:
        """Wait until a message may go into the chat; the block sends it."""
        if len(self._chats) > _PRUNE_ABOVE:
            self._prune()
        async with self._chats.setdefault(chat_id, asyncio.Lock()):
            await self._until(self._next_in_chat.get(chat_id, 0.0))
            moment = max(self.monotonic(), self._next)
            self._next = moment + self.gap
            await self._until(moment)
            await self._room_in_last_second()
            self._next_in_chat[chat_id] = self.monotonic() + self.chat_gap
            yield

    def hold(self, chat_id: int, seconds: float) -> None:
        """Send nothing into the chat for `seconds` (Telegram asked to retry after them)."""
        until = self.monotonic() + seconds
        self._next_in_chat[chat_id] = max(self._next_in_chat.get(chat_id, 0.0), until)

    async def _room_in_last_second(self) -> None:
        """Wait while the last second already holds its share: sends woken late bunch up."""
        while True:
            now = self.monotonic()
            while self._recent and now - self._recent[0] >= 1.0:
                self._recent.popleft()
            if len(self._recent) < self._window:
                self._recent.append(now)
                return
            await self._until(self._recent[0] + 1.0)

    async def _until(self, moment: float) -> None:
        delay = moment - self.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)

    def _prune(self) -> None:
        now = self.monotonic()
        for chat_id in [c for c, lock in self._chats.items()
                        if not lock.locked() and self._next_in_chat.get(c, 0.0) < now]:
            del self._chats[chat_id]
            self._next_in_chat.pop(chat_id, None)
