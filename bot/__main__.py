"""Command line: run the bot, chat in the console, check data files."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys

from bot import logs
from bot.app import build, features, load_book
from bot.datafiles import DataFileError
from bot.domain.diagram import mermaid
from bot.i18n import Translations
from bot.settings import Settings


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run the chosen command."""
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("run", help="run the bot (Telegram with a token, else the console)")
    commands.add_parser("chat", help="chat with the bot in the console")
    flows = commands.add_parser("flows", help="check or draw the flows")
    flows_commands = flows.add_subparsers(dest="flows_command", required=True)
    flows_commands.add_parser("check", help="check every flow file")
    diagram = flows_commands.add_parser("diagram", help="print a flow as a Mermaid diagram")
    diagram.add_argument("name")
    directory = commands.add_parser("directory", help="check the district directory")
    directory.add_subparsers(dest="directory_command", required=True).add_parser(
        "check", help="check every directory file")
    commands.add_parser("admin", help="admin commands (python -m bot admin --help)")
    arguments = sys.argv[1:] if argv is None else argv
    args = parser.parse_args(arguments[:1] if arguments[:1] == ["admin"] else arguments)
    settings = Settings()
    logs.configure(settings.log_level)
    if args.command == "directory":
        from bot.directory.check import check

        return check(settings.directory_dir)
    if args.command == "admin":
        from bot.admin import main as admin_main

        return admin_main(arguments[1:], settings)
    if args.command == "flows":
        return flows_command(settings, args.flows_command, getattr(args, "name", None))
    try:
        if args.command == "chat" or settings.telegram_bot_token is None:
            return asyncio.run(chat(settings))
        return asyncio.run(run(settings))
    except DataFileError as error:
        print(error, file=sys.stderr)
        return 2


def flows_command(settings: Settings, command: str, name: str | None) -> int:
    """Check the flows, or print one as a diagram."""
    translations = Translations(settings.locales_dir)
    try:
        book = load_book(settings, features(settings), translations)
    except DataFileError as error:
        print(error, file=sys.stderr)
        return 1
    if command == "check":
        steps = sum(len(flow.steps) for flow in book.flows.values())
        print(f"flows OK: {len(book.flows)} flows, {steps} steps")
        return 0
    if name is None or name not in book.flows:
        print(f"unknown flow {name!r}; known: {', '.join(sorted(book.flows))}", file=sys.stderr)
        return 1
    print(mermaid(book.flows[name]), end="")
    return 0


async def chat(settings: Settings) -> int:
    """Run the console chat."""
    from bot.channels.console import run_console

    lotse = await build(settings)
    try:
        await run_console(lotse)
    finally:
        await lotse.close()
    return 0


async def run(settings: Settings) -> int:
    """Run the bot against Telegram until SIGINT or SIGTERM."""
    from bot.channels.telegram import run_telegram

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    lotse = await build(settings)
    try:
        await run_telegram(lotse, stop)
    finally:
        await lotse.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
