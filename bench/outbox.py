"""Send 10,000 due follow-ups through the fake Telegram with its flood limits on."""

from __future__ import annotations

import asyncio
import os
import re
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
from sqlalchemy import func, insert, select

from bot.app import build
from bot.channels.telegram_sender import TelegramSender
from bot.directory import load_directory
from bot.scheduler import dispatcher as make_dispatcher
from bot.scheduler import plans
from bot.scheduler.pacing import HEADROOM
from bot.settings import Settings
from bot.storage.models import FollowUp, User
from tests.conftest import ROOT
from tests.faketelegram import FakeTelegramRemote

FOLLOW_UPS = int(os.environ.get("BENCH_FOLLOW_UPS", "10000"))
LIMIT = int(os.environ.get("BENCH_OUTBOX_LIMIT", "100"))  # per second; Telegram allows 30
TOKEN = "123456:BENCH"


@asynccontextmanager
async def fake_process() -> AsyncIterator[FakeTelegramRemote]:
    """The fake Telegram in its own process, so it does not share the bot's CPU."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.faketelegram", "--port", "0", "--token", TOKEN,
        "--global-per-second", str(LIMIT), cwd=ROOT, stdout=asyncio.subprocess.PIPE)
    assert process.stdout is not None
    line = (await process.stdout.readline()).decode()
    found = re.search(r"http://\S+", line)
    assert found, line
    fake = FakeTelegramRemote(found.group(0))
    async with aiohttp.ClientSession() as http:
        for first in range(1, FOLLOW_UPS + 1, 100):
            await asyncio.gather(*(
                http.post(f"{fake.base}/_fake/users", json={"id": c, "language_code": "en"})
                for c in range(first, min(first + 100, FOLLOW_UPS + 1))))
    try:
        yield fake
    finally:
        process.terminate()
        await process.wait()


async def run() -> str:
    with tempfile.TemporaryDirectory() as folder:
        async with fake_process() as fake:
            settings = Settings(
                _env_file=None, database_url=f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}",
                nlu_url="http://127.0.0.1:9", telegram_bot_token=TOKEN,
                telegram_api_base_url=fake.base_url, telegram_messages_per_second=LIMIT,
                quiet_days="", quiet_until="00:00", quiet_from="23:59:59.999999",
                quiet_on_holidays=False)
            lotse = await build(settings)
            now = datetime.now(UTC)
            async with lotse.database.transaction() as session:
                await session.execute(insert(User), [
                    {"chat_id": c, "language": "en", "created_at": now, "last_seen_at": now}
                    for c in range(1, FOLLOW_UPS + 1)])
                await session.execute(insert(FollowUp), [
                    {"chat_id": c, "user_id": c, "kind": plans.NUDGE, "reference": "1",
                     "due_at": now - timedelta(minutes=1), "status": "pending", "attempts": 0,
                     "created_at": now} for c in range(1, FOLLOW_UPS + 1)])
            async with TelegramSender(settings) as sender:
                dispatcher = make_dispatcher(lotse, sender, load_directory(settings.directory_dir))
                started = time.perf_counter()
                await dispatcher.run_due()
                seconds = time.perf_counter() - started
            async with lotse.database.transaction() as session:
                sent = await session.scalar(
                    select(func.count()).select_from(FollowUp).where(FollowUp.status == "sent"))
            await lotse.close()
            state = fake.state()
            deliveries = state["deliveries"]
            times = sorted(t for chat in deliveries.values() for t in chat)
            delivered = len(deliveries)
            repeated = sum(len(chat) - 1 for chat in deliveries.values())
            sustained = (len(times) - 1) / (times[-1] - times[0])
    return "\n".join([
        "## Follow-ups through the fake Telegram (flood limits on)",
        "",
        f"{FOLLOW_UPS:,} due follow-ups for {FOLLOW_UPS:,} users, SQLite, limit {LIMIT}/s overall "
        f"and 1/s per chat (Telegram's 30/s scaled up), pacing at {HEADROOM:.0%} of the limits.",
        "",
        "| what | figure | goal |",
        "|---|---|---|",
        f"| sustained send rate | {sustained:,.1f}/s = {sustained / LIMIT:.3f} of the limit | "
        "≥ 0.95 |",
        f"| whole run | {seconds:.1f} s | |",
        f"| 429 responses | {state['too_many_requests']} | 0 |",
        f"| lost (not delivered) | {FOLLOW_UPS - delivered} | 0 |",
        f"| repeated | {repeated} | 0 |",
        f"| recorded as sent | {sent:,} | {FOLLOW_UPS:,} |",
    ])


if __name__ == "__main__":
    print(asyncio.run(run()))
