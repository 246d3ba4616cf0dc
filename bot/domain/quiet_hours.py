"""Quiet hours: when the bot may send a message of its own, in the district's local time."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.holidays import is_public_holiday

BERLIN = ZoneInfo("Europe/Berlin")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_LOOK_AHEAD_DAYS = 30


def weekdays(names: str) -> frozenset[int]:
    """Return weekday numbers (Monday 0) for names such as "sat,sun"; raise ValueError."""
    wanted = [name.strip().lower()[:3] for name in names.split(",") if name.strip()]
    unknown = [name for name in wanted if name not in WEEKDAYS]
    if unknown:
        raise ValueError(f"unknown weekday {unknown[0]!r}; use {', '.join(WEEKDAYS)}")
    return frozenset(WEEKDAYS.index(name) for name in wanted)


def at_local(day: date, clock_time: time, zone: ZoneInfo = BERLIN) -> datetime:
    """Return the UTC time of a local wall-clock time on a day (DST-correct)."""
    return datetime.combine(day, clock_time, tzinfo=zone).astimezone(UTC)


def is_working_day(day: date, state: str) -> bool:
    """Return whether a day is Monday to Friday and no public holiday in the state."""
    return day.weekday() < 5 and not is_public_holiday(state, day)


@dataclass(frozen=True)
class QuietHours:
    """Nothing is sent from `start` until `until` (local time), nor on quiet days or holidays."""

    start: time = time(20, 0)
    until: time = time(8, 0)
    days: frozenset[int] = field(default_factory=lambda: frozenset({6}))
    state: str = "NI"
    holidays: bool = True
    zone: ZoneInfo = BERLIN

    def __post_init__(self) -> None:
        if not self.until < self.start:
            raise ValueError("quiet hours must end in the morning before they start in the evening")

    def quiet_day(self, day: date) -> bool:
        """Return whether nothing is sent all day: a quiet weekday or a public holiday."""
        return day.weekday() in self.days or (self.holidays and is_public_holiday(self.state, day))

    def allows(self, moment: datetime) -> bool:
        """Return whether a message may be sent at this moment."""
        local = moment.astimezone(self.zone)
        return not self.quiet_day(local.date()) and self.until <= local.time() < self.start

    def next_allowed(self, moment: datetime) -> datetime:
        """Return the moment itself if allowed, else the next allowed moment (UTC)."""
        if self.allows(moment):
            return moment.astimezone(UTC)
        local = moment.astimezone(self.zone)
        day = local.date() if local.time() < self.until else local.date() + timedelta(days=1)
        for _ in range(_LOOK_AHEAD_DAYS):
            if not self.quiet_day(day):
                return at_local(day, self.until, self.zone)
            day += timedelta(days=1)
        raise ValueError("no day to send on within a month: check QUIET_DAYS")
