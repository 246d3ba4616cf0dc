"""Booking an advisor: free times, holding a slot, booking, moving and cancelling.

Two founders never get the same slot: the partial unique index on (advisor_id, starts_at)
over active bookings decides, inside a savepoint, and whoever loses gets fresh times.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.directory.model import Advisor, Directory
from bot.domain.routing import RoutingRules
from bot.domain.slots import Busy, Slot, Window, free_slots
from bot.settings import Settings
from bot.storage.models import Booking, TimeOff, User

ACTIVE = ("held", "booked", "confirmed")
UPCOMING = ("booked", "confirmed")


@dataclass(frozen=True)
class BookingRules:
    """The district's data and the booking settings."""

    directory: Directory
    routing: RoutingRules
    window: Window = Window()  # noqa: RUF009 - frozen, safe as a default
    hold: timedelta = timedelta(minutes=10)

    def state_of(self, advisor: Advisor) -> str:
        """Return the state whose public holidays the advisor keeps."""
        return self.directory.district(advisor.district_id).state


def booking_rules(settings: Settings, directory: Directory, routing: RoutingRules
                  ) -> BookingRules:
    """Return the booking rules from the settings and the district's data."""
    window = Window(timedelta(hours=settings.booking_notice_hours),
                    timedelta(days=settings.booking_horizon_days))
    return BookingRules(directory, routing, window,
                        timedelta(minutes=settings.booking_hold_minutes))


def slot_values(slot: Slot) -> dict[str, Any]:
    """Return a slot as conversation slot values (JSON)."""
    return {"advisor": slot.advisor_id, "starts": slot.starts_at.isoformat(),
            "ends": slot.ends_at.isoformat(), "modes": list(slot.modes), "place": slot.place,
            "town": slot.town_id}


def slot_from(values: dict[str, Any]) -> Slot:
    """Return a slot kept in the conversation."""
    return Slot(values["advisor"], datetime.fromisoformat(values["starts"]),
                datetime.fromisoformat(values["ends"]), tuple(values["modes"]), values["place"],
                values.get("town"))


async def release_expired(session: AsyncSession, now: datetime) -> None:
    """Free every slot whose hold has run out."""
    await session.execute(
        update(Booking).where(Booking.status == "held", Booking.held_until <= now)
        .values(status="expired", updated_at=now)
    )


async def busy_times(session: AsyncSession, advisor_ids: Sequence[str], now: datetime,
                     ignore: int | None = None) -> dict[str, list[Busy]]:
    """Return the active bookings and time off of advisors from now on."""
    busy: dict[str, list[Busy]] = {}
    bookings = await session.execute(
        select(Booking.advisor_id, Booking.starts_at, Booking.ends_at).where(
            Booking.advisor_id.in_(advisor_ids), Booking.status.in_(ACTIVE),
            Booking.ends_at > now, Booking.id != (ignore or 0)))
    time_off = await session.execute(
        select(TimeOff.advisor_id, TimeOff.starts_at, TimeOff.ends_at).where(
            TimeOff.advisor_id.in_(advisor_ids), TimeOff.ends_at > now))
    for advisor_id, starts_at, ends_at in [*bookings, *time_off]:
        busy.setdefault(advisor_id, []).append(Busy(starts_at, ends_at))
    return busy


async def open_slots(session: AsyncSession, rules: BookingRules, advisors: Sequence[Advisor],
                     now: datetime, ignore: int | None = None) -> list[Slot]:
    """Return the free slots of the advisors, earliest first."""
    await release_expired(session, now)
    busy = await busy_times(session, [a.id for a in advisors], now, ignore)
    found: list[Slot] = []
    for state in {rules.state_of(a) for a in advisors}:
        found += free_slots([a for a in advisors if rules.state_of(a) == state], state, now,
                            busy, rules.window)
    return sorted(found, key=lambda s: (s.starts_at, s.advisor_id))


async def _claim(session: AsyncSession, booking: Booking, **changes: Any) -> bool:
    """Write a booking's slot with its changes in a savepoint; False when another has it.

    The changes are made inside the savepoint: opening it flushes what was pending before.
    """
    stored = booking.id is not None
    try:
        async with session.begin_nested():
            for name, value in changes.items():
                setattr(booking, name, value)
            session.add(booking)
            await session.flush()
    except IntegrityError:
        if stored:
            await session.refresh(booking)
        return False
    return True


async def hold(session: AsyncSession, rules: BookingRules, founder: User, slot: Slot, mode: str,
               now: datetime) -> Booking | None:
    """Hold a slot for the founder for a few minutes; None when it is taken."""
    await release_expired(session, now)
    await session.execute(
        update(Booking).where(Booking.founder_id == founder.id, Booking.status == "held")
        .values(status="expired", updated_at=now))
    booking = Booking(
        uid=f"{uuid.uuid4()}@lotse", founder_id=founder.id, advisor_id=slot.advisor_id,
        starts_at=slot.starts_at, ends_at=slot.ends_at, mode=mode, place=slot.place,
        status="held", held_until=now + rules.hold, sequence=0, created_at=now, updated_at=now,
    )
    return booking if await _claim(session, booking) else None


async def book(session: AsyncSession, booking: Booking, now: datetime) -> bool:
    """Turn a hold into a booking; False when the hold ran out and someone took the slot."""
    if booking.status in UPCOMING:
        return True
    return await _claim(session, booking, status="booked", held_until=None, updated_at=now)


async def move(session: AsyncSession, booking: Booking, slot: Slot, now: datetime) -> bool:
    """Move a booking to another slot, keeping its row; False when the slot is taken."""
    return await _claim(session, booking, starts_at=slot.starts_at, ends_at=slot.ends_at,
                        place=slot.place, sequence=booking.sequence + 1, updated_at=now)


def cancel(booking: Booking, now: datetime) -> None:
    """Cancel a booking; its slot is free again."""
    booking.status = "cancelled"
    booking.sequence += 1
    booking.updated_at = now


async def owned(session: AsyncSession, founder: User, booking_id: str) -> Booking | None:
    """Return the founder's own booking with this id, or None (someone else's, or none)."""
    if not booking_id.isdigit():
        return None
    return await session.scalar(
        select(Booking).where(Booking.id == int(booking_id), Booking.founder_id == founder.id))


async def upcoming(session: AsyncSession, founder: User, now: datetime) -> list[Booking]:
    """Return the founder's booked appointments that have not started, earliest first."""
    found = await session.scalars(
        select(Booking).where(Booking.founder_id == founder.id, Booking.status.in_(UPCOMING),
                              Booking.starts_at > now).order_by(Booking.starts_at))
    return list(found)
