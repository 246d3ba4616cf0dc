"""E-mail with calendar invitations for advisors: stored with the turn, sent over SMTP after it."""

from __future__ import annotations

import asyncio
import email
import email.policy
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

import aiosmtplib
from sqlalchemy import delete, event, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from bot.settings import Settings
from bot.storage.database import Database
from bot.storage.models import PendingMail

log = logging.getLogger(__name__)

_PENDING = "lotse_mail"
RETRY_MINUTES = (1, 5, 15, 60, 180)
GIVE_UP_AFTER = timedelta(days=3)
DRAIN_SECONDS = 10.0


@dataclass(frozen=True)
class Invitation:
    """A calendar invitation (or cancellation) for one advisor."""

    to: str
    subject: str
    body: str
    calendar: bytes
    method: str


def invitation_message(invitation: Invitation, sender: str) -> EmailMessage:
    """Build the e-mail: a text, the calendar as an alternative part, and the .ics file."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = invitation.to
    message["Subject"] = invitation.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message.set_content(invitation.body)
    message.add_alternative(invitation.calendar, maintype="text", subtype="calendar",
                            params={"method": invitation.method, "charset": "utf-8"})
    name = "absage.ics" if invitation.method == "CANCEL" else "einladung.ics"
    message.add_attachment(invitation.calendar, maintype="application", subtype="ics",
                           filename=name)
    return message


class Mailer:
    """Sends e-mail through the configured SMTP server."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @property
    def configured(self) -> bool:
        """Whether an SMTP server is set (SMTP_HOST)."""
        return self.settings.smtp_host is not None

    async def send(self, message: str | EmailMessage) -> bool:
        """Hand one message to the SMTP server; log and return False when it fails."""
        settings = self.settings
        password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
        if isinstance(message, str):
            message = email.message_from_string(message, policy=email.policy.default)
        try:
            await aiosmtplib.send(
                message, hostname=settings.smtp_host, port=settings.smtp_port,
                username=settings.smtp_username, password=password,
                start_tls=settings.smtp_starttls, timeout=30,
            )
        except (aiosmtplib.SMTPException, OSError) as error:
            log.warning("e-mail not sent: %s", type(error).__name__)
            return False
        return True


def retry_delay(attempts: int) -> timedelta:
    """Wait after the n-th failed attempt: 1, 5, 15, 60 minutes, then every 3 hours."""
    return timedelta(minutes=RETRY_MINUTES[min(attempts, len(RETRY_MINUTES)) - 1])


class MailQueue:
    """Advisors' e-mails, stored with the turn that caused them and sent after it.

    A message stays in `pending_mails` until the SMTP server accepts it, so an SMTP
    outage, a crash or a shutdown delays an invitation but does not lose it.
    """

    def __init__(self, mailer: Mailer, database: Database, clock: Callable[[], datetime]
                 ) -> None:
        self.mailer = mailer
        self.database = database
        self.clock = clock
        self._lock = asyncio.Lock()
        self._sending: set[asyncio.Task[None]] = set()
        self._told_off = False

    def add(self, session: AsyncSession, invitation: Invitation) -> None:
        """Store the invitation in this unit of work; send it once the unit is committed."""
        if not self.mailer.configured:
            if not self._told_off:
                log.info("SMTP_HOST is not set: advisors get no e-mail invitations")
                self._told_off = True
            return
        now = self.clock()
        message = invitation_message(invitation, self.mailer.settings.smtp_from)
        session.add(PendingMail(method=invitation.method, message=message.as_string(),
                                due_at=now, created_at=now))
        if not session.info.get(_PENDING):
            session.info[_PENDING] = True
            event.listen(session.sync_session, "after_commit", self._after_commit, once=True)

    def _after_commit(self, session: Session) -> None:
        session.info.pop(_PENDING, None)
        task = asyncio.get_running_loop().create_task(self.send_due())
        self._sending.add(task)
        task.add_done_callback(self._sending.discard)

    async def send_due(self) -> None:
        """Send every stored e-mail that is due; keep failed ones for a later attempt.

        No transaction stays open while the SMTP server is asked, so a slow or absent
        server never holds up the founders' turns.
        """
        async with self._lock:
            now = self.clock()
            async with self.database.transaction() as session:
                due = list(await session.scalars(
                    select(PendingMail).where(PendingMail.due_at <= now)
                    .order_by(PendingMail.id)))
            for mail in due:
                sent = await self.mailer.send(mail.message)
                async with self.database.transaction() as session:
                    await self._record(session, mail, sent, now)

    @staticmethod
    async def _record(session: AsyncSession, mail: PendingMail, sent: bool, now: datetime
                      ) -> None:
        """Forget a sent (or given up) e-mail; otherwise set its next attempt."""
        this = PendingMail.id == mail.id
        if sent:
            log.info("e-mail invitation sent method=%s", mail.method)
            await session.execute(delete(PendingMail).where(this))
        elif now - mail.created_at >= GIVE_UP_AFTER:
            log.error("e-mail invitation given up after %d attempts method=%s",
                      mail.attempts + 1, mail.method)
            await session.execute(delete(PendingMail).where(this))
        else:
            attempts = mail.attempts + 1
            await session.execute(update(PendingMail).where(this).values(
                attempts=attempts, due_at=now + retry_delay(attempts)))

    async def drain(self) -> None:
        """Wait a little for sends started after a commit; what is not sent stays stored."""
        try:
            async with asyncio.timeout(DRAIN_SECONDS):
                while self._sending:
                    await asyncio.gather(*self._sending, return_exceptions=True)
        except TimeoutError:
            log.warning("e-mails still being sent at shutdown are sent after restart")
