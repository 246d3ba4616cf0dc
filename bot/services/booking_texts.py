"""What founders read about bookings: the offered times and the confirmation with its .ics."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bot.directory.model import Directory
from bot.domain.replies import Document, Reply
from bot.domain.routing import RoutingRules, checklist
from bot.domain.slots import Slot
from bot.i18n.marker import N_
from bot.services.answer_labels import language_name
from bot.services.calendar import booking_event, calendar_file
from bot.services.offer import MODE_LABELS, day_text, mode_for, time_text
from bot.services.presenter import Presenter
from bot.storage.models import Booking

OFFER_HEAD = N_("Free times with {institution} (German time):")
OFFER_LINE = N_("{time} · {advisor} · {where}")
INTERPRETER_NOTE = N_(
    "None of these advisors speaks {language}. You can ask for an interpreter when you book.")
BOOKED = N_(
    "Your appointment is booked.\n\n"
    "When: {day}, {time} (German time)\n"
    "Where: {place}\n"
    "With: {advisor}, {institution}\n\n"
    "Please bring:\n{checklist}\n\n"
    "/appointments shows your appointments; there you can move or cancel them.")
MOVED = N_("Your appointment is moved.")
CALENDAR_CAPTION = N_("Add the appointment to your calendar with this file.")
EVENT_SUMMARY = N_("Appointment with {advisor} ({institution})")
APPOINTMENT_LINE = N_("{day}, {time} (German time) · {advisor}, {institution} · {place}")
PLACE_OFFICE = N_("{institution}, {address}")
PLACE_OFFICE_DAY = N_("{place} (office day)")
PLACE_PHONE = N_("By phone: the advisor calls you. Questions before: {contact}")
PLACE_VIDEO = N_("By video call: the advisor sends you the link. Questions before: {contact}")


def where(presenter: Presenter, slot: Slot, wanted: str | None) -> str:
    """Return how and where the founder meets the advisor in a slot, in a few words."""
    mode = mode_for(slot, wanted)
    return presenter.text(MODE_LABELS[mode], {"place": slot.place})


def offer_text(presenter: Presenter, directory: Directory, page: Sequence[Slot],
               wanted: str | None, interpreter: bool) -> str:
    """Return the offered times, grouped by day."""
    language = presenter.language
    institution = directory.institution(directory.advisor(page[0].advisor_id).institution_id)
    lines = [presenter.text(OFFER_HEAD, {"institution": institution.name})]
    day = None
    for slot in page:
        if slot.local_start.date() != day:
            day = slot.local_start.date()
            lines += ["", day_text(slot.starts_at, language)]
        lines.append(presenter.text(OFFER_LINE, {
            "time": time_text(slot.starts_at, language),
            "advisor": directory.advisor(slot.advisor_id).name,
            "where": where(presenter, slot, wanted)}))
    if interpreter:
        lines += ["", presenter.text(INTERPRETER_NOTE,
                                     {"language": language_name(language or "en", language)})]
    return "\n".join(lines)


def place_text(presenter: Presenter, directory: Directory, booking: Booking) -> str:
    """Return where the appointment takes place, for the founder."""
    institution = directory.institution(directory.advisor(booking.advisor_id).institution_id)
    contact = institution.phone or institution.email
    texts = {"office": PLACE_OFFICE, "office_day": PLACE_OFFICE_DAY, "phone": PLACE_PHONE,
             "video": PLACE_VIDEO}
    return presenter.text(texts[booking.mode], {
        "institution": institution.name, "address": institution.address,
        "place": booking.place, "contact": contact})


def appointment_line(presenter: Presenter, directory: Directory, booking: Booking) -> str:
    """Return one appointment in a line: when, with whom, where."""
    advisor = directory.advisor(booking.advisor_id)
    return presenter.text(APPOINTMENT_LINE, {
        "day": day_text(booking.starts_at, presenter.language),
        "time": time_text(booking.starts_at, presenter.language),
        "advisor": advisor.name,
        "institution": directory.institution(advisor.institution_id).name,
        "place": place_text(presenter, directory, booking)})


def confirmation(presenter: Presenter, directory: Directory, routing: RoutingRules,
                 booking: Booking, answers: Mapping[str, Any], moved: bool = False
                 ) -> list[Reply]:
    """Return the confirmation in the founder's language, and the calendar file."""
    advisor = directory.advisor(booking.advisor_id)
    institution = directory.institution(advisor.institution_id)
    things = "\n".join(f"• {presenter.text(item)}" for item in checklist(answers, routing))
    text = presenter.text(BOOKED, {
        "day": day_text(booking.starts_at, presenter.language),
        "time": time_text(booking.starts_at, presenter.language),
        "place": place_text(presenter, directory, booking),
        "advisor": advisor.name, "institution": institution.name, "checklist": things})
    if moved:
        text = f"{presenter.text(MOVED)}\n\n{text}"
    summary = presenter.text(EVENT_SUMMARY, {"advisor": advisor.name,
                                             "institution": institution.name})
    event = booking_event(booking, advisor, institution, summary, things)
    document = Document("appointment.ics", calendar_file([event], "PUBLISH"), "text/calendar")
    return [Reply(text), Reply(presenter.text(CALENDAR_CAPTION), document=document)]
