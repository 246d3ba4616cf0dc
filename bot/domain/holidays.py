"""Public holidays of the districts' states: Lower Saxony (NI) and Hesse (HE)."""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

_FIXED = {
    (1, 1): "Neujahr",
    (5, 1): "Tag der Arbeit",
    (10, 3): "Tag der Deutschen Einheit",
    (12, 25): "1. Weihnachtstag",
    (12, 26): "2. Weihnachtstag",
}
_STATE_FIXED = {
    "NI": {(10, 31): "Reformationstag"},
    "HE": {},
}
_EASTER_OFFSETS = {
    -2: "Karfreitag",
    1: "Ostermontag",
    39: "Christi Himmelfahrt",
    50: "Pfingstmontag",
}
_STATE_EASTER_OFFSETS = {
    "NI": {},
    "HE": {60: "Fronleichnam"},
}


def easter_sunday(year: int) -> date:
    """Return Easter Sunday (Gregorian calendar, anonymous algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l = (32 + 2 * e + 2 * i - h - k) % 7  # noqa: E741 - the algorithm's name
    m = (a + 11 * h + 22 * l) // 451
    month = (h + l - 7 * m + 114) // 31
    day = (h + l - 7 * m + 114) % 31 + 1
    return date(year, month, day)


@cache
def public_holidays(state: str, year: int) -> dict[date, str]:
    """Return the public holidays of a state (NI or HE) in a year, by date."""
    if state not in _STATE_FIXED:
        raise ValueError(f"unknown state {state!r}; known: NI, HE")
    fixed = {**_FIXED, **_STATE_FIXED[state]}
    holidays = {date(year, month, day): name for (month, day), name in fixed.items()}
    easter = easter_sunday(year)
    for offset, name in {**_EASTER_OFFSETS, **_STATE_EASTER_OFFSETS[state]}.items():
        holidays[easter + timedelta(days=offset)] = name
    return holidays


def is_public_holiday(state: str, day: date) -> bool:
    """Return whether `day` is a public holiday in the state."""
    return day in public_holidays(state, day.year)
