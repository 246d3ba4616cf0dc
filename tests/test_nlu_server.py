"""Tests against the real Rasa NLU server at NLU_URL (`make nlu-start nlu-wait` first)."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator

import pytest

from bot.nlu import Entity, KeywordFallback, NluClient

pytestmark = pytest.mark.nlu


# One example per language with the intent the model must find.
EXAMPLES = [
    ("de", "Ich möchte meinen Termin absagen", "cancel_appointment"),
    ("en", "How do I register my business?", "ask_business_registration"),
    ("ar", "أريد حجز موعد مع مستشار", "book_appointment"),
    ("tr", "Vergi numarasını nasıl alırım?", "ask_taxes"),
    ("ru", "Сколько стоит консультация?", "ask_cost"),
    ("uk", "Чи потрібна мені медична страховка?", "ask_insurance"),
    ("fa", "اقامت من اجازه کار آزاد می‌دهد؟", "ask_residence_permit"),
    ("pl", "Czy są dotacje dla zakładających firmę?", "ask_financing"),
    ("ro", "Cum îmi recunosc diploma din străinătate?", "ask_recognition"),
    ("ku", "Spas ji bo alîkariyê", "thanks"),
]


@pytest.fixture(scope="module")
def keywords() -> KeywordFallback:
    return KeywordFallback.load()


@pytest.fixture
async def client(live_server: str, keywords: KeywordFallback) -> AsyncIterator[NluClient]:
    # generous timeout: the first parse after start-up can be slow
    nlu = NluClient(live_server, timeout=10.0, keywords=keywords)
    yield nlu
    await nlu.aclose()


@pytest.mark.parametrize(("language", "text", "intent"), EXAMPLES)
async def test_server_understands_each_language(
    client: NluClient, language: str, text: str, intent: str
) -> None:
    understanding = await client.parse(text, language)
    assert understanding.source == "rasa"
    assert understanding.intent == intent
    assert understanding.confidence >= 0.5
    assert understanding.ranking[0][0] == intent


async def test_server_finds_town_and_business_kind(client: NluClient) -> None:
    understanding = await client.parse("Ich will einen Imbiss in Loeningen eröffnen", "de")
    assert understanding.source == "rasa"
    assert Entity("town", "Löningen", "Loeningen") in understanding.entities
    assert Entity("business_kind", "gastronomy", "Imbiss") in understanding.entities


async def test_server_answers_only_contract_intents(client: NluClient) -> None:
    understanding = await client.parse("Wie wird das Wetter morgen?", "de")
    assert understanding.source == "rasa"
    assert understanding.intent == "out_of_scope"


async def test_server_down_falls_back_to_keywords(
    live_server: str, keywords: KeywordFallback
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    nlu = NluClient(f"http://127.0.0.1:{port}", timeout=0.5, keywords=keywords)
    try:
        understanding = await nlu.parse("Ich möchte meinen Termin absagen", "de")
    finally:
        await nlu.aclose()
    assert (understanding.intent, understanding.source) == ("cancel_appointment", "keywords")
