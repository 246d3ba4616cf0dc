"""The console chat, `python -m bot chat`, with piped input."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, free_port

pytestmark = pytest.mark.e2e  # runs `python -m bot chat` as a process


def chat(lines: list[str], database: Path) -> str:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite+aiosqlite:///{database}",
        "NLU_URL": f"http://127.0.0.1:{free_port()}",
        "TELEGRAM_BOT_TOKEN": "",
    }
    result = subprocess.run(
        [sys.executable, "-m", "bot", "chat"], input="\n".join(lines) + "\n",
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=60, check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_first_conversation_through_the_console(tmp_path: Path) -> None:
    lines = ["/start", "2", "1", "1", "A hair salon in Löningen", "3", "back", "1", "/cancel"]
    output = chat(lines,
                  tmp_path / "console.db")
    assert output.startswith("Which language would you like to use?\n  1) Deutsch\n  2) English")
    assert "→ English\nWelcome to Lotse!" in output
    assert "How we protect your data:" in output
    assert "→ I agree\nWhat would you like to do?" in output
    menu = "What would you like to do?\n  1) Check my business idea\n  2) Book an appointment"
    assert menu in output
    assert "What is your business idea?" in output
    assert "→ Craft (for example hairdresser, baker, electrician)\nWhich craft is it?" in output
    after_back = output.split("Which craft is it?")[1]
    assert "What kind of business is it?" in after_back
    assert "→ Trade or shop\nIn which town or municipality" in output
    assert output.rstrip().endswith("4) Privacy")
    assert "Okay, I stopped the questions." in output


def test_console_continues_where_it_stood(tmp_path: Path) -> None:
    database = tmp_path / "console.db"
    chat(["/start", "2", "1", "1"], database)
    output = chat(["Mobile bicycle repair"], database)
    assert output.startswith("What kind of business is it?")
