"""Conversation flows as data: the model of `flows/*.yml`.

A flow is a list of steps. Each step does one thing:
`say` a message, `ask` a question that fills a `slot`, `branch` on slot values,
run a named `action` of the services layer, or `goto` another flow. After a step
the flow goes on with `next` (a step id or END), by default the following step.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from bot.domain.conditions import Condition

END = "END"


class StepKind(StrEnum):
    """What a step does."""

    SAY = "say"
    ASK = "ask"
    BRANCH = "branch"
    ACTION = "action"
    GOTO = "goto"


class AnswerType(StrEnum):
    """The kind of answer a question expects."""

    CHOICE = "choice"
    YESNO = "yesno"
    TEXT = "text"
    NUMBER = "number"
    DATE = "date"


@dataclass(frozen=True)
class Option:
    """One button of a choice: the stored value and the English label (a msgid)."""

    value: str
    label: str


@dataclass(frozen=True)
class Question:
    """What an `ask` step expects."""

    slot: str
    type: AnswerType
    topic: str | None = None
    options: tuple[Option, ...] = ()
    options_from: str | None = None
    max_length: int = 500
    minimum: float | None = None
    maximum: float | None = None
    allow_unknown: bool = False


@dataclass(frozen=True)
class Branch:
    """One arm of a branch: go to `target` when `condition` holds (None: else)."""

    condition: Condition | None
    target: str


@dataclass(frozen=True)
class Step:
    """One step of a flow."""

    id: str
    kind: StepKind
    line: int
    text: str | None = None
    question: Question | None = None
    branches: tuple[Branch, ...] = ()
    action: str | None = None
    goto: str | None = None
    next: str = END


@dataclass(frozen=True)
class Flow:
    """A named conversation, read from one file."""

    id: str
    file: str
    line: int
    steps: Mapping[str, Step]
    description: str = ""
    slots: frozenset[str] = frozenset()

    @property
    def start(self) -> str:
        """Return the id of the first step."""
        return next(iter(self.steps))


@dataclass(frozen=True)
class FlowBook:
    """All flows the bot knows, by id."""

    flows: Mapping[str, Flow] = field(default_factory=dict)

    def step(self, flow_id: str, step_id: str) -> Step:
        """Return a step; KeyError when the flow or step does not exist."""
        return self.flows[flow_id].steps[step_id]

    def has_step(self, flow_id: str, step_id: str) -> bool:
        """Return whether a flow has this step (flows change between releases)."""
        flow = self.flows.get(flow_id)
        return flow is not None and step_id in flow.steps

    def texts(self) -> Iterator[tuple[Flow, int, str]]:
        """Yield every text a user can see, with its flow and line."""
        for flow in self.flows.values():
            for step in flow.steps.values():
                if step.text:
                    yield flow, step.line, step.text
                if step.question:
                    if step.question.topic:
                        yield flow, step.line, step.question.topic
                    for option in step.question.options:
                        yield flow, step.line, option.label
