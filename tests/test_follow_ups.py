"""Follow-ups fire at the right local time, follow their booking, and respect /stop."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.app import Lotse
from bot.directory import load_directory
from bot.domain.replies import Reply
from bot.scheduler import dispatcher as make_dispatcher
from bot.scheduler import outbox, plans
from bot.scheduler.dispatcher import Delivery, Dispatcher
from bot.scheduler.follow_ups import FollowUps
from bot.services.events import ButtonPress, Command, Sender
from bot.services.turn import Turn
from bot.storage import conversations
from bot.storage.models import Booking, FollowUp, User
from tests.conftest import Clock

ADVISOR = "clp-wf-mueller"
CHAT = 4242


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


class RecordingSender:
    """Telegram as the outbox sees it: records what was sent and when (by the test's clock)."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.sent: list[tuple[datetime, int, Reply]] = []

    async def send(self, chat_id: int, reply: Reply) -> Delivery:
        self.sent.append((self.clock(), chat_id, reply))
        return Delivery("sent")


@pytest.fixture
def sender(clock: Clock) -> RecordingSender:
    return RecordingSender(clock)


@pytest.fixture
def dispatcher(lotse: Lotse, sender: RecordingSender) -> Dispatcher:
    lotse.settings.telegram_chat_messages_per_second = 1000.0  # pacing has its own tests
    return make_dispatcher(lotse, sender, load_directory(lotse.settings.directory_dir))


async def change_booking(lotse: Lotse, starts_at: datetime | None, change: str,
                         language: str = "en") -> int:
    """Book (or move/cancel) the founder's appointment and tell the listeners, as a turn does."""
    turns = lotse.turns
    now = turns.clock()
    async with lotse.database.transaction() as session:
        user, conversation = await conversations.load(session, CHAT, now)
        conversation.language = language
        booking = await session.scalar(select(Booking).where(Booking.founder_id == user.id))
        if booking is None:
            assert starts_at is not None
            booking = Booking(uid="b1", founder_id=user.id, advisor_id=ADVISOR,
                              starts_at=starts_at, ends_at=starts_at + timedelta(hours=1),
                              mode="office", place="Eschstraße 29", status="booked",
                              created_at=now, updated_at=now)
            session.add(booking)
            await session.flush()
        elif starts_at is not None:
            booking.starts_at, booking.ends_at = starts_at, starts_at + timedelta(hours=1)
        if change == "cancelled":
            booking.status = "cancelled"
        turn = Turn(session, user, conversation, now, turns.translations, turns.handlers,
                    turns.engine)
        for listener in turns.handlers.booking_changed:  # ours only: other features mail
            if isinstance(getattr(listener, "__self__", None), FollowUps):
                await listener(turn, booking, change)
        await conversations.save(session, user, conversation, now)
        return booking.id


async def rows(lotse: Lotse) -> dict[str, FollowUp]:
    async with lotse.database.transaction() as session:
        return {f"{r.kind}:{r.reference}": r for r in await session.scalars(select(FollowUp))}


async def at(clock: Clock, dispatcher: Dispatcher, moment: datetime) -> None:
    clock.now = moment
    await dispatcher.run_due()


async def test_each_kind_fires_at_its_local_time_across_the_clock_change(
        lotse: Lotse, clock: Clock, dispatcher: Dispatcher, sender: RecordingSender):
    clock.now = utc(2026, 3, 26, 9, 0)  # Thursday before the change to summer time
    booking_id = await change_booking(lotse, utc(2026, 3, 31, 7, 0), "booked")  # Tue 09:00 CEST
    expected = [
        (utc(2026, 3, 30, 7, 0), "tomorrow"),  # 24 h before, Monday 09:00 CEST
        (utc(2026, 3, 31, 6, 0), "soon"),  # 2 h before is 07:00, quiet: at 08:00 CEST
        (utc(2026, 4, 1, 8, 0), "How was"),  # the day after at 10:00 CEST
        (utc(2026, 4, 30, 8, 0), "A month ago"),  # thirty days later, 10:00 CEST
    ]
    for moment, words in expected:
        await at(clock, dispatcher, moment - timedelta(minutes=5))
        assert all(sent_at < moment for sent_at, _, _ in sender.sent)
        before = len(sender.sent)
        await at(clock, dispatcher, moment)
        assert len(sender.sent) == before + 1
        sent_at, chat_id, reply = sender.sent[-1]
        assert (sent_at, chat_id) == (moment, CHAT)
        assert words in reply.text
    reminder = sender.sent[0][2]
    assert [b.data for row in reminder.buttons for b in row] == [
        f"bk|move|{booking_id}", f"bk|cancel|{booking_id}"]
    how_was_it = sender.sent[2][2]
    assert how_was_it.buttons[0][0].data == f"fu|outcome|{booking_id}|good"
    assert {r.status for r in (await rows(lotse)).values()} == {"sent"}


async def test_a_reminder_that_would_come_after_the_appointment_started_expires(
        lotse: Lotse, clock: Clock, dispatcher: Dispatcher, sender: RecordingSender):
    clock.now = utc(2026, 11, 21, 9, 0)  # Saturday
    await change_booking(lotse, utc(2026, 11, 23, 7, 30), "booked")  # Monday 08:30 CET
    # 24 h before is Sunday (quiet) and Monday 08:00 is after the 2-h reminder's time.
    await at(clock, dispatcher, utc(2026, 11, 22, 7, 30))
    assert sender.sent == []
    await at(clock, dispatcher, utc(2026, 11, 23, 7, 0))
    assert len(sender.sent) == 1 and "soon" in sender.sent[0][2].text
    # Bot was down: the day-after question arrives late, but a reminder never after the start.
    found = await rows(lotse)
    assert found[f"{plans.REMINDER_DAY}:1"].status == "expired"


async def test_cancelling_and_moving_a_booking_cancels_and_moves_its_follow_ups(
        lotse: Lotse, clock: Clock, dispatcher: Dispatcher, sender: RecordingSender):
    booking_id = await change_booking(lotse, utc(2026, 11, 26, 13, 0), "booked")  # Thu 14:00
    before = await rows(lotse)
    assert before[f"{plans.REMINDER_DAY}:{booking_id}"].due_at == utc(2026, 11, 25, 13, 0)
    await change_booking(lotse, utc(2026, 12, 1, 9, 0), "moved")  # Tuesday 10:00
    moved = await rows(lotse)
    assert moved[f"{plans.REMINDER_DAY}:{booking_id}"].due_at == utc(2026, 11, 30, 9, 0)
    assert moved[f"{plans.AFTER}:{booking_id}"].due_at == utc(2026, 12, 2, 9, 0)
    assert len(moved) == 4 and {r.status for r in moved.values()} == {"pending"}
    await at(clock, dispatcher, utc(2026, 11, 25, 13, 0))
    assert sender.sent == []  # nothing at the old time
    await change_booking(lotse, None, "cancelled")
    assert {r.status for r in (await rows(lotse)).values()} == {"cancelled"}
    await at(clock, dispatcher, utc(2027, 1, 30, 9, 0))
    assert sender.sent == []


async def test_scheduling_twice_makes_one_row_and_rearms_a_cancelled_one(lotse: Lotse,
                                                                          clock: Clock):
    async with lotse.database.transaction() as session:
        for due in (utc(2026, 11, 24, 9, 0), utc(2026, 11, 25, 9, 0)):
            await outbox.schedule(session, chat_id=1, user_id=None, kind="x", reference="r",
                                  due_at=due, now=clock())
        await outbox.cancel(session, FollowUp.chat_id == 1)
        await outbox.schedule(session, chat_id=1, user_id=None, kind="x", reference="r",
                              due_at=utc(2026, 11, 26, 9, 0), now=clock())
    [row] = (await rows(lotse)).values()
    assert (row.status, row.due_at) == ("pending", utc(2026, 11, 26, 9, 0))


async def press(lotse: Lotse, data: str) -> list[str]:
    outcome = await lotse.turns.handle(ButtonPress(Sender(CHAT, "de"), data))
    return [r.text for r in outcome.replies]


async def test_stopping_the_questionnaire_brings_one_nudge_a_day_later_with_continue(
        lotse: Lotse, clock: Clock, dispatcher: Dispatcher, sender: RecordingSender):
    turns = lotse.turns
    outcome = await turns.handle(Command(Sender(CHAT, "de"), "start"))
    if outcome.flow == "consent":
        await turns.handle(ButtonPress(Sender(CHAT, "de"), "a|consent|ask|agree"))
    clock.now = utc(2026, 11, 23, 18, 30)  # Monday 19:30
    outcome = await turns.handle(ButtonPress(Sender(CHAT, "de"), "a|menu|choice|precheck"))
    assert outcome.flow == "precheck"
    await at(clock, dispatcher, utc(2026, 11, 24, 18, 29))
    assert sender.sent == []
    await at(clock, dispatcher, utc(2026, 11, 24, 18, 30))  # 24 h later, 19:30
    [(_, chat_id, nudge)] = sender.sent
    assert chat_id == CHAT and nudge.buttons[0][0].data == "fu|continue"
    replies = await press(lotse, "fu|continue")
    assert replies  # the questionnaire goes on where it stopped
    # the second nudge 72 h after the last answer: that is Thursday 19:30 → after another answer
    found = await rows(lotse)
    assert found[f"{plans.NUDGE}:2"].status == "pending"


async def test_stop_ends_follow_ups_and_start_resumes_them(
        lotse: Lotse, clock: Clock, dispatcher: Dispatcher, sender: RecordingSender):
    await change_booking(lotse, utc(2026, 11, 26, 13, 0), "booked")
    outcome = await lotse.turns.handle(Command(Sender(CHAT, "de"), "stop"))
    assert "/start" in outcome.replies[0].text
    assert {r.status for r in (await rows(lotse)).values()} == {"cancelled"}
    await lotse.turns.handle(Command(Sender(CHAT, "de"), "start"))
    assert {r.status for r in (await rows(lotse)).values()} == {"pending"}
    async with lotse.database.transaction() as session:
        user = await session.scalar(select(User).where(User.chat_id == CHAT))
        assert user is not None and user.follow_ups_stopped_at is None


async def test_the_answer_to_how_was_it_is_stored_with_next_steps(
        lotse: Lotse, clock: Clock, dispatcher: Dispatcher, sender: RecordingSender):
    booking_id = await change_booking(lotse, utc(2026, 11, 24, 9, 0), "booked")
    await at(clock, dispatcher, utc(2026, 11, 25, 9, 0))
    outcome = await lotse.turns.handle(
        ButtonPress(Sender(CHAT, "de"), f"fu|outcome|{booking_id}|bad"))
    assert outcome.chosen and outcome.replies[0].buttons[0][0].data == "fu|book"
    async with lotse.database.transaction() as session:
        booking = await session.get(Booking, booking_id)
        assert booking is not None and booking.outcome == "bad"
    forged = await lotse.turns.handle(
        ButtonPress(Sender(99, "de"), f"fu|outcome|{booking_id}|good"))
    assert forged.result == "stale-button"


async def test_rows_left_in_flight_by_a_crash_are_sent_after_a_minute(
        lotse: Lotse, clock: Clock, dispatcher: Dispatcher, sender: RecordingSender):
    await change_booking(lotse, utc(2026, 11, 24, 9, 0), "booked")  # Tuesday 10:00
    async with lotse.database.transaction() as session:
        [claimed] = await outbox.claim(session, utc(2026, 11, 23, 9, 0) + timedelta(hours=1), 5)
    clock.now = utc(2026, 11, 23, 10, 0, 30)
    assert await dispatcher.release_stuck() == 0  # claimed 30 s ago: maybe still in flight
    await dispatcher.run_due()
    assert sender.sent == []
    clock.now += timedelta(minutes=1)
    assert await dispatcher.release_stuck() == 1
    await dispatcher.run_due()
    assert [reply.text for _, _, reply in sender.sent] and claimed.kind == plans.REMINDER_DAY
