"""Calendar files: local times with TZID Europe/Berlin, UID and SEQUENCE from the booking."""

from __future__ import annotations

from datetime import UTC, datetime

import icalendar
import pytest

from bot.directory import load_directory
from bot.services.calendar import booking_event, calendar_file
from bot.settings import Settings
from bot.storage.models import Booking


def booking(starts: datetime, status: str = "booked", sequence: int = 0) -> Booking:
    return Booking(id=1, uid="b1@lotse", founder_id=1, advisor_id="clp-wf-mueller",
                   starts_at=starts, ends_at=starts.replace(hour=starts.hour + 1), mode="office",
                   place="clp-wirtschaftsfoerderung", status=status, sequence=sequence,
                   created_at=starts, updated_at=starts)


@pytest.mark.parametrize(("starts", "local"), [
    (datetime(2026, 3, 27, 8, 0, tzinfo=UTC), "2026-03-27T09:00:00+01:00"),
    (datetime(2026, 3, 30, 7, 0, tzinfo=UTC), "2026-03-30T09:00:00+02:00"),
])
@pytest.mark.parametrize("method", ["REQUEST", "CANCEL", "PUBLISH"])
def test_ics_holds_local_times_in_europe_berlin(starts: datetime, local: str,
                                                method: str) -> None:
    directory = load_directory(Settings(_env_file=None).directory_dir)
    advisor = directory.advisor("clp-wf-mueller")
    institution = directory.institution(advisor.institution_id)
    status = "cancelled" if method == "CANCEL" else "booked"
    event = booking_event(booking(starts, status, 2), advisor, institution,
                          "Termin", "Pass mitbringen")
    raw = calendar_file([event], method)
    assert b"DTSTART;TZID=Europe/Berlin:" in raw
    calendar = icalendar.Calendar.from_ical(raw)
    assert calendar["method"] == method
    assert [tz["tzid"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]
    [parsed] = calendar.walk("VEVENT")
    assert parsed.decoded("dtstart").isoformat() == local
    assert (str(parsed["uid"]), parsed["sequence"]) == ("b1@lotse", 2)
    assert str(parsed["status"]) == ("CANCELLED" if method == "CANCEL" else "CONFIRMED")
    assert str(parsed["location"]) == (
        "Wirtschaftsförderung des Landkreises Cloppenburg, Eschstraße 29, 49661 Cloppenburg")
    assert str(parsed["organizer"]) == "mailto:anna.mueller@example.org"


def test_unknown_method_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown calendar method"):
        calendar_file([], "REPLY")
