"""The Telegram channel: turns updates into events and replies into Bot API calls."""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from aiohttp import web
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, ProgrammingError
from telegram import (
    Bot,
    BotCommand,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Message,
    Update,
)
from telegram.error import (
    BadRequest,
    Forbidden,
    RetryAfter,
    TelegramError,
)
from telegram.ext import AIORateLimiter, Application, ContextTypes, TypeHandler

from bot.app import Lotse
from bot.channels.feeds import add_feed_routes
from bot.domain.replies import Reply
from bot.logs import pseudonym, update_line
from bot.services import texts
from bot.services.events import (
    ButtonPress,
    Command,
    Event,
    Outcome,
    Sender,
    TextMessage,
    Unsupported,
)
from bot.services.flood import FloodGuard
from bot.web import make_app, serve

log = logging.getLogger(__name__)

COMMANDS = {
    "start": "Start or restart",
    "help": "What the bot can do",
    "language": "Change the language",
    "cancel": "Stop the current questions",
    "appointments": "Your appointments",
    "stop": "No more reminders and messages",
    "privacy": "How your data is protected",
    "mydata": "Everything stored about you",
    "delete": "Delete your data",
}
WEBHOOK_PATH = "/telegram"
_ATTACHMENTS = ("voice", "audio", "video_note", "sticker", "photo", "video", "animation",
                "document", "location", "venue", "contact", "poll", "dice")


def event_from_update(update: Update) -> Event | None:
    """Translate an update from a private chat into a channel-free event."""
    user = update.effective_user
    if user is None or update.effective_chat is None:
        return None
    sender = Sender(update.effective_chat.id, user.language_code, update.update_id)
    if update.callback_query is not None:
        return ButtonPress(sender, update.callback_query.data or "")
    if update.edited_message is not None:
        return Unsupported(sender, "edited")
    message = update.message
    if message is None:
        return None
    if message.forward_origin is not None:
        return Unsupported(sender, "forwarded")
    text = message.text
    if text is not None:
        if text.startswith("/") and len(text) > 1:
            name, _, argument = text[1:].partition(" ")
            return Command(sender, name.split("@")[0], argument.strip())
        return TextMessage(sender, text)
    kind = next((name for name in _ATTACHMENTS if getattr(message, name, None)), "other")
    return Unsupported(sender, kind)


@dataclass
class BotContext:
    """What handlers get: the bot's services."""

    lotse: Lotse


