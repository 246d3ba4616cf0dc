"""Privacy: consent, the notice, access to one's data, erasure and retention."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.engine import Output
from bot.domain.flows import END
from bot.domain.replies import Button, Document, Reply
from bot.i18n.marker import N_, Nn_
from bot.services.events import Outcome
from bot.services.turn import Handlers, Turn
from bot.settings import Settings
from bot.storage.database import Database
from bot.storage.models import AnonymousCount, Booking, ConversationState, FollowUp, User

CONSENT_FLOW = "consent"
AFTER_CONSENT = "_after_consent"
ACTIVE = ("held", "booked", "confirmed")
PREFIX = "del"

NOTICE = N_(
    "How we protect your data:\n"
    "• Responsible: {controller}.\n"
    "• We store your answers, your appointments, your language and your Telegram account number.\n"
    "• Why: to prepare your talk with an advisor and to remind you of your appointments.\n"
    "• How long: until {period} after your last contact or appointment. Then we delete it.\n"
    "• Your rights: you can see your data (/mydata) and delete it (/delete) at any time, "
    "correct it, and complain to a data protection authority.\n"
    "• Questions about data protection: {contact}.\n"
    "Telegram itself also processes your messages."
)
MONTHS = Nn_("{count} month", "{count} months")
YOUR_DATA = N_(
    "This is everything we store about you: {answers} answers, {bookings} appointments and "
    "{follow_ups} planned messages. The file contains all of it."
)
CONFIRM_DELETE = N_(
    "Do you really want to delete all your data? Your answers and appointments will be "
    "deleted, and your advisor will be told that the appointment is cancelled. This cannot "
    "be undone."
)
YES_DELETE = N_("Yes, delete everything")
NO_KEEP = N_("No, keep my data")
DELETED = N_("All your data is deleted. If you write to me again, we start from the beginning.")
KEPT = N_("Okay, nothing was deleted.")


@dataclass(frozen=True)
class Privacy:
    """The privacy features, registered with the conversation."""

    settings: Settings

    def register(self, handlers: Handlers) -> None:
        """Offer the actions, commands and buttons."""
        handlers.actions.update(
            show_privacy=self.show_privacy, require_consent=self.require_consent,
            record_consent=self.record_consent, after_consent=self.continue_after,
        )
        handlers.commands.update(privacy=self.privacy, mydata=self.my_data, delete=self.ask_delete)
        handlers.buttons[PREFIX] = self.delete

    def notice(self, turn: Turn) -> str:
        """Return the privacy notice in the user's language."""
        presenter = turn.presenter
        return presenter.text(NOTICE, {
            "controller": self.settings.controller,
            "period": presenter.plural(MONTHS, self.settings.retention_months),
            "contact": self.settings.data_protection_contact,
        })

    async def show_privacy(self, turn: Turn) -> list[Reply]:
        """Show the privacy notice."""
        return [Reply(self.notice(turn))]

    async def privacy(self, turn: Turn, argument: str) -> list[Output]:
        """Show the notice at any time, then the open question again."""
        return [Reply(self.notice(turn)), *_open_question(turn)]

    async def require_consent(self, turn: Turn) -> list[Reply]:
        """Ask for consent first when the founder has not given it, then go on from here."""
        conversation = turn.conversation
        if turn.user.consent_at is not None or conversation.flow is None:
            return []
        assert conversation.step is not None
        after = turn.engine.book.step(conversation.flow, conversation.step).next
        conversation.slots[AFTER_CONSENT] = [conversation.flow, after]
        conversation.flow = CONSENT_FLOW
        conversation.step = turn.engine.book.flows[CONSENT_FLOW].start
        conversation.history.clear()
        return []

    async def record_consent(self, turn: Turn) -> list[Reply]:
        """Remember when the founder agreed."""
        if turn.conversation.slots.get("consent") == "agree":
            turn.user.consent_at = turn.now
        return []

    async def continue_after(self, turn: Turn) -> list[Reply]:
        """Go on where the flow that needed consent left off."""
        conversation = turn.conversation
        flow, step = conversation.slots.pop(AFTER_CONSENT, None) or ["menu", END]
        conversation.flow = flow
        conversation.step = turn.engine.book.flows[flow].start if step == END else step
        return []

    async def my_data(self, turn: Turn, argument: str) -> list[Output]:
        """Send everything stored about the user as a JSON file, with a short summary."""
        data = await export(turn.session, turn.user)
        presenter = turn.presenter
        summary = presenter.text(YOUR_DATA, {
            "answers": len(data["conversation"]["answers"]),
            "bookings": len(data["bookings"]),
            "follow_ups": sum(f["status"] == "pending" for f in data["follow_ups"]),
        })
        content = json.dumps(data, ensure_ascii=False, indent=2, default=str).encode()
        document = Document("lotse-my-data.json", content, "application/json")
        return [Reply(summary, document=document), *_open_question(turn)]

    async def ask_delete(self, turn: Turn, argument: str) -> list[Output]:
        """Ask before deleting everything."""
        presenter = turn.presenter
        buttons = ((Button(presenter.text(YES_DELETE), f"{PREFIX}|yes"),),
                   (Button(presenter.text(NO_KEEP), f"{PREFIX}|no"),))
        return [Reply(presenter.text(CONFIRM_DELETE), buttons)]

    async def delete(self, turn: Turn, data: str) -> Outcome:
        """Delete the user and everything linked to them, after telling their advisors."""
        presenter = turn.presenter
        if data != f"{PREFIX}|yes":
            return Outcome([Reply(presenter.text(KEPT))], chosen=presenter.text(NO_KEEP),
                           result="kept")
        for booking in await turn.session.scalars(
            select(Booking).where(Booking.founder_id == turn.user.id,
                                  Booking.status.in_(ACTIVE))
        ):
            booking.status = "cancelled"
            await turn.booking_changed(booking, "cancelled")
        await count(turn.session, turn.now, "erased_on_request")
        await erase(turn.session, turn.user)
        turn.erased = True
        return Outcome([Reply(presenter.text(DELETED))], chosen=presenter.text(YES_DELETE),
                       result="erased")


