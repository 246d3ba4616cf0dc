"""kill -9 while a thousand follow-ups go out, restart: all arrive, repeats only in-flight ones."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.scheduler import outbox, plans
from bot.storage.database import Database, migrate, open_engine
from bot.storage.models import User
from tests.conftest import ROOT, TOKEN, free_port
from tests.faketelegram import FakeTelegramRemote

pytestmark = pytest.mark.e2e
FOLLOW_UPS = 1000
RATE = 100  # messages per second, the fake's limit too: keeps the test short


@pytest.fixture
def remote_fake(tmp_path: Path) -> Iterator[FakeTelegramRemote]:
    """The fake Telegram in its own process, with flood limits on."""
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.faketelegram", "--port", "0", "--token", TOKEN,
         "--global-per-second", str(RATE)],
        cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    line = process.stdout.readline()
    found = re.search(r"http://\S+", line)
    assert found, line
    yield FakeTelegramRemote(found.group(0))
    process.terminate()
    process.wait(10)


async def seed(database_url: str) -> None:
    """A thousand founders, each with a nudge that is due."""
    await asyncio.to_thread(migrate, database_url)
    database = Database(open_engine(database_url))
    now = datetime.now(UTC)
    async with database.transaction() as session:
        for chat_id in range(10_001, 10_001 + FOLLOW_UPS):
            user = User(chat_id=chat_id, language="en", created_at=now, last_seen_at=now)
            session.add(user)
            await session.flush()
            await outbox.schedule(session, chat_id=chat_id, user_id=user.id, kind=plans.NUDGE,
                                  reference="1", due_at=now - timedelta(minutes=1), now=now)
    await database.close()


def delivered(fake: FakeTelegramRemote) -> dict[str, int]:
    return {chat: len(times) for chat, times in fake.state()["deliveries"].items()}


def in_flight(database_file: Path) -> int:
    with sqlite3.connect(database_file) as db:
        return int(db.execute("SELECT count(*) FROM follow_ups WHERE status = 'sending'")
                   .fetchone()[0])


async def wait_until(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while not await asyncio.to_thread(condition):
        assert asyncio.get_running_loop().time() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.2)


async def test_a_killed_bot_sends_everything_after_restart_and_repeats_only_in_flight(
        remote_fake: FakeTelegramRemote, tmp_path: Path):
    database_file = tmp_path / "lotse.db"
    database_url = f"sqlite+aiosqlite:///{database_file}"
    for chat_id in range(10_001, 10_001 + FOLLOW_UPS):
        await asyncio.to_thread(remote_fake.user, chat_id, "en")
    await seed(database_url)
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN,
           "TELEGRAM_API_BASE_URL": remote_fake.base_url, "DATABASE_URL": database_url,
           "NLU_URL": f"http://127.0.0.1:{free_port()}", "HTTP_PORT": str(free_port()),
           "TELEGRAM_MESSAGES_PER_SECOND": str(RATE), "QUIET_DAYS": "",
           "QUIET_UNTIL": "00:00", "QUIET_FROM": "23:59:59.999999", "QUIET_ON_HOLIDAYS": "false",
           "FOLLOW_UP_CLAIM_TIMEOUT_SECONDS": "5", "FOLLOW_UP_POLL_SECONDS": "1",
           "LOG_LEVEL": "WARNING"}

    def start() -> subprocess.Popen[bytes]:
        return subprocess.Popen([sys.executable, "-m", "bot", "run"], cwd=ROOT, env=env,
                                stdin=subprocess.DEVNULL)

    bot = start()
    try:
        await wait_until(lambda: sum(delivered(remote_fake).values()) >= 300, 60, "300 sends")
        bot.send_signal(signal.SIGKILL)
        bot.wait(10)
        before = delivered(remote_fake)
        unrecorded = in_flight(database_file)
        assert 300 <= sum(before.values()) < FOLLOW_UPS
        bot = start()
        await wait_until(lambda: len(delivered(remote_fake)) == FOLLOW_UPS, 90, "every chat")
        await asyncio.sleep(1)  # anything sent twice would arrive by now
    finally:
        bot.send_signal(signal.SIGTERM)
        bot.wait(20)
    after = delivered(remote_fake)
    repeats = sum(count - 1 for count in after.values())
    assert len(after) == FOLLOW_UPS
    assert repeats <= unrecorded, (repeats, unrecorded)
    # The first second after the restart may meet the killed process's last sends in
    # Telegram's window: such 429s are waited out, and everything arrived above.
    with sqlite3.connect(database_file) as db:
        assert db.execute("SELECT status, count(*) FROM follow_ups GROUP BY status").fetchall() \
            == [("sent", FOLLOW_UPS)]
