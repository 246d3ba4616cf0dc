"""Database tables, typed the SQLAlchemy 2 way."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from bot.storage.crypto import EncryptedJSON, EncryptedText

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """A point in time, stored and returned in UTC (SQLite forgets time zones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Refuse naive datetimes; store UTC."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass an aware datetime in UTC")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Return an aware UTC datetime."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """Base of all tables; constraint names follow one convention."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UtcDateTime(), dict[str, Any]: JSON}


class User(Base):
    """Someone who writes to the bot: a founder or an advisor."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    language: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    blocked_at: Mapped[datetime | None]
    consent_at: Mapped[datetime | None]
    follow_ups_stopped_at: Mapped[datetime | None]


class ConversationState(Base):
    """Where a user's conversation stands, saved after every turn."""

    __tablename__ = "conversations"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    flow: Mapped[str | None] = mapped_column(String(32))
    step: Mapped[str | None] = mapped_column(String(32))
    slots: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON, default=dict)
    history: Mapped[list[list[str]]] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime]


class ProcessedUpdate(Base):
    """An update already handled, so a redelivered one is handled once."""

    __tablename__ = "processed_updates"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    handled_at: Mapped[datetime]


class GroupNotice(Base):
    """A group chat already told that the bot works in private chats only."""

    __tablename__ = "group_notices"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    told_at: Mapped[datetime]


ACTIVE_BOOKING = "status IN ('held', 'booked', 'confirmed')"


class Booking(Base):
    """An appointment of a founder with an advisor: held, booked, confirmed or ended."""

    __tablename__ = "bookings"
    __table_args__ = (
        Index("uq_bookings_active_slot", "advisor_id", "starts_at", unique=True,
              sqlite_where=text(ACTIVE_BOOKING), postgresql_where=text(ACTIVE_BOOKING)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(64), unique=True)
    founder_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    advisor_id: Mapped[str] = mapped_column(String(64), index=True)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    mode: Mapped[str] = mapped_column(String(16))
    place: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16))
    held_until: Mapped[datetime | None]
    sequence: Mapped[int] = mapped_column(default=0)
    interpreter: Mapped[bool] = mapped_column(default=False)
    phone: Mapped[str | None] = mapped_column(EncryptedText)
    summary_de: Mapped[str | None] = mapped_column(EncryptedText)
    decline_reason: Mapped[str | None] = mapped_column(EncryptedText)
    outcome: Mapped[str | None] = mapped_column(EncryptedText)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class AdvisorAccount(Base):
    """An advisor's link to Telegram, invitation and calendar feed."""

    __tablename__ = "advisor_accounts"

    advisor_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    chat_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    language: Mapped[str] = mapped_column(String(8), default="de")
    invite_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    invite_expires_at: Mapped[datetime | None]
    linked_at: Mapped[datetime | None]
    feed_token: Mapped[str] = mapped_column(String(64), unique=True)


class TimeOff(Base):
    """Time an advisor is not available, added by the advisor or an admin."""

    __tablename__ = "time_off"

    id: Mapped[int] = mapped_column(primary_key=True)
    advisor_id: Mapped[str] = mapped_column(String(64), index=True)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    note: Mapped[str | None] = mapped_column(EncryptedText)


class FollowUp(Base):
    """A message that must be sent later: the durable outbox."""

    __tablename__ = "follow_ups"
    __table_args__ = (UniqueConstraint("chat_id", "kind", "reference"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(32))
    reference: Mapped[str] = mapped_column(String(64))
    due_at: Mapped[datetime] = mapped_column(index=True)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class PendingMail(Base):
    """An e-mail to an advisor that is not yet accepted by the SMTP server."""

    __tablename__ = "pending_mails"

    id: Mapped[int] = mapped_column(primary_key=True)
    method: Mapped[str] = mapped_column(String(16))
    message: Mapped[str] = mapped_column(EncryptedText)
    attempts: Mapped[int] = mapped_column(default=0)
    due_at: Mapped[datetime] = mapped_column(index=True)
    created_at: Mapped[datetime]


class AnonymousCount(Base):
    """A count kept for the district's reports after personal data is purged."""

    __tablename__ = "anonymous_counts"

    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    metric: Mapped[str] = mapped_column(String(64), primary_key=True)
    count: Mapped[int] = mapped_column(default=0)
