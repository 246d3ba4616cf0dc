"""Follow-ups: a durable outbox, sent by APScheduler within Telegram's limits."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from bot.directory.model import Directory
from bot.domain.quiet_hours import QuietHours, weekdays
from bot.scheduler.dispatcher import Delivery, Dispatcher, Limits, Sender
from bot.scheduler.follow_ups import FollowUps
from bot.scheduler.messages import Letters
from bot.scheduler.plans import QuietPlaces
from bot.services.turn import Handlers
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.app import Lotse
    from bot.scheduler.jobs import FollowUpScheduler

__all__ = ["Delivery", "Sender", "register", "start_scheduler"]


def quiet_places(settings: Settings, directory: Directory) -> QuietPlaces:
    """Return the quiet hours from the settings, per district state."""
    quiet = QuietHours(settings.quiet_from, settings.quiet_until, weekdays(settings.quiet_days),
                       settings.quiet_state, settings.quiet_on_holidays)
    return QuietPlaces(directory, quiet)


def limits(settings: Settings) -> Limits:
    """Return the sending limits from the settings."""
    return Limits(
        per_second=settings.telegram_messages_per_second,
        per_chat=settings.telegram_chat_messages_per_second,
        max_attempts=settings.follow_up_max_attempts,
        retry_seconds=settings.follow_up_retry_seconds,
        claim_timeout=timedelta(seconds=settings.follow_up_claim_timeout_seconds),
    )


def register(handlers: Handlers, settings: Settings, directory: Directory) -> None:
    """Plan follow-ups from bookings and turns; add /stop, resume on /start, fu| buttons."""
    FollowUps(quiet_places(settings, directory)).register(handlers)


def dispatcher(lotse: Lotse, sender: Sender, directory: Directory) -> Dispatcher:
    """Return a dispatcher that sends the outbox of these parts through the sender."""
    places = quiet_places(lotse.settings, directory)
    letters = Letters(lotse.translations, places)
    return Dispatcher(lotse.database, sender, letters, lotse.turns.clock,
                      limits(lotse.settings))


def start_scheduler(lotse: Lotse, sender: Sender, directory: Directory) -> FollowUpScheduler:
    """Start APScheduler on the running event loop; stop it with `await scheduler.stop()`."""
    from bot.scheduler.jobs import FollowUpScheduler

    places = quiet_places(lotse.settings, directory)
    scheduler = FollowUpScheduler(dispatcher(lotse, sender, directory), FollowUps(places),
                                  lotse.database, lotse.turns.clock, lotse.settings, lotse.mail)
    scheduler.start(lotse.turns.handlers)
    return scheduler
