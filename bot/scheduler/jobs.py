"""APScheduler in the bot process: wake the dispatcher when something is due; the agenda."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler  # type: ignore[import-untyped]
from apscheduler.triggers.cron import CronTrigger  # type: ignore[import-untyped]
from apscheduler.triggers.date import DateTrigger  # type: ignore[import-untyped]
from apscheduler.triggers.interval import IntervalTrigger  # type: ignore[import-untyped]

from bot.scheduler.dispatcher import Dispatcher
from bot.scheduler.follow_ups import FollowUps
from bot.scheduler.outbox import EARLIEST
from bot.services.mail import MailQueue
from bot.services.privacy import purge_inactive
from bot.services.turn import Handlers, Turn
from bot.settings import Settings
from bot.storage.database import Database

log = logging.getLogger(__name__)

WAKE, SAFETY_NET, AGENDA, RETENTION, MAIL = "wake", "safety-net", "agenda", "retention", "mail"


class FollowUpScheduler:
    """Runs the dispatcher at the next due time, every poll interval, and the daily agenda.

    The outbox is the record of what must be sent; the jobs only say when to look.
    """

    def __init__(self, dispatcher: Dispatcher, follow_ups: FollowUps, database: Database,
                 clock: Callable[[], datetime], settings: Settings, mail: MailQueue) -> None:
        self.dispatcher = dispatcher
        self.mail = mail
        self.follow_ups = follow_ups
        self.database = database
        self.clock = clock
        self.settings = settings
        self.scheduler = AsyncIOScheduler(timezone=UTC)
        self._running: asyncio.Task[None] | None = None

    def start(self, handlers: Handlers) -> None:
        """Add the jobs and start; look at the outbox at once (a crash may have left work)."""
        zone = self.follow_ups.places.quiet.zone
        at = self.settings.advisor_agenda_at
        self.scheduler.add_job(
            self.safety_net, IntervalTrigger(seconds=self.settings.follow_up_poll_seconds),
            id=SAFETY_NET, next_run_time=datetime.now(UTC), coalesce=True, max_instances=1)
        # e-mails that could not be sent before (SMTP away, crash, shutdown)
        self.scheduler.add_job(
            self.mail.send_due, IntervalTrigger(seconds=self.settings.follow_up_poll_seconds),
            id=MAIL, next_run_time=datetime.now(UTC), coalesce=True, max_instances=1)
        self.scheduler.add_job(
            self.agenda, CronTrigger(day_of_week="mon-fri", hour=at.hour, minute=at.minute,
                                     timezone=zone),
            id=AGENDA, coalesce=True, misfire_grace_time=3600)
        local = self.clock().astimezone(zone)
        if at <= local.time() < self.follow_ups.places.quiet.start:
            self.scheduler.add_job(self.agenda, id=f"{AGENDA}-missed")
        self.scheduler.add_job(
            self.retention, CronTrigger(hour=3, minute=15, timezone=zone),
            id=RETENTION, coalesce=True, misfire_grace_time=86400)
        handlers.after_turn.append(self.notice)
        self.scheduler.start()

    async def stop(self) -> None:
        """Stop the jobs and let a running dispatch finish what it sends."""
        self.dispatcher.stopping = True
        self.scheduler.shutdown(wait=False)
        try:
            await asyncio.wait_for(self.dispatcher.idle(), timeout=10)
        except TimeoutError:
            log.warning("follow-ups still in flight at shutdown are sent again after restart")

    async def safety_net(self) -> None:
        """Release what a crashed process left in flight; send what is due in the background."""
        await self.dispatcher.release_stuck()
        if not self.dispatcher.busy:
            self._running = asyncio.create_task(self.wake())

    async def wake(self) -> None:
        """Send what is due, then sleep until the next follow-up is due."""
        if self.dispatcher.busy:
            return
        await self.dispatcher.run_due()
        if not self.dispatcher.stopping:
            self.arm(await self.dispatcher.next_due())

    async def agenda(self) -> None:
        """Schedule today's agenda for the advisors who have appointments."""
        async with self.database.transaction() as session:
            planned = await self.follow_ups.plan_agendas(session, self.clock())
        if planned:
            await self.wake()

    async def retention(self) -> None:
        """Delete the data of founders inactive for the retention period (nightly)."""
        purged = await purge_inactive(self.database, self.clock(), self.settings.retention_months)
        log.info("retention: %d inactive founders deleted", purged)

    async def notice(self, turn: Turn) -> None:
        """Wake earlier when a turn scheduled something before the next wake-up."""
        earliest = turn.session.info.pop(EARLIEST, None)
        if earliest is not None:
            self.arm(earliest)

    def arm(self, due: datetime | None) -> None:
        """Run the dispatcher at `due`, unless it runs earlier already."""
        if due is None or not self.scheduler.running:
            return
        job = self.scheduler.get_job(WAKE)
        if job is not None and job.next_run_time is not None and job.next_run_time <= due:
            return
        moment = max(due, datetime.now(UTC) + timedelta(milliseconds=10))
        self.scheduler.add_job(self.wake, DateTrigger(run_date=moment), id=WAKE,
                               replace_existing=True, misfire_grace_time=None)
