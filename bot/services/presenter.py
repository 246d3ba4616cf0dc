"""Render engine output as replies in the recipient's language."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from bot.domain.engine import Output, Prompt, Say
from bot.domain.flows import Option
from bot.domain.replies import Button, Reply
from bot.i18n import RIGHT_TO_LEFT, SOURCE_LANGUAGE, Translations, dates
from bot.i18n.marker import N_

FIRST_STRONG_ISOLATE = "\u2068"
POP_DIRECTIONAL_ISOLATE = "\u2069"
BACK = "nav|back"
BACK_LABEL = N_("← Back")
WHEN = N_("{day}, {time} (German time)")


def answer_data(flow: str, step: str, value: str) -> str:
    """Return the data of a button that answers a question."""
    return f"a|{flow}|{step}|{value}"


def parse_answer_data(data: str) -> tuple[str, str, str] | None:
    """Return (flow, step, value) from an answer button's data, or None."""
    parts = data.split("|", 3)
    if len(parts) != 4 or parts[0] != "a":
        return None
    return parts[1], parts[2], parts[3]


class _Params(dict[str, str]):
    """Placeholder values; a missing one renders empty instead of failing."""

    def __missing__(self, key: str) -> str:
        return ""


class Presenter:
    """Turns msgids and prompts into text and buttons for one language."""

    def __init__(self, translations: Translations, language: str | None) -> None:
        self.translations = translations
        self.language = language

    def text(self, msgid: str, params: Mapping[str, Any] | None = None) -> str:
        """Translate a text, then fill its placeholders (isolated in right-to-left text)."""
        translated = self.translations.gettext(self.language, msgid)
        if not params:
            return translated
        values = _Params({key: self.isolate(value) for key, value in params.items()})
        return translated.format_map(values)

    def plural(self, forms: tuple[str, str], count: int,
               params: Mapping[str, Any] | None = None) -> str:
        """Translate a counted text (marked with Nn_) in the form `count` needs."""
        translated = self.translations.ngettext(self.language, forms[0], forms[1], count)
        values = {"count": count, **(params or {})}
        return translated.format_map(_Params({k: self.isolate(v) for k, v in values.items()}))

    def when(self, moment: datetime) -> str:
        """Return a date and time in Berlin, in this language, saying it is German time."""
        language = self.language or SOURCE_LANGUAGE
        return self.text(WHEN, {"day": dates.day(moment, language),
                                "time": dates.clock(moment, language)})

    def isolate(self, value: Any) -> str:
        """Wrap a value in Unicode isolates in right-to-left languages."""
        text = "" if value is None else str(value)
        if self.language in RIGHT_TO_LEFT and text:
            return f"{FIRST_STRONG_ISOLATE}{text}{POP_DIRECTIONAL_ISOLATE}"
        return text

    def label(self, option: Option, translated: bool) -> str:
        """Return the label of a button in this language; names and dates are isolated."""
        return self.isolate(option.label) if translated else self.text(option.label)

    def render(self, outputs: Iterable[Output]) -> list[Reply]:
        """Render engine output as replies."""
        replies: list[Reply] = []
        for output in outputs:
            if isinstance(output, Say):
                replies.append(Reply(self.text(output.text, output.params)))
            elif isinstance(output, Prompt):
                replies.append(self.prompt(output))
            else:
                replies.append(output)
        return replies

    def prompt(self, prompt: Prompt) -> Reply:
        """Render a question with one button per option, and Back when possible."""
        assert prompt.step.text is not None
        buttons = [
            Button(self.label(option, prompt.translated_labels),
                   answer_data(prompt.flow, prompt.step.id, option.value))
            for option in prompt.options
        ]
        rows = _rows(buttons)
        if prompt.can_go_back:
            rows.append((Button(self.text(BACK_LABEL), BACK),))
        return Reply(self.text(prompt.step.text, prompt.params), tuple(rows))


def _rows(buttons: list[Button]) -> list[tuple[Button, ...]]:
    """Lay out buttons: short labels two by two, long ones alone."""
    if all(len(button.label) <= 14 for button in buttons):
        return [tuple(buttons[i:i + 2]) for i in range(0, len(buttons), 2)]
    return [(button,) for button in buttons]
