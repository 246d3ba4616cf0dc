"""Fast tests: the keyword fallback, the NLU data files, and the client against a stub."""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from aiohttp import web

from bot.nlu import INTENTS, Entity, KeywordFallback, KeywordFileError, NluClient
from bot.nlu.keywords import DEFAULT_KEYWORDS, DEFAULT_LOOKUPS, LANGUAGES, normalize

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def keywords() -> KeywordFallback:
    return KeywordFallback.load()


# ---------------------------------------------------------------- keyword fallback


def test_normalize_folds_case_accents_and_lookalike_letters() -> None:
    assert normalize("KÜNDIGEN!") == normalize("kundigen")
    assert normalize("Teşekkür ederim") == normalize("tesekkur EDERIM")
    assert normalize("Iİıi") == "iiii"
    assert normalize("كيف") == normalize("کیف")  # Arabic kaf/yeh vs Persian
    assert normalize("می‌خواهم") == "می خواهم"  # zero-width non-joiner


@pytest.mark.parametrize(
    ("language", "text", "intent"),
    [
        ("de", "Ich möchte meinen Termin absagen", "cancel_appointment"),
        ("de", "Kann ich einen Termin vereinbaren?", "book_appointment"),
        ("de", "Wann ist mein Termin?", "my_appointments"),
        ("en", "I want to talk to a real person", "ask_human"),
        ("en", "Do I need health insurance?", "ask_insurance"),
        ("ar", "كم تكلفة الاستشارة؟", "ask_cost"),
        ("ar", "شكرا جزيلا", "thanks"),
        ("tr", "Vergi numarasını nasıl alırım?", "ask_taxes"),
        ("tr", "randevumu iptal etmek istiyorum", "cancel_appointment"),
        ("ru", "Где находится офис?", "ask_location"),
        ("uk", "Мені потрібна допомога", "help"),
        ("fa", "وقت مشاوره می‌خواهم", "book_appointment"),
        ("pl", "Czy są dotacje dla firm?", "ask_financing"),
        ("ro", "Cum obțin recunoașterea diplomei?", "ask_recognition"),
        ("ku", "Silav, rojbaş", "greet"),
        ("ku", "Erê", "affirm"),
        ("ru", "нет", "deny"),
    ],
)
def test_keywords_recognise_the_useful_intents(
    keywords: KeywordFallback, language: str, text: str, intent: str
) -> None:
    understanding = keywords.understand(text, language)
    assert understanding.intent == intent
    assert understanding.source == "keywords"
    assert understanding.ranking[0] == (intent, understanding.confidence)


def test_keywords_ignore_case_and_diacritics(keywords: KeywordFallback) -> None:
    assert keywords.understand("TESEKKURLER", "tr").intent == "thanks"
    assert keywords.understand("multumesc frumos", "ro").intent == "thanks"
    assert keywords.understand("ANERKENNUNG meines Abschlusses", "de").intent == "ask_recognition"


def test_german_words_are_understood_in_every_language(keywords: KeywordFallback) -> None:
    assert keywords.understand("Gewerbeanmeldung?", "ar").intent == "ask_business_registration"
    assert keywords.understand("Termin", "fa").intent == "book_appointment"


def test_the_first_intent_in_file_order_wins(keywords: KeywordFallback) -> None:
    understanding = keywords.understand("Termin absagen", "de")
    assert understanding.intent == "cancel_appointment"
    assert [name for name, _ in understanding.ranking] == [
        "cancel_appointment",
        "book_appointment",
    ]


def test_prefix_keywords_match_word_beginnings_only(keywords: KeywordFallback) -> None:
    assert keywords.understand("Terminvereinbarung bitte", "de").intent == "book_appointment"
    # "ja" is a whole-word keyword: "Jahr" is not a yes
    assert keywords.understand("nächstes Jahr", "de").intent == "out_of_scope"


def test_nothing_matched_is_out_of_scope(keywords: KeywordFallback) -> None:
    understanding = keywords.understand("qwertz uiop", "de")
    assert understanding.intent == "out_of_scope"
    assert understanding.confidence == 0.0


def test_keywords_find_towns_districts_and_business_kinds(keywords: KeywordFallback) -> None:
    entities = keywords.understand("Ich will einen Imbiss in Loeningen eröffnen", "de").entities
    assert Entity("town", "Löningen", "Loeningen") in entities
    assert Entity("business_kind", "gastronomy", "Imbiss") in entities


def test_a_district_hides_the_town_of_the_same_name(keywords: KeywordFallback) -> None:
    entities = keywords.entities("Beratung im Landkreis Cloppenburg")
    assert entities == (Entity("district", "Landkreis Cloppenburg", "Landkreis Cloppenburg"),)


def test_business_kinds_are_found_in_other_scripts(keywords: KeywordFallback) -> None:
    assert keywords.entities("хочу открыть интернет-магазин") == (
        Entity("business_kind", "online_shop", "интернет-магазин"),
    )
    assert keywords.entities("أريد أن أفتح مطعم") == (
        Entity("business_kind", "gastronomy", "مطعم"),
    )


