"""Privacy: consent before storing, access to one's data, erasure, retention, encryption."""

from __future__ import annotations

import asyncio
import json

from pydantic import SecretStr
from sqlalchemy import select, text

from bot.app import Lotse
from bot.services.privacy import purge_inactive
from bot.settings import Settings
from bot.storage.models import AnonymousCount, Base, Booking, FollowUp, User
from tests.chat import Founder
from tests.conftest import DATA_KEY, Clock

CHAT = 7001


async def rows_of(lotse: Lotse, chat_id: int, user_id: int) -> dict[str, int]:
    """Count, in every table, the rows that belong to this founder."""
    found: dict[str, int] = {}
    async with lotse.database.transaction() as session:
        for table in Base.metadata.sorted_tables:
            columns = {c.name for c in table.columns}
            owner = [c for c in ("chat_id", "user_id", "founder_id") if c in columns]
            if table.name == "users":
                owner = ["chat_id"]
            for column in owner:
                value = user_id if column in ("user_id", "founder_id") else chat_id
                count = await session.scalar(
                    select(text("count(*)")).select_from(table).where(table.c[column] == value))
                found[f"{table.name}.{column}"] = int(count or 0)
    return found


async def test_without_consent_no_answers_are_stored(lotse: Lotse) -> None:
    founder = Founder(lotse, CHAT)
    await founder.send("/start")
    await founder.press("Not now")
    assert founder.texts()[-2].startswith("Okay. I will not store your answers")
    await founder.press("Check my business idea")
    assert founder.texts()[-1] == "Do you agree that we store your answers for this purpose?"
    await founder.send("Ich möchte eine Bäckerei eröffnen")
    async with lotse.database.transaction() as session:
        user = await session.scalar(select(User).where(User.chat_id == CHAT))
        assert user is not None and user.consent_at is None
    export = (await founder.send("/mydata")).replies[0].document
    assert export is not None
    assert "business_idea" not in json.loads(export.content)["conversation"]["answers"]


async def test_consent_then_the_check_goes_on_where_it_was_asked(lotse: Lotse) -> None:
    founder = Founder(lotse, CHAT + 1)
    await founder.send("/start")
    await founder.press("Not now")
    await founder.press("Check my business idea")
    await founder.press("I agree")
    assert founder.texts()[-1].startswith("What is your business idea?")


async def test_my_data_contains_everything_in_a_file(lotse: Lotse) -> None:
    founder = Founder(lotse, CHAT + 2)
    await founder.start()
    await founder.press("Check my business idea")
    await founder.answer("Mobile Fahrradwerkstatt", "Services")
    outcome = await founder.send("/mydata")
    reply = outcome.replies[0]
    assert reply.document is not None and reply.document.filename == "lotse-my-data.json"
    data = json.loads(reply.document.content)
    assert data["user"]["telegram_chat_id"] == CHAT + 2
    assert data["conversation"]["answers"]["business_idea"] == "Mobile Fahrradwerkstatt"
    assert reply.text.startswith("This is everything we store about you:")


async def test_delete_removes_the_founder_from_every_table(lotse: Lotse, clock: Clock) -> None:
    founder = Founder(lotse, CHAT + 3)
    await founder.start()
    await founder.press("Check my business idea")
    await founder.answer("Kiosk am Bahnhof")
    async with lotse.database.transaction() as session:
        user = await session.scalar(select(User).where(User.chat_id == CHAT + 3))
        assert user is not None
        user_id = user.id
        session.add(Booking(uid="b-del", founder_id=user_id, advisor_id="x", starts_at=clock.now,
                            ends_at=clock.now, mode="office", place="Cloppenburg",
                            status="cancelled", phone="0151 000", created_at=clock.now,
                            updated_at=clock.now))
        session.add(FollowUp(chat_id=CHAT + 3, user_id=user_id, kind="nudge", reference="p",
                             due_at=clock.now, created_at=clock.now))
    assert sum((await rows_of(lotse, CHAT + 3, user_id)).values()) >= 4
    await founder.send("/delete")
    await founder.press("No, keep my data")
    assert founder.texts()[-1] == "Okay, nothing was deleted."
    await founder.send("/delete")
    await founder.press("Yes, delete everything")
    assert founder.texts()[-1].startswith("All your data is deleted.")
    assert await rows_of(lotse, CHAT + 3, user_id) == dict.fromkeys(
        await rows_of(lotse, CHAT + 3, user_id), 0)
    async with lotse.database.transaction() as session:
        counts = {c.metric: c.count for c in await session.scalars(select(AnonymousCount))}
    assert counts == {"erased_on_request": 1}


async def test_inactive_founders_are_purged_after_retention(lotse: Lotse, clock: Clock) -> None:
    old, recent = Founder(lotse, CHAT + 4), Founder(lotse, CHAT + 5)
    await old.start()
    clock.advance(days=300)
    await recent.start()
    clock.advance(days=100)
    assert await purge_inactive(lotse.database, clock.now, months=12) == 1
    async with lotse.database.transaction() as session:
        left = list(await session.scalars(select(User.chat_id)))
        counts = {c.metric: c.count for c in await session.scalars(select(AnonymousCount))}
    assert left == [CHAT + 5]
    assert counts["users_purged_after_retention"] == 1


async def test_personal_fields_are_encrypted_at_rest(lotse: Lotse) -> None:
    founder = Founder(lotse, CHAT + 6)
    await founder.start()
    await founder.press("Check my business idea")
    await founder.answer("Änderungsschneiderei Yilmaz")
    async with lotse.database.engine.connect() as connection:
        raw = (await connection.execute(text("SELECT slots FROM conversations"))).scalars().all()
    assert raw and all(value.startswith("enc1:") for value in raw)
    assert not any("Yilmaz" in value for value in raw)
    export = (await founder.send("/mydata")).replies[0].document
    assert export is not None
    assert json.loads(export.content)["conversation"]["answers"]["business_idea"] == (
        "Änderungsschneiderei Yilmaz")


async def test_keys_can_be_rotated(lotse: Lotse, settings: Settings) -> None:
    from cryptography.fernet import Fernet

    from bot.admin import main as admin
    from bot.storage.crypto import PREFIX, vault

    founder = Founder(lotse, CHAT + 7)
    await founder.start()
    await founder.press("Check my business idea")
    await founder.answer("Teestube")
    new_key = Fernet.generate_key().decode()
    settings.data_keys = SecretStr(f"{new_key},{DATA_KEY}")
    assert await asyncio.to_thread(admin, ["rotate-keys"], settings) == 0
    vault.configure([new_key])
    async with lotse.database.engine.connect() as connection:
        raw = (await connection.execute(text("SELECT slots FROM conversations"))).scalars().all()
    assert all(Fernet(new_key.encode()).decrypt(v.removeprefix(PREFIX).encode()) for v in raw)
    vault.configure([DATA_KEY])
