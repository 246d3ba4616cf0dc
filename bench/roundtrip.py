"""Round trips through the fake Telegram: a bare PTB echo bot versus Lotse on a button step."""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from bench.common import HEADER, ROOT, Figures
from tests.conftest import TOKEN, free_port
from tests.e2e.conftest import (
    CHECK_IDEA,
    IDEA,
    KIND,
    BotProcess,
    Texts,
    asks,
    start_to_menu,
)
from tests.faketelegram import FakeTelegram, FakeUser

USERS = 20
ROUNDS = 20
REPLY_SECONDS = 30
KIND_ANSWER = "Trade or shop"


@asynccontextmanager
async def subprocess_bot(args: list[str], env: dict[str, str], log: Path) -> AsyncIterator[None]:
    """Run a bot process with its output in log; stop it with SIGTERM afterwards."""
    with log.open("w") as stream:
        process = await asyncio.create_subprocess_exec(
            sys.executable, *args, cwd=ROOT, env={**os.environ, **env},
            stdin=asyncio.subprocess.DEVNULL, stdout=stream, stderr=stream,
        )
    try:
        yield
    finally:
        process.terminate()
        await process.wait()


async def measure(label: str, users: list[FakeUser],
                  trip: Callable[[FakeUser, int], Awaitable[None]]) -> Figures:
    """Let every user make ROUNDS round trips at once; time each one."""
    seconds: list[float] = []

    async def user_trips(user: FakeUser) -> None:
        for number in range(ROUNDS):
            started = time.perf_counter()
            await trip(user, number)
            seconds.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(user_trips(user) for user in users))
    wall = time.perf_counter() - started
    return Figures(f"{label}, {len(users)} users × {ROUNDS}", seconds, len(seconds) / wall)


async def echo_bot(tmp: Path) -> Figures:
    """(a) A bare python-telegram-bot Application that echoes text, long polling."""
    async with FakeTelegram(TOKEN, global_per_second=None, per_chat_per_second=None) as fake:
        env = {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": fake.base_url}
        async with subprocess_bot(["-m", "bench.echo_bot"], env, tmp / "echo.log"):
            users = [fake.user(8000 + n, language_code="en") for n in range(USERS)]

            async def trip(user: FakeUser, number: int) -> None:
                text = f"message {number} from {user.id}"
                await user.send(text)
                await user.wait_for(lambda ms: bool(ms) and ms[-1].text == text, REPLY_SECONDS)

            await asyncio.gather(*(trip(user, -1) for user in users))  # warm up
            return await measure("a) PTB echo bot: text → echo", users, trip)


async def lotse(tmp: Path, label: str, messages_per_second: str) -> Figures:
    """(b) `python -m bot run` answering a button step of the pre-founding check."""
    from bot.i18n import Translations

    texts = Texts("en", Translations(ROOT / "locales"))
    async with FakeTelegram(TOKEN, global_per_second=None, per_chat_per_second=None) as fake:
        port = str(free_port())
        env = {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": fake.base_url,
               "DATABASE_URL": f"sqlite+aiosqlite:///{tmp / f'lotse-{messages_per_second}.db'}",
               "NLU_URL": f"http://127.0.0.1:{free_port()}", "HTTP_PORT": port,
               "FLOOD_MESSAGES_PER_SECOND": "1000", "FLOOD_BURST": "1000",
               "TELEGRAM_MESSAGES_PER_SECOND": messages_per_second}
        bot = BotProcess(env | {k: v for k, v in os.environ.items() if k not in env},
                         tmp / "lotse.log")
        await bot.start()
        try:
            users = [fake.user(9000 + n, language_code="en") for n in range(USERS)]

            async def to_kind(user: FakeUser) -> None:
                await start_to_menu(user, texts)
                await user.press(CHECK_IDEA)
                await user.wait_for(asks(texts, IDEA), REPLY_SECONDS)
                await user.send("A bakery")
                await user.wait_for(asks(texts, KIND), REPLY_SECONDS)

            async def trip(user: FakeUser, number: int) -> None:
                """Answer the kind of business, then go back to it: a button step each."""
                last = user.messages()[-1].message_id
                await user.press(KIND_ANSWER if number % 2 == 0 else texts("← Back"))
                await user.wait_for(lambda ms: bool(ms) and ms[-1].message_id > last
                                    and texts.question(ms[-1].text) is not None, REPLY_SECONDS)

            await asyncio.gather(*(to_kind(user) for user in users))
            return await measure(label, users, trip)
        finally:
            await bot.stop()


async def run() -> str:
    with tempfile.TemporaryDirectory() as tmp:
        baseline = await echo_bot(Path(tmp))
        ours = await lotse(Path(tmp), "b) Lotse: button → next question", "1000")
        limited = await lotse(Path(tmp), "c) as b) with its 30 requests/s limiter", "30")
    return "\n".join([
        "## Round trips through the fake Telegram (bot as a subprocess, long polling)",
        "", f"{USERS} users at once, {ROUNDS} round trips each, no flood limits in the fake; a "
        "round trip is from the user's action until the bot's answer arrives. A Lotse button "
        "step is three requests (answer the press, edit the question, send the next one); "
        "b) lifts TELEGRAM_MESSAGES_PER_SECOND, c) keeps the production 30/s, which also "
        "counts the edits.", "", HEADER, baseline.row(), ours.row(), limited.row(), "",
        f"Lotse b/a: {baseline.per_second / ours.per_second:.2f}× the time per round trip "
        f"(p50 {ours.percentile(50) / baseline.percentile(50):.2f}×).",
    ])
