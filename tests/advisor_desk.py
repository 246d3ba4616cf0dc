"""Bookings and linked advisors made directly in the database, for the advisor's side."""

from __future__ import annotations

import asyncio
import email
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import Message

import icalendar
import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from bot.services import advisor_accounts as accounts
from bot.settings import Settings
from bot.storage.database import Database
from bot.storage.models import Booking, User
from tests.conftest import free_port

ADVISOR = "clp-wf-mueller"
OTHER_ADVISOR = "clp-wf-yilmaz"
TUESDAY_NINE = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)  # 09:00 in Germany
SUMMARY = "Gründungsidee: Friseursalon in Löningen\nStand: Businessplan begonnen"


async def add_booking(database: Database, founder_chat: int, now: datetime, *,
                      advisor_id: str = ADVISOR, starts_at: datetime = TUESDAY_NINE,
                      language: str = "en", status: str = "booked") -> Booking:
    """Add a founder (if new) and a booked appointment of theirs."""
    async with database.transaction() as session:
        founder = await session.scalar(select(User).where(User.chat_id == founder_chat))
        if founder is None:
            founder = User(chat_id=founder_chat, language=language, created_at=now,
                           last_seen_at=now)
            session.add(founder)
            await session.flush()
        booking = Booking(
            uid=f"{uuid.uuid4()}@lotse", founder_id=founder.id, advisor_id=advisor_id,
            starts_at=starts_at, ends_at=starts_at + timedelta(hours=1), mode="office",
            place="Wirtschaftsförderung, Eschstraße 29, Cloppenburg", status=status,
            sequence=0, summary_de=SUMMARY, phone="0151 2345678", created_at=now,
            updated_at=now,
        )
        session.add(booking)
    return booking


async def invite(database: Database, now: datetime, advisor_id: str = ADVISOR,
                 language: str | None = None) -> str:
    """Return a fresh link code for an advisor."""
    async with database.transaction() as session:
        return await accounts.invite(session, advisor_id, now, language)


async def booking(database: Database, booking_id: int) -> Booking:
    """Return a booking as it is stored now."""
    async with database.transaction() as session:
        found = await session.get(Booking, booking_id)
        assert found is not None
        return found


class Inbox:
    """What the SMTP server received."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.recipients: list[list[str]] = []

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        self.messages.append(email.message_from_bytes(envelope.content))  # type: ignore[attr-defined]
        self.recipients.append(envelope.rcpt_tos)  # type: ignore[attr-defined]
        return "250 OK"

    async def wait(self, count: int) -> list[Message]:
        for _ in range(250):
            if len(self.messages) >= count:
                return self.messages
            await asyncio.sleep(0.02)
        raise AssertionError(f"expected {count} e-mails, got {len(self.messages)}")


def calendar_of(message: Message) -> icalendar.Calendar:
    """Return the text/calendar alternative part, parsed."""
    parts = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1
    payload = parts[0].get_payload(decode=True)
    assert isinstance(payload, bytes)
    return icalendar.Calendar.from_ical(payload)


@pytest.fixture
def inbox(settings: Settings) -> Iterator[Inbox]:
    """A real SMTP server on loopback; the settings send the bot's e-mail there."""
    received = Inbox()
    port = free_port()
    controller = Controller(received, hostname="127.0.0.1", port=port)
    controller.start()
    settings.smtp_host, settings.smtp_port = "127.0.0.1", port
    settings.smtp_starttls = False
    settings.smtp_from = "lotse@landkreis.example"
    yield received
    controller.stop()
