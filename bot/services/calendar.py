"""Calendar files (.ics) for bookings: for founders, advisors' e-mails and calendar feeds."""

from __future__ import annotations

from collections.abc import Iterable

import icalendar

from bot.directory.model import Advisor, Institution
from bot.domain.slots import BERLIN
from bot.storage.models import Booking

PRODUCT = "-//Lotse//Lotse booking//DE"
METHODS = frozenset({"REQUEST", "CANCEL", "PUBLISH"})
_STATUS = {"cancelled": "CANCELLED", "declined": "CANCELLED", "held": "TENTATIVE"}
_REMOTE_PLACES = {"phone": "Telefon", "video": "Videogespräch"}


def booking_location(booking: Booking, institution: Institution) -> str:
    """Return where the appointment takes place, as a calendar shows it."""
    if booking.mode in _REMOTE_PLACES:
        return f"{_REMOTE_PLACES[booking.mode]} ({institution.name})"
    if booking.mode == "office_day":
        return booking.place
    return f"{institution.name}, {institution.address}"


def booking_event(booking: Booking, advisor: Advisor, institution: Institution,
                  summary: str, description: str) -> icalendar.Event:
    """Return the calendar event of a booking, in German time; UID and SEQUENCE from the row."""
    event = icalendar.Event()
    event.add("uid", booking.uid)
    event.add("sequence", booking.sequence)
    event.add("dtstamp", booking.updated_at)
    event.add("dtstart", booking.starts_at.astimezone(BERLIN))
    event.add("dtend", booking.ends_at.astimezone(BERLIN))
    event.add("summary", summary)
    event.add("description", description)
    event.add("location", booking_location(booking, institution))
    event.add("status", _STATUS.get(booking.status, "CONFIRMED"))
    organizer = icalendar.vCalAddress(f"mailto:{advisor.email}")
    organizer.params["cn"] = icalendar.vText(advisor.name)
    event.add("organizer", organizer)
    return event


def calendar_file(events: Iterable[icalendar.Event], method: str) -> bytes:
    """Return a calendar file holding the events, with the Europe/Berlin time zone."""
    if method not in METHODS:
        raise ValueError(f"unknown calendar method {method!r}; use one of {sorted(METHODS)}")
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    for event in events:
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())
