"""Several bot processes share one PostgreSQL outbox: no follow-up is claimed twice."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from bot.scheduler import outbox
from bot.storage.database import Database, migrate_async, open_engine
from bot.storage.models import FollowUp
from tests.conftest import fresh_postgres_database

pytestmark = pytest.mark.postgres
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


async def test_concurrent_claims_share_the_work_without_overlap() -> None:
    async with fresh_postgres_database() as url:
        await migrate_async(url)
        databases = [Database(open_engine(url)) for _ in range(4)]
        async with databases[0].transaction() as session:
            session.add_all(FollowUp(chat_id=n, kind="reminder_24h", reference=str(n),
                                     due_at=NOW - timedelta(minutes=n % 7), created_at=NOW)
                            for n in range(400))
        claimed: list[list[int]] = [[] for _ in databases]

        async def worker(index: int) -> None:
            while True:
                async with databases[index].transaction() as session:
                    batch = await outbox.claim(session, NOW, 25)
                    await asyncio.sleep(0.01)  # hold the row locks a moment, as a send would
                if not batch:
                    return
                claimed[index].extend(item.chat_id for item in batch)

        await asyncio.gather(*(worker(i) for i in range(len(databases))))
        everything = [chat for chats in claimed for chat in chats]
        assert sorted(everything) == list(range(400)), "each follow-up claimed exactly once"
        assert sum(bool(chats) for chats in claimed) >= 2, "the work was shared"
        for database in databases:
            await database.close()
