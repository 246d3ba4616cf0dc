"""Calendar invitations by e-mail, received by a real SMTP server on loopback."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.app import Lotse
from bot.directory import load_directory
from bot.services import advisor_notices as notices
from bot.services.mail import Mailer
from bot.services.presenter import Presenter
from bot.storage.models import Booking, User
from tests.advisor_desk import ADVISOR, Inbox, add_booking, calendar_of
from tests.advisor_desk import inbox as inbox
from tests.conftest import Clock, free_port

BERLIN = ZoneInfo("Europe/Berlin")


def mail_log(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "bot.services.mail"]


async def mail_for(lotse: Lotse, booking: Booking, change: str) -> notices.Invitation:
    directory = load_directory(lotse.settings.directory_dir)
    async with lotse.database.transaction() as session:
        founder = await session.get(User, booking.founder_id)
    assert founder is not None
    return notices.invitation(booking, founder, directory, change, lotse.settings.smtp_from,
                              Presenter(lotse.translations, "de"))


async def test_invitation_then_cancellation(lotse: Lotse, clock: Clock, inbox: Inbox) -> None:
    booking = await add_booking(lotse.database, 501, clock())
    mailer = Mailer(lotse.settings)
    await mailer.send(await mail_for(lotse, booking, "booked"))
    [invitation] = await inbox.wait(1)

    assert inbox.recipients == [["anna.mueller@example.org"]]
    assert invitation["From"] == "lotse@landkreis.example"
    assert invitation.get_content_type() == "multipart/mixed"
    body = next(p for p in invitation.walk() if p.get_content_type() == "text/plain")
    assert "Friseursalon in Löningen" in body.get_payload(decode=True).decode()
    calendar_part = next(p for p in invitation.walk() if p.get_content_type() == "text/calendar")
    assert calendar_part.get_param("method") == "REQUEST"
    attachments = [p.get_filename() for p in invitation.walk() if p.get_filename()]
    assert attachments == ["einladung.ics"]

    calendar = calendar_of(invitation)
    assert calendar["METHOD"] == "REQUEST"
    [event] = calendar.walk("VEVENT")
    start = event.decoded("DTSTART")
    assert start.astimezone(BERLIN) == datetime(2026, 11, 24, 9, 0, tzinfo=BERLIN)
    assert event.decoded("DTEND").astimezone(BERLIN).hour == 10
    assert str(event["ORGANIZER"]) == "mailto:lotse@landkreis.example"
    assert str(event["ATTENDEE"]) == "mailto:anna.mueller@example.org"
    assert event["ATTENDEE"].params["CN"] == "Anna Müller"
    assert event["UID"] == booking.uid
    assert "Friseursalon" in str(event["DESCRIPTION"])
    first_sequence = int(event["SEQUENCE"])

    booking.status, booking.sequence = "cancelled", booking.sequence + 1
    await mailer.send(await mail_for(lotse, booking, "cancelled"))
    cancellation = (await inbox.wait(2))[1]
    calendar = calendar_of(cancellation)
    assert calendar["METHOD"] == "CANCEL"
    [event] = calendar.walk("VEVENT")
    assert event["UID"] == booking.uid
    assert int(event["SEQUENCE"]) > first_sequence
    assert event["STATUS"] == "CANCELLED"


async def test_sent_only_after_commit(lotse: Lotse, clock: Clock, inbox: Inbox) -> None:
    booking = await add_booking(lotse.database, 502, clock())
    mailer = Mailer(lotse.settings)
    invitation = await mail_for(lotse, booking, "booked")
    with pytest.raises(RuntimeError):
        async with lotse.database.transaction() as session:
            mailer.send_after_commit(session, invitation)
            raise RuntimeError("the turn failed")
    await mailer.drain()
    assert inbox.messages == []

    async with lotse.database.transaction() as session:
        mailer.send_after_commit(session, invitation)
        await asyncio.sleep(0.05)
        assert inbox.messages == [], "nothing leaves before the commit"
    await mailer.drain()
    assert len(inbox.messages) == 1


async def test_no_smtp_host_no_mail_logged_once(lotse: Lotse, clock: Clock,
                                                caplog: pytest.LogCaptureFixture) -> None:
    booking = await add_booking(lotse.database, 503, clock())
    mailer = Mailer(lotse.settings)
    invitation = await mail_for(lotse, booking, "booked")
    with caplog.at_level(logging.INFO, logger="bot.services.mail"):
        for _ in range(3):
            async with lotse.database.transaction() as session:
                mailer.send_after_commit(session, invitation)
    await mailer.drain()
    assert [r.getMessage() for r in mail_log(caplog)] == [
        "SMTP_HOST is not set: advisors get no e-mail invitations"]


async def test_unreachable_server_is_logged_not_raised(
        lotse: Lotse, clock: Clock, caplog: pytest.LogCaptureFixture) -> None:
    booking = await add_booking(lotse.database, 504, clock())
    lotse.settings.smtp_host, lotse.settings.smtp_port = "127.0.0.1", free_port()
    lotse.settings.smtp_starttls = False
    mailer = Mailer(lotse.settings)
    with caplog.at_level(logging.INFO, logger="bot.services.mail"):
        await mailer.send(await mail_for(lotse, booking, "booked"))
    [record] = mail_log(caplog)
    assert record.levelname == "WARNING"
    assert "not sent" in record.getMessage()
    assert "anna" not in record.getMessage() and ADVISOR not in record.getMessage()
