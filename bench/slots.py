"""Slot search for a district with 30 advisors over six weeks; bookings under contention."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

from bench.common import HEADER, ROOT, Figures, postgres_url
from bot.app import build
from bot.directory.model import Advisor, Directory, District, Institution, WeeklyHours
from bot.domain.routing import load_routing
from bot.domain.slots import Slot, Window, free_slots
from bot.services import booking as bookings
from bot.services.booking import BookingRules
from bot.settings import Settings
from bot.storage.models import User

ADVISORS = 30
SEARCHES = 50
FOUNDERS = 200
SLOTS = 50
NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def district(advisors: int) -> Directory:
    """Build a district whose advisors each advise three half-days a week."""
    office = Institution("wf", "wirtschaftsfoerderung", "Wirtschaftsförderung", "bench",
                         "Markt 1", "wf@example.org", "https://example.org", ("de",))
    people = tuple(
        Advisor(f"a{i}", f"Advisor {i}", "wf", "bench", f"a{i}@example.org", ("de", "en"),
                ("start_business",), ("office", "phone", "video"), 45, 15,
                tuple(WeeklyHours((i + day) % 5, "09:00", "13:00", institution_id="wf")
                      for day in range(3)))
        for i in range(advisors))
    return Directory((District("bench", "Bench", "NI"),), (), (office,), people)


def search_latency(directory: Directory) -> Figures:
    seconds = []
    for _ in range(SEARCHES):
        started = time.perf_counter()
        found = free_slots(directory.advisors, "NI", NOW, {}, Window())
        seconds.append(time.perf_counter() - started)
    assert found
    return Figures(f"slot search, {ADVISORS} advisors × 6 weeks ({len(found)} slots)",
                   seconds, SEARCHES / sum(seconds))


async def contention(database_url: str, directory: Directory) -> tuple[Figures, int]:
    """Let 200 founders race for 50 slots; each tries the free slots until one is theirs."""
    lotse = await build(Settings(_env_file=None, database_url=database_url))
    rules = BookingRules(directory, load_routing(ROOT / "directory" / "routing.yml"))
    offered = free_slots(directory.advisors[:5], "NI", NOW, {}, Window())[:SLOTS]
    async with lotse.database.transaction() as session:
        founders = [User(chat_id=9000 + i, created_at=NOW, last_seen_at=NOW)
                    for i in range(FOUNDERS)]
        session.add_all(founders)
    seconds: list[float] = []

    async def founder(index: int) -> bool:
        """Pick a slot; on losing, read the fresh free slots and pick the first, as in the chat."""
        slot: Slot | None = offered[index % SLOTS]
        while slot is not None:
            started = time.perf_counter()
            async with lotse.database.transaction() as session:
                held = await bookings.hold(session, rules, founders[index], slot, "office", NOW)
                if held is not None:
                    await bookings.book(session, held, NOW)
                    fresh: list[Slot] = []
                else:
                    fresh = [s for s in await bookings.open_slots(
                        session, rules, directory.advisors[:5], NOW) if s in offered]
            seconds.append(time.perf_counter() - started)
            if held is not None:
                return True
            slot = fresh[0] if fresh else None
        return False

    started = time.perf_counter()
    won = sum(await asyncio.gather(*(founder(i) for i in range(FOUNDERS))))
    wall = time.perf_counter() - started
    await lotse.close()
    return Figures(f"PostgreSQL: {FOUNDERS} founders race for {SLOTS} slots (one attempt)",
                   seconds, won / wall), won


async def run() -> str:
    directory = district(ADVISORS)
    rows = [search_latency(directory)]
    note = "PostgreSQL was not reachable; contention was not measured."
    async with postgres_url() as url:
        if url is not None:
            figures, won = await contention(url, directory)
            rows.append(figures)
            note = (f"{won} of {FOUNDERS} founders got a slot; no slot twice. Per second: "
                    "bookings made per second of wall time.")
    return "\n".join([
        "## Booking: slot search and bookings under contention", "",
        "Slot search is the pure domain computation behind one offer. Under contention each "
        "attempt is one unit of work: hold and book, or read the fresh free times.", "",
        HEADER, *(figures.row() for figures in rows), "", note])
