"""Client for the Rasa NLU server that never raises and falls back to keywords."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import httpx

if TYPE_CHECKING:
    from bot.nlu.keywords import KeywordFallback

log = logging.getLogger(__name__)

# The contract with nlu/domain.yml: every Understanding.intent is one of these.
INTENTS: tuple[str, ...] = (
    "greet",
    "goodbye",
    "thanks",
    "affirm",
    "deny",
    "help",
    "bot_challenge",
    "ask_human",
    "change_language",
    "start_business",
    "book_appointment",
    "cancel_appointment",
    "reschedule_appointment",
    "my_appointments",
    "ask_cost",
    "ask_residence_permit",
    "ask_business_registration",
    "ask_financing",
    "ask_recognition",
    "ask_taxes",
    "ask_insurance",
    "ask_language_support",
    "ask_location",
    "out_of_scope",
)
MAX_TEXT_LENGTH = 1000


@dataclass(frozen=True)
class Entity:
    """A value found in a message, e.g. town=Löningen from the text "Loeningen"."""

    name: str
    value: str
    text: str


@dataclass(frozen=True)
class Understanding:
    """What a message means: intent, confidence, alternatives and entities."""

    intent: str
    confidence: float
    ranking: tuple[tuple[str, float], ...]
    entities: tuple[Entity, ...]
    source: Literal["rasa", "keywords"]


def drop_nested_entities(found: Iterable[tuple[int, int, Entity]]) -> tuple[Entity, ...]:
    """Drop entities inside a longer one (the town in "Landkreis Cloppenburg") and repeats."""
    spans = sorted(found, key=lambda f: (f[0], -(f[1] - f[0])))
    kept: list[tuple[int, int, Entity]] = []
    for start, end, entity in spans:
        inside = any(s <= start and end <= e and (s, e) != (start, end) for s, e, _ in kept)
        repeat = any(k.name == entity.name and k.value == entity.value for _, _, k in kept)
        if not inside and not repeat:
            kept.append((start, end, entity))
    return tuple(entity for _, _, entity in kept)


class NluClient:
    """Ask the Rasa server what a message means; use keywords when it is down or unsure."""

    def __init__(
        self,
        base_url: str,
        timeout: float = 1.0,
        keywords: KeywordFallback | None = None,
        *,
        unsure_below: float = 0.5,
    ) -> None:
        if keywords is None:
            from bot.nlu.keywords import KeywordFallback

            keywords = KeywordFallback.load()
        self._keywords = keywords
        self._timeout = timeout
        self._unsure_below = unsure_below
        self._server_up: bool | None = None
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/"), timeout=httpx.Timeout(timeout)
        )

    async def parse(self, text: str, language: str) -> Understanding:
        """Return the meaning of a message; never raises."""
        try:
            if not text.strip():
                return self._from_keywords(text, language)
            try:
                async with asyncio.timeout(self._timeout):
                    response = await self._http.post(
                        "/model/parse", json={"text": text[:MAX_TEXT_LENGTH]}
                    )
                response.raise_for_status()
                rasa = _understanding_from_rasa(text, response.json())
            except (httpx.HTTPError, TimeoutError, ValueError, TypeError, KeyError) as exc:
                self._note_server(up=False, reason=exc)
                return self._from_keywords(text, language)
            self._note_server(up=True)
            if rasa.confidence < self._unsure_below and rasa.intent != "out_of_scope":
                fallback = self._from_keywords(text, language)
                if fallback.intent not in ("out_of_scope", rasa.intent):
                    log.debug(
                        "nlu: rasa unsure (%.2f %s), keywords say %s",
                        rasa.confidence,
                        rasa.intent,
                        fallback.intent,
                    )
                    return Understanding(
                        fallback.intent,
                        fallback.confidence,
                        fallback.ranking,
                        rasa.entities or fallback.entities,
                        "keywords",
                    )
            return rasa
        except Exception:  # the bot must keep answering whatever happens here
            log.exception("nlu: unexpected error; answering out_of_scope")
            return Understanding("out_of_scope", 0.0, (("out_of_scope", 0.0),), (), "keywords")

    async def aclose(self) -> None:
        """Close the HTTP connections."""
        await self._http.aclose()

    def _from_keywords(self, text: str, language: str) -> Understanding:
        return self._keywords.understand(text, language)

    def _note_server(self, up: bool, reason: BaseException | None = None) -> None:
        """Log when the server goes down or comes back, once per change."""
        if up and self._server_up is False:
            log.warning("nlu: server at %s answers again; using Rasa", self._http.base_url)
        elif not up and self._server_up is not False:
            detail = f"{type(reason).__name__} {reason}".strip()
            log.warning(
                "nlu: server at %s failed (%s); using the keyword fallback",
                self._http.base_url,
                detail,
            )
        self._server_up = up


def _understanding_from_rasa(text: str, answer: Any) -> Understanding:
    """Build an Understanding from a /model/parse answer; raise ValueError if malformed."""
    if not isinstance(answer, dict):
        raise ValueError("parse answer is not an object")
    intent = answer.get("intent") or {}
    name = _known(intent.get("name"))
    confidence = float(intent.get("confidence") or 0.0)
    ranking: list[tuple[str, float]] = []
    for item in answer.get("intent_ranking") or [{"name": name, "confidence": confidence}]:
        known = _known(item.get("name"))
        if all(known != seen for seen, _ in ranking):
            ranking.append((known, float(item.get("confidence") or 0.0)))
    found: list[tuple[int, int, Entity]] = []
    for item in answer.get("entities") or []:
        start, end = int(item.get("start", 0)), int(item.get("end", 0))
        found.append(
            (start, end, Entity(str(item["entity"]), str(item.get("value")), text[start:end]))
        )
    return Understanding(name, confidence, tuple(ranking), drop_nested_entities(found), "rasa")


def _known(name: object) -> str:
    """Map names outside the contract (e.g. nlu_fallback) to out_of_scope."""
    return name if isinstance(name, str) and name in INTENTS else "out_of_scope"
