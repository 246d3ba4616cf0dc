"""Free slots from weekly hours: wall time across daylight saving, holidays, busy times."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.directory.model import Absence, Advisor, WeeklyHours
from bot.domain.holidays import is_public_holiday
from bot.domain.slots import BERLIN, Busy, Window, advisor_slots, weekly_hours_apply

WIDE = Window(notice=timedelta(0), horizon=timedelta(days=9))


def advisor(*hours: WeeklyHours, absences: tuple[Absence, ...] = (), minutes: int = 60,
            buffer: int = 0) -> Advisor:
    return Advisor("a", "Anna", "wf", "cloppenburg", "a@example.org", ("de",),
                   ("start_business",), ("office", "phone", "office_day"), minutes, buffer,
                   hours, absences)


def every_day(start: str = "09:00", end: str = "12:00") -> tuple[WeeklyHours, ...]:
    return tuple(WeeklyHours(day, start, end, institution_id="wf") for day in range(7))


def local_starts(slots: list) -> dict[date, list[str]]:
    found: dict[date, list[str]] = {}
    for slot in slots:
        local = slot.starts_at.astimezone(BERLIN)
        found.setdefault(local.date(), []).append(local.strftime("%H:%M"))
    return found


@pytest.mark.parametrize("sunday", [date(2026, 3, 29), date(2026, 10, 25),
                                    date(2027, 3, 28), date(2027, 10, 31)])
def test_wall_time_stays_across_daylight_saving(sunday: date) -> None:
    now = datetime.combine(sunday - timedelta(days=3), datetime.min.time(), tzinfo=UTC)
    slots = advisor_slots(advisor(*every_day()), "NI", now, window=WIDE)
    days = local_starts(slots)
    for day in (sunday - timedelta(days=1), sunday, sunday + timedelta(days=1)):
        if is_public_holiday("NI", day):  # Easter Monday 2027, Reformation Day 2027
            assert day not in days
            continue
        assert days[day] == ["09:00", "10:00", "11:00"], day
    before = next(s for s in slots if s.starts_at.astimezone(BERLIN).date() < sunday)
    after = next(s for s in slots if s.starts_at.astimezone(BERLIN).date() > sunday)
    offsets = {before.starts_at.astimezone(BERLIN).utcoffset(),
               after.starts_at.astimezone(BERLIN).utcoffset()}
    assert offsets == {timedelta(hours=1), timedelta(hours=2)}
    assert all(s.starts_at.tzinfo == UTC for s in slots)
    assert all(s.ends_at - s.starts_at == timedelta(hours=1) for s in slots)


def test_time_skipped_by_the_clock_change_is_never_offered() -> None:
    now = datetime(2026, 3, 27, tzinfo=UTC)
    slots = advisor_slots(advisor(*every_day("01:00", "04:00")), "NI", now, window=WIDE)
    spring = local_starts(slots)[date(2026, 3, 29)]
    assert "02:00" not in spring and spring == ["01:00", "03:00"]


def test_holidays_absences_notice_horizon_and_busy_times() -> None:
    now = datetime(2026, 12, 21, 8, 0, tzinfo=UTC)  # Monday 9:00 in Berlin
    slots = advisor_slots(
        advisor(*every_day(), absences=(Absence(date(2026, 12, 28), date(2026, 12, 29)),),
                buffer=15),
        "NI", now, [Busy(datetime(2026, 12, 22, 9, 30, tzinfo=UTC),
                         datetime(2026, 12, 22, 10, 0, tzinfo=UTC))],
        Window(notice=timedelta(hours=24), horizon=timedelta(days=9)))
    days = local_starts(slots)
    assert date(2026, 12, 21) not in days, "less than 24 hours ahead"
    assert days[date(2026, 12, 22)] == ["09:00"], "10:15 touches the time off at 10:30"
    assert date(2026, 12, 25) not in days and date(2026, 12, 26) not in days
    assert date(2026, 12, 28) not in days and date(2026, 12, 29) not in days
    assert days[date(2026, 12, 23)] == ["09:00", "10:15"], "60 minutes plus 15 of buffer"
    assert max(days) <= date(2026, 12, 30)


def test_even_odd_weeks_and_nth_weekday() -> None:
    tuesday_2_4 = WeeklyHours(1, "09:00", "12:00", office_day="Sprechtag", town_id="t",
                              nth=(2, 4))
    odd_thursday = WeeklyHours(3, "09:00", "12:00", institution_id="wf", weeks="odd")
    assert [d.day for d in (date(2026, 12, 1) + timedelta(days=i) for i in range(31))
            if weekly_hours_apply(tuesday_2_4, d)] == [8, 22]
    assert weekly_hours_apply(odd_thursday, date(2026, 12, 3))  # ISO week 49
    assert not weekly_hours_apply(odd_thursday, date(2026, 12, 10))
    slots = advisor_slots(advisor(tuesday_2_4), "NI", datetime(2026, 12, 1, tzinfo=UTC),
                          window=Window(timedelta(0), timedelta(days=30)))
    assert {s.modes for s in slots} == {("office_day",)} and slots[0].town_id == "t"
