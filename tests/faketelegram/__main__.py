"""Run the fake Telegram as its own process: python -m tests.faketelegram --port N."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal

from .server import FakeTelegram


async def _serve(args: argparse.Namespace) -> None:
    fake = FakeTelegram(
        args.token,
        port=args.port,
        global_per_second=args.global_per_second or None,
        per_chat_per_second=args.per_chat_per_second or None,
        per_chat_burst=args.per_chat_burst,
    )
    await fake.start()
    print(f"fake Telegram listening on http://127.0.0.1:{fake.port}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await fake.stop()


def main() -> None:
    """Parse the command line and serve until SIGINT or SIGTERM."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--token", default="123456:TEST")
    parser.add_argument("--global-per-second", type=int, default=30, help="0 disables")
    parser.add_argument("--per-chat-per-second", type=float, default=1.0, help="0 disables")
    parser.add_argument("--per-chat-burst", type=int, default=3)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(parser.parse_args()))


if __name__ == "__main__":
    main()
