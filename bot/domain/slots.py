"""Free appointment slots from an advisor's weekly hours, absences, holidays and busy times.

Pure: the time is passed in. Hours are laid out in local wall time (Europe/Berlin), so
9:00–12:00 stays 9:00–12:00 across daylight-saving changes; slots are returned in UTC.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.directory.model import Advisor, WeeklyHours
from bot.domain.holidays import is_public_holiday

BERLIN = ZoneInfo("Europe/Berlin")
OFFICE_MODES = ("office", "phone", "video")


@dataclass(frozen=True)
class Slot:
    """A free time with an advisor, the ways to meet then, and where (UTC times)."""

    advisor_id: str
    starts_at: datetime
    ends_at: datetime
    modes: tuple[str, ...]
    place: str
    town_id: str | None = None

    @property
    def local_start(self) -> datetime:
        """Return the start in German time."""
        return self.starts_at.astimezone(BERLIN)


@dataclass(frozen=True)
class Busy:
    """A time an advisor cannot take a new appointment: a booking or time off (UTC)."""

    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class Window:
    """How far ahead founders may book: not before `notice`, not after `horizon`."""

    notice: timedelta = timedelta(hours=24)
    horizon: timedelta = timedelta(weeks=6)


def weekly_hours_apply(hours: WeeklyHours, day: date) -> bool:
    """Return whether weekly hours take place on a day (weekday, even/odd week, nth in month)."""
    if day.weekday() != hours.weekday:
        return False
    if hours.weeks is not None and (day.isocalendar().week % 2 == 0) != (hours.weeks == "even"):
        return False
    return not hours.nth or (day.day - 1) // 7 + 1 in hours.nth


def _wall_time(day: date, clock: str) -> datetime:
    """Return a local wall time on a day, like "09:30", as an aware Berlin time."""
    hour, minute = (int(part) for part in clock.split(":"))
    return datetime.combine(day, time(hour, minute), tzinfo=BERLIN)


def _exists(local: datetime) -> bool:
    """Return whether a Berlin wall time exists (not skipped when clocks go forward)."""
    return local.astimezone(UTC).astimezone(BERLIN).replace(tzinfo=None) == local.replace(
        tzinfo=None)


def _modes(advisor: Advisor, hours: WeeklyHours) -> tuple[str, ...]:
    """Return how founders can meet the advisor during these hours."""
    if hours.office_day is not None:
        return ("office_day",) if "office_day" in advisor.modes else ()
    return tuple(mode for mode in OFFICE_MODES if mode in advisor.modes)


def _days(first: date, last: date) -> Iterator[date]:
    """Yield the days from first to last, both included."""
    for offset in range((last - first).days + 1):
        yield first + timedelta(days=offset)


def advisor_slots(
    advisor: Advisor,
    state: str,
    now: datetime,
    busy: Iterable[Busy] = (),
    window: Window = Window(),
) -> list[Slot]:
    """Return an advisor's free slots from now + notice to now + horizon, earliest first."""
    earliest, latest = now + window.notice, now + window.horizon
    taken = sorted(busy, key=lambda b: b.starts_at)
    length = timedelta(minutes=advisor.appointment_minutes)
    step = length + timedelta(minutes=advisor.buffer_minutes)
    buffer = timedelta(minutes=advisor.buffer_minutes)
    slots: list[Slot] = []
    for day in _days(earliest.astimezone(BERLIN).date(), latest.astimezone(BERLIN).date()):
        if is_public_holiday(state, day) or any(
                a.first_day <= day <= a.last_day for a in advisor.absences):
            continue
        for hours in advisor.hours:
            modes = _modes(advisor, hours)
            if not modes or not weekly_hours_apply(hours, day):
                continue
            place = hours.office_day or hours.institution_id or ""
            local, end = _wall_time(day, hours.start), _wall_time(day, hours.end)
            while local + length <= end:
                starts, ends = local.astimezone(UTC), (local + length).astimezone(UTC)
                if (_exists(local) and earliest <= starts and ends <= latest
                        and not _overlaps(starts, ends, buffer, taken)):
                    slots.append(Slot(advisor.id, starts, ends, modes, place, hours.town_id))
                local += step
    return sorted(slots, key=lambda s: s.starts_at)


def _overlaps(starts: datetime, ends: datetime, buffer: timedelta, taken: Sequence[Busy]) -> bool:
    """Return whether a slot, with the buffer around it, touches a busy time."""
    return any(b.starts_at < ends + buffer and starts - buffer < b.ends_at for b in taken)


def free_slots(
    advisors: Iterable[Advisor],
    state: str,
    now: datetime,
    busy: dict[str, list[Busy]],
    window: Window = Window(),
) -> list[Slot]:
    """Return the free slots of several advisors, earliest first."""
    found = [slot for advisor in advisors
             for slot in advisor_slots(advisor, state, now, busy.get(advisor.id, ()), window)]
    return sorted(found, key=lambda s: (s.starts_at, s.advisor_id))
