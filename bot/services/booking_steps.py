"""The actions of `flows/booking.yml`: find the town, offer times, hold one, book it."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from bot.directory.model import Advisor
from bot.domain.replies import Reply
from bot.domain.slots import Slot
from bot.i18n.marker import N_
from bot.services import booking as bookings
from bot.services.booking import BookingRules, slot_from, slot_values
from bot.services.booking_texts import confirmation, offer_text
from bot.services.offer import (
    Wish,
    button_label,
    choose,
    day_text,
    mode_for,
    read_wish,
    responsible_advisors,
    time_text,
)
from bot.services.summary import founder_summary
from bot.services.turn import Turn
from bot.storage.models import Booking

MORE = "more"
BOOK, INTERPRETER, OTHER = "book", "interpreter", "other"
PHONE = re.compile(r"^\+?[\d\s()/-]{6,20}$")

NO_TIMES = N_(
    "Sorry, I found no free time for this in the next weeks. Please contact {institution} "
    "directly: {contact}")
NO_ADVISOR = N_(
    "Sorry, I found no advisor for this. Please contact the Wirtschaftsförderung of your "
    "district; they will help you further.")
NOT_FITTING = N_("No free time fits this wish. Here are the next free times.")
NOT_A_TIME = N_("I could not read a day or time in that. Tap a time, or write for example "
                "„Tuesday morning“.")
TAKEN = N_("Sorry, someone else just took this time. Here are other free times.")
HELD = N_("I am keeping {day}, {time} (German time) with {advisor} free for you for "
          "{minutes} minutes.")
PHONE_NOTED = N_("Thank you, I noted your phone number for the advisor.")
NOT_A_DECISION = N_("Please tap a button, or write your phone number.")
OTHER_TIMES = N_("Other times")
BOOK_LABEL = N_("Book it")
INTERPRETER_LABEL = N_("Book it, with an interpreter")
OTHER_LABEL = N_("Choose another time")
TOWN_UNKNOWN = N_("I do not know the town „{town}“.")


class BookingSteps:
    """The booking flow's actions, sharing the district's data and the booking settings."""

    def __init__(self, rules: BookingRules) -> None:
        self.rules = rules

    async def prepare(self, turn: Turn) -> list[Reply]:
        """Take what the precheck already knows: the district of the town, the topic."""
        answers = turn.conversation.slots
        directory = self.rules.directory
        if answers.get("town") and not answers.get("district"):
            towns = [t for t in directory.towns if t.id == answers["town"]]
            if towns:
                answers["district"] = towns[0].district_id
        for key in ("offer", "pick", "decision", "offer_wish", "held", "booking_topic"):
            answers.pop(key, None)
        if answers.get("business_kind") not in (None, "unknown"):
            answers["booking_topic"] = "craft" if answers["business_kind"] == "craft" \
                else "start_business"
        return []

    async def find_town(self, turn: Turn) -> list[Reply]:
        """Find the typed town; the next question asks for the district when it is unknown."""
        answers = turn.conversation.slots
        directory = self.rules.directory
        towns = directory.find_towns(str(answers.get("booking_town", "")))
        if towns:
            answers["town"], answers["district"] = towns[0].id, towns[0].district_id
            turn.conversation.step = "what"
            return []
        answers["districts"] = [{"value": d.id, "label": d.name} for d in directory.districts]
        return [Reply(turn.presenter.text(TOWN_UNKNOWN, {"town": answers.get("booking_town")}))]

    async def offer(self, turn: Turn) -> list[Reply]:
        """Offer about ten free times of the responsible advisors."""
        return await self.offer_page(turn)

    async def offer_page(self, turn: Turn, after: datetime | None = None,
                         wish: Wish | None = None, lead: str | None = None) -> list[Reply]:
        """Offer a page of free times and wait for the pick; end the flow when there are none."""
        answers, presenter = turn.conversation.slots, turn.presenter
        advisors = self.advisors(turn)
        replies = [Reply(presenter.text(lead))] if lead else []
        if not advisors:
            turn.conversation.step = "to_menu"
            return [*replies, Reply(presenter.text(NO_ADVISOR))]
        wanted = answers.get("meeting_mode")
        free = [s for s in await bookings.open_slots(turn.session, self.rules, advisors, turn.now)
                if wanted in (None, "any") or wanted in s.modes]
        page = choose(free, after, wish)
        if not page and wish is not None:
            page = choose(free, after)
            replies.append(Reply(presenter.text(NOT_FITTING)))
        if not page:
            institution = self.rules.directory.institution(advisors[0].institution_id)
            turn.conversation.step = "to_menu"
            return [*replies, Reply(presenter.text(NO_TIMES, {
                "institution": institution.name,
                "contact": institution.phone or institution.email}))]
        language = presenter.language or "en"
        interpreter = not any(language in a.languages for a in advisors)
        answers["interpreter_possible"] = interpreter
        answers["offer_wish"] = wish.as_slots() if wish else None
        answers["offer"] = [
            {"value": f"s{i}", "label": button_label(slot, language), **slot_values(slot)}
            for i, slot in enumerate(page, 1)
        ] + [{"value": MORE, "label": presenter.text(OTHER_TIMES)}]
        turn.conversation.step = "pick"
        text = offer_text(presenter, self.rules.directory, page, wanted, interpreter)
        return [*replies, Reply(text)]

    def advisors(self, turn: Turn) -> list[Advisor]:
        """Return the advisors responsible for this founder who fit topic and way to meet."""
        language = turn.conversation.language or "en"
        return responsible_advisors(turn.conversation.slots, language, self.rules.directory,
                                    self.rules.routing)

    async def hold(self, turn: Turn) -> list[Reply]:
        """Hold the picked time; or show other times, or the times that fit a typed wish."""
        answers = turn.conversation.slots
        pick = str(answers.get("pick", ""))
        offered = {o["value"]: o for o in answers.get("offer", [])}
        if pick == MORE:
            last = [o for o in answers["offer"] if o["value"] != MORE][-1]
            wish = Wish.from_slots(answers.get("offer_wish"))
            return await self.offer_page(turn, datetime.fromisoformat(last["starts"]), wish)
        if pick not in offered:
            wish = read_wish(pick, turn.conversation.language or "en", turn.now)
            if wish is None:
                turn.conversation.step = "pick"
                return [Reply(turn.presenter.text(NOT_A_TIME))]
            return await self.offer_page(turn, wish=wish)
        slot = slot_from(offered[pick])
        booking = await bookings.hold(turn.session, self.rules, turn.user, slot,
                                      mode_for(slot, answers.get("meeting_mode")), turn.now)
        if booking is None:
            return await self.offer_page(turn, lead=TAKEN)
        answers["held"] = booking.id
        answers["decisions"] = self.decisions(turn)
        return [Reply(turn.presenter.text(HELD, self.held_params(turn, slot)))]

    def held_params(self, turn: Turn, slot: Slot) -> dict[str, Any]:
        """Return the placeholders of the held-time message."""
        language = turn.conversation.language
        return {"day": day_text(slot.starts_at, language),
                "time": time_text(slot.starts_at, language),
                "advisor": self.rules.directory.advisor(slot.advisor_id).name,
                "minutes": int(self.rules.hold.total_seconds() // 60)}

    def decisions(self, turn: Turn) -> list[dict[str, str]]:
        """Return the buttons under a held time."""
        text = turn.presenter.text
        options = [{"value": BOOK, "label": text(BOOK_LABEL)}]
        if turn.conversation.slots.get("interpreter_possible"):
            options.append({"value": INTERPRETER, "label": text(INTERPRETER_LABEL)})
        return [*options, {"value": OTHER, "label": text(OTHER_LABEL)}]

    async def confirm(self, turn: Turn) -> list[Reply]:
        """Book the held time, note a phone number, or go back to the times."""
        answers = turn.conversation.slots
        decision = str(answers.get("decision", "")).strip()
        booking = await bookings.owned(turn.session, turn.user, str(answers.get("held", "")))
        if booking is None or decision == OTHER:
            wish = Wish.from_slots(answers.get("offer_wish"))
            return await self.offer_page(turn, wish=wish)
        if decision not in (BOOK, INTERPRETER):
            turn.conversation.step = "confirm"
            if PHONE.match(decision):
                booking.phone = decision
                return [Reply(turn.presenter.text(PHONE_NOTED))]
            return [Reply(turn.presenter.text(NOT_A_DECISION))]
        return await self.book(turn, booking, interpreter=decision == INTERPRETER)

    async def book(self, turn: Turn, booking: Booking, interpreter: bool) -> list[Reply]:
        """Book a held time and confirm it, once; offer fresh times when it was lost."""
        already = booking.status in bookings.UPCOMING
        booking.interpreter = booking.interpreter or interpreter
        if not await bookings.book(turn.session, booking, turn.now):
            return await self.offer_page(turn, lead=TAKEN)
        if not already:
            booking.summary_de = founder_summary(turn, self.rules.directory)
            await turn.booking_changed(booking, "booked")
        turn.conversation.slots.pop("held", None)
        return confirmation(turn.presenter, self.rules.directory, self.rules.routing, booking,
                            turn.conversation.slots)
