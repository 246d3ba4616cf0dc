"""A founder's first conversation through the real python-telegram-bot Application."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from bot.settings import Settings
from tests.conftest import Clock, telegram_bot
from tests.faketelegram import FakeTelegram, FakeUser

MENU = "What would you like to do?"


def texts(user: FakeUser) -> list[str]:
    return [message.text for message in user.messages()]


async def eventually(condition: Callable[[], bool], seconds: float = 5) -> None:
    """Wait until something the bot does outside the chat history has happened."""
    for _ in range(int(seconds / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the bot did not do it in time")


async def start(user: FakeUser) -> None:
    """Send /start and agree to the privacy notice."""
    await user.send("/start")
    await until(user, "Do you agree that we store your answers")
    await user.press("I agree")
    await until(user, MENU)


async def until(user: FakeUser, text: str) -> str:
    """Wait until the bot's latest message contains `text`; return it."""
    messages = await user.wait_for(lambda ms: bool(ms) and text in ms[-1].text)
    return messages[-1].text


async def test_start_menu_branch_back_cancel(bot: object, fake: FakeTelegram) -> None:
    user = fake.user(1001, language_code="en", first_name="Amira")
    await user.send("/start")
    await until(user, "Do you agree that we store your answers")
    welcome, notice, consent = user.messages()[-3:]
    assert welcome.text.startswith("Welcome to Lotse!")
    assert "book a free appointment" in welcome.text
    assert notice.text.startswith("How we protect your data:")
    assert consent.buttons == [["I agree", "Not now"]]
    await user.press("I agree")
    await until(user, MENU)
    menu = user.messages()[-1]
    assert menu.buttons == [["Check my business idea"], ["Book an appointment"],
                            ["Ask a question"], ["Privacy"]]

    await user.press("Check my business idea")
    await until(user, "What is your business idea?")
    assert user.answered_callbacks, "the pressed button is answered"
    assert user.messages()[-3].text == f"{MENU}\n\n→ Check my business idea"
    assert "a few short questions" in user.messages()[-2].text

    await user.send("A hair salon in Löningen")
    await until(user, "What kind of business is it?")
    assert ["← Back"] in user.messages()[-1].buttons

    await user.press("Craft (for example hairdresser, baker, electrician)")
    await until(user, "Which craft is it?")
    await user.send("Friseurin")
    await until(user, "Meister certificate")
    assert user.messages()[-1].buttons[0] == ["Yes", "No"]

    await user.press("← Back")
    await until(user, "Which craft is it?")
    await user.press("← Back")
    await until(user, "What kind of business is it?")
    await user.press("Trade or shop")
    await until(user, "In which town or municipality")

    await user.send("/cancel")
    await until(user, MENU)
    assert "Okay, I stopped the questions." in texts(user)[-2]


async def test_typed_answer_matches_a_button(bot: object, fake: FakeTelegram) -> None:
    user = fake.user(1002, language_code="en")
    await start(user)
    await user.send("check my business idea")
    await until(user, "What is your business idea?")


async def test_old_button_is_refused_and_changes_nothing(bot: object, fake: FakeTelegram) -> None:
    user = fake.user(1003, language_code="en")
    await start(user)
    await user.press("Check my business idea")
    await until(user, "What is your business idea?")
    menu_message = user.messages()[-3]
    await user.press_data("a|menu|choice|booking", message_id=menu_message.message_id)
    await eventually(lambda: len(user.answered_callbacks) == 3)
    assert user.answered_callbacks[-1].text == "This question is already closed."
    await user.send("A bakery")
    await until(user, "What kind of business is it?")


@pytest.mark.parametrize("kind", ["sticker", "photo", "voice", "location", "edit"])
async def test_input_the_bot_cannot_use(bot: object, fake: FakeTelegram, kind: str) -> None:
    user = fake.user(1004, language_code="en")
    await start(user)
    await user.press("Check my business idea")
    await until(user, "What is your business idea?")
    send = {"sticker": user.send_sticker, "photo": user.send_photo, "voice": user.send_voice,
            "location": lambda: user.send_location(51.18, 9.98),
            "edit": lambda: user.edit("changed")}[kind]
    await send()
    await until(user, "What is your business idea?")
    note = texts(user)[-2]
    expected = "voice messages" if kind == "voice" else "write"
    assert expected in note
    await user.send("Catering for weddings")
    await until(user, "What kind of business is it?")


@pytest.mark.parametrize("text", ["\u200f\u202e\x00\x07", "x" * 4096 + "y"])
async def test_unreadable_or_huge_text(bot: object, fake: FakeTelegram, text: str) -> None:
    user = fake.user(1005, language_code="en")
    await start(user)
    await user.send(text)
    await user.wait_for(1)
    assert any(p in texts(user)[-1] for p in ("could not read", "very long"))


async def test_group_is_told_once(bot: object, fake: FakeTelegram) -> None:
    user = fake.user(1006, language_code="en")
    group = fake.group(-500, "Founders Cloppenburg")
    await user.send("hello bot", chat=group)
    await group.wait_for(1)
    await user.send("/start", chat=group)
    await start(user)
    assert [m.text for m in group.messages()] == [
        "Hello! I only talk in private chats, so that your answers stay private. "
        "Please write to me directly."
    ]


async def test_restart_continues_the_conversation(
    settings: Settings, clock: Clock, fake: FakeTelegram
) -> None:
    user = fake.user(1007, language_code="en")
    async with telegram_bot(settings, clock, fake):
        await start(user)
        await user.press("Check my business idea")
        await until(user, "What is your business idea?")
    async with telegram_bot(settings, clock, fake):
        await user.send("Mobile bicycle repair")
        await until(user, "What kind of business is it?")


async def test_same_update_twice_is_handled_once(lotse: object) -> None:
    from bot.app import Lotse
    from bot.services.events import Command, Sender

    assert isinstance(lotse, Lotse)
    sender = Sender(2001, "en", update_id=77)
    first = await lotse.turns.handle(Command(sender, "start"))
    second = await lotse.turns.handle(Command(sender, "start"))
    assert first.replies and not second.replies
    assert second.result == "duplicate"
