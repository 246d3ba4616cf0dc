"""Helpers shared by the benchmarks: timing, percentiles, databases, a report."""

from __future__ import annotations

import os
import statistics
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "var" / "bench-report.md"
POSTGRES_ADMIN = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


@dataclass(frozen=True)
class Figures:
    """Latencies of one kind of operation."""

    name: str
    seconds: list[float]
    per_second: float

    def percentile(self, p: float) -> float:
        ordered = sorted(self.seconds)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000

    def row(self) -> str:
        return (f"| {self.name} | {len(self.seconds)} | {self.per_second:,.0f} | "
                f"{self.percentile(50):.2f} | {self.percentile(99):.2f} | "
                f"{statistics.fmean(self.seconds) * 1000:.2f} |")


HEADER = "| what | n | per second | p50 ms | p99 ms | mean ms |\n|---|---|---|---|---|---|"


@asynccontextmanager
async def sqlite_url(tmp: Path) -> AsyncIterator[str]:
    yield f"sqlite+aiosqlite:///{tmp / f'bench-{uuid.uuid4().hex[:8]}.db'}"


@asynccontextmanager
async def postgres_url() -> AsyncIterator[str | None]:
    """A fresh PostgreSQL database, or None when no server answers."""
    import asyncpg

    try:
        admin = await asyncpg.connect(POSTGRES_ADMIN, timeout=3)
    except (OSError, asyncpg.PostgresError):
        yield None
        return
    name = f"lotse_bench_{uuid.uuid4().hex[:8]}"
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


def write_report(sections: list[str]) -> None:
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text("# Lotse benchmarks\n\n" + "\n\n".join(sections) + "\n", encoding="utf-8")
    print(f"\nreport written to {REPORT.relative_to(ROOT)}")
