"""Send follow-ups through the Bot API, reporting flood waits and blocks instead of retrying."""

from __future__ import annotations

from types import TracebackType

from telegram import Bot
from telegram.error import Forbidden, RetryAfter, TelegramError
from telegram.request import HTTPXRequest

from bot.channels.telegram import retry_seconds, send
from bot.domain.replies import Reply
from bot.scheduler import Delivery
from bot.settings import Settings


class TelegramSender:
    """The outbox's port to Telegram: its own Bot without python-telegram-bot's rate limiter.

    The dispatcher paces and retries itself, so a flood wait or a block comes back as a
    Delivery rather than being waited out here.
    """

    def __init__(self, settings: Settings, connections: int = 8) -> None:
        assert settings.telegram_bot_token is not None
        base = settings.telegram_api_base_url.rstrip("/")
        self.bot = Bot(
            settings.telegram_bot_token.get_secret_value(),
            base_url=base,
            base_file_url=base.removesuffix("/bot") + "/file/bot",
            request=HTTPXRequest(connection_pool_size=connections),
        )

    async def __aenter__(self) -> TelegramSender:
        await self.bot.initialize()
        return self

    async def __aexit__(self, kind: type[BaseException] | None, error: BaseException | None,
                        trace: TracebackType | None) -> None:
        await self.bot.shutdown()

    async def send(self, chat_id: int, reply: Reply) -> Delivery:
        """Send one follow-up and say how it went."""
        try:
            await send(self.bot, chat_id, reply)
        except RetryAfter as error:
            return Delivery("retry_after", retry_after=retry_seconds(error.retry_after))
        except Forbidden as error:
            return Delivery("blocked", error=error.message)
        except (TelegramError, OSError) as error:
            return Delivery("failed", error=f"{type(error).__name__}: {error}")
        return Delivery("sent")
