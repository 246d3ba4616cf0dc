"""Telegram's flood limits: messages per second overall and per chat."""

from __future__ import annotations

import math
import time
from collections import deque

from .errors import too_many_requests


class FloodControl:
    """Refuse sends above global_per_second overall or a sustained per_chat_per_second."""

    def __init__(
        self,
        global_per_second: int | None = 30,
        per_chat_per_second: float | None = 1.0,
        per_chat_burst: int = 3,
    ):
        self.global_per_second = global_per_second
        self.per_chat_per_second = per_chat_per_second
        self.per_chat_burst = per_chat_burst
        self._recent: deque[float] = deque()
        self._buckets: dict[int, tuple[float, float]] = {}

    def check(self, chat_id: int) -> None:
        """Count one message into chat_id, or raise a 429 without counting it."""
        now = time.monotonic()
        while self._recent and now - self._recent[0] >= 1.0:
            self._recent.popleft()
        if self.global_per_second is not None and len(self._recent) >= self.global_per_second:
            raise too_many_requests(max(1, math.ceil(1.0 - (now - self._recent[0]))))
        tokens = self._tokens(chat_id, now)
        if self.per_chat_per_second is not None:
            if tokens < 1.0:
                raise too_many_requests(math.ceil((1.0 - tokens) / self.per_chat_per_second))
            self._buckets[chat_id] = (tokens - 1.0, now)
        self._recent.append(now)

    def _tokens(self, chat_id: int, now: float) -> float:
        tokens, since = self._buckets.get(chat_id, (float(self.per_chat_burst), now))
        rate = self.per_chat_per_second or 0.0
        return min(float(self.per_chat_burst), tokens + (now - since) * rate)
