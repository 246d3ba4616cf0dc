"""Send the follow-ups that are due: claim, compose, pace, send, record."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.replies import Reply
from bot.scheduler import outbox
from bot.scheduler.messages import Later, Skip
from bot.scheduler.outbox import Claimed
from bot.scheduler.pacing import Pacer
from bot.storage.database import Database

log = logging.getLogger(__name__)

LONGEST_WAIT_IN_PROCESS = 20.0  # seconds; a longer retry_after goes back to the outbox
FLUSH_EVERY = 0.1  # seconds between recording what was sent


@dataclass(frozen=True)
class Delivery:
    """What Telegram said to one message."""

    status: Literal["sent", "retry_after", "blocked", "failed"]
    retry_after: float = 0.0
    error: str | None = None


class Sender(Protocol):
    """The channel's port for sending one follow-up."""

    async def send(self, chat_id: int, reply: Reply) -> Delivery:
        """Send a reply to a chat and say how it went; never raise for Telegram's answers."""
        ...


class Composer(Protocol):
    """Turns a claimed follow-up into the message to send, or says why not now."""

    async def prefetch(self, session: AsyncSession, follow_ups: list[Claimed]) -> None:
        """Load what composing these follow-ups needs, in a few queries."""
        ...

    async def compose(self, session: AsyncSession, follow_up: Claimed, now: datetime
                      ) -> Reply | Skip | Later:
        """Return the reply in the recipient's language, a reason to skip, or a later time."""
        ...


@dataclass(frozen=True)
class Limits:
    """How fast and how persistently to send."""

    per_second: float = 30.0
    per_chat: float = 1.0
    max_attempts: int = 5
    retry_seconds: float = 30.0
    claim_timeout: timedelta = timedelta(minutes=1)

    @property
    def in_flight(self) -> int:
        """Return how many messages may be claimed and not yet sent: half a second's worth.

        Small claims keep the event loop from stalling, which would bunch the sends.
        """
        return max(2, int(self.per_second / 2))


class Dispatcher:
    """Sends what is due in the outbox, within Telegram's limits; one run at a time."""

    def __init__(self, database: Database, sender: Sender, composer: Composer,
                 clock: Callable[[], datetime], limits: Limits) -> None:
        self.database = database
        self.sender = sender
        self.composer = composer
        self.clock = clock
        self.limits = limits
        self.pacer = Pacer(limits.per_second, limits.per_chat)
        self._running = asyncio.Lock()
        self._busy = 0
        self._freed = asyncio.Event()
        self._sent: list[int] = []
        self.stopping = False

    @property
    def busy(self) -> bool:
        """Return whether a dispatch is running."""
        return self._running.locked()

    async def idle(self) -> None:
        """Wait until no dispatch is running."""
        async with self._running:
            pass

    async def release_stuck(self) -> int:
        """Put back what a crashed process left in flight for longer than the claim timeout."""
        async with self.database.transaction() as session:
            count = await outbox.release_stuck(session, self.clock(), self.limits.claim_timeout)
        if count:
            log.warning("released %d follow-ups a stopped process had claimed", count)
        return count

    async def next_due(self) -> datetime | None:
        """Return when the next pending follow-up is due."""
        async with self.database.transaction() as session:
            return await outbox.next_due(session)

    async def run_due(self) -> int:
        """Send everything due now; return how many follow-ups were handled."""
        if self.busy:
            return 0
        async with self._running:
            handled = 0
            done = asyncio.Event()
            flusher = asyncio.create_task(self._flush_often(done))
            try:
                async with asyncio.TaskGroup() as sends:
                    while not self.stopping:
                        while self._busy > self.limits.in_flight // 2:
                            self._freed.clear()
                            await self._freed.wait()
                        batch, claimed = await self._claim(self.limits.in_flight - self._busy)
                        if not claimed:
                            break
                        handled += claimed
                        for follow_up, reply in batch:
                            self._busy += 1
                            sends.create_task(self._deliver(follow_up, reply))
            finally:
                done.set()
                await flusher
            return handled

    async def _claim(self, limit: int) -> tuple[list[tuple[Claimed, Reply]], int]:
        """Claim what is due and compose each message; return the messages and the count."""
        ready: list[tuple[Claimed, Reply]] = []
        async with self.database.transaction() as session:
            now = self.clock()
            claimed = await outbox.claim(session, now, limit)
            await self.composer.prefetch(session, claimed)
            for follow_up in claimed:
                composed = await self.composer.compose(session, follow_up, now)
                if isinstance(composed, Skip):
                    await outbox.give_up(session, follow_up.id, composed.status, composed.reason)
                elif isinstance(composed, Later):
                    await outbox.put_back(session, follow_up.id, composed.due_at, None,
                                          follow_up.attempts - 1)
                else:
                    ready.append((follow_up, composed))
        return ready, len(claimed)

    async def _deliver(self, follow_up: Claimed, reply: Reply) -> None:
        """Send one message, waiting out short flood waits; record the outcome."""
        try:
            while True:
                async with self.pacer.slot(follow_up.chat_id):
                    delivery = await self.sender.send(follow_up.chat_id, reply)
                if (delivery.status != "retry_after"
                        or delivery.retry_after > LONGEST_WAIT_IN_PROCESS or self.stopping):
                    break
                log.warning("Telegram asked to wait %.0f s before chat %s",
                            delivery.retry_after, follow_up.chat_id)
                self.pacer.hold(follow_up.chat_id, delivery.retry_after)
            await self._record(follow_up, delivery)
        finally:
            self._busy -= 1
            self._freed.set()

    async def _record(self, follow_up: Claimed, delivery: Delivery) -> None:
        """Record what happened; sends are written in batches, everything else at once."""
        if delivery.status == "sent":
            self._sent.append(follow_up.id)
            return
        now = self.clock()
        async with self.database.transaction() as session:
            if delivery.status == "blocked":
                await outbox.block(session, follow_up.chat_id, now)
            elif delivery.status == "retry_after":
                await outbox.put_back(session, follow_up.id,
                                      now + timedelta(seconds=delivery.retry_after),
                                      "flood wait", follow_up.attempts - 1)
            elif follow_up.attempts >= self.limits.max_attempts:
                log.warning("follow-up %s failed for good: %s", follow_up.id, delivery.error)
                await outbox.give_up(session, follow_up.id, outbox.FAILED, delivery.error)
            else:
                wait = self.limits.retry_seconds * 2 ** (follow_up.attempts - 1)
                await outbox.put_back(session, follow_up.id, now + timedelta(seconds=wait),
                                      delivery.error)

    async def _flush_often(self, done: asyncio.Event) -> None:
        """Record what was sent every FLUSH_EVERY seconds, and once more at the end."""
        while not done.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(done.wait(), FLUSH_EVERY)
            await self._flush()
        await self._flush()

    async def _flush(self) -> None:
        """Record the follow-ups sent since the last flush."""
        sent, self._sent = self._sent, []
        if not sent:
            return
        try:
            async with self.database.transaction() as session:
                await outbox.mark(session, sent, outbox.SENT, self.clock())
        except BaseException:
            self._sent.extend(sent)
            raise
