"""Keyword fallback: understand a message from editable keyword lists when Rasa cannot."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.nlu.client import INTENTS, Entity, Understanding, drop_nested_entities

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_KEYWORDS = REPO_ROOT / "nlu" / "keywords.yml"
DEFAULT_LOOKUPS = REPO_ROOT / "nlu" / "data" / "lookups.yml"
LANGUAGES = ("de", "en", "ar", "tr", "ru", "uk", "fa", "pl", "ro", "ku")
# Keywords of these languages are also tried for every founder: they mix in German words.
SHARED_LANGUAGES = ("de", "en")
TOP_CONFIDENCE = 0.6
OTHER_CONFIDENCE = 0.3

# Letters that look alike to a reader but differ in Unicode, folded to one form.
_FOLD = str.maketrans(
    {
        "ı": "i",  # Turkish dotless i
        "ي": "ی",  # Arabic yeh -> Persian yeh
        "ى": "ی",  # alef maksura
        "ك": "ک",  # Arabic kaf -> Persian keheh
        "ة": "ه",  # teh marbuta, often typed as heh
        "ـ": "",  # tatweel
        "\u200c": " ",  # zero-width non-joiner (Persian half-space)
        "’": "'",
        "ʼ": "'",
    }
)


class KeywordFileError(ValueError):
    """A keyword or lookup file that cannot be used, with file and line."""

    def __init__(self, path: Path, line: int, problem: str) -> None:
        super().__init__(f"{path}:{line}: {problem}")
        self.path = path
        self.line = line
        self.problem = problem


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    """Return the comparable form of one character (may be empty or longer)."""
    decomposed = unicodedata.normalize("NFKD", char.casefold())
    kept = "".join(c for c in decomposed if not unicodedata.combining(c))
    folded = kept.translate(_FOLD)
    return "".join(c if c.isalnum() or c in " '" else " " for c in folded)


def normalize(text: str) -> str:
    """Fold case, accents and look-alike letters; turn punctuation into spaces."""
    return " ".join(normalize_with_positions(text)[0].split())


def normalize_with_positions(text: str) -> tuple[str, list[int]]:
    """Normalize text without collapsing spaces; map each output char to its source index."""
    out: list[str] = []
    positions: list[int] = []
    for index, char in enumerate(text):
        folded = _fold_char(char)
        out.append(folded)
        positions.extend([index] * len(folded))
    return "".join(out), positions


def _keyword_pattern(keyword: str) -> str | None:
    """Turn one keyword (`termin*`, `talk to`) into a regex alternative."""
    prefix = keyword.strip().endswith("*")
    words = normalize(keyword.strip().rstrip("*")).split()
    if not words:
        return None
    body = r"\s+".join(re.escape(word) for word in words)
    return rf"(?<!\w){body}" + ("" if prefix else r"(?!\w)")


def _compile(keywords: Iterable[str]) -> re.Pattern[str] | None:
    patterns = [p for p in (_keyword_pattern(k) for k in keywords) if p]
    return re.compile("|".join(patterns)) if patterns else None


@dataclass(frozen=True)
class _Lookup:
    """Surface forms of one entity, each mapped to its canonical value."""

    name: str
    pattern: re.Pattern[str]
    canonical: Mapping[str, str]


class KeywordFallback:
    """Match per-language keyword lists and entity lookups against a message."""

    def __init__(
        self,
        intents: Mapping[str, Mapping[str, Sequence[str]]],
        lookups: Mapping[str, Mapping[str, str]] | None = None,
    ) -> None:
        self._order = [intent for intent in intents if intent in INTENTS]
        self._patterns: dict[tuple[str, str], re.Pattern[str]] = {}
        for intent in self._order:
            for language, keywords in intents[intent].items():
                pattern = _compile(keywords)
                if pattern is not None:
                    self._patterns[(intent, language)] = pattern
        self._lookups: list[_Lookup] = []
        for name, forms in (lookups or {}).items():
            canonical = {normalize(form): value for form, value in forms.items() if normalize(form)}
            if not canonical:
                continue
            # longest first, so that "Landkreis Cloppenburg" wins over "Cloppenburg"
            ordered = sorted(canonical, key=len, reverse=True)
            body = "|".join(r"\s+".join(map(re.escape, form.split())) for form in ordered)
            self._lookups.append(_Lookup(name, re.compile(rf"(?<!\w)(?:{body})(?!\w)"), canonical))

    @classmethod
    def load(
        cls, keywords_path: Path = DEFAULT_KEYWORDS, lookups_path: Path | None = DEFAULT_LOOKUPS
    ) -> KeywordFallback:
        """Read the keyword file (and entity lookups); raise KeywordFileError on mistakes.

        Unchanged files are read once per process (the fallback is immutable).
        """
        return _load_unchanged(keywords_path, _version(keywords_path),
                               lookups_path, _version(lookups_path))

    @property
    def intents(self) -> tuple[str, ...]:
        """Return the intents in the order they are tried."""
        return tuple(self._order)

    def understand(self, text: str, language: str) -> Understanding:
        """Return the first intent in file order whose keywords occur in the text."""
        folded = normalize(text)
        languages = [language, *(lang for lang in SHARED_LANGUAGES if lang != language)]
        matched: list[str] = []
        for intent in self._order:
            for lang in languages:
                pattern = self._patterns.get((intent, lang))
                if pattern is not None and pattern.search(folded):
                    matched.append(intent)
                    break
        entities = self.entities(text)
        if not matched:
            return Understanding(
                "out_of_scope", 0.0, (("out_of_scope", 0.0),), entities, "keywords"
            )
        ranking = ((matched[0], TOP_CONFIDENCE), *((i, OTHER_CONFIDENCE) for i in matched[1:]))
        return Understanding(matched[0], TOP_CONFIDENCE, ranking, entities, "keywords")

    def entities(self, text: str) -> tuple[Entity, ...]:
        """Find towns, districts and business kinds from the lookup tables."""
        folded, positions = normalize_with_positions(text)
        found: list[tuple[int, int, Entity]] = []
        for lookup in self._lookups:
            for match in lookup.pattern.finditer(folded):
                key = " ".join(match.group(0).split())
                start, end = positions[match.start()], positions[match.end() - 1] + 1
                value = lookup.canonical.get(key, key)
                found.append((start, end, Entity(lookup.name, value, text[start:end])))
        return drop_nested_entities(found)


def _version(path: Path | None) -> tuple[int, int] | None:
    """Return what tells an edited file from the one read before, or None."""
    try:
        stat = path.stat() if path is not None else None
    except OSError:
        return None  # reading it reports the problem
    return (stat.st_mtime_ns, stat.st_size) if stat is not None else None


@lru_cache(maxsize=8)
def _load_unchanged(keywords_path: Path, _keywords_version: tuple[int, int] | None,
                    lookups_path: Path | None, _lookups_version: tuple[int, int] | None
                    ) -> KeywordFallback:
    intents = read_keyword_file(keywords_path)
    lookups = read_lookups(lookups_path) if lookups_path is not None else None
    return KeywordFallback(intents, lookups)


def _line(node: yaml.Node | None) -> int:
    return node.start_mark.line + 1 if node is not None else 1


def _compose(path: Path) -> yaml.Node:
    try:
        node = yaml.compose(path.read_text(encoding="utf-8"),
                            Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except OSError as exc:
        raise KeywordFileError(path, 1, f"cannot read: {exc.strerror}") from exc
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else 1
        raise KeywordFileError(path, line, f"invalid YAML: {exc.problem}") from exc
    if node is None:
        raise KeywordFileError(path, 1, "the file is empty")
    return node


def _mapping(node: yaml.Node, path: Path, what: str) -> list[tuple[yaml.Node, yaml.Node]]:
    if not isinstance(node, yaml.MappingNode):
        raise KeywordFileError(path, _line(node), f"{what} must be a mapping")
    return list(node.value)


def read_keyword_file(path: Path) -> dict[str, dict[str, list[str]]]:
    """Read and check nlu/keywords.yml: intents, languages and keyword lists."""
    root = _mapping(_compose(path), path, "the file")
    top = {key.value: value for key, value in root}
    if "intents" not in top:
        raise KeywordFileError(path, 1, "missing `intents:`")
    result: dict[str, dict[str, list[str]]] = {}
    for intent_node, languages_node in _mapping(top["intents"], path, "`intents:`"):
        intent = str(intent_node.value)
        if intent not in INTENTS:
            raise KeywordFileError(
                path, _line(intent_node), f"unknown intent {intent!r} (see nlu/domain.yml)"
            )
        if intent in result:
            raise KeywordFileError(path, _line(intent_node), f"intent {intent!r} appears twice")
        languages: dict[str, list[str]] = {}
        for lang_node, list_node in _mapping(languages_node, path, f"intent {intent!r}"):
            lang = str(lang_node.value)
            if lang not in LANGUAGES:
                raise KeywordFileError(
                    path, _line(lang_node), f"unknown language {lang!r}; use one of {LANGUAGES}"
                )
            if not isinstance(list_node, yaml.SequenceNode):
                raise KeywordFileError(path, _line(list_node), "keywords must be a list [a, b]")
            keywords: list[str] = []
            for item in list_node.value:
                if not isinstance(item, yaml.ScalarNode) or not normalize(item.value.rstrip("*")):
                    raise KeywordFileError(path, _line(item), "a keyword must be non-empty text")
                keywords.append(str(item.value))
            languages[lang] = keywords
        result[intent] = languages
    return result


def read_lookups(path: Path) -> dict[str, dict[str, str]]:
    """Read lookup tables and synonyms from a Rasa NLU file: entity -> form -> value."""
    root = _mapping(_compose(path), path, "the file")
    top = {key.value: value for key, value in root}
    items = top.get("nlu")
    if not isinstance(items, yaml.SequenceNode):
        raise KeywordFileError(path, _line(items), "`nlu:` must be a list")
    tables: dict[str, list[str]] = {}
    synonyms: dict[str, str] = {}
    for item in items.value:
        fields: dict[str, Any] = {k.value: v for k, v in _mapping(item, path, "an `nlu:` entry")}
        examples = fields.get("examples")
        forms = _example_lines(examples.value) if isinstance(examples, yaml.ScalarNode) else []
        if "lookup" in fields:
            tables.setdefault(str(fields["lookup"].value), []).extend(forms)
        elif "synonym" in fields:
            for form in forms:
                synonyms[normalize(form)] = str(fields["synonym"].value)
    return {
        name: {form: synonyms.get(normalize(form), form) for form in forms}
        for name, forms in tables.items()
    }


def _example_lines(block: str) -> list[str]:
    return [
        line.strip()[2:].strip() for line in block.splitlines() if line.strip().startswith("- ")
    ]
