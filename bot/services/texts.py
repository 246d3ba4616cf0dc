"""Texts the services layer shows, as English msgids (translated when rendered)."""

from __future__ import annotations

import re
import unicodedata

from bot.i18n.marker import N_

HELP = N_(
    "I am Lotse, a chat assistant of your district for people who want to start a business.\n"
    "• Tap a button or write in your own words.\n"
    "• /cancel stops the current questions.\n"
    "• /language changes the language.\n"
    "• /privacy shows how your data is protected.\n"
    "• /mydata sends you everything we store about you; /delete deletes it."
)
PRIVATE_ONLY = N_(
    "Hello! I only talk in private chats, so that your answers stay private. "
    "Please write to me directly."
)
VOICE = N_("I cannot listen to voice messages. Please write a few words or tap a button.")
UNSUPPORTED = N_("I can only read text. Please write a few words or tap a button.")
EMPTY = N_("I could not read that. Please write a few words or tap a button.")
TOO_LONG = N_("That message is very long. Please write it in a few short sentences.")
UNKNOWN_COMMAND = N_("I do not know that command. /help shows what I can do.")
CANCELLED = N_("Okay, I stopped the questions. Your answers so far are saved.")
NOTHING_TO_CANCEL = N_("There is nothing to stop right now.")
BUTTON_EXPIRED = N_("This question is already closed.")
CHOOSE_BUTTON = N_("Please tap one of the buttons, or write one of the answers.")
NOT_UNDERSTOOD = N_(
    "Sorry, I did not understand that. I can help with questions about starting a business "
    "and book an appointment with an advisor."
)
OUT_OF_SCOPE = N_(
    "I can only help with starting a business in the district. For other questions, the "
    "Migrationsberatung (migration counselling) of your district is a good place to ask. "
    "This is what I can do for you:"
)
TRY_AGAIN = N_(
    "Sorry, I cannot answer right now because of a technical problem. Your message is not "
    "lost: I will answer as soon as I can. You can also try again in a moment."
)
GREETING = N_("Hello! Nice to hear from you.")
THANKS = N_("You are welcome!")
GOODBYE = N_("Goodbye and good luck with your plans! Write to me any time.")
BOT_CHALLENGE = N_(
    "I am a chat bot, not a person. The advisors of the district are real people, "
    "and I can book an appointment with one of them for you."
)

_INVISIBLE = re.compile(r"[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def clean(text: str) -> str:
    """Remove control characters and direction marks; keep line breaks and tabs as spaces."""
    text = _INVISIBLE.sub("", text)
    kept = "".join(
        " " if char in "\t\r" else char
        for char in text
        if char == "\n" or not unicodedata.category(char).startswith("C") or char in "\t\r"
    )
    return kept.strip()
