"""The bot as a real subprocess (`python -m bot run`) against the in-process fake Telegram."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import yaml

from bot.i18n import Translations
from tests.conftest import ROOT, TOKEN, free_port
from tests.faketelegram import FakeTelegram, FakeUser

START_SECONDS = 30
REPLY_SECONDS = 20
BOTS = pytest.StashKey[list["BotProcess"]]()

MENU = "What would you like to do?"
IDEA = "What is your business idea? Please describe it in a few words."
KIND = "What kind of business is it?"
LANGUAGE = "Which language would you like to use?"
INTRO = ("Let us look at your plans together. There are a few short questions. "
         "You can always answer „I don't know“.")
CHECK_IDEA = "Check my business idea"
BACK = "← Back"
# Text questions get these answers; a question with buttons gets its first button, except
# where one of PREFERRED is offered (the way out of the flow, straight to the menu).
TYPED = {"Which craft is it? For example hairdresser, baker or electrician.": "Bäcker",
         "In which town or municipality do you want to start? You can also write the postal "
         "code.": "Cloppenburg"}
PREFERRED = ("I agree", "Yes, show who can help", "Back to the menu")


class BotProcess:
    """One `python -m bot run` process; its stderr goes to a file the report shows."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env = env
        self.log = log
        self.port = int(env["HTTP_PORT"])
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        """Start the bot and wait until /health answers."""
        with self.log.open("a") as stream:
            stream.write("----- bot started -----\n")
            stream.flush()
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "run", cwd=ROOT, env=self.env,
                stdin=asyncio.subprocess.DEVNULL, stdout=stream, stderr=stream,
            )
        await self._healthy()

    async def _healthy(self) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + START_SECONDS
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=1)) as http:
            while loop.time() < deadline:
                assert self.process is not None
                if self.process.returncode is not None:
                    raise AssertionError(f"the bot exited with {self.process.returncode}:\n"
                                         f"{self.output()}")
                try:
                    async with http.get(f"http://127.0.0.1:{self.port}/health") as response:
                        if response.status == 200:
                            return
                except (aiohttp.ClientError, TimeoutError):
                    pass
                await asyncio.sleep(0.05)
        raise AssertionError(f"/health did not answer in {START_SECONDS}s:\n{self.output()}")

    async def kill(self) -> None:
        """Kill the bot with SIGKILL, as a crash or an OOM kill would."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        await self.process.wait()

    async def stop(self) -> None:
        """Stop the bot with SIGTERM (SIGKILL if it hangs)."""
        if self.process is None or self.process.returncode is not None:
            return
        self.process.terminate()
        try:
            await asyncio.wait_for(self.process.wait(), 10)
        except TimeoutError:
            await self.kill()

    def output(self) -> str:
        """Return what the bot wrote to stderr and stdout so far."""
        return self.log.read_text(errors="replace") if self.log.exists() else ""


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Show the bot's stderr with a failed test."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if report.failed:
        for number, bot in enumerate(item.stash.get(BOTS, []), 1):
            report.sections.append((f"bot {number} stderr", bot.output()[-20000:]))


@pytest.fixture
async def launch(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Any]:
    """Start bots against a fake: `await launch(fake, **env)`; all are stopped afterwards.

    "{port}" in an env value becomes the bot's HTTP port.
    """
    bots: list[BotProcess] = []
    request.node.stash[BOTS] = bots
    database = f"sqlite+aiosqlite:///{tmp_path / 'lotse.db'}"

    async def start(fake: FakeTelegram, **extra: str) -> BotProcess:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("TELEGRAM_", "HTTP_", "DATABASE_", "NLU_", "LOG_", "FLOOD_"))}
        port = str(free_port())
        env.update(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=fake.base_url,
                   DATABASE_URL=database, NLU_URL=f"http://127.0.0.1:{free_port()}",
                   HTTP_PORT=port, LOG_LEVEL="INFO",
                   # test users answer at machine speed; the flood guard has its own tests
                   FLOOD_MESSAGES_PER_SECOND="1000", FLOOD_BURST="1000")
        env.update({name: value.replace("{port}", port) for name, value in extra.items()})
        bot = BotProcess(env, tmp_path / f"bot-{len(bots) + 1}.log")
        bots.append(bot)
        await bot.start()
        return bot

    yield start
    for bot in bots:
        await bot.stop()


@pytest.fixture
def database(tmp_path: Path) -> Callable[[str], list[tuple[Any, ...]]]:
    """Query the bot's SQLite file: `database("SELECT ...")`."""

    def query(sql: str) -> list[tuple[Any, ...]]:
        with sqlite3.connect(tmp_path / "lotse.db") as connection:
            return connection.execute(sql).fetchall()

    return query


