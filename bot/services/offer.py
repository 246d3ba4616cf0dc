"""What to offer a founder: responsible advisors, a page of free times, typed wishes."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import dateparser
from babel import Locale
from babel.dates import format_date

from bot.directory.model import Advisor, Directory
from bot.domain.routing import RoutingRules, route
from bot.domain.slots import BERLIN, Slot
from bot.i18n import dates
from bot.i18n.marker import N_

PAGE = 10
PER_DAY = 4
MORNING_ENDS = 12
MODE_LABELS = {
    "office": N_("at the office"),
    "office_day": N_("office day: {place}"),
    "phone": N_("by phone"),
    "video": N_("by video call"),
}
TOPIC_OF_KIND = {"craft": "craft"}
DEFAULT_TOPIC = "start_business"

# Words for the part of the day and for "next", per language; removed before dateparser reads.
_MORNING = {
    "en": ["morning", "forenoon"], "de": ["vormittag", "vormittags", "morgens", "früh"],
    "ar": ["صباحا", "صباحاً", "الصباح", "صباح"], "tr": ["sabah", "öğleden önce"],
    "ru": ["утром", "утро", "до обеда"], "uk": ["вранці", "зранку", "ранок", "до обіду"],
    "fa": ["صبح"], "pl": ["rano", "przed południem"], "ro": ["dimineața", "dimineata"],
    "ku": ["sibê", "serê sibê"],
}
_AFTERNOON = {
    "en": ["afternoon", "evening"], "de": ["nachmittag", "nachmittags", "abends"],
    "ar": ["مساء", "مساءً", "بعد الظهر"], "tr": ["öğleden sonra", "akşam"],
    "ru": ["после обеда", "днём", "вечером"], "uk": ["після обіду", "вдень", "ввечері"],
    "fa": ["بعدازظهر", "بعد از ظهر", "عصر"], "pl": ["po południu", "popołudniu"],
    "ro": ["după-amiaza", "după amiază", "dupa amiaza"], "ku": ["piştî nîvro", "êvar"],
}
_NEXT = {
    "en": ["next", "on"], "de": ["nächsten", "nächste", "kommenden", "kommende", "am"],
    "ar": ["القادم", "يوم"], "tr": ["gelecek", "önümüzdeki", "günü"],
    "ru": ["в следующий", "в следующую", "следующий", "следующую", "в"],
    "uk": ["наступного", "наступний", "наступну", "у", "в"], "fa": ["آینده", "بعدی"],
    "pl": ["w przyszły", "w przyszłą", "przyszły", "przyszłą", "w"],
    "ro": ["viitoare", "viitor", "următoare", "urmatoare"], "ku": ["bê", "tê"],
}
_DAY_MONTH = re.compile(r"\b(\d{1,2})\.(\d{1,2})\.?(\d{2,4})?\b")


@dataclass(frozen=True)
class Wish:
    """When the founder would like to come: a day, a part of the day, or both."""

    day: date | None = None
    part: str | None = None

    def fits(self, slot: Slot) -> bool:
        """Return whether a slot matches the wish."""
        local = slot.local_start
        if self.day is not None and local.date() != self.day:
            return False
        morning = local.hour < MORNING_ENDS
        return self.part is None or (self.part == "morning") == morning

    def as_slots(self) -> dict[str, Any]:
        """Return the wish as conversation slot values."""
        return {"day": self.day.isoformat() if self.day else None, "part": self.part}

    @classmethod
    def from_slots(cls, value: Mapping[str, Any] | None) -> Wish | None:
        """Return a wish kept in the conversation, or None."""
        if not value:
            return None
        day = value.get("day")
        return cls(date.fromisoformat(day) if day else None, value.get("part"))


def _remove(words: Sequence[str], text: str) -> tuple[str, bool]:
    """Remove any of the words from the text; tell whether one was there."""
    found = False
    for word in sorted(words, key=len, reverse=True):
        pattern = re.compile(rf"(?<!\w){re.escape(word)}(?!\w)", re.IGNORECASE)
        text, count = pattern.subn(" ", text)
        found = found or count > 0
    return " ".join(text.split()), found


def read_wish(text: str, language: str, now: datetime) -> Wish | None:
    """Read a typed wish such as "next Tuesday morning" in the founder's language."""
    rest, morning = _remove(_MORNING.get(language, []) + _MORNING["en"], text.casefold())
    rest, afternoon = _remove(_AFTERNOON.get(language, []) + _AFTERNOON["en"], rest)
    rest, _ = _remove(_NEXT.get(language, []), rest)
    part = "morning" if morning and not afternoon else "afternoon" if afternoon else None
    local_now = now.astimezone(BERLIN)
    day = _day(rest, language, local_now) if rest else None
    if day is None and part is None:
        return None
    return Wish(day, part)


