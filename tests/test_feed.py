"""Each advisor's calendar feed, fetched over HTTP from the bot's own server."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import aiohttp
import icalendar

from bot.app import Lotse
from bot.channels.feeds import add_feed_routes, feed_url
from bot.services import advisor_accounts as accounts
from bot.services.advisors import day_start
from bot.storage.models import TimeOff
from bot.web import make_app, serve
from tests.advisor_desk import ADVISOR, OTHER_ADVISOR, TUESDAY_NINE, add_booking
from tests.conftest import Clock, free_port

BERLIN = ZoneInfo("Europe/Berlin")


async def test_feed_lists_own_bookings_and_time_off(lotse: Lotse, clock: Clock) -> None:
    mine = await add_booking(lotse.database, 601, clock())
    await add_booking(lotse.database, 602, clock(), advisor_id=OTHER_ADVISOR)
    await add_booking(lotse.database, 603, clock(), status="cancelled")
    async with lotse.database.transaction() as session:
        token = (await accounts.account_of(session, ADVISOR)).feed_token
        session.add(TimeOff(advisor_id=ADVISOR, starts_at=day_start(date(2026, 12, 24)),
                            ends_at=day_start(date(2026, 12, 27))))
    assert len(token) >= 43
    app = make_app()
    add_feed_routes(app, lotse)
    port = free_port()
    runner = await serve(app, "127.0.0.1", port)
    base = f"http://127.0.0.1:{port}"
    try:
        async with aiohttp.ClientSession() as http:
            async with http.get(feed_url(base, token)) as response:
                assert response.status == 200
                assert response.content_type == "text/calendar"
                body = await response.read()
            async with http.get(feed_url(base, "x" * 43)) as unknown:
                assert unknown.status == 404
            async with http.get(f"{base}/calendar/.ics") as empty:
                assert empty.status == 404
            async with http.get(f"{base}/health") as health:
                assert health.status == 200
    finally:
        await runner.cleanup()

    calendar = icalendar.Calendar.from_ical(body)
    assert calendar["METHOD"] == "PUBLISH"
    events = calendar.walk("VEVENT")
    bookings = [e for e in events if str(e["UID"]) == mine.uid]
    assert len(events) == 2 and len(bookings) == 1
    start = bookings[0].decoded("DTSTART")
    assert start.astimezone(BERLIN) == datetime(2026, 11, 24, 9, 0, tzinfo=BERLIN)
    assert start == TUESDAY_NINE
    away = next(e for e in events if e is not bookings[0])
    assert str(away.decoded("DTSTART")) == "2026-12-24"
    assert str(away.decoded("DTEND")) == "2026-12-27"
