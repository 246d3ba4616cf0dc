"""Logging: one structured line per update, with no message text or contact data."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
from typing import TextIO

_TOKEN = re.compile(r"\d{6,}:[A-Za-z0-9_-]{20,}")


class RedactingFormatter(logging.Formatter):
    """Formats log lines and removes anything that looks like a bot token."""

    def format(self, record: logging.LogRecord) -> str:
        """Format, then redact tokens (they appear in request URLs)."""
        return _TOKEN.sub("<token>", super().format(record))


def configure(level: str, stream: TextIO | None = None) -> None:
    """Send logs to stderr (or `stream`), one line each, tokens redacted."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    logging.basicConfig(level=level.upper(), handlers=[handler], force=True)
    logging.getLogger("httpx").setLevel(logging.WARNING)


def pseudonym(key: str, chat_id: int) -> str:
    """Return a stable pseudonym for a chat, so logs can follow a user without naming them."""
    return hmac.new(key.encode(), str(chat_id).encode(), hashlib.sha256).hexdigest()[:12]


def update_line(**fields: object) -> str:
    """Return one update's log line as JSON."""
    return json.dumps(fields, ensure_ascii=False, separators=(",", ":"), default=str)
