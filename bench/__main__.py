"""Run every benchmark and write var/bench-report.md (`make bench`)."""

from __future__ import annotations

import asyncio
import logging

from bench import outbox, roundtrip, slots, turns
from bench.common import write_report


async def main() -> None:
    logging.disable(logging.WARNING)
    sections = []
    for benchmark in (turns, slots, outbox, roundtrip):
        section = await benchmark.run()
        print(section, flush=True)
        sections.append(section)
    write_report(sections)


asyncio.run(main())
