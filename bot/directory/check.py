"""Check the district directory files, as `python -m bot directory check` does."""

from __future__ import annotations

from pathlib import Path

from bot.datafiles import DataFileError
from bot.directory.loader import load_directory


def check(folder: Path) -> int:
    """Print whether the directory files are fine or every problem; return an exit code."""
    try:
        directory = load_directory(folder)
    except DataFileError as error:
        for problem in error.problems:
            print(problem)
        return 1
    print(
        f"directory OK: {len(directory.districts)} districts, {len(directory.towns)} towns, "
        f"{len(directory.institutions)} institutions, {len(directory.advisors)} advisors"
    )
    return 0
