"""Ten languages: complete catalogs, a first conversation in each, dates, right-to-left text."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from babel import Locale
from babel.messages.pofile import read_po

from bot.app import Lotse
from bot.i18n import LANGUAGES, RIGHT_TO_LEFT, SOURCE_LANGUAGE, Translations, dates
from bot.services.presenter import FIRST_STRONG_ISOLATE as FSI
from bot.services.presenter import POP_DIRECTIONAL_ISOLATE as PDI
from bot.services.presenter import Presenter
from bot.services.privacy import NOTICE
from tests.chat import Founder
from tests.conftest import ROOT

LOCALES = ROOT / "locales"
TRANSLATED = [code for code in LANGUAGES if code != SOURCE_LANGUAGE]
PLACEHOLDER = re.compile(r"\{[a-z_]+\}")
WELCOME = (
    "Welcome to Lotse! I help you take the first steps towards your own business in the "
    "district.\n• I answer your questions in your language.\n• I check your plans with a few "
    "questions and tell you who can help.\n• I book a free appointment with an advisor for you."
)


def cldr_plural_count(language: str) -> int:
    return len(Locale.parse(language).plural_form.tags) + 1


@pytest.mark.parametrize("language", TRANSLATED)
def test_catalog_is_complete_and_consistent(language: str) -> None:
    template = {m.id for m in read_po((LOCALES / "messages.pot").open("rb")) if m.id}
    catalog = read_po((LOCALES / language / "LC_MESSAGES" / "messages.po").open("rb"))
    assert catalog.num_plurals == cldr_plural_count(language), "Plural-Forms header"
    problems = []
    found = set()
    for message in catalog:
        if not message.id:
            continue
        found.add(message.id)
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy:
            problems.append(f"fuzzy: {ids[0]!r}")
        if not all(strings):
            problems.append(f"untranslated: {ids[0]!r}")
        if isinstance(message.id, tuple) and len(strings) != catalog.num_plurals:
            problems.append(f"{len(strings)} plural forms: {ids[0]!r}")
        wanted = set(PLACEHOLDER.findall(ids[-1]))
        problems.extend(f"placeholders differ: {ids[0]!r}" for s in strings
                        if s and set(PLACEHOLDER.findall(s)) != wanted)
    problems.extend(f"missing: {m!r}" for m in template - found)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("language", list(LANGUAGES))
async def test_first_conversation_in_every_language(lotse: Lotse, language: str) -> None:
    founder = Founder(lotse, 4000 + list(LANGUAGES).index(language), language_code=language)
    translations = lotse.translations
    await founder.send("/start")
    welcome, notice, consent = founder.texts()
    assert welcome == translations.gettext(language, WELCOME)
    assert notice.split("\n")[0] == translations.gettext(language, NOTICE).split("\n")[0]
    assert consent == translations.gettext(
        language, "Do you agree that we store your answers for this purpose?")
    await founder.press(translations.gettext(language, "I agree"))
    assert founder.texts()[-1] == translations.gettext(language, "What would you like to do?")
    await founder.press(translations.gettext(language, "Check my business idea"))
    await founder.send("Bäckerei mit Café")
    question = founder.texts()[-1]
    assert question == translations.gettext(language, "What kind of business is it?")
    labels = [b.label for b in founder.buttons()]
    assert translations.gettext(language, "Trade or shop") in labels
    if language != SOURCE_LANGUAGE:
        for text in founder.texts():
            assert text not in {WELCOME, "What would you like to do?"}, text


@pytest.mark.parametrize(("language", "before", "after"), [
    ("de", "Sonntag, 29. März 2026, 01:30", "Sonntag, 29. März 2026, 03:30"),
    ("en", "Sunday, March 29, 2026, 01:30", "Sunday, March 29, 2026, 03:30"),
    ("tr", "29 Mart 2026 Pazar, 01:30", "29 Mart 2026 Pazar, 03:30"),
    ("fa", "یکشنبه ۲۹ مارس ۲۰۲۶, ۰۱:۳۰", "یکشنبه ۲۹ مارس ۲۰۲۶, ۰۳:۳۰"),
])
def test_dates_on_both_sides_of_the_spring_change(language: str, before: str, after: str) -> None:
    early, late = datetime(2026, 3, 29, 0, 30, tzinfo=UTC), datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    for moment, expected in ((early, before), (late, after)):
        shown = f"{dates.day(moment, language)}, {dates.clock(moment, language)}"
        assert shown == expected


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_autumn_change_shows_the_same_wall_clock_twice(language: str) -> None:
    first, second = datetime(2026, 10, 25, 0, 30, tzinfo=UTC), datetime(2026, 10, 25, 1, 30,
                                                                         tzinfo=UTC)
    assert dates.clock(first, language) == dates.clock(second, language)
    assert dates.day(first, language) == dates.day(second, language)


def test_when_says_german_time(lotse: Lotse) -> None:
    shown = Presenter(lotse.translations, "en").when(datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
    assert shown == "Tuesday, December 1, 2026, 10:00 (German time)"


@pytest.mark.parametrize("language", sorted(RIGHT_TO_LEFT))
def test_right_to_left_placeholders_are_isolated(lotse: Lotse, language: str) -> None:
    presenter = Presenter(lotse.translations, language)
    catalog = read_po((LOCALES / language / "LC_MESSAGES" / "messages.po").open("rb"))
    for message in catalog:
        if isinstance(message.id, str) and PLACEHOLDER.search(message.id):
            names = [name.strip("{}") for name in PLACEHOLDER.findall(message.id)]
            shown = presenter.text(message.id, dict.fromkeys(names, "IHK 0441-232"))
            assert f"{FSI}IHK 0441-232{PDI}" in shown, message.id


def test_names_on_buttons_are_isolated_in_right_to_left(lotse: Lotse) -> None:
    from bot.domain.flows import Option

    label = Presenter(lotse.translations, "ar").label(Option("x", "Löningen (49624)"), True)
    assert label == f"{FSI}Löningen (49624){PDI}"


def test_missing_translation_falls_back_to_english_and_is_logged_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    translations = Translations(LOCALES)
    for _ in range(3):
        assert translations.gettext("de", "A text nobody translated") == "A text nobody translated"
    assert sum("A text nobody translated" in r.getMessage() for r in caplog.records) == 1


async def test_switch_is_offered_after_two_messages_in_another_language(lotse: Lotse) -> None:
    founder = Founder(lotse, 4100, language_code="en")
    await founder.start()
    await founder.send("Merhaba, bir kuaför salonu açmak istiyorum")
    assert not any("Türkçe" in b.label for b in founder.buttons())
    await founder.send("Kuaför için hangi belgeler gerekiyor acaba?")
    assert founder.buttons()[0].label == "Türkçe"
    await founder.press("Türkçe")
    switched, menu = founder.texts()[-2:]
    assert switched == lotse.translations.gettext(
        "tr", "Okay, from now on I will write in {language_name}.").format(language_name="Türkçe")
    assert menu == lotse.translations.gettext("tr", "What would you like to do?")


async def test_one_message_in_another_language_changes_nothing(lotse: Lotse) -> None:
    founder = Founder(lotse, 4101, language_code="de")
    await founder.start()
    await founder.send("Hello, I would like to open a small shop in Löningen")
    await founder.send("Ich möchte einen kleinen Laden in Löningen eröffnen")
    assert not any(b.data.startswith("lang|") for b in founder.buttons())
