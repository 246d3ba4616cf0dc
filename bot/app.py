"""Build the bot's parts from the settings, and close them again."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from bot import scheduler
from bot.directory import load_directory
from bot.domain.engine import Engine
from bot.domain.flow_loader import load_flows
from bot.domain.flows import FlowBook
from bot.domain.routing import load_routing
from bot.domain.trades import load_trades
from bot.i18n import Translations
from bot.nlu.client import NluClient
from bot.services import actions as language_actions
from bot.services import appointments, language_switch
from bot.services.advisors import Advisors
from bot.services.booking import booking_rules
from bot.services.language_switch import LanguageSwitch
from bot.services.mail import Mailer, MailQueue
from bot.services.precheck import Precheck
from bot.services.privacy import Privacy
from bot.services.turn import Handlers
from bot.services.turns import Turns
from bot.services.understanding import Understander
from bot.settings import Settings
from bot.storage.crypto import vault
from bot.storage.database import Database, migrate_async, open_engine

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """Return the current time in UTC."""
    return datetime.now(UTC)


def features(settings: Settings, mail: MailQueue | None = None) -> Handlers:
    """Load the district's data and collect what every feature adds to the conversation.

    Without a mail queue (as when only the flows are checked) advisors get no e-mail.
    """
    directory = load_directory(settings.directory_dir)
    rules = load_routing(settings.directory_dir / "routing.yml")
    trades = load_trades(settings.directory_dir / "meister_trades.yml")
    handlers = Handlers()
    language_actions.register(handlers)
    language_switch.register(handlers)
    Precheck(directory, rules, trades).register(handlers)
    Privacy(settings).register(handlers)
    appointments.register(handlers, booking_rules(settings, directory, rules))
    Advisors(settings, directory, mail).register(handlers)
    scheduler.register(handlers, settings, directory)
    return handlers


def load_book(settings: Settings, handlers: Handlers,
              translations: Translations | None = None) -> FlowBook:
    """Load and check the flows; with translations, also that every text was extracted.

    Raises DataFileError with every problem. At start-up the bot skips the catalog check:
    a text missing there is shown in English and logged (see bot.i18n).
    """
    known = translations.knows if translations is not None else None
    return load_flows(settings.flows_dir, handlers.actions.keys(), known)


@dataclass
class Lotse:
    """The running parts of the bot, channel-free."""

    settings: Settings
    database: Database
    translations: Translations
    turns: Turns
    nlu: NluClient | None
    mail: MailQueue

    async def close(self) -> None:
        """Let e-mails being sent finish (the rest stay stored), then close connections."""
        await self.mail.drain()
        if self.nlu is not None:
            await self.nlu.aclose()
        await self.database.close()


async def build(settings: Settings, clock: Clock = utc_now,
                understander: Understander | None = None) -> Lotse:
    """Check the data files, migrate the database and wire the services."""
    vault.configure(settings.data_key_list())
    translations = Translations(settings.locales_dir)
    database = Database(open_engine(settings.database_url))  # connects on first use
    mail = MailQueue(Mailer(settings), database, clock)
    handlers = features(settings, mail)
    book = load_book(settings, handlers)
    await migrate_async(settings.database_url)
    nlu = None
    if understander is None:
        nlu = NluClient(settings.nlu_url, timeout=settings.nlu_timeout_seconds)
        understander = nlu
    turns = Turns(database, Engine(book), translations, understander, clock, handlers,
                  LanguageSwitch())
    return Lotse(settings, database, translations, turns, nlu, mail)
