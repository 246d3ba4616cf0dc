"""The durable outbox of follow-ups: schedule, cancel, claim and record them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import FollowUp, User

PENDING, SENDING, SENT = "pending", "sending", "sent"
CANCELLED, EXPIRED, FAILED = "cancelled", "expired", "failed"
EARLIEST = "follow_ups_earliest"  # session.info key: the earliest due time scheduled


@dataclass(frozen=True)
class Claimed:
    """A follow-up claimed for sending."""

    id: int
    chat_id: int
    user_id: int | None
    kind: str
    reference: str
    due_at: datetime
    attempts: int


async def schedule(session: AsyncSession, *, chat_id: int, user_id: int | None, kind: str,
                   reference: str, due_at: datetime, now: datetime, again: bool = False) -> None:
    """Make sure one follow-up is due at due_at: insert it, or move and re-arm the row.

    A sent follow-up stays sent unless `again`; one in flight is left alone.
    """
    key = (FollowUp.chat_id == chat_id, FollowUp.kind == kind, FollowUp.reference == reference)
    row = await session.scalar(select(FollowUp).where(*key).with_for_update())
    if row is None:
        insert = (postgresql_insert if session.get_bind().dialect.name == "postgresql"
                  else sqlite_insert)
        await session.execute(insert(FollowUp).values(
            chat_id=chat_id, user_id=user_id, kind=kind, reference=reference, due_at=due_at,
            status=PENDING, attempts=0, created_at=now,
        ).on_conflict_do_nothing(index_elements=["chat_id", "kind", "reference"]))
    elif row.status == SENDING or (row.status == SENT and not again):
        return
    else:
        row.status, row.due_at, row.attempts = PENDING, due_at, 0
        row.last_error = row.claimed_at = row.sent_at = None
    earliest = session.info.get(EARLIEST)
    session.info[EARLIEST] = due_at if earliest is None else min(earliest, due_at)


async def cancel(session: AsyncSession, *conditions: object) -> int:
    """Cancel the pending follow-ups that match; return how many."""
    result = await session.execute(
        update(FollowUp).where(FollowUp.status == PENDING, *conditions)  # type: ignore[arg-type]
        .values(status=CANCELLED)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def cancel_for_user(session: AsyncSession, user_id: int) -> int:
    """Cancel every pending follow-up to one user."""
    return await cancel(session, FollowUp.user_id == user_id)


async def claim(session: AsyncSession, now: datetime, limit: int) -> list[Claimed]:
    """Claim due follow-ups, earliest first; other processes skip the rows locked here."""
    due = (select(FollowUp.id)
           .where(FollowUp.status == PENDING, FollowUp.due_at <= now)
           .order_by(FollowUp.due_at).limit(limit)
           .with_for_update(skip_locked=True))
    rows = await session.execute(
        update(FollowUp)
        .where(FollowUp.id.in_(due.scalar_subquery()), FollowUp.status == PENDING)
        .values(status=SENDING, claimed_at=now, attempts=FollowUp.attempts + 1)
        .returning(FollowUp.id, FollowUp.chat_id, FollowUp.user_id, FollowUp.kind,
                   FollowUp.reference, FollowUp.due_at, FollowUp.attempts)
        .execution_options(synchronize_session=False)
    )
    claimed = [Claimed(*row) for row in rows]
    return sorted(claimed, key=lambda c: c.due_at)


async def release_stuck(session: AsyncSession, now: datetime, claim_timeout: timedelta
                        ) -> int:
    """Put back follow-ups a crashed process claimed longer than `claim_timeout` ago."""
    result = await session.execute(
        update(FollowUp)
        .where(FollowUp.status == SENDING, FollowUp.claimed_at < now - claim_timeout)
        .values(status=PENDING, claimed_at=None)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def next_due(session: AsyncSession) -> datetime | None:
    """Return when the next pending follow-up is due."""
    return await session.scalar(
        select(FollowUp.due_at).where(FollowUp.status == PENDING)
        .order_by(FollowUp.due_at).limit(1)
    )


async def mark(session: AsyncSession, ids: Iterable[int], status: str, now: datetime) -> None:
    """Record the same outcome for several follow-ups in one statement."""
    ids = list(ids)
    if ids:
        values: dict[str, object] = {"status": status, "last_error": None}
        if status == SENT:
            values["sent_at"] = now
        await session.execute(update(FollowUp).where(FollowUp.id.in_(ids)).values(**values))


async def put_back(session: AsyncSession, follow_up_id: int, due_at: datetime,
                   error: str | None, attempts_used: int | None = None) -> None:
    """Make a follow-up pending again at due_at (a retry, or a wait for quiet hours)."""
    values: dict[str, object] = {"status": PENDING, "due_at": due_at, "claimed_at": None,
                                 "last_error": error}
    if attempts_used is not None:
        values["attempts"] = attempts_used
    await session.execute(update(FollowUp).where(FollowUp.id == follow_up_id).values(**values))


async def give_up(session: AsyncSession, follow_up_id: int, status: str, error: str | None
                  ) -> None:
    """Stop trying one follow-up: failed, expired or cancelled, with the reason."""
    await session.execute(update(FollowUp).where(FollowUp.id == follow_up_id)
                          .values(status=status, last_error=error))


async def block(session: AsyncSession, chat_id: int, now: datetime) -> Sequence[int]:
    """Record that a chat blocked the bot and cancel everything pending for it."""
    user = await session.scalar(select(User).where(User.chat_id == chat_id))
    if user is not None and user.blocked_at is None:
        user.blocked_at = now
    result = await session.execute(
        update(FollowUp).where(FollowUp.chat_id == chat_id,
                               FollowUp.status.in_((PENDING, SENDING)))
        .values(status=CANCELLED, last_error="blocked by the user")
        .returning(FollowUp.id)
    )
    return [row[0] for row in result]