def test_the_keyword_file_covers_every_language_for_the_useful_intents() -> None:
    data = yaml.safe_load(DEFAULT_KEYWORDS.read_text(encoding="utf-8"))["intents"]
    useful = {
        "help", "ask_human", "book_appointment", "cancel_appointment", "my_appointments",
        "ask_cost", "ask_residence_permit", "ask_business_registration", "ask_financing",
        "ask_recognition", "ask_taxes", "ask_insurance", "ask_language_support", "ask_location",
        "greet", "thanks", "affirm", "deny", "change_language",
    }  # fmt: skip
    assert useful <= set(data)
    for intent in useful:
        assert set(data[intent]) == set(LANGUAGES), intent
        assert all(data[intent][lang] for lang in LANGUAGES), intent


@pytest.mark.parametrize(
    ("content", "line", "problem"),
    [
        ("intents:\n  greet:\n    de: [hallo]\n  say_hello:\n    de: [hi]\n", 4, "unknown intent"),
        ("intents:\n  greet:\n    xx: [hallo]\n", 3, "unknown language"),
        ("intents:\n  greet:\n    de: hallo\n", 3, "must be a list"),
        ("intents:\n  greet:\n    de: [hallo, '*']\n", 3, "non-empty"),
        ("intents:\n  greet:\n    de: [hallo\n", 4, "invalid YAML"),
        ("version: 1\n", 1, "missing `intents:`"),
    ],
)
def test_mistakes_in_the_keyword_file_name_file_and_line(
    tmp_path: Path, content: str, line: int, problem: str
) -> None:
    path = tmp_path / "keywords.yml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(KeywordFileError) as error:
        KeywordFallback.load(path, None)
    assert error.value.line == line
    assert problem in error.value.problem
    assert str(error.value).startswith(f"{path}:{line}: ")


# ---------------------------------------------------------------- the NLU data contract


def test_domain_lists_exactly_the_contract_intents() -> None:
    domain = yaml.safe_load((ROOT / "nlu" / "domain.yml").read_text(encoding="utf-8"))
    assert tuple(domain["intents"]) == INTENTS
    assert set(domain["entities"]) == {"town", "district", "business_kind"}


def test_every_synonym_is_also_in_its_lookup_table() -> None:
    items = yaml.safe_load(DEFAULT_LOOKUPS.read_text(encoding="utf-8"))["nlu"]
    forms: set[str] = set()
    for item in items:
        if "lookup" in item:
            forms |= {line[2:].strip() for line in item["examples"].splitlines() if line.strip()}
    canonical = {
        "trade", "gastronomy", "craft", "services", "liberal_profession", "agriculture",
        "online_shop",
    }  # fmt: skip
    for item in items:
        if "synonym" in item:
            examples = {line[2:].strip() for line in item["examples"].splitlines() if line.strip()}
            assert examples <= forms, (item["synonym"], examples - forms)
    business = next(i for i in items if i.get("lookup") == "business_kind")["examples"]
    values = {i["synonym"] for i in items if "synonym" in i}
    assert canonical <= values | set(business.split())


def test_lookup_entries_start_and_end_with_a_letter() -> None:
    # Rasa wraps each entry in \b...\b, so "Essen (Oldenburg)" would never match.
    items = yaml.safe_load(DEFAULT_LOOKUPS.read_text(encoding="utf-8"))["nlu"]
    for item in items:
        if "lookup" in item:
            for line in item["examples"].splitlines():
                entry = line.strip()[2:].strip()
                assert entry[:1].isalnum() and entry[-1:].isalnum(), entry


# ---------------------------------------------------------------- client against a stub


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@pytest.fixture
async def stub() -> AsyncIterator[Callable[[Handler], Awaitable[str]]]:
    """Serve one handler at POST /model/parse on a free port; return its base URL."""
    runners: list[web.AppRunner] = []

    async def serve(handler: Handler) -> str:
        app = web.Application()
        app.router.add_post("/model/parse", handler)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        runners.append(runner)
        port = runner.addresses[0][1]
        return f"http://127.0.0.1:{port}"

    yield serve
    for runner in runners:
        await runner.cleanup()


def rasa_answer(text: str, intent: str, confidence: float, **extra: Any) -> dict[str, Any]:
    return {
        "text": text,
        "intent": {"name": intent, "confidence": confidence},
        "intent_ranking": [{"name": intent, "confidence": confidence}],
        "entities": [],
        **extra,
    }


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_server_down_falls_back_to_keywords(keywords: KeywordFallback) -> None:
    client = NluClient(f"http://127.0.0.1:{closed_port()}", timeout=0.5, keywords=keywords)
    try:
        understanding = await client.parse("Ich möchte meinen Termin absagen", "de")
    finally:
        await client.aclose()
    assert understanding.source == "keywords"
    assert understanding.intent == "cancel_appointment"


