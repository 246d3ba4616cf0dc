"""Founders talk to `python -m bot run`: a whole check, a crash in between, twenty at once."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import yaml

from bot.i18n import Translations
from tests.conftest import ROOT
from tests.e2e.conftest import (
    CHECK_IDEA,
    IDEA,
    INTRO,
    KIND,
    LANGUAGE,
    MENU,
    REPLY_SECONDS,
    Texts,
    answer,
    asks,
    chat_texts,
    start_to_menu,
    walk,
    walk_precheck,
)
from tests.faketelegram import FakeTelegram, FakeUser

pytestmark = pytest.mark.e2e

THANKS = "Thank you! Your answers are saved."
CONSENT = "Do you agree that we store your answers for this purpose?"
MENU_BUTTONS = [[CHECK_IDEA], ["Book an appointment"], ["Ask a question"], ["Privacy"]]


def welcome() -> str:
    steps = yaml.safe_load((ROOT / "flows" / "start.yml").read_text(encoding="utf-8"))["steps"]
    return str(next(step["say"] for step in steps if step["id"] == "welcome"))


def ended_right(user: FakeUser, texts: Texts, idea: str) -> None:
    """Assert the check ended with the thanks or a summary of the answers, then the menu."""
    *before, menu = user.messages()
    assert menu.text == texts(MENU)
    assert menu.buttons == [[texts(label) for label in row] for row in MENU_BUTTONS]
    check = [m.text for m in before]
    check = check[next(n for n, text in enumerate(check) if texts.question(text) == IDEA):]
    assert any(texts(THANKS) in text or idea in text for text in check), check


async def test_start_language_menu_and_a_whole_check(
    launch: Any, fake: FakeTelegram, translations: Translations
) -> None:
    await launch(fake)
    user = fake.user(3001, language_code="ja", first_name="Amira")
    await user.send("/start")
    messages = await user.wait_for(asks(Texts("en", translations), LANGUAGE), REPLY_SECONDS)
    assert messages[-1].text == LANGUAGE
    offered = [label for row in messages[-1].buttons for label in row]
    assert "Deutsch" in offered and "English" in offered

    await user.press("Deutsch")
    german = Texts("de", translations)
    assert await walk(user, german, "", messages[-1].message_id) == [CONSENT]
    shown = chat_texts(user)
    assert shown[0] == f"{LANGUAGE}\n\n→ Deutsch"
    assert shown[1] == german(welcome().strip())
    assert shown[-2] == f"{german(CONSENT)}\n\n→ {german('I agree')}"
    assert user.messages()[-1].buttons == [[german(label) for label in row]
                                           for row in MENU_BUTTONS]

    idea = "Ein Friseursalon in Löningen"
    asked = await walk_precheck(user, german, idea)
    assert asked[:2] == [IDEA, KIND]
    assert german(INTRO) in chat_texts(user)
    ended_right(user, german, idea)
    presses = sum(1 for m in user.messages() if "\n\n→ " in m.text)
    assert len(user.answered_callbacks) == presses, "every pressed button is answered once"


async def test_crash_mid_flow_loses_nothing_and_repeats_nothing(
    launch: Any, fake: FakeTelegram, translations: Translations
) -> None:
    bot = await launch(fake)
    texts = Texts("en", translations)
    user = fake.user(3002, language_code="en")
    await start_to_menu(user, texts)
    await user.press(CHECK_IDEA)
    idea = (await user.wait_for(asks(texts, IDEA), REPLY_SECONDS))[-1].message_id

    await bot.kill()
    await user.send("Mobile bicycle repair")  # waits at Telegram while the bot is down
    await bot.start()
    kind = (await user.wait_for(asks(texts, KIND, idea), REPLY_SECONDS))[-1].message_id

    await bot.kill()
    await bot.start()
    await answer(user, texts, "unused")
    asked = await walk(user, texts, "unused", kind)
    ended_right(user, texts, "Mobile bicycle repair")

    shown = chat_texts(user)
    questions = [texts.question(text.split("\n\n→ ")[0]) for text in shown]
    assert questions.count(IDEA) == 1 and questions.count(KIND) == 1, shown
    assert questions.count(MENU) == 2, shown
    assert len(set(asked)) == len(asked), f"a question came twice: {asked}"
    assert all(a.text is None for a in user.answered_callbacks), "no button was taken as stale"


async def test_twenty_founders_at_once_each_in_their_own_chat(
    launch: Any, fake: FakeTelegram, translations: Translations
) -> None:
    await launch(fake)
    languages = translations.languages
    founders = [(fake.user(4000 + n, language_code=languages[n % len(languages)]),
                 Texts(languages[n % len(languages)], translations),
                 f"Idee {n}: Laden Nummer {n * 7919}") for n in range(20)]

    async def founder(user: FakeUser, texts: Texts, idea: str) -> None:
        await start_to_menu(user, texts)
        asked = await walk_precheck(user, texts, idea)
        assert asked[:2] == [IDEA, KIND]
        ended_right(user, texts, idea)

    await asyncio.gather(*(founder(*f) for f in founders))
    for user, texts, _ in founders:
        shown = chat_texts(user)
        for other, other_texts, other_idea in founders:
            if other is not user:
                assert not any(other_idea in text for text in shown), (user.id, other_idea)
                if other_texts(MENU) != texts(MENU):
                    assert other_texts(MENU) not in shown, f"{user.id} got another language"
