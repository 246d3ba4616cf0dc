"""Channel-free replies: text with buttons, and documents."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Button:
    """A button: what it says and the data sent back when pressed (at most 64 bytes)."""

    label: str
    data: str


@dataclass(frozen=True)
class Document:
    """A file to send, such as a calendar file or a data export."""

    filename: str
    content: bytes
    mime_type: str = "application/octet-stream"


@dataclass(frozen=True)
class Reply:
    """One message to the user, already in their language."""

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    document: Document | None = None