async def test_slow_server_falls_back_to_keywords(
    stub: Callable[[Handler], Awaitable[str]], keywords: KeywordFallback
) -> None:
    async def slow(request: web.Request) -> web.StreamResponse:
        await asyncio.sleep(1)
        return web.json_response(rasa_answer("x", "greet", 0.9))

    client = NluClient(await stub(slow), timeout=0.2, keywords=keywords)
    try:
        started = asyncio.get_running_loop().time()
        understanding = await client.parse("Danke!", "de")
        elapsed = asyncio.get_running_loop().time() - started
    finally:
        await client.aclose()
    assert understanding.source == "keywords"
    assert understanding.intent == "thanks"
    assert elapsed < 1.0


async def test_server_errors_and_garbage_fall_back_to_keywords(
    stub: Callable[[Handler], Awaitable[str]], keywords: KeywordFallback
) -> None:
    async def broken(request: web.Request) -> web.StreamResponse:
        return web.Response(status=500, text="model not loaded")

    async def garbage(request: web.Request) -> web.StreamResponse:
        return web.Response(text="<html>proxy error</html>", content_type="text/html")

    for handler in (broken, garbage):
        client = NluClient(await stub(handler), timeout=0.5, keywords=keywords)
        try:
            understanding = await client.parse("Hallo", "de")
        finally:
            await client.aclose()
        assert (understanding.intent, understanding.source) == ("greet", "keywords")


async def test_fallback_is_logged_once_per_state_change(
    stub: Callable[[Handler], Awaitable[str]],
    keywords: KeywordFallback,
    caplog: pytest.LogCaptureFixture,
) -> None:
    healthy = True

    async def flaky(request: web.Request) -> web.StreamResponse:
        if not healthy:
            return web.Response(status=503)
        return web.json_response(rasa_answer("Hallo", "greet", 0.97))

    client = NluClient(await stub(flaky), timeout=0.5, keywords=keywords)
    caplog.set_level(logging.INFO, logger="bot.nlu.client")
    try:
        assert (await client.parse("Hallo", "de")).source == "rasa"
        healthy = False
        for _ in range(3):
            assert (await client.parse("Hallo", "de")).source == "keywords"
        healthy = True
        for _ in range(2):
            assert (await client.parse("Hallo", "de")).source == "rasa"
    finally:
        await client.aclose()
    messages = [r.getMessage() for r in caplog.records if r.name == "bot.nlu.client"]
    assert len(messages) == 2
    assert "keyword fallback" in messages[0]
    assert "answers again" in messages[1]


async def test_rasa_answer_becomes_an_understanding(
    stub: Callable[[Handler], Awaitable[str]], keywords: KeywordFallback
) -> None:
    text = "Imbiss im Landkreis Cloppenburg"

    async def answer(request: web.Request) -> web.StreamResponse:
        body = await request.json()
        assert body == {"text": text}
        return web.json_response(
            rasa_answer(
                text,
                "start_business",
                0.93,
                intent_ranking=[
                    {"name": "start_business", "confidence": 0.93},
                    {"name": "nlu_fallback", "confidence": 0.04},
                    {"name": "ask_location", "confidence": 0.03},
                ],
                entities=[
                    {"entity": "business_kind", "value": "gastronomy", "start": 0, "end": 6},
                    {"entity": "town", "value": "Cloppenburg", "start": 20, "end": 31},
                    {
                        "entity": "district",
                        "value": "Landkreis Cloppenburg",
                        "start": 10,
                        "end": 31,
                    },
                ],
            )
        )

    client = NluClient(await stub(answer), keywords=keywords)
    try:
        understanding = await client.parse(text, "de")
    finally:
        await client.aclose()
    assert understanding.source == "rasa"
    assert understanding.intent == "start_business"
    assert understanding.ranking == (
        ("start_business", 0.93),
        ("out_of_scope", 0.04),
        ("ask_location", 0.03),
    )
    assert understanding.entities == (
        Entity("business_kind", "gastronomy", "Imbiss"),
        Entity("district", "Landkreis Cloppenburg", "Landkreis Cloppenburg"),
    )


async def test_unsure_rasa_gives_way_to_a_keyword_match(
    stub: Callable[[Handler], Awaitable[str]], keywords: KeywordFallback
) -> None:
    async def unsure(request: web.Request) -> web.StreamResponse:
        return web.json_response(rasa_answer("", "ask_location", 0.21))

    client = NluClient(await stub(unsure), keywords=keywords, unsure_below=0.5)
    try:
        understanding = await client.parse("Wie viel kostet das?", "de")
        no_keyword = await client.parse("xyz", "de")
    finally:
        await client.aclose()
    assert (understanding.intent, understanding.source) == ("ask_cost", "keywords")
    assert (no_keyword.intent, no_keyword.source) == ("ask_location", "rasa")
