"""Storage: migrations build the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.exc import IntegrityError

from bot.storage.database import Database, migrate_async, open_engine
from bot.storage.models import Base, Booking, User
from tests.conftest import fresh_postgres_database

NOON = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


async def migrated(url: str) -> Database:
    await migrate_async(url)
    return Database(open_engine(url))


async def schema_differences(database: Database) -> list[object]:
    async with database.engine.connect() as connection:
        return await connection.run_sync(
            lambda sync: compare_metadata(MigrationContext.configure(sync), Base.metadata)
        )


async def two_bookings_for_one_slot(database: Database) -> None:
    async with database.transaction() as session:
        founders = [User(chat_id=n, created_at=NOON, last_seen_at=NOON) for n in (1, 2)]
        session.add_all(founders)
        await session.flush()
        for number, founder in enumerate(founders):
            session.add(Booking(
                uid=f"b{number}", founder_id=founder.id, advisor_id="clp-wf-a",
                starts_at=NOON, ends_at=NOON, mode="office", place="Cloppenburg",
                status="booked", created_at=NOON, updated_at=NOON,
            ))


@pytest.fixture(params=["sqlite", "postgresql"])
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    if request.param == "sqlite":
        db = await migrated(f"sqlite+aiosqlite:///{tmp_path / 'schema.db'}")
        yield db
        await db.close()
        return
    async with fresh_postgres_database() as url:
        db = await migrated(url)
        yield db
        await db.close()


async def test_migrations_match_the_models(database: Database) -> None:
    assert await schema_differences(database) == []


async def test_one_slot_cannot_be_booked_twice(database: Database) -> None:
    with pytest.raises(IntegrityError):
        await two_bookings_for_one_slot(database)


async def test_times_come_back_in_utc(database: Database) -> None:
    async with database.transaction() as session:
        session.add(User(chat_id=9, created_at=NOON, last_seen_at=NOON))
    async with database.transaction() as session:
        user = await session.get(User, 1)
        assert user is not None and user.created_at == NOON and user.created_at.tzinfo is not None
