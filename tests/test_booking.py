"""Booking an advisor: the founder's conversation, races for one slot, forged buttons."""

from __future__ import annotations

import asyncio

import icalendar
import pytest
from sqlalchemy import func, select

from bot.app import Lotse, build
from bot.services.events import ButtonPress, Command, Outcome, Sender, TextMessage
from bot.settings import Settings
from bot.storage.models import Booking
from tests.conftest import Clock
from tests.faketelegram import FakeTelegram, FakeUser
from tests.test_conversation import eventually, until

FOUNDERS = 50
CONSENT = "a|consent|ask|agree"
MENU = "What would you like to do?"


async def start(user: FakeUser) -> None:
    """Send /start, agree to storing the answers when asked, and wait for the menu."""
    await user.send("/start")
    await user.wait_for(lambda ms: bool(ms) and (MENU in ms[-1].text or "agree" in ms[-1].text))
    if MENU not in user.messages()[-1].text:
        await user.press("I agree")
        await until(user, MENU)


async def to_offer(lotse: Lotse, chat_id: int, language: str = "en") -> Outcome:
    """Go from /start to the offered times: Löningen, starting a business, at the office."""
    sender = Sender(chat_id, language)
    await lotse.turns.handle(Command(sender, "start"))
    await lotse.turns.handle(ButtonPress(sender, CONSENT))  # refused as closed without consent
    await lotse.turns.handle(ButtonPress(sender, "a|menu|choice|booking"))
    await lotse.turns.handle(TextMessage(sender, "Löningen"))
    await lotse.turns.handle(ButtonPress(sender, "a|booking|ask_topic|start_business"))
    return await lotse.turns.handle(ButtonPress(sender, "a|booking|ask_mode|office"))


async def active_bookings(lotse: Lotse) -> list[Booking]:
    async with lotse.database.transaction() as session:
        found = await session.scalars(
            select(Booking).where(Booking.status.in_(("held", "booked", "confirmed"))))
        return list(found)


async def race(lotse: Lotse) -> None:
    offers = [await to_offer(lotse, 5000 + i) for i in range(FOUNDERS)]
    first = offers[0].replies[-2].text
    assert "Free times with Wirtschaftsförderung des Landkreises Cloppenburg" in first
    assert all(o.replies[-2].text == first for o in offers), "everyone sees the same times"
    outcomes = await asyncio.gather(*(
        lotse.turns.handle(ButtonPress(Sender(5000 + i, "en"), "a|booking|pick|s1"))
        for i in range(FOUNDERS)))
    held = [o for o in outcomes if "free for you" in o.replies[0].text]
    lost = [o for o in outcomes if o.replies[0].text.startswith("Sorry, someone else just took")]
    assert (len(held), len(lost)) == (1, FOUNDERS - 1)
    taken_line = first.splitlines()[3]
    for outcome in lost:
        alternatives = outcome.replies[1].text
        assert "Free times with" in alternatives and taken_line not in alternatives
        assert outcome.replies[-1].buttons, "fresh times to tap at once"
    winner = outcomes.index(held[0])
    booked = await lotse.turns.handle(
        ButtonPress(Sender(5000 + winner, "en"), "a|booking|confirm|book"))
    assert booked.replies[0].text.startswith("Your appointment is booked.")
    [booking] = await active_bookings(lotse)
    assert booking.status == "booked"


async def test_fifty_founders_race_for_one_slot_on_sqlite(lotse: Lotse) -> None:
    await race(lotse)


@pytest.mark.postgres
async def test_fifty_founders_race_for_one_slot_on_postgres(
        settings: Settings, clock: Clock, postgres_url: str) -> None:
    settings.database_url = postgres_url
    lotse = await build(settings, clock)
    try:
        await race(lotse)
    finally:
        await lotse.close()


async def test_confirm_twice_books_once_and_expired_hold_is_released(
        lotse: Lotse, clock: Clock) -> None:
    await to_offer(lotse, 6001)
    amira, boris = Sender(6001, "en"), Sender(6002, "en")
    await lotse.turns.handle(ButtonPress(amira, "a|booking|pick|s1"))
    clock.advance(minutes=11)
    await to_offer(lotse, 6002)
    taken = await lotse.turns.handle(ButtonPress(boris, "a|booking|pick|s1"))
    assert "free for you" in taken.replies[0].text, "Amira's hold ran out"
    again = await lotse.turns.handle(ButtonPress(amira, "a|booking|confirm|book"))
    assert again.replies[0].text.startswith("Sorry, someone else just took this time.")
    first = await lotse.turns.handle(ButtonPress(boris, "a|booking|confirm|book"))
    second = await lotse.turns.handle(ButtonPress(boris, "a|booking|confirm|book"))
    assert first.replies[0].text.startswith("Your appointment is booked.")
    assert second.result == "stale-button" and not second.replies
    bookings = await active_bookings(lotse)
    assert len(bookings) == 1
    async with lotse.database.transaction() as session:
        expired = await session.scalar(
            select(func.count()).select_from(Booking).where(Booking.status == "expired"))
    assert expired == 1


