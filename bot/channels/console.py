"""The console channel: chat with the bot in a terminal or through a pipe."""

from __future__ import annotations

import asyncio
import sys
from typing import TextIO

from bot.app import Lotse
from bot.domain.replies import Button, Reply
from bot.services.events import ButtonPress, Command, Event, Outcome, Sender, TextMessage

CONSOLE_CHAT_ID = 1


class ConsoleChat:
    """Reads one user message per line and prints the bot's replies."""

    def __init__(self, lotse: Lotse, output: TextIO, language_code: str | None = None) -> None:
        self.lotse = lotse
        self.output = output
        self.sender = Sender(CONSOLE_CHAT_ID, language_code)
        self.buttons: list[Button] = []

    def event(self, line: str) -> Event:
        """Turn a typed line into an event; a number alone presses that button."""
        stripped = line.strip()
        if stripped.isdigit() and 1 <= int(stripped) <= len(self.buttons):
            return ButtonPress(self.sender, self.buttons[int(stripped) - 1].data)
        if stripped.startswith("/") and len(stripped) > 1:
            name, _, argument = stripped[1:].partition(" ")
            return Command(self.sender, name, argument.strip())
        return TextMessage(self.sender, line.rstrip("\n"))

    async def say(self, line: str) -> None:
        """Handle one line from the user and print the answer."""
        self.show(await self.lotse.turns.handle(self.event(line)))

    def show(self, outcome: Outcome) -> None:
        """Print replies, with buttons as numbered options."""
        if outcome.notice:
            self.output.write(f"({outcome.notice})\n")
        if outcome.chosen:
            self.output.write(f"→ {outcome.chosen}\n")
        for reply in outcome.replies:
            self.print_reply(reply)
        for chat_id, reply in outcome.others:
            self.output.write(f"[to chat {chat_id}] {reply.text}\n\n")
        self.output.flush()

    def print_reply(self, reply: Reply) -> None:
        """Print one reply; its buttons replace the ones offered before."""
        self.output.write(f"{reply.text}\n")
        if reply.document is not None:
            self.output.write(f"[file: {reply.document.filename}]\n")
        if reply.buttons:
            self.buttons = [button for row in reply.buttons for button in row]
            for number, button in enumerate(self.buttons, start=1):
                self.output.write(f"  {number}) {button.label}\n")
        self.output.write("\n")


async def run_console(lotse: Lotse, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout,
                      language_code: str | None = None) -> None:
    """Run the console chat until end of input; on a terminal it greets first."""
    chat = ConsoleChat(lotse, stdout, language_code)
    interactive = stdin.isatty()
    if interactive:
        stdout.write("Lotse console chat. Type a message, a number to press a button, "
                     "Ctrl-D to leave.\n\n")
        await chat.say("/start")
    while True:
        if interactive:
            stdout.write("> ")
            stdout.flush()
        line = await asyncio.to_thread(stdin.readline)
        if not line:
            return
        if line.strip():
            await chat.say(line)
