from datetime import UTC, date, datetime, time

import pytest

from bot.domain.quiet_hours import QuietHours, is_working_day, weekdays
from bot.scheduler import plans

QUIET = QuietHours()


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_a_weekday_afternoon_is_allowed_as_it_is():
    monday_ten = utc(2026, 11, 23, 9, 0)  # 10:00 in Berlin
    assert QUIET.next_allowed(monday_ten) == monday_ten


def test_evening_waits_for_the_next_morning_at_eight_berlin_time():
    tuesday_evening = utc(2026, 11, 24, 19, 30)  # 20:30 CET
    assert QUIET.next_allowed(tuesday_evening) == utc(2026, 11, 25, 7, 0)


def test_before_eight_waits_until_eight_the_same_day():
    assert QUIET.next_allowed(utc(2026, 11, 25, 5, 0)) == utc(2026, 11, 25, 7, 0)


def test_saturday_night_skips_sunday_across_the_spring_clock_change():
    # Saturday 21:00 CET; Sunday 29 March 2026 clocks go forward; Monday 08:00 is 06:00 UTC.
    assert QUIET.next_allowed(utc(2026, 3, 28, 20, 0)) == utc(2026, 3, 30, 6, 0)


def test_saturday_night_skips_sunday_across_the_autumn_clock_change():
    # Sunday 25 October 2026 clocks go back; Monday 08:00 CET is 07:00 UTC.
    assert QUIET.next_allowed(utc(2026, 10, 24, 19, 0)) == utc(2026, 10, 26, 7, 0)


def test_public_holidays_of_the_state_are_quiet():
    # Reformationstag (31 October) is a holiday in Lower Saxony, not in Hesse.
    friday_2027 = utc(2027, 10, 29, 9, 0)
    assert not QuietHours(state="NI").allows(utc(2025, 10, 31, 9, 0))
    assert QuietHours(state="HE").allows(utc(2025, 10, 31, 9, 0))
    assert QuietHours(state="NI").allows(friday_2027)
    # Christmas Day, Boxing Day, then Sunday: the first allowed moment is Monday 08:00.
    assert QUIET.next_allowed(utc(2026, 12, 24, 20, 0)) == utc(2026, 12, 28, 7, 0)


def test_quiet_hours_are_configurable():
    quiet = QuietHours(start=time(18, 0), until=time(9, 0), days=weekdays("sat,sun"))
    assert quiet.next_allowed(utc(2026, 11, 27, 17, 30)) == utc(2026, 11, 30, 8, 0)
    with pytest.raises(ValueError, match="weekday"):
        weekdays("sunday,funday")


def test_working_days_exclude_weekends_and_holidays():
    assert is_working_day(date(2026, 11, 23), "NI")
    assert not is_working_day(date(2026, 11, 22), "NI")
    assert not is_working_day(date(2026, 4, 6), "NI")  # Easter Monday


def test_follow_up_times_of_an_appointment_follow_local_time_across_the_clock_change():
    starts = utc(2026, 3, 31, 7, 0)  # Tuesday 09:00 CEST, two days after the change
    due = {kind: plans.booking_due(kind, starts, QUIET) for kind in plans.BOOKING_KINDS}
    assert due[plans.REMINDER_DAY] == utc(2026, 3, 30, 7, 0)  # Monday 09:00 CEST
    assert due[plans.REMINDER_HOURS] == utc(2026, 3, 31, 6, 0)  # 07:00 is quiet: 08:00
    assert due[plans.AFTER] == utc(2026, 4, 1, 8, 0)  # Wednesday 10:00 CEST
    assert due[plans.CHECK_IN] == utc(2026, 4, 30, 8, 0)  # thirty days later, 10:00


def test_a_nudge_that_falls_on_sunday_comes_on_monday_morning():
    saturday_evening = utc(2026, 3, 28, 18, 30)  # 19:30 CET, the last answer
    assert plans.nudge_due("1", saturday_evening, QUIET) == utc(2026, 3, 30, 6, 0)