async def test_typed_wish_narrows_the_offer(lotse: Lotse) -> None:
    await to_offer(lotse, 6101)
    wish = await lotse.turns.handle(TextMessage(Sender(6101, "en"), "Friday morning"))
    offer = wish.replies[0].text
    assert "Friday, November 27, 2026" in offer
    assert "Tuesday" not in offer and "13:00" not in offer
    await to_offer(lotse, 6102, "de")
    wish = TextMessage(Sender(6102, "de"), "nächsten Mittwoch nachmittag")
    german = await lotse.turns.handle(wish)
    assert "Mittwoch, 25. November 2026" in german.replies[0].text
    assert "Freitag" not in german.replies[0].text


async def test_book_list_move_cancel_through_telegram(bot: Lotse, fake: FakeTelegram) -> None:
    user = fake.user(7001, language_code="en", first_name="Amira")
    await start(user)
    await user.press("Book an appointment")
    await until(user, "In which town")
    await user.send("Löningen")
    await until(user, "What would you like to talk about?")
    await user.press("Starting a business")
    await until(user, "How would you like to meet")
    await user.press("At the office")
    await until(user, "Which time suits you?")
    offer = user.messages()[-2].text
    assert offer.startswith("Free times with Wirtschaftsförderung des Landkreises Cloppenburg "
                            "(German time):")
    assert "Tuesday, November 24, 2026" in offer and "13:00 · Deniz Yılmaz" in offer
    buttons = user.messages()[-1].buttons
    assert buttons[0][0] == "Tue 24 · 13:00" and buttons[-2] == ["Other times"]

    await user.press("Tue 24 · 13:00")
    await until(user, "Shall I book it?")
    assert "for 10 minutes" in user.messages()[-2].text
    await user.send("0151 2345678")
    await until(user, "Shall I book it?")
    await user.press("Book it")
    await user.wait_for(lambda ms: any("Add the appointment" in m.text for m in ms))
    confirmation = next(m.text for m in user.messages() if "is booked" in m.text)
    assert "When: Tuesday, November 24, 2026, 13:00 (German time)" in confirmation
    assert "Where: Wirtschaftsförderung des Landkreises Cloppenburg, Eschstraße 29" in confirmation
    assert "With: Deniz Yılmaz" in confirmation and "• Your passport or ID card." in confirmation
    [ics] = user.documents()
    assert ics.filename == "appointment.ics"
    event = icalendar.Calendar.from_ical(ics.content).walk("VEVENT")[0]
    assert event.decoded("dtstart").isoformat() == "2026-11-24T13:00:00+01:00"
    [booking] = await active_bookings(bot)
    assert (booking.phone, booking.status) == ("0151 2345678", "booked")

    await user.send("/appointments")
    await until(user, "Deniz Yılmaz")
    assert user.messages()[-1].buttons == [["Move", "Cancel"]]
    await user.press("Move")
    await user.wait_for(lambda ms: "Free times with" in ms[-1].text)
    assert "13:00 · Deniz Yılmaz" not in user.messages()[-1].text.split("\n")[3]
    await user.press("Tue 24 · 14:00")
    await user.wait_for(lambda ms: "Add the appointment" in ms[-1].text)
    assert "Your appointment is moved." in user.messages()[-2].text
    moved = icalendar.Calendar.from_ical(user.documents()[-1].content).walk("VEVENT")[0]
    assert moved.decoded("dtstart").isoformat() == "2026-11-24T14:00:00+01:00"
    assert (str(moved["uid"]), moved["sequence"]) == (booking.uid, 1)
    [same] = await active_bookings(bot)
    assert same.id == booking.id and same.sequence == 1

    await user.send("/appointments")
    await until(user, "14:00")
    await user.press("Cancel")
    await until(user, "Do you really want to cancel")
    await user.press("Yes, cancel it")
    await until(user, "Your appointment is cancelled.")
    assert await active_bookings(bot) == []
    await user.send("/appointments")
    await until(user, "You have no upcoming appointments.")


async def test_forged_button_cannot_cancel_someone_elses_booking(
        bot: Lotse, fake: FakeTelegram) -> None:
    await to_offer(bot, 7101)
    await bot.turns.handle(ButtonPress(Sender(7101, "en"), "a|booking|pick|s1"))
    await bot.turns.handle(ButtonPress(Sender(7101, "en"), "a|booking|confirm|book"))
    [booking] = await active_bookings(bot)
    mallory = fake.user(7102, language_code="en")
    await start(mallory)
    pressed = len(mallory.answered_callbacks)
    for data in (f"bk|cancelyes|{booking.id}", f"bk|to|{booking.id}|0", f"bk|move|{booking.id}"):
        await mallory.press_data(data)
    await eventually(lambda: len(mallory.answered_callbacks) == pressed + 3)
    answers = [a.text for a in mallory.answered_callbacks[-3:]]
    assert answers == ["This appointment cannot be changed here."] * 3
    [unchanged] = await active_bookings(bot)
    assert (unchanged.status, unchanged.starts_at, unchanged.sequence) == (
        "booked", booking.starts_at, 0)
