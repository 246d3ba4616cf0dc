"""Connect to the database and bring its schema up to date."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(database_url: str) -> Config:
    """Return an Alembic configuration for this database."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def prepare_sqlite_folder(database_url: str) -> None:
    """Create the folder of a SQLite file database if it is missing."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        Path(str(url.database)).parent.mkdir(parents=True, exist_ok=True)


def migrate(database_url: str) -> None:
    """Apply all Alembic migrations (blocking; call before the event loop starts)."""
    prepare_sqlite_folder(database_url)
    command.upgrade(alembic_config(database_url), "head")


async def migrate_async(database_url: str) -> None:
    """Apply all Alembic migrations from inside a running event loop."""
    await asyncio.to_thread(migrate, database_url)


def open_engine(database_url: str) -> AsyncEngine:
    """Create the async engine; SQLite gets foreign keys and a busy timeout."""
    prepare_sqlite_folder(database_url)
    if make_url(database_url).get_backend_name() != "sqlite":
        return create_async_engine(database_url, pool_pre_ping=True)
    engine = create_async_engine(database_url, connect_args={"timeout": 30})

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(connection, _record):  # type: ignore[no-untyped-def]
        cursor = connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return engine


class Database:
    """Units of work on one database.

    SQLite allows one writer at a time; its own busy waiting is slow and unfair, so on
    SQLite the units of work of this process queue on a lock instead. PostgreSQL locks rows.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.sessions = async_sessionmaker(engine, expire_on_commit=False)
        self._lock = asyncio.Lock() if engine.dialect.name == "sqlite" else None

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """Open a session in a transaction; commit at the end, roll back on error."""
        if self._lock is None:
            async with self.sessions() as session, session.begin():
                yield session
            return
        async with self._lock, self.sessions() as session, session.begin():
            yield session

    async def close(self) -> None:
        """Close every connection."""
        await self.engine.dispose()
