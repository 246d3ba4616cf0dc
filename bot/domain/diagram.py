"""Draw a flow as a Mermaid diagram."""

from __future__ import annotations

from bot.domain.flows import END, Flow, StepKind


def mermaid(flow: Flow) -> str:
    """Return a Mermaid flowchart of the flow's steps and transitions."""
    lines = ["flowchart TD", f"    START(({flow.id})) --> {flow.start}"]
    for step in flow.steps.values():
        label = _label(step.kind, step.text or step.action or step.goto or "")
        if step.question:
            label = _label(step.kind, f"{step.question.slot}: {step.text}")
        shape = "{%s}" if step.kind is StepKind.BRANCH else "[%s]"
        lines.append(f"    {step.id}{shape % label}")
        if step.kind is StepKind.GOTO:
            lines.append(f"    {step.id} -.-> FLOW_{step.goto}[[{step.goto}]]")
        elif step.kind is StepKind.BRANCH:
            for arm in step.branches:
                condition = arm.condition.source if arm.condition else "else"
                lines.append(f"    {step.id} -->|{_escape(condition)}| {_target(arm.target)}")
        else:
            lines.append(f"    {step.id} --> {_target(step.next)}")
    return "\n".join(lines) + "\n"


def _target(step_id: str) -> str:
    return "END((end))" if step_id == END else step_id


def _label(kind: StepKind, text: str) -> str:
    short = " ".join(text.split())
    short = short if len(short) <= 40 else short[:39] + "…"
    return f'"{kind.value}: {_escape(short)}"'


def _escape(text: str) -> str:
    return text.replace('"', "#quot;").replace("|", "#124;")
