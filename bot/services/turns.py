"""Handle one user turn: load the conversation, run the flow, save, answer."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from bot.domain.engine import Engine, Output, Say
from bot.i18n import Translations
from bot.services import texts
from bot.services.answers import CLARIFY, AnswerReader, normalized
from bot.services.events import (
    ButtonPress,
    Command,
    Event,
    Outcome,
    TextMessage,
    Unsupported,
)
from bot.services.language_switch import LanguageSwitch
from bot.services.presenter import BACK, BACK_LABEL, Presenter, parse_answer_data
from bot.services.turn import Handlers, Turn
from bot.services.understanding import Understander
from bot.storage import conversations
from bot.storage.database import Database

log = logging.getLogger(__name__)

START_FLOW = "start"
MENU_FLOW = "menu"
LANGUAGE_FLOW = "language"
MAX_TEXT = 4096


class Turns:
    """The use case behind every incoming message, press and command."""

    def __init__(
        self,
        database: Database,
        engine: Engine,
        translations: Translations,
        understander: Understander,
        clock: Callable[[], datetime],
        handlers: Handlers,
        switch: LanguageSwitch | None = None,
    ) -> None:
        self.database = database
        self.engine = engine
        self.translations = translations
        self.understander = understander
        self.clock = clock
        self.handlers = handlers
        self.switch = switch
        self.reader = AnswerReader(engine, understander)
        handlers.buttons[CLARIFY] = self.reader.clarified

    async def handle(self, event: Event) -> Outcome:
        """Handle one event in one unit of work; a redelivered update is handled once."""
        now = self.clock()
        update_id = event.sender.update_id
        async with self.database.transaction() as session:
            if update_id is not None and not await conversations.mark_processed(
                session, update_id, now
            ):
                return Outcome(result="duplicate")
            user, conversation = await conversations.load(session, event.sender.chat_id, now)
            turn = Turn(session, user, conversation, now, self.translations, self.handlers,
                        self.engine)
            outcome = await self._dispatch(event, turn)
            if not turn.erased:
                for hook in self.handlers.after_turn:
                    await hook(turn)
                await conversations.save(session, user, conversation, now)
            outcome.others.extend(turn.others)
        outcome.flow, outcome.step = conversation.flow, conversation.step
        return outcome

    async def group_notice(self, chat_id: int, language_code: str | None) -> Outcome:
        """Tell a group once that the bot works in private chats only."""
        now = self.clock()
        async with self.database.transaction() as session:
            first = await conversations.first_notice_in_group(session, chat_id, now)
        if not first:
            return Outcome(result="group-ignored")
        presenter = self.present(self.language_for(language_code))
        return Outcome(presenter.render([Say(texts.PRIVATE_ONLY)]), result="group-notice")

    async def mark_blocked(self, chat_id: int) -> None:
        """Record that the user blocked the bot; a later message from them unblocks."""
        async with self.database.transaction() as session:
            await conversations.mark_blocked(session, chat_id, self.clock())

    def present(self, language: str | None) -> Presenter:
        """Return a presenter for one language."""
        return Presenter(self.translations, language)

    def language_for(self, language_code: str | None) -> str | None:
        """Return the bot's language for a Telegram language code, if the bot speaks it."""
        language = (language_code or "").split("-")[0].lower()
        return language if language in self.translations.languages else None

    async def _dispatch(self, event: Event, turn: Turn) -> Outcome:
        """Choose what to do with the event."""
        conversation = turn.conversation
        if conversation.language is None:
            language = self.language_for(event.sender.language_code)
            if language:
                conversation.language = language
                conversation.slots["language"] = language
        match event:
            case Command():
                outputs, result = await self._command(event, turn), "command"
            case ButtonPress():
                return await self._press(event, turn)
            case TextMessage():
                outputs, result = await self._text(event.text, turn), "text"
                if self.switch is not None:
                    outputs.extend(await self.switch.observe(turn, event.text))
            case Unsupported():
                message = texts.VOICE if event.kind == "voice" else texts.UNSUPPORTED
                outputs, result = self._interrupt([Say(message)], turn), event.kind
        return Outcome(turn.presenter.render(outputs), result=result)

    async def _command(self, command: Command, turn: Turn) -> list[Output]:
        """Run a slash command."""
        name = command.name.lower()
        conversation = turn.conversation
        feature = self.handlers.commands.get(name)
        if feature is not None:
            outputs = await feature(turn, command.argument)
            if outputs is not None:
                return outputs
        if name == "start":
            return await self.engine.start(conversation, START_FLOW, turn.now, turn)
        if name == "language":
            return await self.engine.start(conversation, LANGUAGE_FLOW, turn.now, turn)
        if name == "cancel":
            note = texts.CANCELLED if conversation.waiting else texts.NOTHING_TO_CANCEL
            self.engine.stop(conversation)
            return [Say(note), *await self.reader.menu(turn)]
        if name == "help":
            return self._interrupt([Say(texts.HELP)], turn)
        return self._interrupt([Say(texts.UNKNOWN_COMMAND)], turn)

    async def _press(self, press: ButtonPress, turn: Turn) -> Outcome:
        """Handle a pressed button; a button of an earlier question is refused kindly."""
        conversation, presenter = turn.conversation, turn.presenter
        if press.data == BACK and conversation.waiting:
            return Outcome(presenter.render(self.engine.back(conversation)), result="back")
        feature = self.handlers.button_for(press.data)
        if feature is not None:
            return await feature(turn, press.data)
        answer = parse_answer_data(press.data)
        step = self.engine.current_step(conversation)
        expired = Outcome(notice=presenter.text(texts.BUTTON_EXPIRED), result="stale-button")
        if answer is None or step is None or (answer[0], answer[1]) != (conversation.flow, step.id):
            return expired
        option = next((o for o in self.engine.options(step, conversation)
                       if o.value == answer[2]), None)
        if option is None:
            return expired
        translated = step.question is not None and step.question.options_from is not None
        chosen = presenter.label(option, translated)
        outputs = await self.engine.answer(conversation, option.value, turn.now, turn)
        return Outcome(turn.presenter.render(outputs), chosen=chosen, result="answer")

    async def _text(self, text: str, turn: Turn) -> list[Output]:
        """Handle typed text: an answer, a side question, or a wish outside any flow."""
        text = texts.clean(text)
        if not text:
            return self._interrupt([Say(texts.EMPTY)], turn)
        if len(text) > MAX_TEXT:
            return self._interrupt([Say(texts.TOO_LONG)], turn)
        step = self.engine.current_step(turn.conversation)
        if step is None:
            return await self.reader.outside_flow(text, turn)
        if normalized(text) in {"back", normalized(turn.presenter.text(BACK_LABEL))}:
            return self.engine.back(turn.conversation)
        if turn.conversation.flow == MENU_FLOW and self.reader.match(step, turn, text) is None:
            self.engine.stop(turn.conversation)
            return await self.reader.outside_flow(text, turn)
        reading = await self.reader.read(step, turn, text)
        if reading.value is not None:
            return await self.engine.answer(turn.conversation, reading.value, turn.now, turn)
        return self._interrupt(reading.outputs, turn)

    def _interrupt(self, outputs: list[Output], turn: Turn) -> list[Output]:
        """Show something, then the open question again so the founder can go on."""
        if self.engine.current_step(turn.conversation) is None:
            return outputs
        return [*outputs, self.engine.prompt(turn.conversation)]
