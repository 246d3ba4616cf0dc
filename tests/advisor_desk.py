"""Bookings and linked advisors made directly in the database, for the advisor's side."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.services import advisor_accounts as accounts
from bot.storage.database import Database
from bot.storage.models import Booking, User

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
