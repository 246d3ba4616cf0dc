"""The advisor's side of booking in the chat: link, hear of bookings, answer them, plan."""

from __future__ import annotations

import logging
import re
from datetime import UTC, date, datetime, time, timedelta

from babel.dates import format_date
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.directory.model import Advisor, Directory
from bot.domain.engine import Output, Say
from bot.domain.replies import Button, Reply
from bot.domain.slots import BERLIN
from bot.i18n import SOURCE_LANGUAGE, dates
from bot.i18n.marker import N_
from bot.services import advisor_accounts as accounts
from bot.services import advisor_notices as notices
from bot.services.calendar import booking_location
from bot.services.events import Outcome
from bot.services.mail import MailQueue
from bot.services.presenter import Presenter
from bot.services.turn import Handlers, Turn
from bot.settings import Settings
from bot.storage.models import AdvisorAccount, Booking, TimeOff, User

log = logging.getLogger(__name__)

PREFIX = "adv"
CODE = re.compile(r"[A-Za-z0-9_-]{22}")
AGENDA_DAYS = 7
MAX_TIME_OFF_DAYS = 366
_DATE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}\.\d{1,2}\.\d{2,4}")

LINKED = N_(
    "Welcome, {name}! This chat is now linked to your advisor account. The appointments "
    "founders book with you arrive here, and you can confirm or decline them.\n"
    "/agenda shows your coming appointments, /timeoff blocks days off."
)
BAD_CODE = N_(
    "This link code does not work: it is wrong, already used or too old. "
    "Please ask the Lotse team for a new link."
)
NOT_YOURS = N_("This appointment is not one of yours.")
ALREADY_ANSWERED = N_("This appointment has already been answered.")
CONFIRMED = N_("Confirmed. The founder is told.")
CHOOSE_REASON = N_(
    "Why can you not take this appointment? The founder reads the reason in their language."
)
REASONS = {
    "time": (N_("The time does not suit after all"),
             N_("The time does not suit after all.")),
    "office": (N_("Another office is responsible"),
               N_("Another office can help you better with your question.")),
    "other": (N_("Other reason"), None),
}
KEEP = N_("Keep the appointment")
KEPT = N_("Nothing changed: the appointment stays.")
DECLINED = N_("Declined. The founder is told.")
CANCEL_QUESTION = N_("Cancel the appointment on {when}? The founder is told.")
CANCEL_NOW = N_("Yes, cancel it")
CANCELLED = N_("Cancelled. The founder is told.")
AGENDA = N_("Your appointments from {first} to {last}:")
NO_APPOINTMENTS = N_("You have no appointments in the coming days.")
AWAY = N_("Away: {first} to {last}")
TIME_OFF_HELP = N_(
    "Write the days you are away, for example:\n/timeoff 24.12.2026 - 02.01.2027\n"
    "or one day: /timeoff 15.03.2027"
)
TIME_OFF_WRONG = N_(
    "Please give days from today on, the first day before the last, at most a year."
)
TIME_OFF_SAVED = N_("Saved: founders cannot book you from {first} to {last}.")
TIME_OFF_BOOKED = N_(
    "Appointments already booked in this time stay until you cancel them: {count}. "
    "/agenda shows the coming ones."
)
REMOVE = N_("Remove {first} to {last}")
TIME_OFF_REMOVED = N_("Removed: founders can book you again then.")


def parse_days(argument: str) -> list[date]:
    """Return the dates written in a /timeoff argument (31.12.2026 or 2026-12-31)."""
    days: list[date] = []
    for written in _DATE.findall(argument):
        try:
            if "-" in written:
                days.append(date.fromisoformat("-".join(p.zfill(2) for p in written.split("-"))))
            else:
                day, month, year = (int(p) for p in written.split("."))
                days.append(date(year + 2000 if year < 100 else year, month, day))
        except ValueError:
            return []
    return days


def day_start(day: date) -> datetime:
    """Return when a German day begins, in UTC."""
    return datetime.combine(day, time(0), BERLIN).astimezone(UTC)


def short_day(moment: datetime, language: str | None) -> str:
    """Return a German day as people of this language write it briefly: 24 Dec 2026."""
    language = language or SOURCE_LANGUAGE
    local = moment.astimezone(BERLIN).date()
    return dates.local_digits(format_date(local, "medium", locale=language), language)


