"""The flow engine: runs a conversation through the steps of `flows/*.yml`.

Pure: it holds no state between calls, does no I/O of its own and takes the
clock as a parameter. Named actions are run through the `ActionRunner` the
services layer passes with each call; they may change the conversation and add replies.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from bot.domain.flows import END, AnswerType, FlowBook, Option, Step, StepKind
from bot.domain.replies import Reply
from bot.i18n.marker import N_

UNKNOWN = "unknown"
RESUMING = "_resuming"  # a slot: while true, questions already answered are passed over
_MAX_STEPS_PER_TURN = 200


@dataclass
class Conversation:
    """Where a user stands: language, flow, step, answers so far, answered questions."""

    language: str | None = None
    flow: str | None = None
    step: str | None = None
    slots: dict[str, Any] = field(default_factory=dict)
    history: list[tuple[str, str]] = field(default_factory=list)

    @property
    def waiting(self) -> bool:
        """Return whether the conversation waits for an answer to a question."""
        return self.flow is not None


@dataclass(frozen=True)
class Say:
    """A message to show: an English msgid and the values of its placeholders."""

    text: str
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Prompt:
    """A question to show, with its buttons."""

    flow: str
    step: Step
    options: tuple[Option, ...]
    translated_labels: bool
    can_go_back: bool
    params: Mapping[str, Any] = field(default_factory=dict)


Output = Say | Prompt | Reply


class ActionRunner(Protocol):
    """Runs the named actions that flows call."""

    @property
    def names(self) -> frozenset[str]:
        """Return the names of the actions."""
        ...

    async def run(self, name: str, conversation: Conversation, now: datetime) -> list[Reply]:
        """Run an action; it may change the conversation and returns replies."""
        ...


class Engine:
    """Moves a conversation through its flow, one user turn at a time."""

    def __init__(self, book: FlowBook) -> None:
        self.book = book

    async def start(self, conversation: Conversation, flow_id: str, now: datetime,
                    actions: ActionRunner) -> list[Output]:
        """Leave any current flow and run `flow_id` from its start."""
        conversation.flow = flow_id
        conversation.step = self.book.flows[flow_id].start
        conversation.history.clear()
        return await self._run(conversation, now, actions)

    async def answer(self, conversation: Conversation, answer: str, now: datetime,
                     actions: ActionRunner) -> list[Output]:
        """Take an answer to the open question and go on."""
        step = self.current_step(conversation)
        if step is None or step.question is None:
            return []
        value, problem = _validate(step, answer, self.options(step, conversation))
        if problem is not None:
            return [problem, self.prompt(conversation)]
        assert conversation.flow is not None
        conversation.slots[step.question.slot] = value
        conversation.history.append((conversation.flow, step.id))
        self._move(conversation, step.next)
        return await self._run(conversation, now, actions)

    def back(self, conversation: Conversation) -> list[Output]:
        """Return to the previous question."""
        if not conversation.history:
            return [Say(N_("This is the first question.")), self.prompt(conversation)]
        conversation.flow, conversation.step = conversation.history.pop()
        return [self.prompt(conversation)]

    def stop(self, conversation: Conversation) -> None:
        """Leave the current flow; the answers given so far are kept."""
        conversation.flow = None
        conversation.step = None
        conversation.history.clear()

    def current_step(self, conversation: Conversation) -> Step | None:
        """Return the question the conversation waits on, if it still exists."""
        if conversation.flow is None or conversation.step is None:
            return None
        if not self.book.has_step(conversation.flow, conversation.step):
            return None
        return self.book.step(conversation.flow, conversation.step)

    def options(self, step: Step, conversation: Conversation) -> tuple[Option, ...]:
        """Return the buttons of a question, including dynamic ones and N_("I don't know")."""
        assert step.question is not None
        question = step.question
        options = question.options
        if question.type is AnswerType.YESNO:
            options = (Option("yes", N_("Yes")), Option("no", N_("No")))
        elif question.options_from:
            offered = conversation.slots.get(question.options_from) or []
            options = tuple(Option(str(o["value"]), str(o["label"])) for o in offered)
        if question.allow_unknown:
            options += (Option(UNKNOWN, N_("I don't know")),)
        return options

    def prompt(self, conversation: Conversation) -> Prompt:
        """Return the open question as it should be shown again."""
        step = self.current_step(conversation)
        assert step is not None and conversation.flow is not None
        question = step.question
        assert question is not None
        return Prompt(
            flow=conversation.flow,
            step=step,
            options=self.options(step, conversation),
            translated_labels=question.options_from is not None,
            can_go_back=bool(conversation.history),
            params=dict(conversation.slots),
        )

    async def _run(self, conversation: Conversation, now: datetime, actions: ActionRunner
                   ) -> list[Output]:
        """Run steps until a question waits for an answer or the flow ends."""
        outputs: list[Output] = []
        for _ in range(_MAX_STEPS_PER_TURN):
            step = self.current_step(conversation)
            if step is None:
                self.stop(conversation)
                return outputs
            if step.kind is StepKind.ASK:
                assert step.question is not None and conversation.flow is not None
                if conversation.slots.get(RESUMING) and step.question.slot in conversation.slots:
                    conversation.history.append((conversation.flow, step.id))
                    self._move(conversation, step.next)
                    continue
                outputs.append(self.prompt(conversation))
                return outputs
            if step.kind is StepKind.SAY:
                assert step.text is not None
                outputs.append(Say(step.text, dict(conversation.slots)))
                self._move(conversation, step.next)
            elif step.kind is StepKind.BRANCH:
                slots = conversation.slots
                target = next(arm.target for arm in step.branches
                              if arm.condition is None or arm.condition.evaluate(slots))
                self._move(conversation, target)
            elif step.kind is StepKind.ACTION:
                assert step.action is not None
                position = (conversation.flow, conversation.step)
                outputs.extend(await actions.run(step.action, conversation, now))
                if (conversation.flow, conversation.step) == position:
                    self._move(conversation, step.next)
            else:
                assert step.goto is not None
                conversation.flow = step.goto
                conversation.step = self.book.flows[step.goto].start
                conversation.history.clear()
        raise RuntimeError(f"flow {conversation.flow!r} loops without asking anything")

    @staticmethod
    def _move(conversation: Conversation, target: str) -> None:
        """Go to another step of the same flow, or end the flow."""
        if target == END:
            conversation.flow = None
            conversation.step = None
            conversation.history.clear()
        else:
            conversation.step = target


def _validate(step: Step, answer: str, options: tuple[Option, ...]) -> tuple[Any, Say | None]:
    """Check an answer against its question; return the value or a problem to show."""
    question = step.question
    assert question is not None
    answer = answer.strip()
    if question.allow_unknown and answer == UNKNOWN:
        return UNKNOWN, None
    if question.type in (AnswerType.CHOICE, AnswerType.YESNO):
        if answer in {option.value for option in options}:
            return answer, None
        return None, Say(N_("Please choose one of the buttons."))
    if question.type is AnswerType.NUMBER:
        return _number(answer, question.minimum, question.maximum)
    if question.type is AnswerType.DATE:
        return _date(answer)
    if not answer:
        return None, Say(N_("Please write a short answer."))
    if len(answer) > question.max_length:
        return None, Say(N_("Please keep it shorter: at most {limit} characters."),
                         {"limit": question.max_length})
    return answer, None


def _number(answer: str, minimum: float | None, maximum: float | None) -> tuple[Any, Say | None]:
    """Read a number written the German or the English way."""
    cleaned = re.sub(r"[\s'€]", "", answer)
    if re.fullmatch(r"\d{1,3}(\.\d{3})+", cleaned):
        cleaned = cleaned.replace(".", "")
    try:
        number = float(cleaned.replace(",", "."))
    except ValueError:
        return None, Say(N_("Please write a number, for example 12."))
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        return None, Say(N_("Please write a number from {minimum} to {maximum}."),
                         {"minimum": minimum, "maximum": maximum})
    return (int(number) if number.is_integer() else number), None


def _date(answer: str) -> tuple[Any, Say | None]:
    """Read a date as 31.12.2026 or 2026-12-31."""
    for pattern in ("%d.%m.%Y", "%Y-%m-%d", "%d.%m.%y"):
        try:
            parsed: date = datetime.strptime(answer, pattern).date()  # noqa: DTZ007 - a date only
        except ValueError:
            continue
        return parsed.isoformat(), None
    return None, Say(N_("Please write the date like this: 31.12.2026."))
