"""Advisors' accounts: one-time link codes, the linked Telegram chat, the calendar feed."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import AdvisorAccount

INVITE_DAYS = 7


def code_hash(code: str) -> str:
    """Return the stored form of a link code: only its hash is kept."""
    return hashlib.sha256(code.encode()).hexdigest()


async def account_of(session: AsyncSession, advisor_id: str) -> AdvisorAccount:
    """Return an advisor's account, opening one with a new feed token if there is none."""
    account = await session.get(AdvisorAccount, advisor_id)
    if account is None:
        account = AdvisorAccount(advisor_id=advisor_id, language="de",
                                 feed_token=secrets.token_urlsafe(32))
        session.add(account)
        await session.flush()
    return account


async def invite(session: AsyncSession, advisor_id: str, now: datetime,
                 language: str | None = None, days: int = INVITE_DAYS) -> str:
    """Make a new one-time link code for an advisor and return it (earlier codes lapse)."""
    account = await account_of(session, advisor_id)
    code = secrets.token_urlsafe(16)
    account.invite_hash = code_hash(code)
    account.invite_expires_at = now + timedelta(days=days)
    if language is not None:
        account.language = language
    return code


async def link(session: AsyncSession, code: str, chat_id: int, now: datetime
               ) -> AdvisorAccount | None:
    """Link the chat to the advisor whose valid code this is; None for a wrong or used code."""
    account = await session.scalar(
        select(AdvisorAccount).where(AdvisorAccount.invite_hash == code_hash(code))
        .with_for_update()
    )
    if account is None or account.invite_expires_at is None or account.invite_expires_at <= now:
        return None
    previous = await linked_to(session, chat_id)
    if previous is not None and previous is not account:
        previous.chat_id = None
        await session.flush()
    account.chat_id = chat_id
    account.linked_at = now
    account.invite_hash = None
    account.invite_expires_at = None
    return account


async def linked_to(session: AsyncSession, chat_id: int) -> AdvisorAccount | None:
    """Return the account linked to a Telegram chat, if the chat is an advisor's."""
    return await session.scalar(select(AdvisorAccount).where(AdvisorAccount.chat_id == chat_id))


async def with_feed(session: AsyncSession, token: str) -> AdvisorAccount | None:
    """Return the account whose calendar feed this token opens."""
    return await session.scalar(select(AdvisorAccount).where(AdvisorAccount.feed_token == token))
