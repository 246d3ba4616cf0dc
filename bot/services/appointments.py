"""A founder's appointments (/appointments): list them, move or cancel one.

Buttons carry "bk|what|booking id[|slot]"; every press is checked against the bookings
of the founder who pressed it, so forged data cannot touch someone else's booking.
"""

from __future__ import annotations

from datetime import datetime

from bot.domain.engine import Output, Say
from bot.domain.replies import Button, Reply
from bot.i18n.marker import N_
from bot.services import booking as bookings
from bot.services.booking import BookingRules, slot_from, slot_values
from bot.services.booking_steps import OTHER_TIMES, TAKEN, BookingSteps
from bot.services.booking_texts import appointment_line, confirmation, offer_text
from bot.services.events import Outcome
from bot.services.offer import button_label, choose
from bot.services.turn import Handlers, Turn
from bot.storage.models import Booking

PREFIX = "bk"
NONE_BOOKED = N_("You have no upcoming appointments. Would you like to book one? "
                 "Tap „Book an appointment“ in the menu.")
YOURS = N_("Your appointments:")
MOVE_LABEL = N_("Move")
CANCEL_LABEL = N_("Cancel")
CANCEL_QUESTION = N_("Do you really want to cancel this appointment?\n{appointment}")
CANCEL_YES = N_("Yes, cancel it")
KEEP = N_("No, keep it")
CANCELLED = N_("Your appointment is cancelled. The advisor is told. You can book a new one "
               "at any time.")
KEPT = N_("Okay, the appointment stays as it is.")
NOT_YOURS = N_("This appointment cannot be changed here.")
NO_OTHER_TIMES = N_("Sorry, this advisor has no other free time in the next weeks.")
LATER = "later"


class Appointments:
    """The founder's appointments and the buttons to change them."""

    def __init__(self, rules: BookingRules) -> None:
        self.rules = rules

    async def show(self, turn: Turn, argument: str = "") -> list[Output]:
        """Show the upcoming appointments, each with Move and Cancel."""
        found = await bookings.upcoming(turn.session, turn.user, turn.now)
        if not found:
            return [Say(NONE_BOOKED)]
        presenter = turn.presenter
        replies: list[Output] = [Say(YOURS)]
        for booking in found:
            buttons = ((Button(presenter.text(MOVE_LABEL), f"{PREFIX}|move|{booking.id}"),
                        Button(presenter.text(CANCEL_LABEL), f"{PREFIX}|cancel|{booking.id}")),)
            line = appointment_line(presenter, self.rules.directory, booking)
            replies.append(Reply(line, buttons))
        return replies

    async def press(self, turn: Turn, data: str) -> Outcome:
        """Handle a bk| button, on the founder's own bookings only."""
        parts = data.split("|")
        what, booking_id = [*parts, "", ""][1:3]
        booking = await bookings.owned(turn.session, turn.user, booking_id)
        presenter = turn.presenter
        if booking is None or booking.status not in bookings.UPCOMING:
            return Outcome(notice=presenter.text(NOT_YOURS), result="booking-refused")
        if what == "cancel":
            question = presenter.text(CANCEL_QUESTION, {"appointment": appointment_line(
                presenter, self.rules.directory, booking)})
            buttons = ((Button(presenter.text(CANCEL_YES), f"{PREFIX}|cancelyes|{booking.id}"),
                        Button(presenter.text(KEEP), f"{PREFIX}|keep|{booking.id}")),)
            return Outcome([Reply(question, buttons)], result="booking-cancel-asked")
        if what == "cancelyes":
            bookings.cancel(booking, turn.now)
            await turn.booking_changed(booking, "cancelled")
            return Outcome([Reply(presenter.text(CANCELLED))], result="booking-cancelled")
        if what == "keep":
            return Outcome([Reply(presenter.text(KEPT))], result="booking-kept")
        if what in ("move", LATER):
            after = None
            if what == LATER and turn.conversation.slots.get("move_offer"):
                after = datetime.fromisoformat(turn.conversation.slots["move_offer"][-1]["starts"])
            return Outcome(await self.offer_move(turn, booking, after), result="booking-move")
        if what == "to" and len(parts) == 4:
            return Outcome(await self.move(turn, booking, parts[3]), result="booking-moved")
        return Outcome(notice=presenter.text(NOT_YOURS), result="booking-refused")

    async def offer_move(self, turn: Turn, booking: Booking, after: datetime | None = None,
                         lead: str | None = None) -> list[Reply]:
        """Offer other free times with the same advisor, in the same way to meet."""
        presenter = turn.presenter
        advisor = self.rules.directory.advisor(booking.advisor_id)
        free = [s for s in await bookings.open_slots(turn.session, self.rules, [advisor],
                                                     turn.now, ignore=booking.id)
                if booking.mode in s.modes and s.starts_at != booking.starts_at]
        page = choose(free, after)
        replies = [Reply(presenter.text(lead))] if lead else []
        if not page:
            return [*replies, Reply(presenter.text(NO_OTHER_TIMES))]
        turn.conversation.slots["move_offer"] = [slot_values(s) for s in page]
        language = presenter.language or "en"
        buttons = [Button(button_label(s, language), f"{PREFIX}|to|{booking.id}|{i}")
                   for i, s in enumerate(page)]
        rows = [tuple(buttons[i:i + 2]) for i in range(0, len(buttons), 2)]
        rows.append((Button(presenter.text(OTHER_TIMES), f"{PREFIX}|{LATER}|{booking.id}"),))
        text = offer_text(presenter, self.rules.directory, page, booking.mode, False)
        return [*replies, Reply(text, tuple(rows))]

    async def move(self, turn: Turn, booking: Booking, index: str) -> list[Reply]:
        """Move the booking to an offered time; offer fresh times when it was just taken."""
        offered = turn.conversation.slots.get("move_offer") or []
        if not index.isdigit() or int(index) >= len(offered):
            return await self.offer_move(turn, booking)
        slot = slot_from(offered[int(index)])
        if slot.advisor_id != booking.advisor_id:
            return await self.offer_move(turn, booking)
        if not await bookings.move(turn.session, booking, slot, turn.now):
            return await self.offer_move(turn, booking, lead=TAKEN)
        turn.conversation.slots.pop("move_offer", None)
        await turn.booking_changed(booking, "moved")
        return confirmation(turn.presenter, self.rules.directory, self.rules.routing, booking,
                            turn.conversation.slots, moved=True)


def register(handlers: Handlers, rules: BookingRules) -> None:
    """Offer the booking flow's actions, /appointments and the bk| buttons."""
    steps = BookingSteps(rules)
    appointments = Appointments(rules)
    handlers.actions.update(
        prepare_booking=steps.prepare, booking_town=steps.find_town, offer_slots=steps.offer,
        hold_slot=steps.hold, confirm_booking=steps.confirm,
    )
    handlers.commands["appointments"] = appointments.show
    handlers.buttons[PREFIX] = appointments.press