async def agenda(session: AsyncSession, directory: Directory, advisor_id: str, now: datetime,
                 presenter: Presenter) -> list[Reply]:
    """Return an advisor's agenda from today on: the days away, then one message per booking."""
    today = now.astimezone(BERLIN).date()
    first, last = day_start(today), day_start(today + timedelta(days=AGENDA_DAYS))
    bookings = list(await session.scalars(
        select(Booking).where(Booking.advisor_id == advisor_id,
                              Booking.status.in_(notices.STATUSES),
                              Booking.starts_at >= first, Booking.starts_at < last)
        .order_by(Booking.starts_at)))
    away = list(await session.scalars(
        select(TimeOff).where(TimeOff.advisor_id == advisor_id, TimeOff.ends_at > first,
                              TimeOff.starts_at < last).order_by(TimeOff.starts_at)))
    if not bookings and not away:
        return [Reply(presenter.text(NO_APPOINTMENTS))]
    institution = directory.institution(directory.advisor(advisor_id).institution_id)
    heading = presenter.text(AGENDA, {
        "first": short_day(first, presenter.language),
        "last": short_day(last - timedelta(days=1), presenter.language)})
    lines = [presenter.text(AWAY, days_away(t, presenter.language)) for t in away]
    return [Reply("\n".join([heading, *lines])), *(
        Reply(f"{presenter.when(b.starts_at)} · {presenter.text(notices.STATUSES[b.status])}\n"
              f"{notices.mode_text(b, presenter)}: {booking_location(b, institution)}",
              notices.booking_buttons(b, presenter)) for b in bookings)]


def days_away(away: TimeOff, language: str | None) -> dict[str, str]:
    """Return the first and last day of time off, for a text."""
    return {"first": short_day(away.starts_at, language),
            "last": short_day(away.ends_at - timedelta(days=1), language)}


