"""Hostile and broken input: thousands of random updates through the real Application.

Random Unicode with control characters and huge lengths, random and forged button data,
groups, channel posts, edited and forwarded messages. Nothing may crash, the stored state
must stay valid, and no forged button may book, cancel or reveal anything.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from telegram import Update

from bot.app import Lotse, build
from bot.channels.telegram import TelegramChannel, build_application
from bot.settings import Settings
from bot.storage.models import Booking, ConversationState, User
from tests.conftest import DATA_KEY, TOKEN, Clock, free_port
from tests.faketelegram import FakeTelegram, FakeUser

pytestmark = pytest.mark.e2e

BATCHES, PER_BATCH = 50, 100  # 5,000 updates
VICTIM, PHONE = 9000, "0151 2345 6789"
FUZZERS = [9001, 9002, 9003, 9004]
GROUP, CHANNEL = -9100, -9200
T = TypeVar("T")

texts = st.one_of(
    st.text(st.characters(codec="utf-8"), max_size=60),
    st.sampled_from(["/start", "/cancel", "/help", "/language", "/privacy", "/mydata",
                     "/delete", "/appointments", "/agenda", "/stop", "/start abc", "1", "back"]),
    st.builds(lambda char, n: char * n, st.characters(codec="utf-8"), st.integers(1, 6000)),
    st.text(st.sampled_from("\x00\x07\x1b\u200f\u202e\u2066\ufeff\n\t a"), max_size=40),
)
button_data = st.one_of(
    st.text(max_size=64),
    st.builds("|".join, st.lists(st.sampled_from(
        ["a", "bk", "adv", "del", "lang", "i", "fu", "nav", "menu", "choice", "precheck",
         "booking", "cancel", "cancelyes", "move", "to", "confirm", "decline", "yes", "no", "ar",
         "back", "1", "2", "999999", "-1", "agree", "consent", "ask"]), min_size=1, max_size=5)),
)
kinds = st.sampled_from(["text", "text", "text", "press", "press", "group", "channel",
                         "edited", "forwarded", "sticker", "location"])


@dataclass
class Running:
    """The fake Telegram, the bot's parts and its Application, on one event loop."""

    fake: FakeTelegram
    users: dict[int, FakeUser]
    lotse: Lotse
    channel: TelegramChannel
    application: Any
    victim_booking: int


