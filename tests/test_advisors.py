"""The advisor's side of booking, through the real python-telegram-bot Application."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.app import Lotse
from bot.i18n import Translations
from bot.settings import Settings
from bot.storage.models import AdvisorAccount, Booking, TimeOff
from tests.advisor_desk import ADVISOR, Inbox, add_booking, booking, calendar_of, invite
from tests.advisor_desk import inbox as inbox
from tests.conftest import Clock, telegram_bot
from tests.faketelegram import FakeTelegram, FakeUser
from tests.test_conversation import eventually, until

DENIZ = "clp-wf-yilmaz"
NOT_A_CODE = "AAAAAAAAAAAAAAAAAAAAAA"
MENU = "What would you like to do?"
AGREE = "Do you agree that we store your answers"


async def start(user: FakeUser) -> None:
    """Send /start and agree to the privacy notice when asked."""
    await user.send("/start")
    await user.wait_for(lambda ms: bool(ms) and (MENU in ms[-1].text or AGREE in ms[-1].text))
    if AGREE in user.messages()[-1].text:
        await user.press("I agree")
        await until(user, MENU)


async def book_with_deniz(fake: FakeTelegram, chat_id: int) -> FakeUser:
    """A founder books Deniz Yılmaz on Tuesday at 13:00 through the chat."""
    founder = fake.user(chat_id, language_code="en", first_name="Amira")
    await start(founder)
    await founder.press("Book an appointment")
    await until(founder, "In which town")
    await founder.send("Löningen")
    await until(founder, "What would you like to talk about?")
    await founder.press("Starting a business")
    await until(founder, "How would you like to meet")
    await founder.press("At the office")
    await until(founder, "Which time suits you?")
    await founder.press("Tue 24 · 13:00")
    await until(founder, "Shall I book it?")
    await founder.press("Book it")
    await founder.wait_for(lambda ms: any("Add the appointment" in m.text for m in ms))
    return founder


async def linked_advisor(lotse: Lotse, fake: FakeTelegram, clock: Clock, chat_id: int,
                         advisor_id: str, language: str | None = None) -> FakeUser:
    advisor = fake.user(chat_id, language_code="de")
    await advisor.send(f"/start {await invite(lotse.database, clock(), advisor_id, language)}")
    await advisor.wait_for(1)
    return advisor


async def test_advisor_links_confirms_plans_and_cancels(
        settings: Settings, clock: Clock, fake: FakeTelegram, inbox: Inbox) -> None:
    async with telegram_bot(settings, clock, fake) as bot:
        advisor = fake.user(8001, language_code="de", first_name="Deniz")
        await advisor.send(f"/start {NOT_A_CODE}")
        await until(advisor, "Dieser Verknüpfungscode funktioniert nicht")  # in their language
        code = await invite(bot.database, clock(), DENIZ, language="en")
        async with bot.database.transaction() as session:
            account = await session.get(AdvisorAccount, DENIZ)
            assert account is not None and account.invite_hash not in (None, code)
        await advisor.send(f"/start {code}")
        welcome = await until(advisor, "Welcome, Deniz Yılmaz!")
        assert "/agenda" in welcome and "/timeoff" in welcome

        someone = fake.user(8002, language_code="en")
        await someone.send(f"/start {code}")
        await until(someone, "This link code does not work: it is wrong, already used or too old.")
        await start(someone)

        founder = await book_with_deniz(fake, 8101)
        notice = await until(advisor, "New appointment booked through Lotse")
        assert "Tuesday, November 24, 2026, 13:00 (German time)\nAt the office: " \
            "Wirtschaftsförderung des Landkreises Cloppenburg, Eschstraße 29" in notice
        assert "The founder writes in English." in notice
        assert advisor.messages()[-1].buttons == [["Confirm", "Decline"]]
        [request] = await inbox.wait(1)
        assert calendar_of(request)["METHOD"] == "REQUEST"

        await advisor.press("Confirm")
        told = await until(founder, "has confirmed your appointment")
        assert told.startswith("Good news: Deniz Yılmaz has confirmed your appointment on "
                               "Tuesday, November 24, 2026")
        assert advisor.answered_callbacks[-1].text == "Confirmed. The founder is told."
        assert advisor.messages()[-1].text.endswith("→ Confirm")
        [confirmed] = await active(bot)
        assert (confirmed.status, confirmed.sequence) == ("confirmed", 0)

        await advisor.send("/agenda")
        await advisor.wait_for(lambda ms: "confirmed" in ms[-1].text)
        heading, appointment = (m.text for m in advisor.messages()[-2:])
        assert heading == "Your appointments from Nov 23, 2026 to Nov 29, 2026:"
        assert "confirmed" in appointment and "At the office" in appointment
        assert advisor.messages()[-1].buttons == [["Cancel appointment"]]

        await advisor.send("/timeoff 24.12.2026 - 02.01.2027")
        await until(advisor, "Saved: founders cannot book you from Dec 24, 2026 to Jan 2, 2027.")
        await advisor.send("/timeoff 01.01.2020")
        await until(advisor, "Please give days from today on")
        await advisor.send("/timeoff")
        await until(advisor, "Write the days you are away")
        assert advisor.messages()[-1].buttons == [["Remove Dec 24, 2026 to Jan 2, 2027"]]
        async with bot.database.transaction() as session:
            [away] = await session.scalars(select(TimeOff))
            assert away.starts_at.isoformat() == "2026-12-23T23:00:00+00:00"
            assert away.ends_at.isoformat() == "2027-01-02T23:00:00+00:00"
        await advisor.press("Remove Dec 24, 2026 to Jan 2, 2027")
        await advisor.wait_for(lambda ms: ms[-1].text.endswith("→ Removed: founders can book "
                                                               "you again then."))
        async with bot.database.transaction() as session:
            assert list(await session.scalars(select(TimeOff))) == []

        await advisor.send("/agenda")
        await until(advisor, "confirmed")
        await advisor.press("Cancel appointment")
        await until(advisor, "Cancel the appointment on Tuesday, November 24, 2026")
        await advisor.press("Yes, cancel it")
        told = await until(founder, "had to cancel your appointment")
        assert "Write /start to book another time." in told
        cancelled = await booking(bot.database, confirmed.id)
        assert (cancelled.status, cancelled.sequence) == ("cancelled", 1)
        cancel = (await inbox.wait(2))[1]
        event = calendar_of(cancel).walk("VEVENT")[0]
        assert calendar_of(cancel)["METHOD"] == "CANCEL"
        assert (str(event["UID"]), int(event["SEQUENCE"])) == (confirmed.uid, 1)

        late = fake.user(8003, language_code="de")
        code = await invite(bot.database, clock(), ADVISOR)
        clock.advance(days=8)
        await late.send(f"/start {code}")
        await until(late, "Dieser Verknüpfungscode funktioniert nicht")


async def test_founder_cancels_and_advisor_is_told(bot: Lotse, fake: FakeTelegram,
                                                   clock: Clock) -> None:
    advisor = await linked_advisor(bot, fake, clock, 8011, DENIZ, "en")
    founder = await book_with_deniz(fake, 8111)
    await until(advisor, "New appointment booked through Lotse")
    await founder.send("/appointments")
    await until(founder, "Deniz Yılmaz")
    await founder.press("Cancel")
    await until(founder, "Do you really want to cancel")
    await founder.press("Yes, cancel it")
    told = await until(advisor, "The founder cancelled this appointment.")
    assert "Tuesday, November 24, 2026" in told


async def test_decline_reason_reaches_founder_in_their_language(
        bot: Lotse, fake: FakeTelegram, clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Translations, "gettext",
                        lambda self, language, msgid: f"[{language}] {msgid}")
    founder = fake.user(8201, language_code="tr")
    appointment = await add_booking(bot.database, 8201, clock(), language="tr")
    advisor = await linked_advisor(bot, fake, clock, 8021, ADVISOR)
    assert advisor.last_text() == (
        "[de] Welcome, Anna Müller! This chat is now linked to your advisor account. The "
        "appointments founders book with you arrive here, and you can confirm or decline them.\n"
        "/agenda shows your coming appointments, /timeoff blocks days off.")
    await advisor.send("/agenda")
    await until(advisor, "[de] not confirmed yet")
    await advisor.press("[de] Decline")
    await until(advisor, "[de] Why can you not take this appointment?")
    assert advisor.messages()[-1].buttons == [
        ["[de] The time does not suit after all"], ["[de] Another office is responsible"],
        ["[de] Other reason"], ["[de] Keep the appointment"]]
    await advisor.press("[de] The time does not suit after all")
    told = await until(founder, "[tr] The time does not suit after all.")
    assert told == ("[tr] I am sorry: Anna Müller cannot take your appointment on "
                    "[tr] 24 Kasım 2026 Salı, 09:00 (German time).\n"
                    "[tr] The time does not suit after all.\n\n"
                    "[tr] Write /start to book another time.")
    declined = await booking(bot.database, appointment.id)
    assert (declined.status, declined.decline_reason, declined.sequence) == ("declined", "time", 1)


async def test_forged_advisor_buttons_are_refused(bot: Lotse, fake: FakeTelegram,
                                                  clock: Clock) -> None:
    theirs = await add_booking(bot.database, 8301, clock(), advisor_id=DENIZ)
    await linked_advisor(bot, fake, clock, 8031, DENIZ, "en")
    anna = await linked_advisor(bot, fake, clock, 8032, ADVISOR, "en")
    founder = fake.user(8301, language_code="en")
    await founder.send("/start")
    await founder.wait_for(1)
    forged = [f"adv|confirm|{theirs.id}", f"adv|reason|{theirs.id}|time",
              f"adv|cancelnow|{theirs.id}", f"adv|decline|{theirs.id}", "adv|confirm|x", "adv"]
    for pressing in (anna, founder):
        for count, data in enumerate(forged, start=1):
            await pressing.press_data(data)
            await eventually(lambda: len(pressing.answered_callbacks) == count)  # noqa: B023
        assert [a.text for a in pressing.answered_callbacks] == [
            "This appointment is not one of yours."] * len(forged)
    unchanged = await booking(bot.database, theirs.id)
    assert (unchanged.status, unchanged.sequence, unchanged.decline_reason) == ("booked", 0, None)


async def active(lotse: Lotse) -> list[Booking]:
    async with lotse.database.transaction() as session:
        return list(await session.scalars(
            select(Booking).where(Booking.status.in_(("booked", "confirmed")))))