def _day(text: str, language: str, local_now: datetime) -> date | None:
    """Read a day: 24.11., a weekday, "tomorrow" …, always in the future."""
    if match := _DAY_MONTH.search(text):
        day, month = int(match[1]), int(match[2])
        year = int(match[3]) if match[3] else local_now.year
        year += 2000 if year < 100 else 0
        try:
            found = date(year, month, day)
        except ValueError:
            return None
        return found if match[3] or found >= local_now.date() else date(year + 1, month, day)
    settings = {"PREFER_DATES_FROM": "future",
                "RELATIVE_BASE": local_now.replace(tzinfo=None)}
    try:
        parsed = dateparser.parse(text, languages=[language], settings=settings)
    except ValueError:  # a language dateparser does not know, such as Kurmanji
        parsed = dateparser.parse(text, settings=settings)
    return parsed.date() if parsed is not None else None


def choose(slots: Sequence[Slot], after: datetime | None = None, wish: Wish | None = None
           ) -> list[Slot]:
    """Return a page of about ten slots, at most a few per day, after a time and fitting a wish."""
    page: list[Slot] = []
    per_day: dict[date, int] = {}
    for slot in slots:
        if (after is not None and slot.starts_at <= after) or (wish and not wish.fits(slot)):
            continue
        day = slot.local_start.date()
        if per_day.get(day, 0) >= PER_DAY:
            continue
        per_day[day] = per_day.get(day, 0) + 1
        page.append(slot)
        if len(page) == PAGE:
            break
    return page


def topic(answers: Mapping[str, Any]) -> str:
    """Return what the talk is about, from the booking question or the precheck."""
    return str(answers.get("booking_topic")
               or TOPIC_OF_KIND.get(str(answers.get("business_kind")), DEFAULT_TOPIC))


def responsible_advisors(answers: Mapping[str, Any], language: str, directory: Directory,
                         rules: RoutingRules) -> list[Advisor]:
    """Return the advisors of the first responsible institution who fit topic and way to meet.

    Advisors who speak the founder's language come first.
    """
    wanted_topic, mode = topic(answers), answers.get("meeting_mode") or "any"
    answers = {**answers, "advice_language": answers.get("advice_language") or language}
    for referral in route(answers, directory, rules):
        institution = referral.institution
        fitting = [a for a in directory.advisors_of(institution.district_id)
                   if a.institution_id == institution.id and wanted_topic in a.topics
                   and (mode == "any" or mode in a.modes)]
        if fitting:
            return sorted(fitting, key=lambda a: language not in a.languages)
    return []


def mode_for(slot: Slot, wanted: str | None) -> str:
    """Return how the founder meets the advisor in a slot."""
    return wanted if wanted in slot.modes else slot.modes[0]


def babel_locale(language: str | None) -> str:
    """Return a locale Babel knows for the founder's language."""
    try:
        return str(Locale.parse(language or "en"))
    except (ValueError, TypeError):
        return "en"


def day_text(moment: datetime, language: str | None) -> str:
    """Return the day of a time in German time, in the founder's words: Tuesday, 24 November."""
    return dates.day(moment, babel_locale(language))


def time_text(moment: datetime, language: str | None) -> str:
    """Return the time of day in German time, like 10:00."""
    return dates.clock(moment, babel_locale(language))


def button_label(slot: Slot, language: str | None) -> str:
    """Return a short label for a slot button: weekday, day and time."""
    locale = babel_locale(language)
    local = slot.local_start
    day = dates.local_digits(format_date(local.date(), "EEE d", locale=locale), locale)
    return f"{day} · {time_text(local, language)}"