class TelegramChannel:
    """Handles updates with the services and sends the replies."""

    def __init__(self, lotse: Lotse) -> None:
        self.lotse = lotse
        self.failed: set[int] = set()
        self.apologised: set[int] = set()
        self.errors = 0
        settings = lotse.settings
        self.flood = FloodGuard(settings.flood_messages_per_second, settings.flood_burst)

    async def on_update(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Handle one update; record it as failed when it must be delivered again."""
        if not isinstance(update, Update):
            return
        started = time.perf_counter()
        outcome = await self._handle(update, context.bot)
        if outcome is not None:
            self._log(update, outcome, started)

    async def _handle(self, update: Update, bot: Bot) -> Outcome | None:
        """Turn the update into an event, handle it and deliver the answer."""
        chat = update.effective_chat
        if chat is not None and not self.flood.allow(chat.id):
            if update.callback_query is not None:
                with contextlib.suppress(TelegramError):
                    await update.callback_query.answer()  # stops the button's spinner
            return Outcome(result="flood")
        try:
            if chat is not None and chat.type != chat.PRIVATE:
                outcome = await self._group(update)
            else:
                event = event_from_update(update)
                if event is None:
                    return None
                outcome = await self.lotse.turns.handle(event)
        except (DBAPIError, OSError) as error:
            if isinstance(error, IntegrityError | ProgrammingError | DataError):
                raise
            log.warning("database unavailable, update %s is retried: %s", update.update_id,
                        type(error).__name__)
            self.failed.add(update.update_id)
            await self._apologise(bot, update)
            return Outcome(result="failed:database")
        if outcome.result == "duplicate":
            return outcome
        try:
            await self.deliver(bot, update, outcome)
        except BadRequest as error:
            log.warning("Telegram refused a reply: %s", error.message)
            outcome.result = "refused"
        except TelegramError as error:
            log.warning("a reply could not be delivered: %s", type(error).__name__)
            outcome.result = f"undelivered:{type(error).__name__}"
        return outcome

    async def _apologise(self, bot: Bot, update: Update) -> None:
        """Say once per update that something went wrong and the founder may try again."""
        chat, user = update.effective_chat, update.effective_user
        if chat is None or chat.type != chat.PRIVATE or update.update_id in self.apologised:
            return
        self.apologised.add(update.update_id)
        turns = self.lotse.turns
        presenter = turns.present(turns.language_for(user.language_code if user else None))
        with contextlib.suppress(TelegramError):
            await bot.send_message(chat.id, presenter.text(texts.TRY_AGAIN))

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log an error no handler expected, without the update's content."""
        self.errors += 1
        update_id = update.update_id if isinstance(update, Update) else None
        log.error("update %s failed", update_id, exc_info=context.error)

    async def _group(self, update: Update) -> Outcome:
        """Tell a group once that the bot works in private chats."""
        if update.effective_message is None or update.effective_chat is None:
            return Outcome(result="ignored")
        user = update.effective_user
        return await self.lotse.turns.group_notice(
            update.effective_chat.id, user.language_code if user else None
        )

    async def deliver(self, bot: Bot, update: Update, outcome: Outcome) -> None:
        """Answer the pressed button, show the chosen answer, and send the replies.

        A 403 (the user blocked the bot) is recorded, and nothing more is sent to that chat.
        """
        query = update.callback_query
        chat = update.effective_chat
        if chat is None:
            return

        async def replies() -> None:
            for reply in outcome.replies:
                await send(bot, chat.id, reply)

        pressed = [] if query is None else [query.answer(outcome.notice),
                                            show_choice(query, outcome.chosen)]
        try:  # the pressed button and the new messages do not wait for each other
            await asyncio.gather(*pressed, replies())
        except Forbidden:
            await self.lotse.turns.mark_blocked(chat.id)
        for other, reply in outcome.others:
            try:
                await send(bot, other, reply)
            except Forbidden:
                await self.lotse.turns.mark_blocked(other)

    def _log(self, update: Update, outcome: Outcome, started: float) -> None:
        """Write one structured line per update, without any message text."""
        chat = update.effective_chat
        key = self.lotse.settings.log_pseudonym_key.get_secret_value()
        log.info(update_line(
            update=update.update_id,
            user=pseudonym(key, chat.id) if chat else None,
            flow=outcome.flow,
            step=outcome.step,
            outcome=outcome.result,
            ms=round((time.perf_counter() - started) * 1000, 1),
        ))


async def show_choice(query: CallbackQuery, chosen: str | None) -> None:
    """Add the chosen answer to the question whose button was pressed."""
    if chosen and isinstance(query.message, Message) and query.message.text:
        try:
            await query.edit_message_text(f"{query.message.text}\n\n→ {chosen}")
        except BadRequest as error:
            log.info("could not edit the answered question: %s", error.message)


async def send(bot: Bot, chat_id: int, reply: Reply) -> None:
    """Send one reply: a text with buttons, or a document."""
    markup = keyboard(reply)
    if reply.document is not None:
        document = InputFile(reply.document.content, filename=reply.document.filename)
        await bot.send_document(chat_id, document, caption=reply.text or None, reply_markup=markup)
    else:
        await bot.send_message(chat_id, reply.text, reply_markup=markup)


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    """Return the inline keyboard of a reply, if it has buttons."""
    if not reply.buttons:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.label, callback_data=b.data) for b in row]
         for row in reply.buttons]
    )


def build_application(lotse: Lotse) -> tuple[Application, TelegramChannel]:  # type: ignore[type-arg]
    """Build the python-telegram-bot Application around the services."""
    settings = lotse.settings
    assert settings.telegram_bot_token is not None
    base = settings.telegram_api_base_url.rstrip("/")
    application = (
        Application.builder()
        .token(settings.telegram_bot_token.get_secret_value())
        .base_url(base)
        .base_file_url(base.removesuffix("/bot") + "/file/bot")
        .rate_limiter(AIORateLimiter(overall_max_rate=settings.telegram_messages_per_second,
                                     max_retries=10))
        .updater(None)
        .build()
    )
    channel = TelegramChannel(lotse)
    application.add_handler(TypeHandler(Update, channel.on_update))
    application.add_error_handler(channel.on_error)
    return application, channel


