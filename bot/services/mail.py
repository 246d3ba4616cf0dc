"""E-mail with calendar invitations for advisors, sent over SMTP after the turn is saved."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

import aiosmtplib
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from bot.settings import Settings

log = logging.getLogger(__name__)

_PENDING = "lotse_mail"


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
    """Sends e-mail through the configured SMTP server; without SMTP_HOST it sends nothing."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.sending: set[asyncio.Task[None]] = set()
        self._told_off = False

    def send_after_commit(self, session: AsyncSession, invitation: Invitation) -> None:
        """Send the invitation once the unit of work is committed; drop it on a rollback."""
        if self.settings.smtp_host is None:
            if not self._told_off:
                log.info("SMTP_HOST is not set: advisors get no e-mail invitations")
                self._told_off = True
            return
        pending: list[Invitation] = session.info.setdefault(_PENDING, [])
        if not pending:
            event.listen(session.sync_session, "after_commit", self._after_commit, once=True)
        pending.append(invitation)

    def _after_commit(self, session: Session) -> None:
        """Start sending what the committed unit of work collected."""
        for invitation in session.info.pop(_PENDING, []):
            task = asyncio.get_running_loop().create_task(self.send(invitation))
            self.sending.add(task)
            task.add_done_callback(self.sending.discard)

    async def send(self, invitation: Invitation) -> None:
        """Send one invitation; a failure is logged, never raised."""
        settings = self.settings
        password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
        try:
            await aiosmtplib.send(
                invitation_message(invitation, settings.smtp_from),
                hostname=settings.smtp_host, port=settings.smtp_port,
                username=settings.smtp_username, password=password,
                start_tls=settings.smtp_starttls, timeout=30,
            )
        except (aiosmtplib.SMTPException, OSError) as error:
            log.warning("e-mail invitation (%s) not sent: %s", invitation.method,
                        type(error).__name__)
            return
        log.info("e-mail invitation sent method=%s", invitation.method)

    async def drain(self) -> None:
        """Wait until every e-mail started so far is sent or has failed."""
        while self.sending:
            await asyncio.gather(*self.sending, return_exceptions=True)