class Advisors:
    """Advisors in the chat: /start CODE, booking notices, their answers, /agenda, /timeoff."""

    def __init__(self, settings: Settings, directory: Directory, mail: MailQueue | None) -> None:
        self.settings = settings
        self.directory = directory
        self.mail = mail

    def register(self, handlers: Handlers) -> None:
        """Offer the advisor's commands, buttons and the booking listener."""
        handlers.commands.update(start=self.start, agenda=self.agenda, timeoff=self.time_off)
        handlers.buttons[PREFIX] = self.press
        handlers.booking_changed.append(self.booking_changed)

    async def start(self, turn: Turn, argument: str) -> list[Output] | None:
        """Link the chat with an advisor's one-time code; None lets the normal /start run."""
        code = argument.strip()
        if not CODE.fullmatch(code):
            return None
        account = await accounts.link(turn.session, code, turn.user.chat_id, turn.now)
        if account is None:
            log.info("advisor link refused")
            return [Say(BAD_CODE)]
        turn.conversation.language = account.language
        advisor = self._advisor(account.advisor_id)
        name = advisor.name if advisor else account.advisor_id
        log.info("advisor chat linked")
        return [Reply(self._presenter(turn, account).text(LINKED, {"name": name}))]

    async def booking_changed(self, turn: Turn, booking: Booking, change: str) -> None:
        """Tell the advisor of a founder's booking, move or cancellation, and send the e-mail."""
        advisor = self._advisor(booking.advisor_id)
        founder = await turn.session.get(User, booking.founder_id)
        if advisor is None or founder is None:
            return
        account = await turn.session.get(AdvisorAccount, booking.advisor_id)
        told = change in ("booked", "moved", "cancelled")
        if told and account and account.chat_id and account.chat_id != turn.user.chat_id:
            presenter = self._presenter(turn, account)
            turn.tell(account.chat_id, notices.advisor_notice(booking, founder, change,
                                                              self.directory, presenter))
        if (told or change == "declined") and self.mail is not None:
            self.mail.add(turn.session, notices.invitation(
                booking, founder, self.directory, change, self.settings.smtp_from,
                Presenter(turn.translations, notices.MAIL_LANGUAGE)))

    async def press(self, turn: Turn, data: str) -> Outcome:
        """Handle an advisor's button; only the booking's own advisor may act on it."""
        parts = data.split("|")
        verb = parts[1] if len(parts) > 2 else ""
        if verb == "offdel":
            return await self._remove_time_off(turn, parts[2])
        found = await self._own_booking(turn, parts[2] if len(parts) > 2 else "")
        if found is None:
            log.warning("advisor button refused: not the booking's advisor")
            return Outcome(notice=turn.presenter.text(NOT_YOURS), result="refused")
        account, booking = found
        presenter = self._presenter(turn, account)
        if verb == "keep":
            return Outcome(notice=presenter.text(KEPT), chosen=presenter.text(KEEP),
                           result="advisor-kept")
        if verb == "cancel" and booking.status in ("booked", "confirmed"):
            return self._ask_to_cancel(booking, presenter)
        if verb == "cancelnow" and booking.status in ("booked", "confirmed"):
            return await self._end(turn, booking, "cancelled", notices.FOUNDER_CANCELLED, None,
                                   presenter.text(CANCELLED))
        if booking.status != "booked":
            return Outcome(notice=presenter.text(ALREADY_ANSWERED), result="stale")
        if verb == "confirm":
            return await self._confirm(turn, booking, presenter)
        if verb == "decline":
            return self._ask_reason(booking, presenter)
        if verb == "reason" and len(parts) == 4 and parts[3] in REASONS:
            booking.decline_reason = parts[3]
            outcome = await self._end(turn, booking, "declined", notices.FOUNDER_DECLINED,
                                      REASONS[parts[3]][1], presenter.text(DECLINED))
            outcome.chosen = presenter.text(REASONS[parts[3]][0])
            return outcome
        return Outcome(notice=presenter.text(ALREADY_ANSWERED), result="stale")

    async def agenda(self, turn: Turn, argument: str) -> list[Output] | None:
        """Show the advisor's appointments of the coming days, each with its buttons."""
        account = await accounts.linked_to(turn.session, turn.user.chat_id)
        if account is None:
            return None
        if self._advisor(account.advisor_id) is None:
            return None
        return list(await agenda(turn.session, self.directory, account.advisor_id, turn.now,
                                 self._presenter(turn, account)))

    async def time_off(self, turn: Turn, argument: str) -> list[Output] | None:
        """Block days off (/timeoff 24.12.2026 - 02.01.2027), or show them with a remove button."""
        account = await accounts.linked_to(turn.session, turn.user.chat_id)
        if account is None:
            return None
        presenter = self._presenter(turn, account)
        if not argument.strip():
            return [await self._time_off_list(turn, account, presenter)]
        days = parse_days(argument)
        today = turn.now.astimezone(BERLIN).date()
        if len(days) not in (1, 2) or not today <= days[0] <= days[-1] \
                or (days[-1] - days[0]).days > MAX_TIME_OFF_DAYS:
            return [Reply(f"{presenter.text(TIME_OFF_WRONG)}\n\n{presenter.text(TIME_OFF_HELP)}")]
        away = TimeOff(advisor_id=account.advisor_id, starts_at=day_start(days[0]),
                       ends_at=day_start(days[-1] + timedelta(days=1)))
        turn.session.add(away)
        booked = len((await turn.session.scalars(
            select(Booking.id).where(Booking.advisor_id == account.advisor_id,
                                     Booking.status.in_(notices.STATUSES),
                                     Booking.starts_at < away.ends_at,
                                     Booking.ends_at > away.starts_at))).all())
        text = presenter.text(TIME_OFF_SAVED, days_away(away, presenter.language))
        if booked:
            text += "\n" + presenter.text(TIME_OFF_BOOKED, {"count": booked})
        log.info("advisor time off added")
        return [Reply(text)]

    async def _confirm(self, turn: Turn, booking: Booking, presenter: Presenter) -> Outcome:
        """Confirm a booking and tell the founder."""
        booking.status = "confirmed"
        booking.updated_at = turn.now
        await self._tell_founder(turn, booking, notices.FOUNDER_CONFIRMED, None)
        await turn.booking_changed(booking, "confirmed")
        return Outcome(notice=presenter.text(CONFIRMED), chosen=presenter.text(notices.CONFIRM),
                       result="advisor-confirmed")

    async def _end(self, turn: Turn, booking: Booking, status: str, message: str,
                   reason: str | None, done: str) -> Outcome:
        """Decline or cancel a booking, tell the founder and let the calendars know."""
        booking.status = status
        booking.sequence += 1
        booking.updated_at = turn.now
        await self._tell_founder(turn, booking, message, reason)
        await turn.booking_changed(booking, status)
        return Outcome(notice=done, chosen=done, result=f"advisor-{status}")

    async def _tell_founder(self, turn: Turn, booking: Booking, message: str,
                            reason: str | None) -> None:
        """Tell the founder, in their language, what the advisor decided."""
        founder = await turn.session.get(User, booking.founder_id)
        if founder is None or founder.blocked_at is not None:
            return
        presenter = Presenter(turn.translations, founder.language)
        turn.tell(founder.chat_id, notices.founder_answer(booking, self.directory, message,
                                                          reason, presenter))

    def _ask_reason(self, booking: Booking, presenter: Presenter) -> Outcome:
        """Offer the reasons to decline, each a button, and a way back."""
        rows = [(Button(presenter.text(label), f"{PREFIX}|reason|{booking.id}|{key}"),)
                for key, (label, _) in REASONS.items()]
        rows.append((Button(presenter.text(KEEP), f"{PREFIX}|keep|{booking.id}"),))
        return Outcome([Reply(presenter.text(CHOOSE_REASON), tuple(rows))],
                       result="advisor-reasons")

    def _ask_to_cancel(self, booking: Booking, presenter: Presenter) -> Outcome:
        """Ask the advisor to confirm the cancellation."""
        question = presenter.text(CANCEL_QUESTION,
                                  {"when": presenter.when(booking.starts_at)})
        buttons = ((Button(presenter.text(CANCEL_NOW), f"{PREFIX}|cancelnow|{booking.id}"),
                    Button(presenter.text(KEEP), f"{PREFIX}|keep|{booking.id}")),)
        return Outcome([Reply(question, buttons)], result="advisor-cancel-question")

    async def _own_booking(self, turn: Turn, booking_id: str
                           ) -> tuple[AdvisorAccount, Booking] | None:
        """Return the pressing advisor's account and booking, if the booking is theirs."""
        account = await accounts.linked_to(turn.session, turn.user.chat_id)
        if account is None or not booking_id.isdigit():
            return None
        booking = await turn.session.get(Booking, int(booking_id), with_for_update=True)
        if booking is None or booking.advisor_id != account.advisor_id:
            return None
        return account, booking

    async def _time_off_list(self, turn: Turn, account: AdvisorAccount,
                             presenter: Presenter) -> Reply:
        """Return how to add time off, and the coming time off with remove buttons."""
        coming = await turn.session.scalars(
            select(TimeOff).where(TimeOff.advisor_id == account.advisor_id,
                                  TimeOff.ends_at > turn.now).order_by(TimeOff.starts_at))
        buttons = tuple((Button(presenter.text(REMOVE, days_away(t, presenter.language)),
                                f"{PREFIX}|offdel|{t.id}"),) for t in coming)
        return Reply(presenter.text(TIME_OFF_HELP), buttons)

    async def _remove_time_off(self, turn: Turn, time_off_id: str) -> Outcome:
        """Remove the advisor's own time off."""
        account = await accounts.linked_to(turn.session, turn.user.chat_id)
        away = await turn.session.get(TimeOff, int(time_off_id)) if time_off_id.isdigit() else None
        if account is None or away is None or away.advisor_id != account.advisor_id:
            return Outcome(notice=turn.presenter.text(NOT_YOURS), result="refused")
        await turn.session.delete(away)
        done = self._presenter(turn, account).text(TIME_OFF_REMOVED)
        return Outcome(notice=done, chosen=done, result="advisor-time-off-removed")

    def _presenter(self, turn: Turn, account: AdvisorAccount) -> Presenter:
        """Return a presenter in the advisor's language (German unless they chose another)."""
        return Presenter(turn.translations, account.language)

    def _advisor(self, advisor_id: str) -> Advisor | None:
        """Return an advisor of the directory; None (and a log line) if it was removed."""
        try:
            return self.directory.advisor(advisor_id)
        except KeyError:
            log.warning("advisor %s is not in the directory", advisor_id)
            return None