class LoopThread:
    """An event loop in a thread, so hypothesis (synchronous) can drive async code."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, make: Callable[[], Awaitable[T]]) -> T:
        async def wrapped() -> T:
            return await make()

        return asyncio.run_coroutine_threadsafe(wrapped(), self.loop).result(timeout=300)

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)


async def start(tmp: Path) -> Running:
    fake = FakeTelegram(TOKEN, global_per_second=None, per_chat_per_second=None)
    await fake.start()
    users = {chat_id: fake.user(chat_id, language_code="de") for chat_id in [VICTIM, *FUZZERS]}
    fake.group(GROUP, "Gründer")
    fake.channel(CHANNEL, "Kanal")
    settings = Settings(
        _env_file=None, database_url=f"sqlite+aiosqlite:///{tmp / 'fuzz.db'}",
        nlu_url=f"http://127.0.0.1:{free_port()}", telegram_bot_token=TOKEN,
        telegram_api_base_url=fake.base_url, data_keys=DATA_KEY,
        flood_messages_per_second=1000.0, flood_burst=1000,
    )
    clock = Clock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    lotse = await build(settings, clock)
    application, channel = build_application(lotse)
    await application.initialize()
    async with lotse.database.transaction() as session:
        victim = User(chat_id=VICTIM, language="de", created_at=clock.now,
                      last_seen_at=clock.now, consent_at=clock.now)
        session.add(victim)
        await session.flush()
        booking = Booking(uid="victim-1", founder_id=victim.id, advisor_id="clp-wf-mueller",
                          starts_at=clock.now, ends_at=clock.now, mode="office",
                          place="Cloppenburg", status="confirmed", phone=PHONE,
                          summary_de="Geheime Zusammenfassung", created_at=clock.now,
                          updated_at=clock.now)
        session.add(booking)
        await session.flush()
        booking_id = booking.id
    return Running(fake, users, lotse, channel, application, booking_id)


async def stop(running: Running) -> None:
    await running.application.shutdown()
    await running.lotse.close()
    await running.fake.stop()


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LoopThread, Running]]:
    loop = LoopThread()
    tmp = tmp_path_factory.mktemp("fuzz")
    running = loop.run(lambda: start(tmp))
    yield loop, running
    loop.run(lambda: stop(running))
    loop.stop()


update_ids = itertools.count(1)


def person(chat_id: int) -> dict[str, Any]:
    return {"id": chat_id, "is_bot": False, "first_name": "F", "language_code": "de"}


def message(chat: dict[str, Any], sender: int, text: str, **extra: Any) -> dict[str, Any]:
    return {"message_id": next(update_ids), "date": 1_790_000_000, "chat": chat,
            "from": person(sender), "text": text, **extra}


def update_for(kind: str, sender: int, text: str, data: str, victim_booking: int) -> dict:
    private = {"id": sender, "type": "private", "first_name": "F"}
    data = data.replace("999999", str(victim_booking))
    body: dict[str, Any]
    if kind == "press":
        body = {"callback_query": {
            "id": str(next(update_ids)), "from": person(sender), "chat_instance": "c",
            "data": data, "message": {"message_id": 1, "date": 1_790_000_000, "chat": private,
                                      "text": "?"}}}
    elif kind == "group":
        body = {"message": message({"id": GROUP, "type": "group", "title": "G"}, sender, text)}
    elif kind == "channel":
        body = {"channel_post": {"message_id": next(update_ids), "date": 1_790_000_000,
                                 "chat": {"id": CHANNEL, "type": "channel", "title": "K"},
                                 "text": text}}
    elif kind == "edited":
        body = {"edited_message": message(private, sender, text, edit_date=1_790_000_001)}
    elif kind == "forwarded":
        body = {"message": message(private, sender, text, forward_origin={
            "type": "hidden_user", "date": 1_790_000_000, "sender_user_name": "X"})}
    elif kind == "sticker":
        msg = message(private, sender, "")
        msg.pop("text")
        msg["sticker"] = {"file_id": "s", "file_unique_id": "s", "type": "regular",
                          "width": 1, "height": 1, "is_animated": False, "is_video": False}
        body = {"message": msg}
    elif kind == "location":
        msg = message(private, sender, "")
        msg.pop("text")
        msg["location"] = {"latitude": 51.5, "longitude": 9.9}
        body = {"message": msg}
    else:
        body = {"message": message(private, sender, text or " ")}
    return {"update_id": next(update_ids), **body}


async def feed(running: Running, raw: list[dict[str, Any]]) -> None:
    bot = running.application.bot
    for data in raw:
        await running.application.process_update(Update.de_json(data, bot))


async def check(running: Running) -> None:
    """The state is valid and the victim's booking untouched."""
    book = running.lotse.turns.engine.book
    async with running.lotse.database.transaction() as session:
        for state in await session.scalars(select(ConversationState)):
            assert state.flow is None or book.has_step(state.flow, state.step or ""), state.flow
            assert isinstance(state.slots, dict)
        booking = await session.get(Booking, running.victim_booking)
        assert booking is not None and booking.status == "confirmed"
        others = await session.scalars(select(Booking).where(Booking.id != booking.id,
                                                             Booking.status != "held"))
        assert list(others) == []


@settings(max_examples=BATCHES, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                 HealthCheck.data_too_large])
@given(st.lists(st.tuples(kinds, st.sampled_from(FUZZERS), texts, button_data),
                min_size=PER_BATCH, max_size=PER_BATCH))
def test_random_updates_break_nothing(app: tuple[LoopThread, Running],
                                      batch: list[tuple[str, int, str, str]]) -> None:
    loop, running = app
    raw = [update_for(kind, sender, text, data, running.victim_booking)
           for kind, sender, text, data in batch]
    loop.run(lambda: feed(running, raw))
    assert running.channel.errors == 0
    loop.run(lambda: check(running))
    for chat_id in FUZZERS:
        for sent in running.users[chat_id].messages():
            assert PHONE not in sent.text and "Geheime Zusammenfassung" not in sent.text
