from pathlib import Path

import pytest

from bot.datafiles import DataFileError
from bot.directory import load_directory
from bot.domain.routing import checklist, load_routing, route

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def directory():
    return load_directory(ROOT / "directory")


@pytest.fixture(scope="module")
def rules():
    return load_routing(ROOT / "directory" / "routing.yml")


def referred(slots, directory, rules):
    return [r.institution.id for r in route(slots, directory, rules)]


def test_hairdresser_without_meister_on_a_permit_that_needs_checking(directory, rules):
    slots = {
        "business_kind": "craft", "craft_trade": "Friseurin", "needs_meister": True,
        "has_meister": "no", "residence": "permit_unclear", "foreign_qualification": "no",
        "town": "loeningen", "district": "cloppenburg", "stage": "idea", "support": "none",
    }
    referrals = route(slots, directory, rules)
    assert [r.institution.id for r in referrals] == [
        "clp-wirtschaftsfoerderung", "clp-hwk", "clp-auslaenderbehoerde", "clp-mbe",
        "clp-gewerbeamt",
    ]
    chamber = referrals[1]
    assert len(chamber.reasons) == 2
    assert chamber.reasons[0].startswith("The HWK (Handwerkskammer: chamber of crafts)")
    assert "Ausnahmebewilligung" in chamber.reasons[1]
    assert not any(r.outside_district for r in referrals)
    items = checklist(slots, rules)
    assert "Your passport or ID card." in items
    assert ("Your residence permit (Aufenthaltstitel) with its supplementary sheet (Zusatzblatt)."
            in items)
    assert any(item.startswith("Proof of your work in the trade") for item in items)


def test_it_freelancer_with_a_recognised_degree(directory, rules):
    slots = {
        "business_kind": "liberal_profession", "business_idea": "IT consulting",
        "residence": "permit_allows", "foreign_qualification": "yes",
        "qualification_recognised": "yes", "town": "holzminden-stadt", "district": "holzminden",
        "support": "none", "financing": "none",
    }
    referrals = route(slots, directory, rules)
    assert [r.institution.id for r in referrals] == ["hol-wirtschaftsfoerderung", "hol-finanzamt"]
    assert "no Gewerbeanmeldung" in referrals[1].reasons[0]
    items = checklist(slots, rules)
    assert "Your recognition notice (Anerkennungsbescheid)." in items
    assert "Your certificates and diplomas, with translations if you have them." in items


def test_takeover_of_a_bakery_by_a_master_baker(directory, rules):
    slots = {
        "business_kind": "craft", "craft_trade": "Bäckerei", "needs_meister": True,
        "has_meister": "yes", "stage": "takeover", "residence": "citizen_eu",
        "town": "eschwege", "district": "werra-meissner", "financing": "over_25k",
    }
    referrals = route(slots, directory, rules)
    assert [r.institution.id for r in referrals] == [
        "wmk-wirtschaftsfoerderung", "wmk-hwk", "wmk-gewerbeamt",
    ]
    assert any("Unternehmensnachfolge" in reason for reason in referrals[1].reasons)
    assert not any("Ausnahmebewilligung" in reason for reason in referrals[1].reasons)
    items = checklist(slots, rules)
    assert "Your master craftsman's certificate (Meisterbrief) or an equal certificate." in items
    assert "Your business plan, if you already have one." in items
    assert any(item.startswith("Papers about the business you want to take over") for item in items)
    assert not any("residence permit" in item for item in items)


def test_side_business_while_on_buergergeld(directory, rules):
    slots = {
        "business_kind": "online", "work_scope": "side", "support": "buergergeld",
        "town": "witzenhausen", "residence": "permit_allows", "stage": "planning",
    }
    assert referred(slots, directory, rules) == [
        "wmk-wirtschaftsfoerderung", "wmk-ihk", "wmk-jobcenter", "wmk-gewerbeamt",
    ]
    assert "Your latest Bürgergeld notice (Bescheid) from the Jobcenter." in checklist(slots, rules)


def test_unemployment_benefit_leads_to_the_agentur(directory, rules):
    slots = {"business_kind": "services", "support": "alg", "district": "holzminden"}
    assert referred(slots, directory, rules) == [
        "hol-wirtschaftsfoerderung", "hol-ihk", "hol-agentur", "hol-gewerbeamt",
    ]


