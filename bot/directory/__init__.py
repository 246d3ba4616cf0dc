"""The district directory: who advises founders where, and when."""

from bot.directory.loader import load_directory
from bot.directory.model import (
    Absence,
    Advisor,
    Directory,
    District,
    Institution,
    Town,
    WeeklyHours,
)

__all__ = [
    "Absence",
    "Advisor",
    "Directory",
    "District",
    "Institution",
    "Town",
    "WeeklyHours",
    "load_directory",
]
