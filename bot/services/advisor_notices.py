"""What advisors and founders read about a booking, each in their own language."""

from __future__ import annotations

import icalendar

from bot.directory.model import Directory
from bot.domain.replies import Button, Reply
from bot.i18n.marker import N_
from bot.services.answer_labels import language_name
from bot.services.booking_texts import place_text
from bot.services.calendar import booking_event, booking_location, calendar_file
from bot.services.mail import Invitation
from bot.services.presenter import Presenter
from bot.storage.models import Booking, User

MAIL_LANGUAGE = "de"
NEW_BOOKING = N_("New appointment booked through Lotse")
MOVED = N_("An appointment was moved to a new time")
CANCELLED_BY_FOUNDER = N_("The founder cancelled this appointment.")
ENDED = {
    "cancelled": N_("This appointment is cancelled."),
    "declined": N_("This appointment is declined."),
}
DETAILS = N_("{when}\n{mode}: {place}\nThe founder writes in {language}.")
INTERPRETER = N_("The founder would like an interpreter.")
PHONE = N_("Phone: {phone}")
NO_SUMMARY = N_("The founder has not answered the pre-founding questions.")
CONFIRM = N_("Confirm")
DECLINE = N_("Decline")
CANCEL = N_("Cancel appointment")
MODES = {
    "office": N_("At the office"),
    "office_day": N_("Office day"),
    "phone": N_("By phone"),
    "video": N_("Video call"),
}
STATUSES = {"booked": N_("not confirmed yet"), "confirmed": N_("confirmed")}
CALENDAR_TITLE = N_("Business start-up advice (Lotse)")

FOUNDER_CONFIRMED = N_(
    "Good news: {advisor} has confirmed your appointment on {when}.\n{place}"
)
FOUNDER_DECLINED = N_("I am sorry: {advisor} cannot take your appointment on {when}.")
FOUNDER_CANCELLED = N_("I am sorry: {advisor} had to cancel your appointment on {when}.")
BOOK_AGAIN = N_("Write /start to book another time.")


def mode_text(booking: Booking, presenter: Presenter) -> str:
    """Return how the founder and advisor meet, in the presenter's language."""
    return presenter.text(MODES.get(booking.mode, MODES["office"]))


def booking_text(booking: Booking, founder: User, directory: Directory,
                 presenter: Presenter) -> str:
    """Return the appointment as the advisor reads it: time, place, language, summary."""
    advisor = directory.advisor(booking.advisor_id)
    lines = [presenter.text(DETAILS, {
        "when": presenter.when(booking.starts_at),
        "mode": mode_text(booking, presenter),
        "place": booking_location(booking, directory.institution(advisor.institution_id)),
        "language": language_name(founder.language or "en", presenter.language),
    })]
    if booking.interpreter:
        lines.append(presenter.text(INTERPRETER))
    if booking.phone:
        lines.append(presenter.text(PHONE, {"phone": booking.phone}))
    lines.append("")
    lines.append(booking.summary_de or presenter.text(NO_SUMMARY))
    return "\n".join(lines)


def booking_buttons(booking: Booking, presenter: Presenter) -> tuple[tuple[Button, ...], ...]:
    """Return the advisor's buttons for a booking that waits for an answer."""
    if booking.status == "booked":
        return ((Button(presenter.text(CONFIRM), f"adv|confirm|{booking.id}"),
                 Button(presenter.text(DECLINE), f"adv|decline|{booking.id}")),)
    return ((Button(presenter.text(CANCEL), f"adv|cancel|{booking.id}"),),)


def advisor_notice(booking: Booking, founder: User, change: str, directory: Directory,
                   presenter: Presenter) -> Reply:
    """Return the message an advisor gets when a founder books, moves or cancels."""
    if change == "cancelled":
        heading = presenter.text(CANCELLED_BY_FOUNDER)
        return Reply(f"{heading}\n{presenter.when(booking.starts_at)}")
    heading = presenter.text(MOVED if change == "moved" else NEW_BOOKING)
    return Reply(f"{heading}\n\n{booking_text(booking, founder, directory, presenter)}",
                 booking_buttons(booking, presenter))


def founder_answer(booking: Booking, directory: Directory, message: str, reason: str | None,
                   presenter: Presenter) -> Reply:
    """Return what the founder reads when the advisor confirms, declines or cancels."""
    text = presenter.text(message, {
        "advisor": directory.advisor(booking.advisor_id).name,
        "when": presenter.when(booking.starts_at),
        "place": place_text(presenter, directory, booking),
    })
    if reason is not None:
        text += "\n" + presenter.text(reason)
    if message != FOUNDER_CONFIRMED:
        text += "\n\n" + presenter.text(BOOK_AGAIN)
    return Reply(text)


def invitation(booking: Booking, founder: User, directory: Directory, change: str,
               organizer: str, german: Presenter) -> Invitation:
    """Return the e-mail invitation (REQUEST) or, when it ended, cancellation (CANCEL)."""
    method = "CANCEL" if change in ENDED else "REQUEST"
    advisor = directory.advisor(booking.advisor_id)
    institution = directory.institution(advisor.institution_id)
    title = german.text(CALENDAR_TITLE)
    body = booking_text(booking, founder, directory, german)
    event = booking_event(booking, advisor, institution, title, body)
    sender = icalendar.vCalAddress(f"mailto:{organizer}")
    sender.params["cn"] = icalendar.vText("Lotse")
    event["organizer"] = sender
    attendee = icalendar.vCalAddress(f"mailto:{advisor.email}")
    attendee.params.update(cn=icalendar.vText(advisor.name), role="REQ-PARTICIPANT",
                           partstat="NEEDS-ACTION" if method == "REQUEST" else "DECLINED",
                           rsvp="FALSE")
    event.add("attendee", attendee)
    heading = german.text(ENDED.get(change) or (MOVED if change == "moved" else NEW_BOOKING))
    return Invitation(
        to=advisor.email,
        subject=f"{title}: {german.when(booking.starts_at)}",
        body=f"{heading}\n\n{body}",
        calendar=calendar_file([event], method),
        method=method,
    )
