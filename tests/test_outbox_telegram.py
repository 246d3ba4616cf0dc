"""The outbox against the fake Telegram with flood limits: paced, 429 waited out, 403 stops."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.app import Lotse
from bot.channels.telegram_sender import TelegramSender
from bot.directory import load_directory
from bot.scheduler import dispatcher as make_dispatcher
from bot.scheduler import outbox, plans
from bot.settings import Settings
from bot.storage.models import FollowUp, User
from tests.conftest import TOKEN, Clock
from tests.faketelegram import FakeTelegram


async def seed(lotse: Lotse, fake: FakeTelegram, chats: list[int], per_chat: int = 1) -> None:
    """Users who stopped the questionnaire, each with due nudges."""
    now = lotse.turns.clock()
    async with lotse.database.transaction() as session:
        for chat_id in chats:
            fake.user(chat_id, language_code="en")
            user = User(chat_id=chat_id, language="en", created_at=now, last_seen_at=now)
            session.add(user)
            await session.flush()
            for number in range(1, per_chat + 1):
                await outbox.schedule(session, chat_id=chat_id, user_id=user.id,
                                      kind=plans.NUDGE, reference=str(number),
                                      due_at=now - timedelta(minutes=1), now=now)


async def statuses(lotse: Lotse) -> dict[str, int]:
    async with lotse.database.transaction() as session:
        found: dict[str, int] = {}
        for row in await session.scalars(select(FollowUp)):
            found[row.status] = found.get(row.status, 0) + 1
        return found


async def send_all(lotse: Lotse, settings: Settings, fake: FakeTelegram) -> None:
    settings.telegram_api_base_url = fake.base_url
    async with TelegramSender(settings) as sender:
        dispatcher = make_dispatcher(lotse, sender, load_directory(settings.directory_dir))
        await dispatcher.run_due()


async def test_paced_sends_stay_under_the_limits_without_a_single_429(
        lotse: Lotse, settings: Settings):
    settings.telegram_messages_per_second = 30
    async with FakeTelegram(TOKEN, global_per_second=30, per_chat_per_second=1.0,
                            per_chat_burst=1) as fake:
        await seed(lotse, fake, list(range(1000, 1040)))
        await seed(lotse, fake, [7], per_chat=2)  # two to one chat: a second apart
        await send_all(lotse, settings, fake)
        assert fake.stats.too_many_requests == 0
        assert await statuses(lotse) == {"sent": 42}
        assert sorted(len(times) for times in fake.stats.deliveries.values())[-1] == 2
        first, second = fake.stats.deliveries[7]
        assert second - first >= 1.0


async def test_a_429_is_waited_out_and_the_message_still_arrives(
        lotse: Lotse, settings: Settings):
    settings.telegram_messages_per_second = 200  # faster than the fake allows
    async with FakeTelegram(TOKEN, global_per_second=10, per_chat_per_second=None) as fake:
        await seed(lotse, fake, list(range(2000, 2015)))
        await send_all(lotse, settings, fake)
        assert fake.stats.too_many_requests > 0
        assert await statuses(lotse) == {"sent": 15}
        assert all(len(times) == 1 for times in fake.stats.deliveries.values())


async def test_a_user_who_blocked_the_bot_is_marked_and_gets_nothing_more(
        lotse: Lotse, settings: Settings, clock: Clock):
    async with FakeTelegram(TOKEN, global_per_second=None, per_chat_per_second=None) as fake:
        await seed(lotse, fake, [3000, 3001])
        async with lotse.database.transaction() as session:
            await outbox.schedule(session, chat_id=3000, user_id=1, kind=plans.NUDGE,
                                  reference="2", due_at=clock() + timedelta(days=2), now=clock())
        fake.user(3000).block()
        await send_all(lotse, settings, fake)
        async with lotse.database.transaction() as session:
            blocked = await session.scalar(select(User).where(User.chat_id == 3000))
            rows = list(await session.scalars(select(FollowUp).where(FollowUp.chat_id == 3000)))
        assert blocked is not None and blocked.blocked_at == clock()
        assert {r.status for r in rows} == {"cancelled"} and len(rows) == 2
        assert fake.user(3001).messages()[0].text.startswith("You stopped the questions")
        assert 3000 not in fake.stats.deliveries


async def test_other_errors_are_retried_with_backoff_then_given_up(
        lotse: Lotse, settings: Settings, clock: Clock):
    settings.follow_up_max_attempts = 2
    async with FakeTelegram(TOKEN, global_per_second=None, per_chat_per_second=None) as fake:
        await seed(lotse, fake, [4000])
        del fake.world.chats[4000]  # Telegram answers 400 "chat not found"
        await send_all(lotse, settings, fake)
        [row] = await _rows(lotse)
        assert (row.status, row.attempts) == ("pending", 1)
        assert row.due_at == clock() + timedelta(seconds=settings.follow_up_retry_seconds)
        clock.advance(minutes=1)
        await send_all(lotse, settings, fake)
        [row] = await _rows(lotse)
        assert row.status == "failed" and "chat not found" in (row.last_error or "").lower()


async def _rows(lotse: Lotse) -> list[FollowUp]:
    async with lotse.database.transaction() as session:
        return list(await session.scalars(select(FollowUp)))
