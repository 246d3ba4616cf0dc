"""Admin commands for district staff: python -m bot admin …"""

from __future__ import annotations

import asyncio
import csv
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import pytest
from sqlalchemy import select

from bot.admin import main
from bot.services import advisor_accounts as accounts
from bot.settings import Settings
from bot.storage.database import Database, migrate, open_engine
from bot.storage.models import AdvisorAccount, TimeOff
from tests.advisor_desk import ADVISOR, add_booking
from tests.conftest import Clock

T = TypeVar("T")


def in_database(settings: Settings, work: Callable[[Database], Awaitable[T]]) -> T:
    """Run some async work on the test database."""
    async def run() -> T:
        database = Database(open_engine(settings.database_url))
        try:
            return await work(database)
        finally:
            await database.close()
    return asyncio.run(run())


@pytest.fixture
def database_ready(settings: Settings) -> Settings:
    migrate(settings.database_url)
    return settings


def test_invite_prints_a_deep_link_and_stores_only_a_hash(
        database_ready: Settings, clock: Clock, capsys: pytest.CaptureFixture[str]) -> None:
    settings = database_ready
    settings.telegram_bot_username = "LotseLandkreisBot"
    assert main(["invite", ADVISOR, "--language", "en"], settings, clock) == 0
    link, code_line, _ = capsys.readouterr().out.splitlines()
    code = code_line.removeprefix("code: ")
    assert link == f"https://t.me/LotseLandkreisBot?start={code}"

    async def check(database: Database) -> None:
        async with database.transaction() as session:
            [account] = await session.scalars(select(AdvisorAccount))
            assert code not in repr(vars(account)) and account.language == "en"
            assert account.invite_hash == accounts.code_hash(code)
            assert account.invite_expires_at is not None
            assert (account.invite_expires_at - clock()).days == 7
            linked = await accounts.link(session, code, 4242, clock())
            assert linked is not None and linked.chat_id == 4242
            assert await accounts.link(session, code, 4343, clock()) is None
    in_database(settings, check)


def test_unknown_advisor_is_refused(database_ready: Settings, clock: Clock,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["invite", "nobody"], database_ready, clock) == 1
    assert "unknown advisor 'nobody'; known: " in capsys.readouterr().err


def test_time_off_bookings_export_feed_directory(
        database_ready: Settings, clock: Clock, capsys: pytest.CaptureFixture[str],
        tmp_path: Path) -> None:
    settings = database_ready
    settings.public_base_url = "https://lotse.landkreis.example/"

    async def book(database: Database) -> None:
        await add_booking(database, 9001, clock())
    in_database(settings, book)

    assert main(["timeoff", ADVISOR, "24.12.2026", "2027-01-02", "--note", "Urlaub"],
                settings, clock) == 0
    assert main(["timeoff", ADVISOR, "02.01.2027", "24.12.2026"], settings, clock) == 1
    assert main(["bookings"], settings, clock) == 0
    assert main(["directory"], settings, clock) == 0
    assert main(["feed", ADVISOR], settings, clock) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"{ADVISOR} away from 24.12.2026 to 02.01.2027"
    assert "24.11.2026 09:00" in out[1] and "gebucht" in out[1] and ADVISOR in out[1]
    assert out[2] == "1 bookings"
    assert any(line.startswith(f"{ADVISOR} ") and "not linked" in line for line in out)
    assert any(line.startswith("directory OK:") for line in out)
    assert out[-1].startswith("https://lotse.landkreis.example/calendar/")

    async def stored(database: Database) -> tuple[list[TimeOff], str]:
        async with database.transaction() as session:
            away = list(await session.scalars(select(TimeOff)))
            account = await session.get(AdvisorAccount, ADVISOR)
            assert account is not None
            return away, account.feed_token
    [away], token = in_database(settings, stored)
    assert out[-1].endswith(f"/calendar/{token}.ics")
    assert (away.starts_at.isoformat(), away.note) == ("2026-12-23T23:00:00+00:00", "Urlaub")

    export = tmp_path / "termine.csv"
    assert main(["export", "--output", str(export)], settings, clock) == 0
    rows = list(csv.DictReader(export.read_text(encoding="utf-8-sig").splitlines(),
                               delimiter=";"))
    assert len(rows) == 1
    row = rows[0]
    assert list(row)[:5] == ["Nr.", "Status", "Beginn", "Ende", "Beraterin/Berater"]
    assert (row["Status"], row["Beginn"], row["Ende"]) == (
        "gebucht", "24.11.2026 09:00", "24.11.2026 10:00")
    assert (row["Beraterin/Berater"], row["Art"], row["Dolmetscher"]) == (
        "Anna Müller", "Büro", "nein")
    assert row["Zusammenfassung"].startswith("Gründungsidee: Friseursalon")
    assert row["Gebucht am"] == "23.11.2026 10:00"
