"""Admin commands for district staff: invite advisors, list and export bookings, time off."""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import sys
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from bot.channels.feeds import feed_url
from bot.datafiles import DataFileError
from bot.directory import load_directory
from bot.directory.model import Directory
from bot.domain.slots import BERLIN
from bot.services import advisor_accounts as accounts
from bot.services.advisors import day_start, parse_days
from bot.settings import Settings
from bot.storage.crypto import reencrypt, vault
from bot.storage.database import Database, migrate_async, open_engine
from bot.storage.models import AdvisorAccount, Booking, TimeOff, User

STATUS = {"held": "vorgemerkt", "booked": "gebucht", "confirmed": "bestätigt",
          "declined": "abgelehnt", "cancelled": "abgesagt"}
MODE = {"office": "Büro", "office_day": "Sprechtag", "phone": "Telefon", "video": "Video"}
COLUMNS = ("Nr.", "Status", "Beginn", "Ende", "Beraterin/Berater", "Institution", "Art", "Ort",
           "Sprache", "Dolmetscher", "Telefon", "Zusammenfassung", "Absagegrund", "Gebucht am")


def german_time(moment: datetime) -> str:
    """Return a moment as Germans write it, in German time."""
    return moment.astimezone(BERLIN).strftime("%d.%m.%Y %H:%M")


def parser() -> argparse.ArgumentParser:
    """Return the parser of the admin commands."""
    admin = argparse.ArgumentParser(prog="python -m bot admin", description=__doc__)
    commands = admin.add_subparsers(dest="command", required=True)
    invite = commands.add_parser("invite", help="print a one-time link for an advisor's Telegram")
    invite.add_argument("advisor_id")
    invite.add_argument("--language", default=None, help="the advisor's language (default de)")
    invite.add_argument("--days", type=int, default=accounts.INVITE_DAYS, help="valid for days")
    bookings = commands.add_parser("bookings", help="list the coming bookings")
    bookings.add_argument("--all", action="store_true", help="also past and ended ones")
    export = commands.add_parser("export", help="export all bookings as CSV (German columns)")
    export.add_argument("--output", "-o", help="file to write (default: standard output)")
    away = commands.add_parser("timeoff", help="add an absence: days an advisor is away")
    away.add_argument("advisor_id")
    away.add_argument("first", help="first day, 24.12.2026 or 2026-12-24")
    away.add_argument("last", nargs="?", help="last day (default: the first)")
    away.add_argument("--note")
    commands.add_parser("directory", help="check the directory and show who is linked")
    feed = commands.add_parser("feed", help="print an advisor's calendar feed URL")
    feed.add_argument("advisor_id")
    commands.add_parser("rotate-keys", help="re-encrypt personal data with the first DATA_KEYS key")
    return admin


def main(argv: Sequence[str], settings: Settings,
         clock: Callable[[], datetime] | None = None) -> int:
    """Run one admin command; return the exit code."""
    from bot.app import utc_now

    args = parser().parse_args(argv)
    try:
        directory = load_directory(settings.directory_dir)
    except DataFileError as error:
        print(error, file=sys.stderr)
        return 2
    known = {advisor.id for advisor in directory.advisors}
    advisor_id = getattr(args, "advisor_id", None)
    if advisor_id is not None and advisor_id not in known:
        print(f"unknown advisor {advisor_id!r}; known: {', '.join(sorted(known))}",
              file=sys.stderr)
        return 1
    return asyncio.run(Admin(settings, directory, clock or utc_now).run(args))