def test_a_town_outside_the_districts_goes_to_the_configured_district(directory, rules):
    slots = {"outside_districts": True, "town": None, "business_kind": "gastronomy"}
    referrals = route(slots, directory, rules)
    assert [r.institution.id for r in referrals] == [
        "clp-wirtschaftsfoerderung", "clp-ihk", "clp-gewerbeamt",
    ]
    assert all(r.outside_district for r in referrals)


def test_unknown_everywhere_still_gets_a_first_contact(directory, rules):
    slots = {
        "business_kind": "unknown", "has_meister": "unknown", "stage": "unknown",
        "work_scope": "unknown", "residence": "no_answer", "foreign_qualification": "unknown",
        "qualification_recognised": "unknown", "support": "unknown", "financing": "unknown",
        "meeting_mode": "any",
    }
    referrals = route(slots, directory, rules)
    assert [r.institution.id for r in referrals] == ["clp-wirtschaftsfoerderung"]
    assert referrals[0].outside_district
    assert checklist(slots, rules) == [
        "Your passport or ID card.",
        "Notes about your business idea: what you want to offer, to whom, and where.",
        "Your CV (Lebenslauf).",
    ]


def test_agriculture_goes_to_the_chamber_where_there_is_one(directory, rules):
    farm = {"business_kind": "agriculture", "district": "cloppenburg"}
    assert referred(farm, directory, rules) == ["clp-wirtschaftsfoerderung", "clp-lwk"]
    hessen = route({"business_kind": "agriculture", "district": "werra-meissner"}, directory, rules)
    assert [r.institution.id for r in hessen] == ["wmk-wirtschaftsfoerderung"]
    assert len(hessen[0].reasons) == 2


def write(folder, routing, checklist_text="checklist:\n  - bring: [Your passport or ID card.]\n"):
    (folder / "routing.yml").write_text(routing, encoding="utf-8")
    (folder / "checklist.yml").write_text(checklist_text, encoding="utf-8")
    return folder / "routing.yml"


def test_broken_rules_are_reported_with_file_and_line(tmp_path):
    path = write(tmp_path, (
        "outside_districts: cloppenburg\n"
        "rules:\n"
        "  - when: \"business_kind == 'crafts'\"\n"
        "    refer: hwk\n"
        "    reason: Craft.\n"
        "  - when: \"kind == 'craft'\"\n"
        "    refer: chamber_of_crafts\n"
        "    reason: Craft.\n"
        "  - when: \"__import__('os')\"\n"
        "    refer: [landwirtschaftskammer, wirtschaftsfoerderung]\n"
        "    resaon: Typo.\n"
    ), "checklist:\n  - when: \"support = 'alg'\"\n    bring: [Your ALG notice.]\n")
    with pytest.raises(DataFileError) as caught:
        load_routing(path)
    reported = [(Path(p.file).name, p.line, p.message) for p in caught.value.problems]
    assert reported == [
        ("routing.yml", 3,
         "when: business_kind is never 'crafts' in \"business_kind == 'crafts'\""),
        ("routing.yml", 6, "when: unknown slot 'kind' in \"kind == 'craft'\""),
        ("routing.yml", 7, "refer: 'chamber_of_crafts' is not one of: agentur_fuer_arbeit, "
         "auslaenderbehoerde, business_network, finanzamt, gewerbeamt, hwk, ihk, jobcenter, "
         "landwirtschaftskammer, migrant_organisation, migration_counselling, "
         "recognition_counselling, startup_centre, wirtschaftsfoerderung"),
        ("routing.yml", 9, "when: condition \"__import__('os')\" uses Call, which is not allowed"),
        ("routing.yml", 9, "a rule is missing 'reason'"),
        ("routing.yml", 11, "unknown key 'resaon' in a rule, did you mean 'reason'?"),
        ("checklist.yml", 2, "when: condition \"support = 'alg'\" is not valid: invalid syntax"),
    ]


def test_the_outside_district_is_a_known_district(directory, rules):
    assert rules.outside_district in {d.id for d in directory.districts}


def test_an_institution_speaking_the_founders_language_is_preferred(directory, rules):
    slots = {"business_kind": "services", "district": "cloppenburg", "advice_language": "ar"}
    first = route(slots, directory, rules)[0]
    assert first.institution.kind == "wirtschaftsfoerderung"
