"""Calendar feeds over HTTP: each advisor's bookings at an unguessable URL for Outlook."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

import icalendar
from aiohttp import web
from sqlalchemy import select

from bot.app import Lotse
from bot.directory import load_directory
from bot.directory.model import Directory
from bot.domain.slots import BERLIN
from bot.i18n import Translations
from bot.i18n.marker import N_
from bot.services import advisor_accounts as accounts
from bot.services import advisor_notices as notices
from bot.services.calendar import booking_event, calendar_file
from bot.services.presenter import Presenter
from bot.storage.models import Booking, TimeOff, User

FEED_PATH = "/calendar/{token}.ics"
PAST_DAYS = 90
AWAY = N_("Away (Lotse)")


def feed_url(base_url: str, token: str) -> str:
    """Return the address of an advisor's calendar feed."""
    return f"{base_url.rstrip('/')}/calendar/{token}.ics"


def time_off_event(away: TimeOff, title: str) -> icalendar.Event:
    """Return time off as an all-day calendar event."""
    event = icalendar.Event()
    event.add("uid", f"time-off-{away.id}@lotse")
    event.add("dtstamp", away.starts_at)
    event.add("dtstart", away.starts_at.astimezone(BERLIN).date())
    event.add("dtend", away.ends_at.astimezone(BERLIN).date())
    event.add("summary", title)
    event.add("transp", "OPAQUE")
    return event


def feed_handler(lotse: Lotse, directory: Directory, translations: Translations
                 ) -> Callable[[web.Request], Awaitable[web.Response]]:
    """Return the endpoint that serves one advisor's calendar; unknown tokens get 404."""
    german = Presenter(translations, notices.MAIL_LANGUAGE)

    async def serve_feed(request: web.Request) -> web.Response:
        since = lotse.turns.clock() - timedelta(days=PAST_DAYS)
        async with lotse.database.transaction() as session:
            account = await accounts.with_feed(session, request.match_info["token"])
            if account is None:
                raise web.HTTPNotFound()
            rows = (await session.execute(
                select(Booking, User).join(User, User.id == Booking.founder_id)
                .where(Booking.advisor_id == account.advisor_id,
                       Booking.status.in_(notices.STATUSES), Booking.ends_at >= since)
                .order_by(Booking.starts_at))).all()
            away = await session.scalars(select(TimeOff).where(
                TimeOff.advisor_id == account.advisor_id, TimeOff.ends_at >= since))
            time_off = list(away)
        events = [time_off_event(t, german.text(AWAY)) for t in time_off]
        try:
            advisor = directory.advisor(account.advisor_id)
        except KeyError:
            advisor = None
        if advisor is not None:
            institution = directory.institution(advisor.institution_id)
            title = german.text(notices.CALENDAR_TITLE)
            events += [booking_event(booking, advisor, institution, title,
                                     notices.booking_text(booking, founder, directory, german))
                       for booking, founder in rows]
        return web.Response(body=calendar_file(events, "PUBLISH"),
                            content_type="text/calendar", charset="utf-8",
                            headers={"Cache-Control": "private, max-age=300"})

    return serve_feed


def add_feed_routes(app: web.Application, lotse: Lotse) -> None:
    """Serve the advisors' calendar feeds from the bot's HTTP server."""
    directory = load_directory(lotse.settings.directory_dir)
    app.router.add_get(FEED_PATH, feed_handler(lotse, directory, lotse.translations))

