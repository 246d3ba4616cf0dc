"""Plan follow-ups when bookings change and questionnaires stall; /stop and /start; fu| buttons."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.engine import Output, Say
from bot.domain.quiet_hours import is_working_day
from bot.domain.replies import Button, Reply
from bot.i18n.marker import N_
from bot.scheduler import outbox, plans
from bot.scheduler.messages import CHECK_INS, OUTCOMES, PRECHECK_DONE, UPCOMING
from bot.scheduler.messages import day_bookings as advisor_day
from bot.scheduler.plans import QuietPlaces
from bot.services.events import Outcome
from bot.services.turn import CommandHandler, Handlers, Turn
from bot.storage.models import AdvisorAccount, Booking, FollowUp, User

PREFIX = "fu"
STOPPED = N_("Okay, I will not send you reminders or other messages of my own any more. "
             "/start turns them on again.")
NEXT_STEPS = {
    "good": N_("Glad to hear it! Next, do what you agreed with the advisor. If a question "
               "comes up, just write to me."),
    "ok": N_("Thank you for telling me. If something is still unclear, ask me, or book "
             "another appointment."),
    "bad": N_("I am sorry to hear that. You can book another appointment, also with another "
              "office, or ask me your question here."),
}
CONGRATULATIONS = N_("Congratulations, and good luck with your business!")
TAKE_YOUR_TIME = N_("Take your time. Write to me whenever you have a question.")
BOOK_AGAIN = N_("Book an appointment")
EXPIRED = N_("This question is already closed.")


class FollowUps:
    """Keeps the outbox in step with bookings, the questionnaire and the user's wishes."""

    def __init__(self, places: QuietPlaces) -> None:
        self.places = places

    def register(self, handlers: Handlers) -> None:
        """Listen to bookings and turns; add /stop, resume on /start, and the fu| buttons."""
        handlers.booking_changed.append(self.booking_changed)
        handlers.after_turn.append(self.after_turn)
        handlers.commands["stop"] = self.stop
        handlers.commands["start"] = self.resuming(handlers.commands.get("start"))
        handlers.buttons[PREFIX] = self.press

    async def booking_changed(self, turn: Turn, booking: Booking, change: str) -> None:
        """Plan, move or cancel the follow-ups of an appointment."""
        session = turn.session
        if change in ("cancelled", "declined"):
            await outbox.cancel(session, FollowUp.reference == str(booking.id),
                                FollowUp.kind.in_(plans.BOOKING_KINDS))
        elif change in ("booked", "moved", "confirmed"):
            founder = (turn.user if turn.user.id == booking.founder_id
                       else await session.get(User, booking.founder_id))
            if founder is not None:
                await self.plan_booking(session, founder, booking, turn.now,
                                        again=change == "moved")

    async def plan_booking(self, session: AsyncSession, founder: User, booking: Booking,
                           now: datetime, again: bool = False) -> None:
        """Schedule the reminders, the question after and the check-in of an appointment."""
        if founder.blocked_at or founder.follow_ups_stopped_at:
            return
        if booking.id is None:
            await session.flush()
        quiet = self.places.quiet_for(advisor_id=booking.advisor_id)
        reference = str(booking.id)
        for kind in plans.BOOKING_KINDS:
            if kind in plans.REMINDERS and booking.starts_at - plans.REMINDERS[kind] < now:
                await outbox.cancel(session, FollowUp.chat_id == founder.chat_id,
                                    FollowUp.kind == kind, FollowUp.reference == reference)
                continue
            await outbox.schedule(
                session, chat_id=founder.chat_id, user_id=founder.id, kind=kind,
                reference=reference, due_at=plans.booking_due(kind, booking.starts_at, quiet),
                now=now, again=again)

    async def after_turn(self, turn: Turn) -> None:
        """Nudge 24 h and 72 h after the last answer in the questionnaire, unless finished."""
        conversation, user = turn.conversation, turn.user
        if conversation.flow != "precheck":
            return  # outside the questionnaire nothing changes: no statement per turn
        nudges = (FollowUp.user_id == user.id, FollowUp.kind == plans.NUDGE)
        if conversation.slots.get(PRECHECK_DONE):
            await outbox.cancel(turn.session, *nudges)
        elif not user.follow_ups_stopped_at:
            quiet = self.places.quiet_for(district_id=conversation.slots.get("district"))
            for number in plans.NUDGES:
                await outbox.schedule(
                    turn.session, chat_id=user.chat_id, user_id=user.id, kind=plans.NUDGE,
                    reference=number, due_at=plans.nudge_due(number, turn.now, quiet),
                    now=turn.now)

    async def stop(self, turn: Turn, argument: str) -> list[Output]:
        """End every follow-up to this user until /start."""
        turn.user.follow_ups_stopped_at = turn.now
        await outbox.cancel(turn.session, FollowUp.chat_id == turn.user.chat_id)
        return [Say(STOPPED)]

    def resuming(self, earlier: CommandHandler | None) -> CommandHandler:
        """Return a /start handler that resumes follow-ups, then lets /start run as before."""

        async def start(turn: Turn, argument: str) -> list[Output] | None:
            user = turn.user
            if user.follow_ups_stopped_at is not None:
                user.follow_ups_stopped_at = None
                upcoming = await turn.session.scalars(select(Booking).where(
                    Booking.founder_id == user.id, Booking.status.in_(UPCOMING),
                    Booking.starts_at > turn.now))
                for booking in upcoming:
                    await self.plan_booking(turn.session, user, booking, turn.now)
            return await earlier(turn, argument) if earlier is not None else None

        return start

    async def press(self, turn: Turn, data: str) -> Outcome:
        """Answer a follow-up's button: go on with the questions, rate or book again."""
        presenter = turn.presenter
        what, _, rest = data.removeprefix(f"{PREFIX}|").partition("|")
        if what in ("continue", "book"):
            flow = "precheck" if what == "continue" else "booking"
            outputs = await turn.engine.start(turn.conversation, flow, turn.now, turn)
            return Outcome(presenter.render(outputs), result=f"follow-up-{what}")
        booking_id, _, value = rest.partition("|")
        booking = (await turn.session.get(Booking, int(booking_id))
                   if booking_id.isdigit() else None)
        answers = OUTCOMES if what == "outcome" else CHECK_INS
        if booking is None or booking.founder_id != turn.user.id or value not in answers:
            return Outcome(notice=presenter.text(EXPIRED), result="stale-button")
        chosen = presenter.text(answers[value])
        if what == "outcome":
            booking.outcome = value
            return Outcome([self._next_steps(value, turn)], chosen=chosen, result="outcome")
        if value == "help":
            outputs = await turn.engine.start(turn.conversation, "booking", turn.now, turn)
            return Outcome(presenter.render(outputs), chosen=chosen, result="check-in")
        text = CONGRATULATIONS if value == "registered" else TAKE_YOUR_TIME
        return Outcome([Reply(presenter.text(text))], chosen=chosen, result="check-in")

    @staticmethod
    def _next_steps(value: str, turn: Turn) -> Reply:
        """Return the next steps after the founder rated the appointment."""
        presenter = turn.presenter
        if value == "good":
            return Reply(presenter.text(NEXT_STEPS[value]))
        return Reply(presenter.text(NEXT_STEPS[value]),
                     ((Button(presenter.text(BOOK_AGAIN), f"{PREFIX}|book"),),))

    async def plan_agendas(self, session: AsyncSession, now: datetime) -> int:
        """Schedule today's agenda for every linked advisor with appointments on a working day."""
        day = now.astimezone(self.places.quiet.zone).date()
        planned = 0
        accounts = await session.scalars(
            select(AdvisorAccount).where(AdvisorAccount.chat_id.is_not(None)))
        for account in accounts:
            assert account.chat_id is not None
            quiet = self.places.quiet_for(advisor_id=account.advisor_id)
            stopped = await session.scalar(select(User.follow_ups_stopped_at).where(
                User.chat_id == account.chat_id))
            if (stopped or not is_working_day(day, quiet.state)
                    or not await advisor_day(session, account.advisor_id, day, quiet)):
                continue
            await outbox.schedule(session, chat_id=account.chat_id, user_id=None,
                                  kind=plans.AGENDA, reference=day.isoformat(), due_at=now,
                                  now=now)
            planned += 1
        return planned
