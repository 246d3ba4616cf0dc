"""The bot with the real Rasa server: side questions in a flow, clarifying, redirecting."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.app import Lotse, build
from bot.nlu import NluClient
from bot.settings import Settings
from tests.chat import Founder
from tests.conftest import NLU_URL, Clock

pytestmark = pytest.mark.nlu

VAGUE = ["Termin Geld Sprache", "Frage wegen Papiere und Kosten", "hilfe termin", "was ist mit Amt",
         "help money language", "ich brauche Infos"]


@pytest.fixture
async def understood(settings: Settings, clock: Clock, live_server: str) -> AsyncIterator[Lotse]:
    settings.nlu_url = live_server
    parts = await build(settings, clock)
    yield parts
    await parts.close()


async def test_side_question_in_a_flow_is_answered_and_the_question_comes_back(
    understood: Lotse,
) -> None:
    founder = Founder(understood, 5001, language_code="de")
    await founder.start()
    await founder.press(understood.translations.gettext("de", "Check my business idea"))
    await founder.send("Ein kleines Café")
    kind_question = founder.texts()[-1]
    await founder.send("Ist die Beratung eigentlich kostenlos?")
    answer, _disclaimer, again = founder.texts()[-3:]
    assert "IHK" in answer and "Handwerkskammer" in answer
    assert again == kind_question


async def test_a_question_outside_any_flow_gets_its_answer(understood: Lotse) -> None:
    founder = Founder(understood, 5002, language_code="tr")
    await founder.start()
    await founder.send("/cancel")
    await founder.send("Vergi numarasını nasıl alırım?")
    assert any("ELSTER" in text for text in founder.texts()[-4:])


async def test_an_unsure_meaning_is_asked_back_with_the_likeliest_choices(
    understood: Lotse,
) -> None:
    nlu = NluClient(NLU_URL)
    unsure = []
    for text in VAGUE:
        meaning = await nlu.parse(text, "de")
        if meaning.confidence < 0.5 and sum(c >= 0.15 for _, c in meaning.ranking[:3]) >= 2:
            unsure.append(text)
    await nlu.aclose()
    assert unsure, "none of the vague texts leaves the model unsure"
    founder = Founder(understood, 5003, language_code="de")
    await founder.start()
    await founder.send("/cancel")
    await founder.send(unsure[0])
    buttons = founder.buttons()
    assert founder.texts()[-1] == understood.translations.gettext(
        "de", "I am not sure I understood. Did you mean one of these?")
    assert 3 <= len(buttons) <= 4 and all(b.data.startswith("i|") for b in buttons)
    await founder.press(buttons[0].label)
    assert founder.last.chosen == buttons[0].label
