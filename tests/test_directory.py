from pathlib import Path

import pytest

from bot.datafiles import DataFileError
from bot.directory import load_directory
from bot.directory.check import check

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "directory"
BROKEN = Path(__file__).resolve().parent / "fixtures" / "directory_broken"
TYPOS, TWICE, FIRST = "a-typos.yml", "b-duplicates.yml", BROKEN / "a-typos.yml"


@pytest.fixture(scope="module")
def directory():
    return load_directory(SHIPPED)


def test_the_shipped_districts_load(directory):
    assert [d.id for d in directory.districts] == ["cloppenburg", "holzminden", "werra-meissner"]
    assert {d.state for d in directory.districts} == {"NI", "HE"}
    assert len(directory.towns_of("cloppenburg")) == 13
    assert len(directory.towns_of("werra-meissner")) == 16


def test_every_district_has_its_first_contact_and_chambers(directory):
    for district in directory.districts:
        kinds = {i.kind for i in directory.institutions_of(district.id)}
        assert {"wirtschaftsfoerderung", "ihk", "hwk", "auslaenderbehoerde", "jobcenter",
                "agentur_fuer_arbeit", "recognition_counselling", "migration_counselling",
                "finanzamt"} <= kinds
        assert 3 <= len(directory.advisors_of(district.id)) <= 5


def test_the_responsible_chambers(directory):
    chambers = {
        (i.district_id, i.kind): i.name for i in directory.institutions if i.kind in ("ihk", "hwk")
    }
    assert "IHK Oldenburg" in chambers["cloppenburg", "ihk"]
    assert chambers["cloppenburg", "hwk"] == "Handwerkskammer Oldenburg"
    assert "IHK Hannover" in chambers["holzminden", "ihk"]
    assert chambers["holzminden", "hwk"] == "Handwerkskammer Hildesheim-Südniedersachsen"
    assert chambers["werra-meissner", "ihk"] == "IHK Kassel-Marburg"
    assert chambers["werra-meissner", "hwk"] == "Handwerkskammer Kassel"


def test_advisors_are_marked_as_examples(directory):
    assert all(a.example and a.email.endswith("example.org") for a in directory.advisors)


@pytest.mark.parametrize(
    ("typed", "town_id"),
    [
        ("Löningen", "loeningen"),
        ("loeningen", "loeningen"),
        ("LONINGEN", "loeningen"),
        ("Barßel", "barssel"),
        ("Barssel", "barssel"),
        ("Essen", "essen-oldenburg"),
        ("essen (oldb.)", "essen-oldenburg"),
        ("Bad Sooden Allendorf", "bad-sooden-allendorf"),
        ("grossalmerode", "grossalmerode"),
        ("Meissner", "meissner"),
        ("Fuerstenberg", "fuerstenberg"),
        ("Grünenplan", "delligsen"),
        ("49661", "cloppenburg-stadt"),
        ("37215", "witzenhausen"),
    ],
)
def test_finds_a_town_however_it_is_written(directory, typed, town_id):
    assert [t.id for t in directory.find_towns(typed)] == [town_id]


def test_a_shared_postal_code_gives_every_town(directory):
    towns = {t.id for t in directory.find_towns("37627")}
    assert {"stadtoldendorf", "arholzen", "deensen", "heinade", "lenne", "wangelnstedt"} == towns


def test_unknown_towns_are_not_found(directory):
    assert directory.find_towns("Berlin") == ()
    assert directory.find_towns("") == ()


def test_district_of_a_town_and_lookups(directory):
    assert directory.district_of("lauenfoerde").id == "holzminden"
    assert directory.town("lauenfoerde").part_of == "Samtgemeinde Boffzen"
    assert [i.id for i in directory.institutions_of("werra-meissner", "ihk")] == ["wmk-ihk"]
    advisor = directory.advisor("clp-wf-mueller")
    assert directory.institution(advisor.institution_id).district_id == "cloppenburg"
    office_day = next(h for h in advisor.hours if h.office_day)
    assert (office_day.weekday, office_day.start, office_day.end) == (1, "09:00", "12:00")
    assert office_day.town_id == "loeningen" and office_day.nth == (2, 4)
    with pytest.raises(KeyError):
        directory.town("atlantis")


def test_broken_files_report_every_problem_with_file_and_line():
    with pytest.raises(DataFileError) as caught:
        load_directory(BROKEN)
    reported = [(Path(p.file).name, p.line, p.message) for p in caught.value.problems]
    assert reported == [
        (TYPOS, 6, "postal_codes: 4966 is not a postal code, write five digits like '49661'"),
        (TYPOS, 7, "aliases: must be a list with at least one entry"),
        (TYPOS, 9, "an institution is missing 'address'"),
        (TYPOS, 12, "unknown key 'adress' in an institution, did you mean 'address'?"),
        (TYPOS, 15, "languages: 'xx' is not one of: ar, de, en, fa, ku, pl, ro, ru, tr, uk"),
        (TYPOS, 17, "kind: 'chamber' is not one of: agentur_fuer_arbeit, "
         "auslaenderbehoerde, business_network, finanzamt, gewerbeamt, hwk, ihk, jobcenter, "
         "landwirtschaftskammer, migrant_organisation, migration_counselling, "
         "recognition_counselling, startup_centre, wirtschaftsfoerderung"),
        (TYPOS, 20, "email: 'not-an-email' is not valid, write it like 'info@example.org'"),
        (TYPOS, 26, "unknown institution 'test-ihk'"),
        (TYPOS, 29, "topics: 'astrology' is not one of: business_registration, craft, "
         "financing, insurance, recognition, residence_permit, start_business, taxes"),
        (TYPOS, 30, "modes: 'carrier_pigeon' is not one of: office, office_day, phone, video"),
        (TYPOS, 34, "ends at 09:00, not after 12:00"),
        (TYPOS, 35, "start: write the time in quotes, like '09:00'"),
        (TYPOS, 36, "an office day needs `town:` (a town id)"),
        (TYPOS, 37, "unknown town 'nowhere'"),
        (TYPOS, 39, "absence ends 2025-08-01, before 2025-08-10"),
        (TWICE, 2, f"duplicate district id 'testkreis', first at {FIRST}:2"),
        (TWICE, 4, "state: 'XX' is not one of: BB, BE, BW, BY, HB, HE, HH, MV, NI, "
         "NW, RP, SH, SL, SN, ST, TH"),
        (TWICE, 6, f"duplicate town id 'testdorf', first at {FIRST}:6"),
        ("c-syntax.yml", 4, "did not find expected ',' or ']'"),
        ("d-not-a-district.yml", 1, "the file must be a mapping with keys"),
    ]


def test_check_prints_a_summary_or_every_problem(capsys):
    assert check(SHIPPED) == 0
    assert capsys.readouterr().out == (
        "directory OK: 3 districts, 60 towns, 36 institutions, 11 advisors\n"
    )
    assert check(BROKEN) == 1
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 20
    assert lines[0] == (
        f"{FIRST}:6: postal_codes: 4966 is not a postal code, "
        "write five digits like '49661'"
    )


def test_an_empty_folder_is_a_problem(tmp_path):
    with pytest.raises(DataFileError, match="no district files"):
        load_directory(tmp_path)
