"""Who is responsible: routing rules and the checklist of what a founder should bring."""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.datafiles import DataFileError
from bot.directory.loader import Field, FileCheck, entries, list_of, mappings, number, one_of, text
from bot.directory.model import INSTITUTION_KINDS, Directory, Institution
from bot.domain.conditions import Condition, parse_condition

SLOT_VALUES: Mapping[str, frozenset[str] | None] = {
    "business_idea": None,
    "business_kind": frozenset({
        "trade", "gastronomy", "craft", "services", "liberal_profession", "agriculture",
        "online", "other", "unknown",
    }),
    "craft_trade": None,
    "needs_meister": None,
    "has_meister": frozenset({"yes", "no", "unknown"}),
    "town": None,
    "district": None,
    "outside_districts": None,
    "stage": frozenset({"idea", "planning", "started", "takeover", "unknown"}),
    "work_scope": frozenset({"full_time", "side", "unknown"}),
    "residence": frozenset({
        "citizen_eu", "permit_allows", "permit_unclear", "asylum_duldung", "no_answer",
    }),
    "foreign_qualification": frozenset({"yes", "no", "unknown"}),
    "qualification_recognised": frozenset({"yes", "no", "in_progress", "unknown"}),
    "support": frozenset({"none", "buergergeld", "alg", "unknown"}),
    "financing": frozenset({"none", "under_25k", "over_25k", "unknown"}),
    "german_level": frozenset({"none", "basic", "good", "fluent"}),
    "advice_language": None,
    "meeting_mode": frozenset({"office", "office_day", "phone", "video", "any"}),
}
"""The questionnaire slots a rule may use, with their values where the flow fixes them."""

DEFAULT_PRIORITY = 50


@dataclass(frozen=True)
class Rule:
    """When a condition holds, refer the founder to the first of these kinds the district has."""

    condition: Condition
    kinds: tuple[str, ...]
    reason: str
    priority: int = DEFAULT_PRIORITY


@dataclass(frozen=True)
class ChecklistGroup:
    """Things to bring to the first talk when a condition holds."""

    condition: Condition
    items: tuple[str, ...]


@dataclass(frozen=True)
class RoutingRules:
    """Routing rules, the checklist, and the district for founders from elsewhere."""

    rules: tuple[Rule, ...]
    checklist: tuple[ChecklistGroup, ...]
    outside_district: str


@dataclass(frozen=True)
class Referral:
    """An institution a founder should contact, and why (gettext msgids)."""

    institution: Institution
    reasons: tuple[str, ...]
    outside_district: bool = False


def condition(value: Any) -> str | None:
    """Check a condition: valid syntax, known slots, known values."""
    if not isinstance(value, str):
        return "must be a condition in quotes, like \"business_kind == 'craft'\""
    try:
        parsed = parse_condition(value)
    except ValueError as error:
        return str(error)
    unknown = sorted(parsed.slot_names - SLOT_VALUES.keys())
    if unknown:
        return f"unknown slot {unknown[0]!r} in {value!r}"
    return _unknown_value(parsed.tree, value)


def _unknown_value(tree: ast.expr, source: str) -> str | None:
    """Find a compared word that the slot can never hold, like business_kind == 'crafts'."""
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Compare) and isinstance(node.left, ast.Name)):
            continue
        allowed = SLOT_VALUES.get(node.left.id)
        if allowed is None:
            continue
        for other in node.comparators:
            words = other.elts if isinstance(other, ast.List | ast.Tuple) else [other]
            for word in words:
                if isinstance(word, ast.Constant) and word.value not in allowed:
                    return f"{node.left.id} is never {word.value!r} in {source!r}"
    return None


def _kinds(value: Any) -> str | None:
    """Check an institution kind or a list of kinds in order of preference."""
    return list_of(one_of(INSTITUTION_KINDS))(value if isinstance(value, list) else [value])


