"""Engine plus storage: turns per second and latency of a button step and a free-text step."""

from __future__ import annotations

import asyncio
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.common import HEADER, Figures, postgres_url, sqlite_url
from bot.app import build
from bot.services.events import ButtonPress, Command, Sender, TextMessage
from bot.settings import Settings

USERS = 20
ROUNDS = 15


@dataclass(frozen=True)
class StubMeaning:
    intent: str = "out_of_scope"
    confidence: float = 0.0
    ranking: tuple[tuple[str, float], ...] = ()


class StubUnderstander:
    """NLU stubbed out: the benchmark measures engine and storage only."""

    async def parse(self, text: str, language: str) -> StubMeaning:
        return StubMeaning()


async def measure(database_url: str, label: str, users: int) -> list[Figures]:
    settings = Settings(_env_file=None, database_url=database_url)
    lotse = await build(settings, understander=StubUnderstander())
    text_times: list[float] = []
    button_times: list[float] = []
    update = iter(range(1, 10**9))

    async def founder(chat_id: int) -> None:
        def sender() -> Sender:
            return Sender(chat_id, "en", next(update))

        await lotse.turns.handle(Command(sender(), "start"))
        await lotse.turns.handle(ButtonPress(sender(), "a|consent|ask|agree"))
        await lotse.turns.handle(ButtonPress(sender(), "a|menu|choice|precheck"))
        for _ in range(ROUNDS):
            started = time.perf_counter()
            await lotse.turns.handle(TextMessage(sender(), "A small bakery with Turkish bread"))
            text_times.append(time.perf_counter() - started)
            started = time.perf_counter()
            await lotse.turns.handle(ButtonPress(sender(), "a|precheck|kind|trade"))
            button_times.append(time.perf_counter() - started)
            await lotse.turns.handle(ButtonPress(sender(), "nav|back"))
            await lotse.turns.handle(ButtonPress(sender(), "nav|back"))

    started = time.perf_counter()
    await asyncio.gather(*(founder(1000 + i) for i in range(users)))
    wall = time.perf_counter() - started
    await lotse.close()
    rate = users * (2 + 4 * ROUNDS) / wall  # every turn, "back" included, over the whole run
    label = f"{label}, {users} founder{'s' if users > 1 else ''}"
    return [Figures(f"{label}: button step", button_times, rate),
            Figures(f"{label}: free-text step", text_times, rate)]


async def run() -> str:
    rows: list[Figures] = []
    with tempfile.TemporaryDirectory() as tmp:
        for users in (1, USERS):
            async with sqlite_url(Path(tmp)) as url:
                rows += await measure(url, "SQLite", users)
    for users in (1, USERS):
        async with postgres_url() as url:
            if url is not None:
                rows += await measure(url, "PostgreSQL", users)
    lines = [f"## Turns: engine + storage (one founder, then {USERS} at once; NLU stubbed)",
             "", "Per second counts every turn of the run; the latencies are per kind of step.",
             "", HEADER, *(figures.row() for figures in rows)]
    if not any(f.name.startswith("PostgreSQL") for f in rows):
        lines.append("\nPostgreSQL was not reachable; only SQLite was measured.")
    return "\n".join(lines)
