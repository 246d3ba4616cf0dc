"""Load and check `flows/*.yml`, reporting every problem with file and line."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any

from bot.datafiles import DataFileError, Node, Problem, load_yaml
from bot.domain.conditions import parse_condition
from bot.domain.flows import (
    END,
    AnswerType,
    Branch,
    Flow,
    FlowBook,
    Option,
    Question,
    Step,
    StepKind,
)

_ID = re.compile(r"^[a-z][a-z0-9_]{0,15}$")  # flow and step ids travel in button data
_SLOT = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_STEP_KEYS = {kind.value for kind in StepKind} | {
    "id", "slot", "type", "options", "options_from", "max_length", "min", "max", "unknown", "next",
    "topic",
}
_FLOW_KEYS = {"flow", "description", "slots", "steps"}
_VALUE_LIMIT = 24  # button data is at most 64 bytes: "a|flow|step|value"


class _FlowReader:
    """Turn the YAML of one flow file into a `Flow`, collecting problems."""

    def __init__(self, path: Path) -> None:
        self.file = str(path)
        self.problems: list[Problem] = []

    def problem(self, line: int, message: str) -> None:
        """Record a problem at a line."""
        self.problems.append(Problem(self.file, line, message))

    def read(self, data: Any) -> Flow | None:
        """Read a whole flow file."""
        if not isinstance(data, Node):
            self.problem(1, "a flow file must be a mapping with 'flow' and 'steps'")
            return None
        for key in data.keys() - _FLOW_KEYS:
            self.problem(data.line_of(key), f"unknown key {key!r}")
        flow_id = data.get("flow")
        if not isinstance(flow_id, str) or not _ID.match(flow_id):
            self.problem(data.line_of("flow"), "'flow' must be a lower-case id like 'precheck'")
            return None
        raw_steps = data.get("steps")
        if not isinstance(raw_steps, list) or not raw_steps:
            self.problem(data.line_of("steps"), "'steps' must be a non-empty list")
            return None
        steps: dict[str, Step] = {}
        for index, raw in enumerate(raw_steps):
            default_next = self._step_id(raw_steps[index + 1], index + 1) if index + 1 < len(
                raw_steps) else END
            step = self.step(raw, index, default_next)
            if step is None:
                continue
            if step.id in steps:
                self.problem(step.line, f"duplicate step id {step.id!r}")
                continue
            steps[step.id] = step
        slots = data.get("slots", [])
        if not isinstance(slots, list) or not all(isinstance(s, str) for s in slots):
            self.problem(data.line_of("slots"), "'slots' must be a list of slot names")
            slots = []
        return Flow(
            id=flow_id, file=self.file, line=data.line, steps=steps,
            description=str(data.get("description", "")), slots=frozenset(slots),
        )

    @staticmethod
    def _step_id(raw: Any, index: int) -> str:
        """Return the id a step has or gets by default."""
        if isinstance(raw, Node) and isinstance(raw.get("id"), str):
            return str(raw["id"])
        return f"step{index + 1}"

    def step(self, raw: Any, index: int, default_next: str) -> Step | None:
        """Read one step."""
        if not isinstance(raw, Node):
            self.problem(1, f"step {index + 1} must be a mapping")
            return None
        step_id = self._step_id(raw, index)
        if not _ID.match(step_id):
            self.problem(raw.line_of("id"), f"step id {step_id!r} must be a short lower-case id")
        for key in raw.keys() - _STEP_KEYS:
            self.problem(raw.line_of(key), f"unknown key {key!r} in step {step_id!r}")
        kinds = [kind for kind in StepKind if kind.value in raw]
        if len(kinds) != 1:
            self.problem(raw.line, f"step {step_id!r} must have exactly one of "
                         "say, ask, branch, action, goto")
            return None
        kind = kinds[0]
        next_step = raw.get("next", default_next)
        if not isinstance(next_step, str):
            self.problem(raw.line_of("next"), "'next' must be a step id or END")
            next_step = END
        common: dict[str, Any] = {"id": step_id, "kind": kind, "line": raw.line, "next": next_step}
        value = raw[kind.value]
        if kind in (StepKind.SAY, StepKind.ASK):
            if not isinstance(value, str) or not value.strip():
                self.problem(raw.line_of(kind.value), f"'{kind.value}' must be a text")
                return None
            common["text"] = value.strip()
        if kind is StepKind.ASK:
            question = self.question(raw, step_id)
            if question is None:
                return None
            return Step(question=question, **common)
        if kind is StepKind.BRANCH:
            return Step(branches=self.branches(raw), **common)
        if kind in (StepKind.ACTION, StepKind.GOTO):
            if not isinstance(value, str) or not _ID.match(value):
                self.problem(raw.line_of(kind.value), f"'{kind.value}' must name an id")
                return None
            common[kind.value] = value
        return Step(**common)

    def question(self, raw: Node, step_id: str) -> Question | None:
        """Read what an `ask` step expects."""
        slot = raw.get("slot")
        if not isinstance(slot, str) or not _SLOT.match(slot):
            self.problem(raw.line_of("slot"), f"question {step_id!r} needs a 'slot' to fill")
            return None
        try:
            answer_type = AnswerType(raw.get("type", "text"))
        except ValueError:
            self.problem(raw.line_of("type"), f"unknown answer type {raw.get('type')!r}; use one "
                         f"of {', '.join(t.value for t in AnswerType)}")
            return None
        options = tuple(self.options(raw, step_id))
        options_from = raw.get("options_from")
        if answer_type is AnswerType.CHOICE and not options and not options_from:
            self.problem(raw.line, f"choice {step_id!r} needs 'options' or 'options_from'")
        return Question(
            slot=slot, type=answer_type, options=options,
            topic=str(raw["topic"]).strip() if raw.get("topic") else None,
            options_from=str(options_from) if options_from else None,
            max_length=int(raw.get("max_length", 500)),
            minimum=raw.get("min"), maximum=raw.get("max"),
            allow_unknown=bool(raw.get("unknown", False)),
        )

    def options(self, raw: Node, step_id: str) -> list[Option]:
        """Read the options of a choice."""
        options: list[Option] = []
        raw_options = raw.get("options", [])
        if not isinstance(raw_options, list):
            self.problem(raw.line_of("options"), "'options' must be a list")
            return options
        for item in raw_options:
            if not isinstance(item, Node) or not {"value", "label"} <= item.keys():
                self.problem(raw.line_of("options"), "each option needs 'value' and 'label'")
                continue
            value = str(item["value"])
            if len(value.encode()) > _VALUE_LIMIT:
                self.problem(item.line, f"option value {value!r} is too long for a button")
            if value in {o.value for o in options}:
                self.problem(item.line, f"duplicate option value {value!r}")
            options.append(Option(value, str(item["label"]).strip()))
        return options

    def branches(self, raw: Node) -> tuple[Branch, ...]:
        """Read the arms of a branch step."""
        arms: list[Branch] = []
        items = raw["branch"]
        if not isinstance(items, list) or not items:
            self.problem(raw.line_of("branch"), "'branch' must be a list of if/then and else")
            return ()
        for item in items:
            if isinstance(item, Node) and "else" in item:
                arms.append(Branch(None, str(item["else"])))
            elif isinstance(item, Node) and {"if", "then"} <= item.keys():
                try:
                    arms.append(Branch(parse_condition(str(item["if"])), str(item["then"])))
                except ValueError as error:
                    self.problem(item.line_of("if"), str(error))
            else:
                self.problem(getattr(item, "line", raw.line), "a branch arm needs if/then or else")
        if arms and arms[-1].condition is not None:
            self.problem(raw.line_of("branch"), "a branch must end with an 'else' arm")
        return tuple(arms)


def load_flows(
    folder: Path,
    actions: Collection[str] = (),
    known_text: Callable[[str], bool] | None = None,
) -> FlowBook:
    """Load every flow file in `folder` and check them together.

    `actions` are the action names the services layer offers; `known_text` tells
    whether a text has a translation (None skips that check).
    """
    problems: list[Problem] = []
    flows: dict[str, Flow] = {}
    for path in sorted(folder.glob("*.yml")):
        reader = _FlowReader(path)
        try:
            flow = reader.read(load_yaml(path))
        except DataFileError as error:
            problems.extend(error.problems)
            continue
        problems.extend(reader.problems)
        if flow is None:
            continue
        if flow.id in flows:
            problems.append(Problem(flow.file, flow.line, f"duplicate flow id {flow.id!r}, "
                                    f"first defined in {flows[flow.id].file}"))
            continue
        flows[flow.id] = flow
    book = FlowBook(flows)
    unreadable = {problem.file for problem in problems}
    problems.extend(_check_links(book, set(actions), unreadable))
    if known_text is not None:
        problems.extend(
            Problem(flow.file, line, f"unknown message {text[:60]!r}: not in the catalogs")
            for flow, line, text in book.texts()
            if not known_text(text)
        )
    if problems:
        raise DataFileError(problems)
    return book


def _check_links(book: FlowBook, actions: set[str], unreadable: set[str]) -> list[Problem]:
    """Check targets, actions, slots and reachability (unless parts could not be read)."""
    problems: list[Problem] = []
    filled = {step.question.slot for flow in book.flows.values()
              for step in flow.steps.values() if step.question}
    declared = filled.union(*(flow.slots for flow in book.flows.values()))
    for flow in book.flows.values():
        def report(step: Step, message: str, file: str = flow.file) -> None:
            problems.append(Problem(file, step.line, message))

        for step in flow.steps.values():
            targets = [step.next, *(arm.target for arm in step.branches)]
            for target in targets:
                if target != END and target not in flow.steps:
                    report(step, f"step {step.id!r} goes to unknown step {target!r}")
            if step.goto and step.goto not in book.flows:
                report(step, f"step {step.id!r} goes to unknown flow {step.goto!r}")
            if step.action and actions and step.action not in actions:
                report(step, f"unknown action {step.action!r}; known: {', '.join(sorted(actions))}")
            for arm in step.branches:
                for slot in sorted(arm.condition.slot_names - declared if arm.condition else ()):
                    report(step, f"condition uses unknown slot {slot!r}")
            source = step.question.options_from if step.question else None
            if source and source not in declared:
                report(step, f"options come from unknown slot {source!r}")
        if flow.file in unreadable:
            continue
        for step_id in flow.steps.keys() - _reachable(flow):
            report(flow.steps[step_id], f"step {step_id!r} can never be reached")
    return problems


def _reachable(flow: Flow) -> set[str]:
    """Return the ids of the steps reachable from the flow's start."""
    seen: set[str] = set()
    todo = [flow.start]
    while todo:
        step_id = todo.pop()
        if step_id in seen or step_id not in flow.steps:
            continue
        seen.add(step_id)
        step = flow.steps[step_id]
        if step.kind not in (StepKind.GOTO, StepKind.BRANCH):
            todo.append(step.next)
        todo.extend(arm.target for arm in step.branches)
    return seen