def _open_question(turn: Turn) -> list[Output]:
    """Return the open question again, if there is one."""
    if turn.engine.current_step(turn.conversation) is None:
        return []
    return [turn.engine.prompt(turn.conversation)]


async def export(session: AsyncSession, user: User) -> dict[str, Any]:
    """Return everything stored about a user."""
    state = await session.get(ConversationState, user.id)
    bookings = await session.scalars(select(Booking).where(Booking.founder_id == user.id))
    follow_ups = await session.scalars(select(FollowUp).where(FollowUp.user_id == user.id))
    slots = dict(state.slots) if state else {}
    return {
        "user": {"telegram_chat_id": user.chat_id, "language": user.language,
                 "first_contact": user.created_at, "last_contact": user.last_seen_at,
                 "consent_given": user.consent_at, "blocked_bot": user.blocked_at,
                 "follow_ups_stopped": user.follow_ups_stopped_at},
        "conversation": {
            "flow": state.flow if state else None, "step": state.step if state else None,
            "answers": {k: v for k, v in slots.items() if not k.startswith("_")},
        },
        "bookings": [
            {"id": b.id, "advisor": b.advisor_id, "starts_at": b.starts_at, "ends_at": b.ends_at,
             "mode": b.mode, "place": b.place, "status": b.status, "phone": b.phone,
             "interpreter": b.interpreter, "summary_for_advisor": b.summary_de,
             "decline_reason": b.decline_reason, "outcome": b.outcome}
            for b in bookings
        ],
        "follow_ups": [
            {"kind": f.kind, "due_at": f.due_at, "status": f.status, "sent_at": f.sent_at}
            for f in follow_ups
        ],
    }


async def erase(session: AsyncSession, user: User) -> None:
    """Delete a user; their conversation, bookings and follow-ups go with them."""
    await session.execute(delete(FollowUp).where(FollowUp.chat_id == user.chat_id))
    await session.delete(user)
    await session.flush()


async def count(session: AsyncSession, now: datetime, metric: str, by: int = 1) -> None:
    """Add to an anonymous monthly count."""
    month = now.strftime("%Y-%m")
    row = await session.get(AnonymousCount, (month, metric))
    if row is None:
        session.add(AnonymousCount(month=month, metric=metric, count=by))
    else:
        row.count += by


async def purge_inactive(database: Database, now: datetime, months: int) -> int:
    """Delete users without contact or appointment for `months`; keep anonymous counts."""
    cutoff = _months_ago(now, months)
    async with database.transaction() as session:
        recent = select(Booking.founder_id).where(Booking.ends_at >= cutoff)
        stale = list(await session.scalars(
            select(User).where(User.last_seen_at < cutoff, User.id.not_in(recent))
        ))
        if not stale:
            return 0
        bookings = await session.scalar(
            select(func.count()).select_from(Booking)
            .where(Booking.founder_id.in_([u.id for u in stale]))
        )
        await count(session, now, "users_purged_after_retention", len(stale))
        await count(session, now, "bookings_purged_after_retention", int(bookings or 0))
        for user in stale:
            await erase(session, user)
    return len(stale)


def _months_ago(now: datetime, months: int) -> datetime:
    """Return the same moment `months` earlier (the day capped at 28)."""
    year, month = divmod(now.year * 12 + now.month - 1 - months, 12)
    return now.replace(year=year, month=month + 1, day=min(now.day, 28))
