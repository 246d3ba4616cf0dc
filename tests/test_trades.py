from pathlib import Path

import pytest

from bot.datafiles import DataFileError
from bot.domain.trades import fold, load_trades, needs_meister

TRADES_FILE = Path(__file__).resolve().parent.parent / "directory" / "meister_trades.yml"


@pytest.fixture(scope="module")
def trades():
    return load_trades(TRADES_FILE)


def test_all_53_trades_of_anlage_a_are_listed(trades):
    names = {t.name for t in trades}
    assert len(trades) == len(names) == 53
    assert {
        "Friseure", "Bäcker", "Konditoren", "Fleischer", "Elektrotechniker",
        "Installateur und Heizungsbauer", "Kraftfahrzeugtechniker", "Maurer und Betonbauer",
        "Tischler", "Maler und Lackierer", "Dachdecker", "Augenoptiker", "Zahntechniker",
        "Fliesen-, Platten- und Mosaikleger", "Raumausstatter", "Orgel- und Harmoniumbauer",
    } <= names


@pytest.mark.parametrize(
    ("description", "trade"),
    [
        ("Ich möchte einen Friseursalon eröffnen", "Friseure"),
        ("Damenfriseur", "Friseure"),
        ("barber shop", "Friseure"),
        ("صالون الحلاقة", "Friseure"),
        ("kuafor", "Friseure"),
        ("парикмахерская", "Friseure"),
        ("перукарня", "Friseure"),
        ("آرایشگاه", "Friseure"),
        ("fryzjer", "Friseure"),
        ("coafor", "Friseure"),
        ("berber", "Friseure"),
        ("Baeckerei übernehmen", "Bäcker"),
        ("baker", "Bäcker"),
        ("piekarnia", "Bäcker"),
        ("elektriker", "Elektrotechniker"),
        ("Elektroinstallateur", "Elektrotechniker"),
        ("elektrikçi", "Elektrotechniker"),
        ("Installateur für Sanitär", "Installateur und Heizungsbauer"),
        ("KFZ-Werkstatt", "Kraftfahrzeugtechniker"),
        ("car mechanic", "Kraftfahrzeugtechniker"),
        ("oto tamir", "Kraftfahrzeugtechniker"),
        ("автомеханик", "Kraftfahrzeugtechniker"),
        ("Malerbetrieb", "Maler und Lackierer"),
        ("house painter", "Maler und Lackierer"),
        ("tâmplar", "Tischler"),
        ("Fliesenleger", "Fliesen-, Platten- und Mosaikleger"),
        ("Konditorei mit Café", "Konditoren"),
    ],
)
def test_finds_the_trade_in_a_founders_words(trades, description, trade):
    found = needs_meister(description, trades)
    assert found is not None and found.name == trade


@pytest.mark.parametrize(
    "description",
    ["IT-Beratung und Softwareentwicklung", "ein normaler Laden", "Nagelstudio", "Kosmetik",
     "Imbiss mit Döner", "Übersetzungsbüro", "Online-Shop für Elektronik", "textile shop",
     "Autohandel", ""],
)
def test_other_businesses_need_no_meister(trades, description):
    assert needs_meister(description, trades) is None


def test_folding_ignores_case_accents_and_umlaut_spellings():
    assert fold("Bäckerei") == fold("BAECKEREI") == fold("backerei")
    assert fold("Fırın") == fold("firin")
    assert fold("KFZ-Werkstatt") == "kfz werkstatt"


def test_a_broken_trades_file_is_reported(tmp_path):
    path = tmp_path / "meister_trades.yml"
    path.write_text(
        "trades:\n"
        "  - name: Bäcker\n"
        "    keywords:\n"
        "      de: [bäcker]\n"
        "  - name: Konditoren\n"
        "    keywords:\n"
        "      en: [pastry]\n"
        "      xx: [gâteau]\n"
        "  - name: Brotbäcker\n"
        "    keywords:\n"
        "      de: [baecker]\n",
        encoding="utf-8",
    )
    with pytest.raises(DataFileError) as caught:
        load_trades(path)
    assert [(p.line, p.message) for p in caught.value.problems] == [
        (7, "keywords is missing 'de'"),
        (8, "unknown key 'xx' in keywords"),
        (11, "keyword 'backer' is also used by Bäcker"),
    ]