ROUTING_FILE = {
    "outside_districts": Field(text),
    "rules": Field(mappings),
}
RULE = {
    "when": Field(condition, required=False),
    "refer": Field(_kinds),
    "reason": Field(text),
    "priority": Field(number(1, 99), required=False),
}
CHECKLIST_FILE = {"checklist": Field(mappings)}
CHECKLIST_GROUP = {
    "when": Field(condition, required=False),
    "bring": Field(list_of(text)),
}
EVERY_FOUNDER = "True"


def load_routing(path: Path) -> RoutingRules:
    """Read routing rules and the `checklist.yml` beside them; raise DataFileError on problems."""
    routing, checklist = FileCheck(path), FileCheck(path.with_name("checklist.yml"))
    rules_file, checklist_file = routing.read(), checklist.read()
    if rules_file is not None:
        routing.mapping(rules_file, ROUTING_FILE, "the routing file")
    if checklist_file is not None:
        checklist.mapping(checklist_file, CHECKLIST_FILE, "the checklist file")
    rules = tuple(
        Rule(
            parse_condition(node.get("when", EVERY_FOUNDER)),
            tuple(node["refer"]) if isinstance(node["refer"], list) else (node["refer"],),
            node["reason"],
            node.get("priority", DEFAULT_PRIORITY),
        )
        for node in entries(rules_file, "rules")
        if routing.mapping(node, RULE, "a rule")
    )
    groups = tuple(
        ChecklistGroup(parse_condition(node.get("when", EVERY_FOUNDER)), tuple(node["bring"]))
        for node in entries(checklist_file, "checklist")
        if checklist.mapping(node, CHECKLIST_GROUP, "a checklist entry")
    )
    problems = routing.in_line_order() + checklist.in_line_order()
    if problems or rules_file is None:
        raise DataFileError(problems)
    return RoutingRules(rules, groups, rules_file["outside_districts"])


@dataclass
class _Pending:
    """A referral being assembled from every rule that names the same institution."""

    institution: Institution
    priority: int
    order: int
    reasons: list[str] = field(default_factory=list)


def route(slots: Mapping[str, Any], directory: Directory, rules: RoutingRules) -> list[Referral]:
    """Return whom the founder should contact: first contact first, then the chamber."""
    district_id, outside = _founders_district(slots, directory, rules)
    pending: dict[str, _Pending] = {}
    for order, rule in enumerate(rules.rules):
        if not rule.condition.evaluate(slots):
            continue
        institution = _institution(rule.kinds, district_id, directory, slots.get("advice_language"))
        if institution is None:
            continue
        entry = pending.setdefault(institution.id, _Pending(institution, rule.priority, order))
        entry.priority = min(entry.priority, rule.priority)
        if rule.reason not in entry.reasons:
            entry.reasons.append(rule.reason)
    ordered = sorted(pending.values(), key=lambda p: (p.priority, p.order))
    return [Referral(p.institution, tuple(p.reasons), outside) for p in ordered]


def checklist(slots: Mapping[str, Any], rules: RoutingRules) -> list[str]:
    """Return what the founder should bring to the first talk, as msgids."""
    items: list[str] = []
    for group in rules.checklist:
        if group.condition.evaluate(slots):
            items.extend(item for item in group.items if item not in items)
    return items


def _founders_district(
    slots: Mapping[str, Any], directory: Directory, rules: RoutingRules
) -> tuple[str, bool]:
    """Return the district to refer to, and whether it is not the founder's own."""
    known = {d.id for d in directory.districts}
    district = slots.get("district")
    if district not in known:
        district = next((t.district_id for t in directory.towns if t.id == slots.get("town")), None)
    if district is None:
        return rules.outside_district, True
    return district, bool(slots.get("outside_districts"))


def _institution(
    kinds: tuple[str, ...], district_id: str, directory: Directory, language: Any
) -> Institution | None:
    """Return the district's institution of the first kind it has, preferring the language."""
    for kind in kinds:
        candidates = directory.institutions_of(district_id, kind)
        if candidates:
            speaking = [i for i in candidates if language in i.languages]
            return (speaking or list(candidates))[0]
    return None
