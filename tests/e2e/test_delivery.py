"""How `python -m bot run` delivers: blocked users, flood limits, the webhook and its secret."""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

import aiohttp
import pytest

from bot.i18n import Translations
from tests.conftest import TOKEN
from tests.e2e.conftest import (
    CHECK_IDEA,
    IDEA,
    INTRO,
    KIND,
    MENU,
    REPLY_SECONDS,
    Texts,
    asks,
    chat_texts,
    start_to_menu,
    walk_precheck,
)
from tests.faketelegram import FakeTelegram

pytestmark = pytest.mark.e2e

SECRET = "lotse-e2e_secret-123"
WELCOME = "Welcome to Lotse!"


def sends_to(fake: FakeTelegram, chat_id: int, since: int = 0) -> list[str]:
    """Return the send methods the bot called for chat_id (refused ones too) since call `since`."""
    return [name for name, params in fake.calls[since:]
            if name.startswith("send") and params.get("chat_id") == chat_id]


@pytest.mark.parametrize("action", ["message", "button"])
async def test_blocked_user_is_recorded_and_left_alone(
    launch: Any, fake: FakeTelegram, translations: Translations, database: Any, action: str
) -> None:
    await launch(fake)
    texts = Texts("en", translations)
    user = fake.user(5001, language_code="en")
    await start_to_menu(user, texts)
    assert database("SELECT blocked_at FROM users WHERE chat_id = 5001") == [(None,)]

    user.block()
    since = len(fake.calls)
    if action == "message":  # sent just before blocking; the bot answers with two messages
        await user.send("/start")
    else:  # the answer is an edit and two messages
        await user.press(CHECK_IDEA)
    for _ in range(int(REPLY_SECONDS / 0.05)):
        if database("SELECT blocked_at FROM users WHERE chat_id = 5001 "
                    "AND blocked_at IS NOT NULL"):
            break
        await asyncio.sleep(0.05)
    else:
        raise AssertionError(f"blocked_at was not recorded; calls: {fake.calls[since:]}")
    await asyncio.sleep(0.3)  # give a wrong bot the time to go on sending
    assert len(sends_to(fake, user.id, since)) <= 1, fake.calls[since:]

    user.unblock()
    await start_to_menu(user, texts)
    assert database("SELECT blocked_at FROM users WHERE chat_id = 5001") == [(None,)]


async def test_flood_limits_are_waited_out_and_everything_arrives_in_order(
    launch: Any, translations: Translations
) -> None:
    async with FakeTelegram(TOKEN, global_per_second=5, per_chat_per_second=1.0,
                            per_chat_burst=1) as fake:
        await launch(fake)
        texts = Texts("en", translations)
        users = [fake.user(6000 + n, language_code="en") for n in range(5)]

        async def founder(n: int) -> None:
            user = users[n]
            await start_to_menu(user, texts)
            await user.press(CHECK_IDEA)
            await user.wait_for(asks(texts, IDEA), REPLY_SECONDS)
            await user.send(f"Idea number {n}")
            await user.wait_for(asks(texts, KIND), REPLY_SECONDS)

        await asyncio.gather(*(founder(n) for n in range(len(users))))
        assert fake.stats.too_many_requests > 0, "the limits were never hit"
        first = chat_texts(users[0])
        expected = [WELCOME, f"{MENU}\n\n→ {CHECK_IDEA}", INTRO, IDEA, KIND]
        places = [next((n for n, text in enumerate(first) if text.startswith(e)), -1)
                  for e in expected]
        assert -1 not in places and places == sorted(places), first
        for user in users:
            assert chat_texts(user) == first, "every founder got the same, in the same order"
            times = fake.stats.deliveries[user.id]
            assert all(b - a >= 0.9 for a, b in itertools.pairwise(times)), times
        sent = sum(len(times) for times in fake.stats.deliveries.values())
        assert fake.stats.too_many_requests <= 3 * sent, "the bot retried without waiting"


async def test_webhook_with_secret_token(
    launch: Any, fake: FakeTelegram, translations: Translations
) -> None:
    bot = await launch(fake, TELEGRAM_WEBHOOK_URL="http://127.0.0.1:{port}/telegram",
                       TELEGRAM_WEBHOOK_SECRET=SECRET)
    texts = Texts("en", translations)
    user = fake.user(7001, language_code="en")
    await start_to_menu(user, texts)
    await walk_precheck(user, texts, "A tailor's shop")
    assert not any(name == "getUpdates" for name, _ in fake.calls)
    assert fake.webhook_deliveries
    assert all(d.secret_token == SECRET and d.status == 200 for d in fake.webhook_deliveries)

    url = f"http://127.0.0.1:{bot.port}/telegram"
    update = {"update_id": 999_999, "message": {
        "message_id": 999, "date": 1_700_000_000, "text": "/start",
        "chat": {"id": user.id, "type": "private", "first_name": "Mallory"},
        "from": {"id": user.id, "is_bot": False, "first_name": "Mallory"}}}
    before = len(user.messages())
    async with aiohttp.ClientSession() as http:
        for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"},
                        {"X-Telegram-Bot-Api-Secret-Token": SECRET[:-1]}):
            async with http.post(url, json=update, headers=headers) as response:
                assert response.status == 403, headers
        async with http.get(url) as response:
            assert response.status == 405
    await asyncio.sleep(0.3)
    assert len(user.messages()) == before, "a refused request reached the conversation"