async def run_telegram(lotse: Lotse, stop: asyncio.Event) -> None:
    """Run the bot against Telegram until `stop` is set: webhook if configured, else polling.

    Follow-ups are sent from the outbox by the scheduler, through their own sender.
    """
    from bot.channels.telegram_sender import TelegramSender
    from bot.directory import load_directory
    from bot.scheduler import start_scheduler

    settings = lotse.settings
    application, channel = build_application(lotse)
    http = make_app()
    add_feed_routes(http, lotse)
    async with application:
        await application.bot.set_my_commands(
            [BotCommand(name, text) for name, text in COMMANDS.items()]
        )
        secret = settings.telegram_webhook_secret
        webhook = settings.telegram_webhook_url
        if webhook:
            if secret is None:
                raise SystemExit("TELEGRAM_WEBHOOK_SECRET is required in webhook mode")
            http.router.add_post(WEBHOOK_PATH, webhook_handler(
                application, channel, secret.get_secret_value()))
        runner = await serve(http, settings.http_host, settings.http_port)
        async with TelegramSender(settings) as sender:
            follow_ups = start_scheduler(lotse, sender, load_directory(settings.directory_dir))
            try:
                if webhook and secret is not None:
                    await application.bot.set_webhook(
                        webhook, secret_token=secret.get_secret_value(),
                        allowed_updates=Update.ALL_TYPES,
                    )
                    await stop.wait()
                else:
                    await application.bot.delete_webhook()
                    poller = asyncio.create_task(poll(application, channel, stop))
                    await stop.wait()
                    poller.cancel()
                    await asyncio.gather(poller, return_exceptions=True)
            finally:
                await follow_ups.stop()
                await runner.cleanup()


def webhook_handler(application: Application, channel: TelegramChannel,  # type: ignore[type-arg]
                    secret: str) -> Callable[[web.Request], Awaitable[web.Response]]:
    """Return the webhook endpoint: checks the secret token, handles the update.

    A failed update is answered with 503, so Telegram delivers it again.
    """

    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
        if not hmac.compare_digest(given.encode(), secret.encode()):
            return web.Response(status=403)
        try:
            update = Update.de_json(await request.json(), application.bot)
        except ValueError:
            return web.Response(status=400)
        await application.process_update(update)
        if update.update_id in channel.failed:
            channel.failed.discard(update.update_id)
            return web.Response(status=503)
        return web.Response()

    return receive


async def poll(application: Application, channel: TelegramChannel,  # type: ignore[type-arg]
               stop: asyncio.Event, wait_seconds: int = 30) -> None:
    """Long-poll getUpdates; confirm an update only after it was handled.

    Chats are handled concurrently, each chat's updates in order. An update that
    failed (the database or Telegram was away) is fetched again, and the
    processed-updates table makes sure it is handled once.
    """
    offset: int | None = None
    while not stop.is_set():
        try:
            updates = await application.bot.get_updates(
                offset=offset, timeout=wait_seconds, allowed_updates=Update.ALL_TYPES
            )
        except RetryAfter as error:
            await asyncio.sleep(retry_seconds(error.retry_after))
            continue
        except TelegramError as error:
            log.warning("getUpdates failed: %s", error)
            await asyncio.sleep(1)
            continue
        offset = await handle_batch(application, channel, updates, offset)


async def handle_batch(application: Application, channel: TelegramChannel,  # type: ignore[type-arg]
                       updates: Sequence[Update], offset: int | None) -> int | None:
    """Handle a batch of updates; return the offset that confirms what was handled."""
    by_chat: dict[int, list[Update]] = defaultdict(list)
    for update in updates:
        chat = update.effective_chat
        by_chat[chat.id if chat else 0].append(update)

    async def handle_chat(chat_updates: list[Update]) -> None:
        for update in chat_updates:
            await application.process_update(update)
            if update.update_id in channel.failed:
                return

    await asyncio.gather(*(handle_chat(chat_updates) for chat_updates in by_chat.values()))
    failed = [u.update_id for u in updates if u.update_id in channel.failed]
    channel.failed.clear()
    if failed:
        await asyncio.sleep(1)
        return min(failed)
    return updates[-1].update_id + 1 if updates else offset


def retry_seconds(retry_after: object) -> float:
    """Return a retry_after value (int or timedelta) in seconds."""
    total = getattr(retry_after, "total_seconds", None)
    return float(total()) if callable(total) else float(retry_after)  # type: ignore[arg-type]
