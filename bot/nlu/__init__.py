"""Understanding founders' messages: Rasa NLU client with a keyword fallback."""

from bot.nlu.client import INTENTS, Entity, NluClient, Understanding
from bot.nlu.keywords import KeywordFallback, KeywordFileError

__all__ = ["INTENTS", "Entity", "KeywordFallback", "KeywordFileError", "NluClient", "Understanding"]
