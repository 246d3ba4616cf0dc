"""When each kind of follow-up is due: pure, the time passed in."""

from __future__ import annotations

import dataclasses
from datetime import datetime, time, timedelta

from bot.directory.model import Directory
from bot.domain.quiet_hours import QuietHours, at_local

REMINDER_DAY = "reminder_24h"
REMINDER_HOURS = "reminder_2h"
AFTER = "after_appointment"
CHECK_IN = "check_in"
NUDGE = "precheck_nudge"
AGENDA = "agenda"
BOOKING_KINDS = (REMINDER_DAY, REMINDER_HOURS, AFTER, CHECK_IN)
REMINDERS = {REMINDER_DAY: timedelta(hours=24), REMINDER_HOURS: timedelta(hours=2)}
NUDGES = {"1": timedelta(hours=24), "2": timedelta(hours=72)}
MORNING = time(10, 0)
CHECK_IN_DAYS = 30


def booking_due(kind: str, starts_at: datetime, quiet: QuietHours) -> datetime:
    """Return when a follow-up of an appointment is due, outside quiet hours."""
    if kind in REMINDERS:
        return quiet.next_allowed(starts_at - REMINDERS[kind])
    day = starts_at.astimezone(quiet.zone).date()
    days = 1 if kind == AFTER else CHECK_IN_DAYS
    return quiet.next_allowed(at_local(day + timedelta(days=days), MORNING, quiet.zone))


def reminder_deadline(kind: str, starts_at: datetime) -> datetime:
    """Return when a reminder is too late: the next reminder's time, or the appointment."""
    if kind == REMINDER_DAY:
        return starts_at - REMINDERS[REMINDER_HOURS]
    return starts_at


def nudge_due(number: str, last_turn: datetime, quiet: QuietHours) -> datetime:
    """Return when the first or second nudge after a stopped questionnaire is due."""
    return quiet.next_allowed(last_turn + NUDGES[number])


class QuietPlaces:
    """The quiet hours of a place: the holidays of the advisor's or the founder's state."""

    def __init__(self, directory: Directory, quiet: QuietHours) -> None:
        self.directory = directory
        self.quiet = quiet

    def quiet_for(self, advisor_id: str | None = None, district_id: str | None = None
                  ) -> QuietHours:
        """Return the quiet hours with the public holidays of the district's state."""
        try:
            if advisor_id is not None:
                district_id = self.directory.advisor(advisor_id).district_id
            if district_id is None:
                return self.quiet
            state = self.directory.district(district_id).state
        except KeyError:
            return self.quiet
        return dataclasses.replace(self.quiet, state=state)
