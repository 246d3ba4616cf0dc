"""Calendar invitations by e-mail, received by a real SMTP server on loopback."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.app import Lotse, build
from bot.directory import load_directory
from bot.services import advisor_notices as notices
from bot.services.mail import Mailer, invitation_message
from bot.services.presenter import Presenter
from bot.settings import Settings
from bot.storage.models import Booking, PendingMail, User
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
    sender = lotse.settings.smtp_from
    assert await mailer.send(invitation_message(await mail_for(lotse, booking, "booked"), sender))
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
    await mailer.send(invitation_message(await mail_for(lotse, booking, "cancelled"), sender))
    cancellation = (await inbox.wait(2))[1]
    calendar = calendar_of(cancellation)
    assert calendar["METHOD"] == "CANCEL"
    [event] = calendar.walk("VEVENT")
    assert event["UID"] == booking.uid
    assert int(event["SEQUENCE"]) > first_sequence
    assert event["STATUS"] == "CANCELLED"


async def test_sent_only_after_commit(lotse: Lotse, clock: Clock, inbox: Inbox) -> None:
    booking = await add_booking(lotse.database, 502, clock())
    invitation = await mail_for(lotse, booking, "booked")
    with pytest.raises(RuntimeError):
        async with lotse.database.transaction() as session:
            lotse.mail.add(session, invitation)
            raise RuntimeError("the turn failed")
    await lotse.mail.drain()
    assert inbox.messages == []
    assert await pending(lotse) == []

    async with lotse.database.transaction() as session:
        lotse.mail.add(session, invitation)
        await asyncio.sleep(0.05)
        assert inbox.messages == [], "nothing leaves before the commit"
    await lotse.mail.drain()
    assert len(inbox.messages) == 1
    assert await pending(lotse) == [], "a sent e-mail is not kept"


async def test_no_smtp_host_no_mail_logged_once(lotse: Lotse, clock: Clock,
                                                caplog: pytest.LogCaptureFixture) -> None:
    booking = await add_booking(lotse.database, 503, clock())
    invitation = await mail_for(lotse, booking, "booked")
    with caplog.at_level(logging.INFO, logger="bot.services.mail"):
        for _ in range(3):
            async with lotse.database.transaction() as session:
                lotse.mail.add(session, invitation)
    await lotse.mail.drain()
    assert await pending(lotse) == []
    assert [r.getMessage() for r in mail_log(caplog)] == [
        "SMTP_HOST is not set: advisors get no e-mail invitations"]


async def pending(lotse: Lotse) -> list[PendingMail]:
    async with lotse.database.transaction() as session:
        return list(await session.scalars(select(PendingMail)))


async def test_smtp_outage_delays_the_invitation_but_does_not_lose_it(
        lotse: Lotse, clock: Clock, inbox: Inbox, caplog: pytest.LogCaptureFixture) -> None:
    booking = await add_booking(lotse.database, 504, clock())
    working_port = lotse.settings.smtp_port
    lotse.settings.smtp_port = free_port()  # nobody listens: the SMTP server is away
    invitation = await mail_for(lotse, booking, "booked")
    with caplog.at_level(logging.INFO, logger="bot.services.mail"):
        async with lotse.database.transaction() as session:
            lotse.mail.add(session, invitation)
        await lotse.mail.drain()
    [stored] = await pending(lotse)
    assert stored.attempts == 1 and stored.due_at == clock() + timedelta(minutes=1)
    record = mail_log(caplog)[0]
    assert record.levelname == "WARNING" and "not sent" in record.getMessage()
    assert "anna" not in record.getMessage() and ADVISOR not in record.getMessage()

    lotse.settings.smtp_port = working_port
    await lotse.mail.send_due()
    assert inbox.messages == [], "not before the retry is due"
    clock.advance(minutes=1)
    await lotse.mail.send_due()
    await lotse.mail.send_due()  # a sent e-mail is not sent again
    [invitation] = await inbox.wait(1)
    assert calendar_of(invitation)["METHOD"] == "REQUEST"
    assert invitation["To"] == "anna.mueller@example.org"
    assert await pending(lotse) == []


async def test_an_invitation_stored_before_a_restart_is_sent_after_it(
        settings: Settings, clock: Clock, inbox: Inbox) -> None:
    working_port = settings.smtp_port
    settings.smtp_port = free_port()
    before = await build(settings, clock)
    booking = await add_booking(before.database, 505, clock())
    invitation = await mail_for(before, booking, "booked")
    async with before.database.transaction() as session:
        before.mail.add(session, invitation)
    await before.close()

    settings.smtp_port = working_port
    clock.advance(minutes=5)
    after = await build(settings, clock)
    await after.mail.send_due()  # what the scheduler's mail job does at start
    [invitation] = await inbox.wait(1)
    assert calendar_of(invitation)["METHOD"] == "REQUEST"
    assert await pending(after) == []
    await after.close()


async def test_an_invitation_is_given_up_after_three_days(
        lotse: Lotse, clock: Clock, caplog: pytest.LogCaptureFixture) -> None:
    lotse.settings.smtp_host, lotse.settings.smtp_port = "127.0.0.1", free_port()
    lotse.settings.smtp_starttls = False
    booking = await add_booking(lotse.database, 506, clock())
    invitation = await mail_for(lotse, booking, "booked")
    async with lotse.database.transaction() as session:
        lotse.mail.add(session, invitation)
    await lotse.mail.drain()
    with caplog.at_level(logging.INFO, logger="bot.services.mail"):
        while await pending(lotse):
            clock.advance(hours=3)
            await lotse.mail.send_due()
    given_up = [r for r in mail_log(caplog) if r.levelname == "ERROR"]
    assert [r.getMessage() for r in given_up] == [
        "e-mail invitation given up after 25 attempts method=REQUEST"]
    assert clock() - booking.created_at >= timedelta(days=3)
