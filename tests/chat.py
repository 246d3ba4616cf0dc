"""A founder talking to the services layer directly: fast conversation tests without Telegram."""

from __future__ import annotations

from itertools import count

from bot.app import Lotse
from bot.domain.replies import Button, Reply
from bot.services.events import ButtonPress, Command, Event, Outcome, Sender, TextMessage

_updates = count(1)


class Founder:
    """Sends messages and presses buttons by their label, like a person in the chat."""

    def __init__(self, lotse: Lotse, chat_id: int, language_code: str = "en") -> None:
        self.lotse = lotse
        self.chat_id = chat_id
        self.language_code = language_code
        self.replies: list[Reply] = []
        self.last: Outcome = Outcome()

    def _sender(self) -> Sender:
        return Sender(self.chat_id, self.language_code, next(_updates))

    async def _handle(self, event: Event) -> Outcome:
        self.last = await self.lotse.turns.handle(event)
        self.replies.extend(self.last.replies)
        return self.last

    async def send(self, text: str) -> Outcome:
        if text.startswith("/"):
            name, _, argument = text[1:].partition(" ")
            return await self._handle(Command(self._sender(), name, argument))
        return await self._handle(TextMessage(self._sender(), text))

    def buttons(self) -> list[Button]:
        for reply in reversed(self.replies):
            if reply.buttons:
                return [button for row in reply.buttons for button in row]
        return []

    async def press(self, label: str) -> Outcome:
        found = [b for b in self.buttons() if b.label == label]
        assert found, f"no button {label!r}; buttons: {[b.label for b in self.buttons()]}"
        return await self._handle(ButtonPress(self._sender(), found[0].data))

    async def answer(self, *answers: str) -> None:
        """Press each answer if it is a button of the open question, else type it."""
        for answer in answers:
            if any(b.label == answer for b in self.buttons()):
                await self.press(answer)
            else:
                await self.send(answer)

    async def start(self) -> None:
        """Send /start and agree to the privacy notice, as most founders do."""
        await self.send("/start")
        agree = self.lotse.translations.gettext(self.language_code, "I agree")
        await self.press(agree)

    def texts(self) -> list[str]:
        return [reply.text for reply in self.replies]

    def last_question(self) -> str:
        return next(reply.text for reply in reversed(self.replies) if reply.buttons)
