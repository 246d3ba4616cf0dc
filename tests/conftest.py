"""Shared fixtures: settings on a fresh database, the bot's parts, PostgreSQL, the fake Telegram."""

from __future__ import annotations

import asyncio
import os
import socket
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from bot.app import Lotse, build
from bot.channels.telegram import build_application, poll
from bot.settings import Settings
from tests.faketelegram import FakeTelegram

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123456:TEST-token-for-the-fake-server"
DATA_KEY = "x3v6V0o2Qm7C8eKq9h0LgP4yZbWn1TtRsUaJdFcXkE8="
NLU_URL = os.environ.get("NLU_URL", "http://127.0.0.1:5005")
POSTGRES_ADMIN = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings on a new SQLite file; the NLU server is away, so keywords answer."""
    return Settings(
        _env_file=None,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'lotse.db'}",
        nlu_url=f"http://127.0.0.1:{free_port()}",
        telegram_bot_token=TOKEN,
        data_keys=DATA_KEY,
        flood_messages_per_second=50.0,
        flood_burst=50,
    )


@pytest.fixture
async def lotse(settings: Settings, clock: Clock) -> AsyncIterator[Lotse]:
    parts = await build(settings, clock)
    yield parts
    await parts.close()


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    """A fake Telegram without flood limits (tests of the limits set their own)."""
    async with FakeTelegram(TOKEN, global_per_second=None, per_chat_per_second=None) as server:
        yield server


def _postgres_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return True
    except OSError:
        return False


@asynccontextmanager
async def fresh_postgres_database() -> AsyncIterator[str]:
    """Create an empty PostgreSQL database and drop it afterwards; skip without a server."""
    import asyncpg

    try:
        admin = await asyncpg.connect(POSTGRES_ADMIN, timeout=3)
    except (OSError, asyncpg.PostgresError) as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is required in CI but not reachable: {error}")
        pytest.skip(f"PostgreSQL is not reachable at {POSTGRES_ADMIN}: {error}")
    name = f"lotse_test_{uuid.uuid4().hex[:12]}"
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@pytest.fixture
async def postgres_url() -> AsyncIterator[str]:
    """A new, empty PostgreSQL database for one test."""
    async with fresh_postgres_database() as url:
        yield url


@asynccontextmanager
async def telegram_bot(settings: Settings, clock: Clock, fake: FakeTelegram
                       ) -> AsyncIterator[Lotse]:
    """Run the real python-telegram-bot Application in process against the fake server."""
    settings.telegram_api_base_url = fake.base_url
    parts = await build(settings, clock)
    application, channel = build_application(parts)
    stop = asyncio.Event()
    async with application:
        poller = asyncio.create_task(poll(application, channel, stop, wait_seconds=1))
        try:
            yield parts
        finally:
            stop.set()
            poller.cancel()
            await asyncio.gather(poller, return_exceptions=True)
    await parts.close()


@pytest.fixture
async def bot(settings: Settings, clock: Clock, fake: FakeTelegram) -> AsyncIterator[Lotse]:
    async with telegram_bot(settings, clock, fake) as parts:
        yield parts


def server_answers() -> str | None:
    """Return None if the server answers GET /, else why not."""
    try:
        response = httpx.get(f"{NLU_URL}/", timeout=2.0)
    except httpx.HTTPError as exc:
        return f"{type(exc).__name__}: {exc}"
    return None if response.status_code == 200 else f"GET / answered {response.status_code}"


@pytest.fixture(scope="session")
def live_server() -> str:
    problem = server_answers()
    if problem is not None:
        message = (
            f"Rasa NLU server at {NLU_URL} is not answering ({problem}); "
            "run `make nlu-start nlu-wait`"
        )
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return NLU_URL