class Admin:
    """The admin commands on one database."""

    def __init__(self, settings: Settings, directory: Directory,
                 clock: Callable[[], datetime]) -> None:
        self.settings = settings
        self.directory = directory
        self.clock = clock

    async def run(self, args: argparse.Namespace) -> int:
        """Open the database, run the command, close the database."""
        vault.configure(self.settings.data_key_list())
        await migrate_async(self.settings.database_url)
        self.database = Database(open_engine(self.settings.database_url))
        commands: dict[str, Callable[[argparse.Namespace], Awaitable[int]]] = {
            "invite": self.invite, "bookings": self.bookings, "export": self.export,
            "timeoff": self.timeoff, "directory": self.check_directory, "feed": self.feed,
            "rotate-keys": self.rotate_keys,
        }
        try:
            return await commands[args.command](args)
        finally:
            await self.database.close()

    async def rotate_keys(self, args: argparse.Namespace) -> int:
        """Re-encrypt every personal field with the newest key (after adding it to DATA_KEYS)."""
        if not vault.enabled:
            print("DATA_KEYS is not set: nothing to encrypt with", file=sys.stderr)
            return 1
        async with self.database.transaction() as session:
            fields = await reencrypt(session)
        print(f"{fields} fields re-encrypted with the first key of DATA_KEYS")
        return 0

    async def invite(self, args: argparse.Namespace) -> int:
        """Print a one-time deep link that links the advisor's Telegram chat."""
        async with self.database.transaction() as session:
            code = await accounts.invite(session, args.advisor_id, self.clock(),
                                         args.language, args.days)
        username = self.settings.telegram_bot_username
        if username:
            print(f"https://t.me/{username.lstrip('@')}?start={code}")
        else:
            print("(set TELEGRAM_BOT_USERNAME to get a t.me link)")
        print(f"code: {code}")
        print(f"valid for {args.days} days, once; the advisor may also send: /start {code}")
        return 0

    async def bookings(self, args: argparse.Namespace) -> int:
        """Print the coming bookings (or all), one a line."""
        query = select(Booking).order_by(Booking.starts_at)
        if not args.all:
            query = query.where(Booking.ends_at >= self.clock(),
                                Booking.status.in_(("held", "booked", "confirmed")))
        async with self.database.transaction() as session:
            bookings = list(await session.scalars(query))
        for b in bookings:
            print(f"{b.id:>5}  {german_time(b.starts_at)}  {b.advisor_id:<24} "
                  f"{STATUS.get(b.status, b.status):<11} {MODE.get(b.mode, b.mode):<9} {b.place}")
        print(f"{len(bookings)} bookings")
        return 0

    async def export(self, args: argparse.Namespace) -> int:
        """Write every booking as CSV for a spreadsheet: German columns, German time."""
        async with self.database.transaction() as session:
            rows = (await session.execute(
                select(Booking, User).join(User, User.id == Booking.founder_id)
                .order_by(Booking.starts_at))).all()
        table = self._csv(rows)
        if args.output:
            await asyncio.to_thread(Path(args.output).write_text, table, "utf-8-sig")
        else:
            sys.stdout.write(table)
        return 0

    def _csv(self, rows: Sequence[tuple[Booking, User]]) -> str:
        """Return bookings as CSV with semicolons, as German spreadsheets expect."""
        stream = io.StringIO(newline="")
        writer = csv.writer(stream, delimiter=";")
        writer.writerow(COLUMNS)
        names = {advisor.id: advisor for advisor in self.directory.advisors}
        for booking, founder in rows:
            advisor = names.get(booking.advisor_id)
            institution = (self.directory.institution(advisor.institution_id).name
                           if advisor else "")
            writer.writerow((
                booking.id, STATUS.get(booking.status, booking.status),
                german_time(booking.starts_at), german_time(booking.ends_at),
                advisor.name if advisor else booking.advisor_id, institution,
                MODE.get(booking.mode, booking.mode), booking.place, founder.language or "",
                "ja" if booking.interpreter else "nein", booking.phone or "",
                booking.summary_de or "", booking.decline_reason or "",
                german_time(booking.created_at),
            ))
        return stream.getvalue()

    async def timeoff(self, args: argparse.Namespace) -> int:
        """Add days an advisor is away; founders cannot book them then."""
        days = parse_days(f"{args.first} {args.last or ''}")
        if len(days) not in (1, 2) or days[0] > days[-1]:
            print("give the first and last day like 24.12.2026 or 2026-12-24, in order",
                  file=sys.stderr)
            return 1
        away = TimeOff(advisor_id=args.advisor_id, starts_at=day_start(days[0]),
                       ends_at=day_start(days[-1] + timedelta(days=1)), note=args.note)
        async with self.database.transaction() as session:
            session.add(away)
        print(f"{args.advisor_id} away from {days[0]:%d.%m.%Y} to {days[-1]:%d.%m.%Y}")
        return 0

    async def check_directory(self, args: argparse.Namespace) -> int:
        """Print the directory's advisors and whether their Telegram is linked."""
        async with self.database.transaction() as session:
            linked = {a.advisor_id: a for a in await session.scalars(select(AdvisorAccount))}
        for advisor in self.directory.advisors:
            account = linked.get(advisor.id)
            state = "linked" if account and account.chat_id else "not linked"
            print(f"{advisor.id:<24} {state:<11} {advisor.name} ({advisor.institution_id})")
        print(f"directory OK: {len(self.directory.advisors)} advisors; "
              "the running bot reads the directory when it starts")
        return 0

    async def feed(self, args: argparse.Namespace) -> int:
        """Print the advisor's calendar feed URL, to subscribe to in Outlook or Thunderbird."""
        async with self.database.transaction() as session:
            account = await accounts.account_of(session, args.advisor_id)
        base = self.settings.public_base_url or \
            f"http://{self.settings.http_host}:{self.settings.http_port}"
        print(feed_url(base, account.feed_token))
        return 0
