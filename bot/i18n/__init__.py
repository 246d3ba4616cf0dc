"""Translations: gettext catalogs in `locales/`, English msgids as the source."""

from __future__ import annotations

import gettext
import logging
from functools import cached_property
from pathlib import Path

from babel.messages.pofile import read_po

log = logging.getLogger(__name__)

SOURCE_LANGUAGE = "en"
LANGUAGES: dict[str, str] = {
    "de": "Deutsch",
    "en": "English",
    "ar": "العربية",
    "tr": "Türkçe",
    "ru": "Русский",
    "uk": "Українська",
    "fa": "فارسی / دری",
    "pl": "Polski",
    "ro": "Română",
    "ku": "Kurdî (Kurmancî)",
}
RIGHT_TO_LEFT = frozenset({"ar", "fa"})


class MissingCatalogError(RuntimeError):
    """A language has no compiled catalog; run `make locales` to compile them."""


class _EnglishFallback(gettext.NullTranslations):
    """Answers with the English msgid and logs each missing text once."""

    def __init__(self, language: str, logged: set[tuple[str, str]]) -> None:
        super().__init__()
        self.language = language
        self.logged = logged

    def gettext(self, message: str) -> str:
        """Return the English text and log the gap."""
        self._log(message)
        return message

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        """Return the English form and log the gap."""
        self._log(msgid1)
        return msgid1 if n == 1 else msgid2

    def _log(self, message: str) -> None:
        if (self.language, message) not in self.logged:
            self.logged.add((self.language, message))
            log.warning("missing translation language=%s msgid=%r", self.language, message[:60])


class Translations:
    """Look up texts in each language, falling back to English (the msgids)."""

    def __init__(self, locales_dir: Path, languages: tuple[str, ...] = tuple(LANGUAGES)) -> None:
        self._catalogs: dict[str, gettext.GNUTranslations] = {}
        self._template = locales_dir / "messages.pot"
        logged: set[tuple[str, str]] = set()
        for language in languages:
            if language == SOURCE_LANGUAGE:
                continue
            path = locales_dir / language / "LC_MESSAGES" / "messages.mo"
            if not path.is_file():
                raise MissingCatalogError(f"{path} is missing: compile the catalogs (make locales)")
            with path.open("rb") as stream:
                catalog = gettext.GNUTranslations(stream)
            catalog.add_fallback(_EnglishFallback(language, logged))
            self._catalogs[language] = catalog

    @property
    def languages(self) -> tuple[str, ...]:
        """Return the languages the bot speaks."""
        return tuple(sorted((SOURCE_LANGUAGE, *self._catalogs)))

    def gettext(self, language: str | None, msgid: str) -> str:
        """Return `msgid` in `language`; English when the catalog lacks it."""
        catalog = self._catalogs.get(language or SOURCE_LANGUAGE)
        return msgid if catalog is None else catalog.gettext(msgid)

    def ngettext(self, language: str | None, singular: str, plural: str, count: int) -> str:
        """Return the form of a counted text that fits `count` in `language`."""
        catalog = self._catalogs.get(language or SOURCE_LANGUAGE)
        if catalog is None:
            return singular if count == 1 else plural
        return catalog.ngettext(singular, plural, count)

    @cached_property
    def _template_ids(self) -> frozenset[str]:
        """Return the msgids of the message template, `locales/messages.pot`."""
        with self._template.open("rb") as stream:
            return frozenset(str(m.id) for m in read_po(stream) if isinstance(m.id, str))

    def knows(self, msgid: str) -> bool:
        """Return whether `msgid` was extracted into the template (`make messages`)."""
        return msgid in self._template_ids
