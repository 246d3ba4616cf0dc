"""The district directory: districts, towns, institutions and advisors."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import Literal, TypeVar

LANGUAGES = frozenset({"de", "en", "ar", "tr", "ru", "uk", "fa", "pl", "ro", "ku"})
INSTITUTION_KINDS = frozenset({
    "wirtschaftsfoerderung", "ihk", "hwk", "auslaenderbehoerde", "jobcenter",
    "agentur_fuer_arbeit", "recognition_counselling", "migration_counselling",
    "migrant_organisation", "gewerbeamt", "finanzamt", "landwirtschaftskammer",
    "business_network", "startup_centre",
})
TOPICS = frozenset({
    "start_business", "financing", "residence_permit", "recognition", "craft", "taxes",
    "insurance", "business_registration",
})
MEETING_MODES = frozenset({"office", "office_day", "phone", "video"})
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class District:
    """A Landkreis that runs Lotse."""

    id: str
    name: str
    state: str


@dataclass(frozen=True)
class Town:
    """A town or municipality of a district."""

    id: str
    name: str
    district_id: str
    postal_codes: tuple[str, ...]
    part_of: str | None = None
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Institution:
    """An office a founder can be referred to."""

    id: str
    kind: str
    name: str
    district_id: str
    address: str
    email: str
    website: str
    languages: tuple[str, ...]
    phone: str | None = None
    example: bool = False


@dataclass(frozen=True)
class WeeklyHours:
    """When and where an advisor takes appointments each week (or on some weeks)."""

    weekday: int
    start: str
    end: str
    institution_id: str | None = None
    office_day: str | None = None
    town_id: str | None = None
    weeks: Literal["even", "odd"] | None = None
    nth: tuple[int, ...] = ()


@dataclass(frozen=True)
class Absence:
    """Days on which an advisor takes no appointments, both ends included."""

    first_day: date
    last_day: date


@dataclass(frozen=True)
class Advisor:
    """A person at an institution who advises founders."""

    id: str
    name: str
    institution_id: str
    district_id: str
    email: str
    languages: tuple[str, ...]
    topics: tuple[str, ...]
    modes: tuple[str, ...]
    appointment_minutes: int
    buffer_minutes: int
    hours: tuple[WeeklyHours, ...]
    absences: tuple[Absence, ...] = ()
    example: bool = False


def simplify_name(text: str) -> str:
    """Reduce a place name to lowercase letters and digits: Löningen, loeningen → loningen."""
    text = text.casefold().replace("ae", "a").replace("oe", "o").replace("ue", "u")
    text = unicodedata.normalize("NFKD", text)
    return re.sub(r"[^a-z0-9]", "", "".join(c for c in text if not unicodedata.combining(c)))


def _without_brackets(name: str) -> str:
    """Drop a bracketed addition: Essen (Oldenburg) → Essen."""
    return re.sub(r"\(.*?\)", "", name)


@dataclass(frozen=True)
class Directory:
    """All districts with their towns, institutions and advisors."""

    districts: tuple[District, ...]
    towns: tuple[Town, ...]
    institutions: tuple[Institution, ...]
    advisors: tuple[Advisor, ...]
    _towns_by_key: dict[str, tuple[Town, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        index: dict[str, list[Town]] = {}
        for town in self.towns:
            names = (town.id, town.name, _without_brackets(town.name), *town.aliases)
            for key in {simplify_name(k) for k in (*names, *town.postal_codes)}:
                index.setdefault(key, []).append(town)
        object.__setattr__(self, "_towns_by_key", {k: tuple(v) for k, v in index.items()})

    def district(self, district_id: str) -> District:
        """Return the district with this id; raise KeyError if unknown."""
        return _with_id(self.districts, district_id)

    def town(self, town_id: str) -> Town:
        """Return the town with this id; raise KeyError if unknown."""
        return _with_id(self.towns, town_id)

    def institution(self, institution_id: str) -> Institution:
        """Return the institution with this id; raise KeyError if unknown."""
        return _with_id(self.institutions, institution_id)

    def advisor(self, advisor_id: str) -> Advisor:
        """Return the advisor with this id; raise KeyError if unknown."""
        return _with_id(self.advisors, advisor_id)

    def find_towns(self, name_or_postal_code: str) -> tuple[Town, ...]:
        """Return the towns a founder may mean, by name in any spelling or by postal code."""
        for key in (name_or_postal_code, _without_brackets(name_or_postal_code)):
            if towns := self._towns_by_key.get(simplify_name(key)):
                return towns
        return ()

    def district_of(self, town_id: str) -> District:
        """Return the district a town belongs to."""
        return self.district(self.town(town_id).district_id)

    def towns_of(self, district_id: str) -> tuple[Town, ...]:
        """Return a district's towns and municipalities."""
        return tuple(t for t in self.towns if t.district_id == district_id)

    def institutions_of(self, district_id: str, kind: str | None = None) -> tuple[Institution, ...]:
        """Return a district's institutions, optionally only those of one kind."""
        return tuple(
            i for i in self.institutions
            if i.district_id == district_id and kind in (None, i.kind)
        )

    def advisors_of(self, district_id: str) -> tuple[Advisor, ...]:
        """Return the advisors working for a district."""
        return tuple(a for a in self.advisors if a.district_id == district_id)


_Item = TypeVar("_Item", District, Town, Institution, Advisor)


def _with_id(items: tuple[_Item, ...], wanted: str) -> _Item:
    """Return the item with this id; raise KeyError if there is none."""
    for item in items:
        if item.id == wanted:
            return item
    raise KeyError(wanted)
