"""A per-chat token bucket: someone who floods the bot gets about one answer per second."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class FloodGuard:
    """Lets each chat through at `rate` per second on average, with bursts of `burst`."""

    rate: float
    burst: int
    clock: Callable[[], float] = time.monotonic
    _buckets: dict[int, tuple[float, float]] = field(default_factory=dict)

    def allow(self, chat_id: int) -> bool:
        """Return whether this chat may be answered now, and use up one token if so."""
        now = self.clock()
        tokens, last = self._buckets.get(chat_id, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - last) * self.rate)
        if tokens < 1:
            self._buckets[chat_id] = (tokens, now)
            return False
        self._buckets[chat_id] = (tokens - 1, now)
        if len(self._buckets) > 10_000:
            self._forget_idle(now)
        return True

    def _forget_idle(self, now: float) -> None:
        """Drop the buckets of chats that have been quiet long enough to be full again."""
        full_after = self.burst / self.rate
        self._buckets = {chat: bucket for chat, bucket in self._buckets.items()
                         if now - bucket[1] < full_after}
