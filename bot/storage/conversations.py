"""Load and save users and their conversations."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.engine import Conversation
from bot.storage.models import ConversationState, GroupNotice, ProcessedUpdate, User


async def mark_processed(session: AsyncSession, update_id: int, now: datetime) -> bool:
    """Record that this update is handled; return False when it was handled before."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    result = await session.execute(
        insert(ProcessedUpdate).values(update_id=update_id, handled_at=now).on_conflict_do_nothing()
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def load(session: AsyncSession, chat_id: int, now: datetime) -> tuple[User, Conversation]:
    """Return the user and their conversation, creating both at first contact.

    The user's row is locked (on PostgreSQL) until the unit of work ends, so two processes
    never interleave turns of one user.
    """
    found = (await session.execute(
        select(User, ConversationState)
        .outerjoin(ConversationState, ConversationState.user_id == User.id)
        .where(User.chat_id == chat_id)
        .with_for_update(of=User)
    )).first()
    user, state = (found[0], found[1]) if found is not None else (None, None)
    if user is None:
        user = User(chat_id=chat_id, created_at=now, last_seen_at=now)
        session.add(user)
        await session.flush()
    user.blocked_at = None
    if state is None:
        return user, Conversation(language=user.language)
    return user, Conversation(
        language=user.language,
        flow=state.flow,
        step=state.step,
        slots=dict(state.slots),
        history=[(flow, step) for flow, step in state.history],
    )


async def save(
    session: AsyncSession, user: User, conversation: Conversation, now: datetime
) -> None:
    """Store where the conversation stands."""
    user.language = conversation.language
    user.last_seen_at = now
    state = await session.get(ConversationState, user.id)
    if state is None:
        state = ConversationState(user_id=user.id)
        session.add(state)
    state.flow = conversation.flow
    state.step = conversation.step
    state.slots = dict(conversation.slots)
    state.history = [[flow, step] for flow, step in conversation.history]
    state.updated_at = now


async def first_notice_in_group(session: AsyncSession, chat_id: int, now: datetime) -> bool:
    """Return True once per group chat: the first time the bot is addressed there."""
    if await session.get(GroupNotice, chat_id) is not None:
        return False
    session.add(GroupNotice(chat_id=chat_id, told_at=now))
    return True


async def mark_blocked(session: AsyncSession, chat_id: int, now: datetime) -> None:
    """Record that a user blocked the bot, so nothing more is sent to them."""
    user = await session.scalar(select(User).where(User.chat_id == chat_id))
    if user is not None and user.blocked_at is None:
        user.blocked_at = now