@pytest.fixture(scope="session")
def translations() -> Translations:
    return Translations(ROOT / "locales")


@dataclass
class Texts:
    """What a user sees in one language: the flows' questions and the stable texts."""

    language: str
    translations: Translations
    questions: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for path in sorted((ROOT / "flows").glob("*.yml")):
            for step in yaml.safe_load(path.read_text(encoding="utf-8"))["steps"]:
                if "ask" in step:
                    self.questions[self(step["ask"])] = step["ask"]

    def __call__(self, msgid: str) -> str:
        return self.translations.gettext(self.language, msgid)

    def question(self, text: str) -> str | None:
        """Return the msgid of the question a message asks, if it asks one."""
        return next((msgid for shown, msgid in self.questions.items()
                     if text == shown or text.endswith("\n" + shown)), None)


def asks(texts: Texts, msgid: str, after: int = 0) -> Callable[[list[Any]], bool]:
    """Return a wait predicate: the latest message, newer than `after`, asks this question."""
    return lambda ms: (bool(ms) and ms[-1].message_id > after
                       and texts.question(ms[-1].text) == msgid)


def asks_any(texts: Texts, after: int) -> Callable[[list[Any]], bool]:
    """Return a wait predicate: the latest message is a question newer than `after`."""
    return lambda ms: (bool(ms) and ms[-1].message_id > after
                       and texts.question(ms[-1].text) is not None)


async def start_to_menu(user: FakeUser, texts: Texts) -> list[str]:
    """Send /start, answer what a first contact is asked, wait for the menu; return the asked."""
    messages = user.messages()
    after = messages[-1].message_id if messages else 0
    await user.send("/start")
    return await walk(user, texts, "", after)


async def answer(user: FakeUser, texts: Texts, idea: str) -> None:
    """Answer the question in the user's latest message as a founder would."""
    question = user.messages()[-1]
    msgid = texts.question(question.text)
    labels = [label for row in question.buttons for label in row if label != texts(BACK)]
    preferred = [texts(label) for label in PREFERRED if texts(label) in labels]
    if msgid == IDEA:
        await user.send(idea)
    elif msgid in TYPED:
        await user.send(TYPED[msgid])
    elif preferred or labels:
        await user.press((preferred or labels)[0])
    else:
        raise AssertionError(f"no way to answer {question.text!r}")


async def walk_precheck(user: FakeUser, texts: Texts, idea: str) -> list[str]:
    """From the menu, go through the pre-founding check to the menu again; return its questions."""
    menu = user.messages()[-1].message_id
    await user.press(texts(CHECK_IDEA))
    return await walk(user, texts, idea, menu)


async def walk(user: FakeUser, texts: Texts, idea: str, after: int, steps: int = 40) -> list[str]:
    """Answer each question newer than message `after` until the menu shows; return them.

    Fails if a question is asked twice in a row (an answer was not taken) or the flow
    does not end within `steps` questions.
    """
    asked: list[str] = []
    for _ in range(steps):
        messages = await user.wait_for(asks_any(texts, after), REPLY_SECONDS)
        after, msgid = messages[-1].message_id, texts.question(messages[-1].text)
        assert msgid is not None
        if msgid == MENU:
            return asked
        assert not asked or asked[-1] != msgid, f"{msgid!r} was asked again: {messages[-3:]}"
        asked.append(msgid)
        await answer(user, texts, idea)
    raise AssertionError(f"the flow did not end after {steps} questions: {asked}")


def chat_texts(user: FakeUser) -> list[str]:
    return [message.text for message in user.messages()]
