"""Load the district directory files and report every problem with file and line."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from bot.datafiles import DataFileError, Node, Problem, load_yaml
from bot.directory.model import (
    INSTITUTION_KINDS,
    LANGUAGES,
    MEETING_MODES,
    TOPICS,
    WEEKDAYS,
    Absence,
    Advisor,
    Directory,
    District,
    Institution,
    Town,
    WeeklyHours,
)

Check = Callable[[Any], str | None]
"""Return what is wrong with a value, or None when it is fine."""

NOT_DISTRICT_FILES = frozenset({"routing.yml", "checklist.yml", "meister_trades.yml"})
STATES = frozenset({
    "BW", "BY", "BE", "BB", "HB", "HH", "HE", "MV", "NI", "NW", "RP", "SL", "SN", "ST", "SH", "TH",
})


def text(value: Any) -> str | None:
    """Check for non-empty text."""
    return None if isinstance(value, str) and value.strip() else "must be text"


def flag(value: Any) -> str | None:
    """Check for true or false."""
    return None if isinstance(value, bool) else "must be true or false"


def one_of(allowed: frozenset[str] | tuple[str, ...]) -> Check:
    """Check for one of the allowed words."""
    def check(value: Any) -> str | None:
        if value in allowed:
            return None
        return f"{value!r} is not one of: {', '.join(sorted(allowed))}"
    return check


def list_of(item: Check) -> Check:
    """Check for a non-empty list whose items all pass `item`."""
    def check(value: Any) -> str | None:
        if not isinstance(value, list) or not value:
            return "must be a list with at least one entry"
        return next((p for p in map(item, value) if p), None)
    return check


def matches(pattern: str, example: str) -> Check:
    """Check for text matching a pattern, naming an example when it does not."""
    def check(value: Any) -> str | None:
        if isinstance(value, str) and re.fullmatch(pattern, value):
            return None
        return f"{value!r} is not valid, write it like {example}"
    return check


def number(low: int, high: int) -> Check:
    """Check for a whole number in a range."""
    def check(value: Any) -> str | None:
        if isinstance(value, int) and not isinstance(value, bool) and low <= value <= high:
            return None
        return f"must be a whole number from {low} to {high}"
    return check


def day(value: Any) -> str | None:
    """Check for a date written as YYYY-MM-DD."""
    return None if isinstance(value, date) else "must be a date like 2025-12-24"


def clock_time(value: Any) -> str | None:
    """Check for a time written as HH:MM in quotes."""
    if isinstance(value, int):
        return "write the time in quotes, like '09:00'"
    return matches(r"([01]\d|2[0-3]):[0-5]\d", "'09:00'")(value)


def postal_code(value: Any) -> str | None:
    """Check for a five-digit German postal code."""
    if re.fullmatch(r"\d{5}", str(value)) and not isinstance(value, bool):
        return None
    return f"{value!r} is not a postal code, write five digits like '49661'"


def keyed(value: Any) -> str | None:
    """Check for a mapping with keys."""
    return None if isinstance(value, Node) else "must be a mapping with keys"


def mappings(value: Any) -> str | None:
    """Check for a list of mappings (entries with keys)."""
    if isinstance(value, list) and all(isinstance(v, Node) for v in value):
        return None
    return "must be a list of entries, each with keys like `id:`"


EMAIL = matches(r"[^@\s]+@[^@\s]+\.[a-z]{2,}", "'info@example.org'")
WEBSITE = matches(r"https?://\S+\.\S+", "'https://www.example.org'")
PHONE = matches(r"\+?[\d /()-]{6,}", "'05651 302-0'")
LANGUAGE_CODES = list_of(one_of(LANGUAGES))


@dataclass(frozen=True)
class Field:
    """One key of a mapping: how to check its value and whether it must be there."""

    check: Check
    required: bool = True


Schema = Mapping[str, Field]


@dataclass
class FileCheck:
    """Collect the problems of one data file against schemas."""

    path: Path
    problems: list[Problem] = field(default_factory=list)

    def problem(self, line: int, message: str) -> None:
        """Record a problem at a line of this file."""
        self.problems.append(Problem(str(self.path), line, message))

    def in_line_order(self) -> list[Problem]:
        """Return the problems found so far, from the top of the file down."""
        return sorted(self.problems, key=lambda problem: problem.line)

    def read(self) -> Node | None:
        """Parse the file; record a syntax error or content that is not a mapping."""
        try:
            document = load_yaml(self.path)
        except DataFileError as error:
            self.problems.extend(error.problems)
            return None
        if not isinstance(document, Node):
            self.problem(1, "the file must be a mapping with keys")
            return None
        return document

    def mapping(self, node: Any, schema: Schema, what: str, line: int = 1) -> bool:
        """Check a mapping against a schema; return whether it is fine."""
        if not isinstance(node, Node):
            self.problem(line, f"{what} must be a mapping with keys")
            return False
        before = len(self.problems)
        for key in node:
            if key not in schema:
                close = difflib.get_close_matches(str(key), list(schema), n=1)
                hint = f", did you mean {close[0]!r}?" if close else ""
                self.problem(node.line_of(str(key)), f"unknown key {key!r} in {what}{hint}")
        for key, wanted in schema.items():
            if key not in node:
                if wanted.required:
                    self.problem(node.line, f"{what} is missing {key!r}")
            elif (message := wanted.check(node[key])) is not None:
                self.problem(node.line_of(key), f"{key}: {message}")
        return len(self.problems) == before


DISTRICT_FILE: Schema = {
    "district": Field(keyed),
    "towns": Field(mappings),
    "institutions": Field(mappings),
    "advisors": Field(mappings, required=False),
}
DISTRICT: Schema = {"id": Field(text), "name": Field(text), "state": Field(one_of(STATES))}
TOWN: Schema = {
    "id": Field(text),
    "name": Field(text),
    "postal_codes": Field(list_of(postal_code)),
    "part_of": Field(text, required=False),
    "aliases": Field(list_of(text), required=False),
}
INSTITUTION: Schema = {
    "id": Field(text),
    "kind": Field(one_of(INSTITUTION_KINDS)),
    "name": Field(text),
    "address": Field(text),
    "phone": Field(PHONE, required=False),
    "email": Field(EMAIL),
    "website": Field(WEBSITE),
    "languages": Field(LANGUAGE_CODES),
    "example": Field(flag, required=False),
}
ADVISOR: Schema = {
    "id": Field(text),
    "name": Field(text),
    "institution": Field(text),
    "email": Field(EMAIL),
    "languages": Field(LANGUAGE_CODES),
    "topics": Field(list_of(one_of(TOPICS))),
    "modes": Field(list_of(one_of(MEETING_MODES))),
    "appointment_minutes": Field(number(10, 240)),
    "buffer_minutes": Field(number(0, 120)),
    "hours": Field(mappings),
    "absences": Field(mappings, required=False),
    "example": Field(flag, required=False),
}
HOURS: Schema = {
    "weekday": Field(one_of(WEEKDAYS)),
    "start": Field(clock_time),
    "end": Field(clock_time),
    "at": Field(text, required=False),
    "office_day": Field(text, required=False),
    "town": Field(text, required=False),
    "weeks": Field(one_of(("even", "odd")), required=False),
    "nth": Field(list_of(number(1, 5)), required=False),
}
ABSENCE: Schema = {"from": Field(day), "to": Field(day), "note": Field(text, required=False)}


@dataclass(frozen=True)
class _Reference:
    """An id used somewhere that must name a known thing."""

    file: FileCheck
    line: int
    what: str
    wanted: str


@dataclass
class _Collected:
    """Everything read so far from all files, with where each id was defined."""

    districts: list[District] = field(default_factory=list)
    towns: list[Town] = field(default_factory=list)
    institutions: list[Institution] = field(default_factory=list)
    advisors: list[Advisor] = field(default_factory=list)
    defined: dict[tuple[str, str], str] = field(default_factory=dict)
    references: list[_Reference] = field(default_factory=list)

    def define(self, check: FileCheck, node: Node, what: str) -> None:
        """Remember an id, reporting it when another entry already has it."""
        key = (what, node["id"])
        here = f"{check.path}:{node.line_of('id')}"
        if key in self.defined:
            first = self.defined[key]
            check.problem(node.line_of("id"), f"duplicate {what} id {key[1]!r}, first at {first}")
        else:
            self.defined[key] = here


def load_directory(folder: Path) -> Directory:
    """Read every district file in a folder; raise DataFileError listing all problems."""
    collected = _Collected()
    checks: list[FileCheck] = []
    files = [p for p in sorted(folder.glob("*.yml")) if p.name not in NOT_DISTRICT_FILES]
    if not files:
        raise DataFileError([Problem(str(folder), 1, "no district files (*.yml) found")])
    for path in files:
        check = FileCheck(path)
        checks.append(check)
        document = check.read()
        if document is not None:
            _read_district_file(document, check, collected)
    for reference in collected.references:
        if (reference.what, reference.wanted) not in collected.defined:
            reference.file.problem(
                reference.line, f"unknown {reference.what} {reference.wanted!r}"
            )
    problems = [p for check in checks for p in check.in_line_order()]
    if problems:
        raise DataFileError(problems)
    return Directory(
        tuple(collected.districts), tuple(collected.towns),
        tuple(collected.institutions), tuple(collected.advisors),
    )


def _read_district_file(document: Node, check: FileCheck, collected: _Collected) -> None:
    """Check one district file and collect what is valid in it."""
    check.mapping(document, DISTRICT_FILE, "a district file")
    node = document.get("district")
    district_id = ""
    if isinstance(node, Node):
        if _entry(node, DISTRICT, "district", "the district", check, collected):
            collected.districts.append(District(node["id"], node["name"], node["state"]))
        district_id = node["id"] if isinstance(node.get("id"), str) else ""
    for town in entries(document, "towns"):
        if _entry(town, TOWN, "town", "a town", check, collected):
            collected.towns.append(_town(town, district_id))
    for place in entries(document, "institutions"):
        if _entry(place, INSTITUTION, "institution", "an institution", check, collected):
            collected.institutions.append(_institution(place, district_id))
    for person in entries(document, "advisors"):
        advisor = _advisor(person, district_id, check, collected)
        if advisor is not None:
            collected.advisors.append(advisor)


def _entry(
    node: Node, schema: Schema, what: str, described: str, check: FileCheck, collected: _Collected
) -> bool:
    """Check an entry against its schema and remember its id; return whether it is fine."""
    fine = check.mapping(node, schema, described)
    if isinstance(node.get("id"), str):
        collected.define(check, node, what)
    return fine


def entries(document: Node | None, key: str) -> list[Node]:
    """Return the entries of a list section, skipping a section that is not a list."""
    value = document.get(key) if document is not None else None
    return value if isinstance(value, list) and mappings(value) is None else []


def _town(node: Node, district_id: str) -> Town:
    """Build a town from a checked entry."""
    return Town(
        node["id"], node["name"], district_id,
        tuple(str(code) for code in node["postal_codes"]),
        node.get("part_of"), tuple(node.get("aliases", ())),
    )


def _institution(node: Node, district_id: str) -> Institution:
    """Build an institution from a checked entry."""
    return Institution(
        node["id"], node["kind"], node["name"], district_id, node["address"], node["email"],
        node["website"], tuple(node["languages"]), node.get("phone"), node.get("example", False),
    )


def _advisor(
    node: Node, district_id: str, check: FileCheck, collected: _Collected
) -> Advisor | None:
    """Check an advisor entry with its hours and absences; build it when all is fine."""
    fine = _entry(node, ADVISOR, "advisor", "an advisor", check, collected)
    if isinstance(node.get("institution"), str):
        collected.references.append(
            _Reference(check, node.line_of("institution"), "institution", node["institution"])
        )
    hours = [_weekly_hours(entry, check, collected) for entry in entries(node, "hours")]
    absences = [_absence(entry, check) for entry in entries(node, "absences")]
    if not fine or None in hours or None in absences:
        return None
    return Advisor(
        node["id"], node["name"], node["institution"], district_id, node["email"],
        tuple(node["languages"]), tuple(node["topics"]), tuple(node["modes"]),
        node["appointment_minutes"], node["buffer_minutes"],
        tuple(h for h in hours if h is not None), tuple(a for a in absences if a is not None),
        node.get("example", False),
    )


def _weekly_hours(node: Node, check: FileCheck, collected: _Collected) -> WeeklyHours | None:
    """Check one weekly-hours entry and build it."""
    if not check.mapping(node, HOURS, "weekly hours"):
        return None
    problems = [
        (node["end"] <= node["start"], "end", f"ends at {node['end']}, not after {node['start']}"),
        (("at" in node) == ("office_day" in node), "at",
         "give either `at:` (an institution id) or `office_day:` (a place), not both or none"),
        ("office_day" in node and "town" not in node, "office_day",
         "an office day needs `town:` (a town id)"),
        ("weeks" in node and "nth" in node, "nth", "give either `weeks:` or `nth:`, not both"),
    ]
    for wrong, key, message in problems:
        if wrong:
            check.problem(node.line_of(key), message)
    for key, what in (("at", "institution"), ("town", "town")):
        if key in node:
            collected.references.append(_Reference(check, node.line_of(key), what, node[key]))
    if any(wrong for wrong, _, _ in problems):
        return None
    return WeeklyHours(
        WEEKDAYS.index(node["weekday"]), node["start"], node["end"], node.get("at"),
        node.get("office_day"), node.get("town"), node.get("weeks"), tuple(node.get("nth", ())),
    )


def _absence(node: Node, check: FileCheck) -> Absence | None:
    """Check one absence and build it."""
    if not check.mapping(node, ABSENCE, "an absence"):
        return None
    if node["to"] < node["from"]:
        check.problem(node.line_of("to"), f"absence ends {node['to']}, before {node['from']}")
        return None
    return Absence(node["from"], node["to"])
