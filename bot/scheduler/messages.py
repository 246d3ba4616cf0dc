"""What each follow-up says, in the recipient's language, with buttons to act on it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.quiet_hours import QuietHours
from bot.domain.replies import Button, Reply
from bot.i18n import Translations
from bot.i18n.marker import N_
from bot.scheduler import plans
from bot.scheduler.outbox import CANCELLED, EXPIRED, Claimed
from bot.scheduler.plans import QuietPlaces
from bot.services.booking_texts import appointment_line, place_text
from bot.services.offer import day_text, time_text
from bot.services.presenter import Presenter
from bot.storage.models import AdvisorAccount, Booking, ConversationState, User

UPCOMING = ("booked", "confirmed")
PRECHECK_DONE = "precheck_done"  # slot the questionnaire sets when it is finished
EARLY = timedelta(minutes=1)

REMINDER_DAY = N_("Reminder: your appointment is tomorrow.\n{appointment}")
REMINDER_HOURS = N_("Reminder: your appointment is soon.\n{appointment}")
CANCEL_LABEL = N_("Cancel appointment")
MOVE_LABEL = N_("Move appointment")
HOW_WAS_IT = N_("How was your appointment with {advisor} yesterday?")
GOOD, OKAY, BAD = N_("Good"), N_("Okay"), N_("Not good")
NUDGE = N_("You stopped the questions about your business idea halfway. Shall we go on? "
           "Your answers so far are saved, and it takes only a few minutes.")
CONTINUE = N_("Continue")
CHECK_IN = N_("A month ago you talked to {advisor}. Have you registered your business? "
              "Do you need more help?")
REGISTERED, MORE_HELP, NOT_YET = N_("I registered it"), N_("I need more help"), N_("Not yet")
AGENDA_HEAD = N_("Your appointments today, {day}:")
AGENDA_LINE = N_("• {time}: {place}")
OUTCOMES = {"good": GOOD, "ok": OKAY, "bad": BAD}
CHECK_INS = {"registered": REGISTERED, "help": MORE_HELP, "not_yet": NOT_YET}


@dataclass(frozen=True)
class Skip:
    """Do not send this follow-up: it is cancelled or expired, for a reason."""

    status: str
    reason: str


@dataclass(frozen=True)
class Later:
    """Send this follow-up later, e.g. after the quiet hours."""

    due_at: datetime


Composed = Reply | Skip | Later


class Letters:
    """Composes each kind of follow-up from the rows it is about."""

    def __init__(self, translations: Translations, places: QuietPlaces) -> None:
        self.translations = translations
        self.places = places
        self.directory = places.directory

    async def prefetch(self, session: AsyncSession, follow_ups: list[Claimed]) -> None:
        """Load the recipients and their conversations into the session in two queries."""
        ids = {f.user_id for f in follow_ups if f.user_id is not None}
        if ids:
            await session.scalars(select(User).where(User.id.in_(ids)))
            await session.scalars(select(ConversationState).where(
                ConversationState.user_id.in_(ids)))

    async def compose(self, session: AsyncSession, follow_up: Claimed, now: datetime
                      ) -> Composed:
        """Return the reply to send now, or why it is skipped, or when to try again."""
        if follow_up.kind == plans.AGENDA:
            return await self._agenda(session, follow_up)
        user = await session.get(User, follow_up.user_id) if follow_up.user_id else None
        if user is None or user.blocked_at or user.follow_ups_stopped_at:
            return Skip(CANCELLED, "the user stopped follow-ups or blocked the bot")
        presenter = Presenter(self.translations, user.language)
        if follow_up.kind in plans.BOOKING_KINDS:
            return await self._about_booking(session, follow_up, now, presenter)
        if follow_up.kind == plans.NUDGE:
            return await self._nudge(session, user, now, presenter)
        return Skip(EXPIRED, f"unknown kind {follow_up.kind!r}")

    async def _about_booking(self, session: AsyncSession, follow_up: Claimed, now: datetime,
                             presenter: Presenter) -> Composed:
        """Remind of an appointment, ask how it was, or check in a month later."""
        booking = await session.get(Booking, int(follow_up.reference))
        if booking is None or booking.status not in UPCOMING:
            return Skip(CANCELLED, "the appointment was cancelled")
        quiet = self.places.quiet_for(advisor_id=booking.advisor_id)
        planned = plans.booking_due(follow_up.kind, booking.starts_at, quiet)
        if now < planned - EARLY:
            return Later(planned)
        if (follow_up.kind in plans.REMINDERS
                and now >= plans.reminder_deadline(follow_up.kind, booking.starts_at)):
            return Skip(EXPIRED, "too late for this reminder")
        if not quiet.allows(now):
            return Later(quiet.next_allowed(now))
        return self.booking_reply(follow_up.kind, booking, presenter)

    def booking_reply(self, kind: str, booking: Booking, presenter: Presenter) -> Reply:
        """Return the message of a follow-up about an appointment."""
        if kind in plans.REMINDERS:
            text = REMINDER_DAY if kind == plans.REMINDER_DAY else REMINDER_HOURS
            line = appointment_line(presenter, self.directory, booking)
            return Reply(presenter.text(text, {"appointment": line}), (
                (Button(presenter.text(MOVE_LABEL), f"bk|move|{booking.id}"),
                 Button(presenter.text(CANCEL_LABEL), f"bk|cancel|{booking.id}")),))
        advisor = self.directory.advisor(booking.advisor_id).name
        if kind == plans.AFTER:
            answers = OUTCOMES
            text = presenter.text(HOW_WAS_IT, {"advisor": advisor})
            data = f"fu|outcome|{booking.id}"
        else:
            answers = CHECK_INS
            text = presenter.text(CHECK_IN, {"advisor": advisor})
            data = f"fu|checkin|{booking.id}"
        buttons = tuple((Button(presenter.text(label), f"{data}|{value}"),)
                        for value, label in answers.items())
        return Reply(text, buttons)

    async def _nudge(self, session: AsyncSession, user: User, now: datetime,
                     presenter: Presenter) -> Composed:
        """Invite someone who stopped the questionnaire halfway to go on."""
        state = await session.get(ConversationState, user.id)
        slots = state.slots if state is not None else {}
        if slots.get(PRECHECK_DONE):
            return Skip(CANCELLED, "the questionnaire is finished")
        quiet = self.places.quiet_for(district_id=slots.get("district"))
        if not quiet.allows(now):
            return Later(quiet.next_allowed(now))
        return Reply(presenter.text(NUDGE),
                     ((Button(presenter.text(CONTINUE), "fu|continue"),),))

    async def _agenda(self, session: AsyncSession, follow_up: Claimed) -> Composed:
        """List an advisor's appointments of the day; skip a day without any."""
        account = await session.scalar(
            select(AdvisorAccount).where(AdvisorAccount.chat_id == follow_up.chat_id))
        if account is None:
            return Skip(CANCELLED, "the advisor is no longer linked")
        found = await day_bookings(session, account.advisor_id,
                                   date.fromisoformat(follow_up.reference), self.places.quiet)
        if not found:
            return Skip(EXPIRED, "no appointments that day")
        presenter = Presenter(self.translations, account.language)
        lines = [presenter.text(AGENDA_HEAD, {
            "day": day_text(found[0].starts_at, account.language)})]
        lines += [presenter.text(AGENDA_LINE, {
            "time": time_text(b.starts_at, account.language),
            "place": place_text(presenter, self.directory, b)}) for b in found]
        return Reply("\n".join(lines))


async def day_bookings(session: AsyncSession, advisor_id: str, day: date,
                       quiet: QuietHours) -> list[Booking]:
    """Return an advisor's upcoming appointments on a local day, in order."""
    start = datetime.combine(day, datetime.min.time(), tzinfo=quiet.zone)
    end = start + timedelta(days=1)
    return list(await session.scalars(
        select(Booking).where(Booking.advisor_id == advisor_id, Booking.status.in_(UPCOMING),
                              Booking.starts_at >= start, Booking.starts_at < end)
        .order_by(Booking.starts_at)))
