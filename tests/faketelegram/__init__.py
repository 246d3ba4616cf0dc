"""A fake Telegram Bot API server, checked against the Bot API spec, for tests."""

from .remote import FakeTelegramRemote, RemoteChannel, RemoteChat, RemoteUser
from .server import FakeTelegram
from .state import CallbackAnswer, Stats
from .users import BotMessage, FakeChannel, FakeGroup, FakeUser, SentDocument
from .webhook import Delivery

__all__ = [
    "BotMessage",
    "CallbackAnswer",
    "Delivery",
    "FakeChannel",
    "FakeGroup",
    "FakeTelegram",
    "FakeTelegramRemote",
    "FakeUser",
    "RemoteChannel",
    "RemoteChat",
    "RemoteUser",
    "SentDocument",
    "Stats",
]
