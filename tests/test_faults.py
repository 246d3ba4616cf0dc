"""Faults and abuse: a flooding user, the NLU server slow, the database away, secrets in logs."""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import time
from collections.abc import AsyncIterator

import asyncpg
import pytest
from aiohttp import web

from bot import logs
from bot.settings import Settings
from tests.conftest import POSTGRES_ADMIN, TOKEN, Clock, fresh_postgres_database, telegram_bot
from tests.faketelegram import FakeTelegram
from tests.test_conversation import MENU, start, texts, until


async def test_a_flooding_user_gets_about_one_answer_per_second_others_are_not_slowed(
    settings: Settings, clock: Clock, fake: FakeTelegram
) -> None:
    settings.flood_messages_per_second, settings.flood_burst = 1.0, 5
    flooder, other = fake.user(8001, language_code="en"), fake.user(8002, language_code="en")
    async with telegram_bot(settings, clock, fake):
        started = time.monotonic()
        for number in range(100):
            await flooder.send(f"spam {number}")
        await start(other)
        await asyncio.sleep(1)
        seconds = time.monotonic() - started
    answered = len([m for m in flooder.messages()])
    assert answered <= 5 * 2 + seconds * 2, answered
    assert texts(other)[-1] == MENU


@pytest.fixture
async def slow_nlu() -> AsyncIterator[str]:
    """An NLU server that answers only after 5 s (or when the test ends)."""
    test_ended = asyncio.Event()

    async def parse(request: web.Request) -> web.Response:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(test_ended.wait(), 5)
        return web.json_response({})

    app = web.Application()
    app.router.add_post("/model/parse", parse)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield f"http://127.0.0.1:{port}"
    test_ended.set()
    await runner.cleanup()


async def test_a_slow_nlu_server_still_gets_an_answer_within_two_seconds(
    settings: Settings, clock: Clock, fake: FakeTelegram, slow_nlu: str
) -> None:
    settings.nlu_url = slow_nlu
    user = fake.user(8003, language_code="en")
    async with telegram_bot(settings, clock, fake):
        await start(user)
        sent = time.monotonic()
        await user.send("Is the advice free?")
        await user.wait_for(1, timeout=5)
        assert time.monotonic() - sent < 2.0
    assert any("The first advice is free" in text for text in texts(user)[-4:])


async def test_while_the_database_is_away_updates_wait_and_are_handled_once_it_is_back(
    settings: Settings, clock: Clock, fake: FakeTelegram
) -> None:
    async with fresh_postgres_database() as url:
        settings.database_url = url
        name = url.rsplit("/", 1)[1]
        user = fake.user(8004, language_code="en")
        admin = await asyncpg.connect(POSTGRES_ADMIN)
        try:
            async with telegram_bot(settings, clock, fake):
                await start(user)
                await user.press("Check my business idea")
                await until(user, "What is your business idea?")
                await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
                await admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                    f"WHERE datname = '{name}'")
                await user.send("Mobile Fahrradwerkstatt")
                await until(user, "technical problem")
                await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
                await until(user, "What kind of business is it?")
                await asyncio.sleep(1.5)
        finally:
            await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
            await admin.close()
    shown = texts(user)
    assert shown.count("What kind of business is it?") == 1
    assert sum("technical problem" in text for text in shown) == 1


async def test_the_bot_token_never_appears_in_logs(
    settings: Settings, clock: Clock, fake: FakeTelegram
) -> None:
    stream = io.StringIO()
    logs.configure("DEBUG", stream)
    logging.getLogger("httpx").setLevel(logging.DEBUG)
    try:
        async with telegram_bot(settings, clock, fake):
            await start(fake.user(8005, language_code="en"))
    finally:
        logs.configure("WARNING")
    written = stream.getvalue()
    assert "/bot<token>/getUpdates" in written
    assert TOKEN not in written and TOKEN.split(":")[1] not in written


async def test_one_log_line_per_update_without_what_the_founder_wrote(
    settings: Settings, clock: Clock, fake: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    import json

    caplog.set_level(logging.INFO)
    user = fake.user(8006, language_code="en", first_name="Leyla")
    async with telegram_bot(settings, clock, fake):
        await start(user)
        await user.press("Check my business idea")
        await until(user, "What is your business idea?")
        await user.send("Schneiderei von Leyla Demir, Tel. 0151 2345678")
        await until(user, "What kind of business is it?")
        await asyncio.sleep(0.3)  # the line is written once the reply is out
    lines = [json.loads(r.getMessage()) for r in caplog.records
             if r.name == "bot.channels.telegram" and r.getMessage().startswith("{")]
    assert [line["update"] for line in lines] == sorted({line["update"] for line in lines})
    assert len(lines) == 4
    assert set(lines[-1]) == {"update", "user", "flow", "step", "outcome", "ms"}
    assert lines[-1]["flow"] == "precheck" and lines[-1]["step"] == "kind"
    assert lines[-1]["user"] != "8006" and len(lines[-1]["user"]) == 12
    written = "\n".join(r.getMessage() for r in caplog.records if r.levelno >= logging.INFO)
    assert "Leyla" not in written and "0151" not in written and "Schneiderei" not in written
