"""What the bot does with typed text, given what the NLU understood (the NLU is a test double)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from bot.app import Lotse, build
from bot.settings import Settings
from tests.chat import Founder
from tests.conftest import Clock


@dataclass(frozen=True)
class Meaning:
    intent: str
    confidence: float
    ranking: tuple[tuple[str, float], ...]


class Understands:
    """Answers every text with the same meaning, as the NLU server would."""

    def __init__(self, *ranking: tuple[str, float]) -> None:
        self.meaning = Meaning(ranking[0][0], ranking[0][1], ranking)

    async def parse(self, text: str, language: str) -> Meaning:
        return self.meaning


@pytest.fixture
def understands() -> list[Understands]:
    return [Understands(("out_of_scope", 1.0))]


@pytest.fixture
async def lotse_with(settings: Settings, clock: Clock,
                     understands: list[Understands]) -> AsyncIterator[Lotse]:
    parts = await build(settings, clock, understander=understands[0])
    yield parts
    await parts.close()


@pytest.mark.parametrize("understands", [[Understands(
    ("ask_cost", 0.31), ("ask_financing", 0.27), ("book_appointment", 0.2), ("greet", 0.05))]])
async def test_unsure_meaning_is_asked_back(lotse_with: Lotse) -> None:
    founder = Founder(lotse_with, 6001)
    await founder.start()
    await founder.send("/cancel")
    await founder.send("money question appointment")
    assert founder.texts()[-1] == "I am not sure I understood. Did you mean one of these?"
    assert [b.label for b in founder.buttons()] == [
        "Is the advice free?", "Money and grants for founders", "Book an appointment",
        "Something else"]
    await founder.press("Is the advice free?")
    assert founder.last.chosen == "Is the advice free?"
    assert "The first advice is free" in founder.last.replies[0].text


@pytest.mark.parametrize("understands", [[Understands(("out_of_scope", 0.93))]])
async def test_out_of_scope_is_redirected_to_the_menu(lotse_with: Lotse) -> None:
    founder = Founder(lotse_with, 6002)
    await founder.start()
    await founder.send("/cancel")
    await founder.send("who wins the football tonight?")
    redirect, menu = founder.texts()[-2:]
    assert redirect.startswith("I can only help with starting a business in the district.")
    assert menu == "What would you like to do?"


@pytest.mark.parametrize("understands", [[Understands(("affirm", 0.9))]])
async def test_a_typed_yes_answers_a_yes_no_question(lotse_with: Lotse) -> None:
    founder = Founder(lotse_with, 6003)
    await founder.start()
    await founder.press("Check my business idea")
    await founder.answer("Bakery", "Craft (for example hairdresser, baker, electrician)", "Bäcker")
    assert "Meister certificate" in founder.texts()[-1]
    await founder.send("jo klar")
    assert founder.texts()[-1].startswith("In which town or municipality")
