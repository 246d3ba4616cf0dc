"""Crafts that need a Meisterbrief (Anlage A HwO), found in a founder's own words."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.datafiles import DataFileError
from bot.directory.loader import Field, FileCheck, entries, keyed, list_of, mappings, text
from bot.directory.model import LANGUAGES

INSIDE_WORDS = "*"
_LETTER_FORMS = str.maketrans({"ı": "i", "ي": "ی", "ى": "ی", "ك": "ک", "ة": "ه", "ʼ": "'"})


@dataclass(frozen=True)
class Keyword:
    """A word or phrase that names a trade, already folded for matching."""

    words: str
    inside_words: bool

    def pattern(self) -> str:
        """Return the regular expression that finds this keyword in folded text."""
        start = "" if self.inside_words else r"(?<!\w)"
        return start + re.escape(self.words)


@dataclass(frozen=True)
class Trade:
    """A zulassungspflichtiges Handwerk and the keywords that name it."""

    name: str
    keywords: tuple[Keyword, ...]


def fold(words: str) -> str:
    """Fold text for matching: lower case, no accents, ä/ae → a, words split by single spaces."""
    words = unicodedata.normalize("NFKD", words.casefold().translate(_LETTER_FORMS))
    words = "".join(c for c in words if not unicodedata.combining(c))
    words = words.replace("ae", "a").replace("oe", "o").replace("ue", "u")
    return " ".join(re.findall(r"\w+", words))


def keyword(written: str) -> Keyword:
    """Read a keyword as written in the trades file."""
    return Keyword(fold(written), written.startswith(INSIDE_WORDS))


TRADES_FILE = {"trades": Field(mappings)}
TRADE = {"name": Field(text), "keywords": Field(keyed)}
KEYWORDS = {
    language: Field(list_of(text), required=language == "de") for language in sorted(LANGUAGES)
}


def load_trades(path: Path) -> tuple[Trade, ...]:
    """Read the Meister trades file; raise DataFileError with every problem."""
    check = FileCheck(path)
    document = check.read()
    if document is not None:
        check.mapping(document, TRADES_FILE, "the trades file")
    trades: list[Trade] = []
    first_use: dict[str, str] = {}
    for node in entries(document, "trades"):
        if not check.mapping(node, TRADE, "a trade"):
            continue
        words = node["keywords"]
        if not check.mapping(words, KEYWORDS, "keywords", node.line_of("keywords")):
            continue
        found: list[Keyword] = []
        for language, written in words.items():
            for item in map(keyword, written):
                other = first_use.setdefault(item.words, node["name"])
                if other != node["name"]:
                    check.problem(
                        words.line_of(language), f"keyword {item.words!r} is also used by {other}"
                    )
                found.append(item)
        trades.append(Trade(node["name"], tuple(found)))
    if check.problems:
        raise DataFileError(check.in_line_order())
    return tuple(trades)


def needs_meister(description: str, trades: Sequence[Trade]) -> Trade | None:
    """Return the Meister trade a founder's description names, the longest match winning."""
    folded = fold(description)
    matches = [
        (len(k.words), trade)
        for trade in trades
        for k in trade.keywords
        if k.words and re.search(k.pattern(), folded)
    ]
    return max(matches, key=lambda m: m[0])[1] if matches else None
