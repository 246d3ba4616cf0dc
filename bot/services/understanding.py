"""What the services layer needs from natural-language understanding."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol


class Meaning(Protocol):
    """The likely meaning of a text."""

    @property
    def intent(self) -> str:
        """Return the likeliest intent name."""
        ...

    @property
    def confidence(self) -> float:
        """Return the confidence of the likeliest intent, 0 to 1."""
        ...

    @property
    def ranking(self) -> Sequence[tuple[str, float]]:
        """Return intents with their confidence, likeliest first."""
        ...


class Understander(Protocol):
    """Reads the meaning of a founder's text."""

    async def parse(self, text: str, language: str) -> Meaning:
        """Return the meaning of `text` written in `language`; never raises."""
        ...
