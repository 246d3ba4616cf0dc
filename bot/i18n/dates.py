"""Dates and times for people: Babel in the reader's locale, always in Europe/Berlin."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_time

BERLIN = ZoneInfo("Europe/Berlin")
_DIGITS = {
    "arab": "٠١٢٣٤٥٦٧٨٩",
    "arabext": "۰۱۲۳۴۵۶۷۸۹",
}


def local_digits(text: str, language: str) -> str:
    """Write digits the way the locale does by default (CLDR): Persian uses ۰–۹."""
    digits = _DIGITS.get(Locale.parse(language).default_numbering_system)
    return text.translate(str.maketrans("0123456789", digits)) if digits else text


def day(moment: datetime, language: str) -> str:
    """Return the weekday and date in Berlin, e.g. "Dienstag, 1. Dezember 2026"."""
    local = moment.astimezone(BERLIN)
    return local_digits(format_date(local.date(), "full", locale=language), language)


def clock(moment: datetime, language: str) -> str:
    """Return the time of day in Berlin on the 24-hour clock used in Germany, e.g. "09:30"."""
    local = moment.astimezone(BERLIN)
    return local_digits(format_time(local, "HH:mm", tzinfo=BERLIN, locale=language), language)
