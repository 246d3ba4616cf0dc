"""Flow files: the shipped ones load; broken ones are reported with file and line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.datafiles import DataFileError
from bot.domain.diagram import mermaid
from bot.domain.flow_loader import load_flows
from tests.conftest import ROOT

BROKEN = ROOT / "tests" / "fixtures" / "flows_broken"


def problems_in(folder: Path) -> list[str]:
    with pytest.raises(DataFileError) as caught:
        load_flows(folder, actions={"offer_languages"},
                   known_text=lambda text: text != "Nobody comes here")
    return [f"{Path(p.file).name}:{p.line}: {p.message}" for p in caught.value.problems]


def test_every_problem_is_named_with_file_and_line() -> None:
    found = problems_in(BROKEN)
    expected = [
        "broken.yml:6: duplicate step id 'hello'",
        "broken.yml:11: unknown answer type 'colour'; use one of choice, yesno, text, number, date",
        "twin.yml:1: duplicate flow id 'broken', first defined in",
        "broken.yml:3: step 'hello' goes to unknown step 'nowhere'",
        "broken.yml:12: condition uses unknown slot 'mood'",
        "broken.yml:20: step 'jump' goes to unknown flow 'elsewhere'",
        "broken.yml:22: unknown action 'launch_rocket'; known: offer_languages",
        "broken.yml:17: unknown message 'Nobody comes here': not in the catalogs",
    ]
    for line in expected:
        assert any(problem.startswith(line) for problem in found), (line, found)


def test_unreachable_steps_are_named(tmp_path: Path) -> None:
    (tmp_path / "island.yml").write_text(
        "flow: island\nsteps:\n  - say: Hello\n    next: END\n  - id: lonely\n    say: Bye\n",
        encoding="utf-8",
    )
    assert problems_in(tmp_path) == ["island.yml:5: step 'lonely' can never be reached"]


def test_yaml_syntax_error_has_its_line(tmp_path: Path) -> None:
    (tmp_path / "bad.yml").write_text("flow: bad\nsteps:\n  - say: [unclosed\n", encoding="utf-8")
    found = problems_in(tmp_path)
    assert found[0].startswith("bad.yml:")


@pytest.mark.e2e
def test_cli_check_fails_on_broken_flows() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "flows", "check"],
        env={"FLOWS_DIR": str(BROKEN), "PATH": "/usr/bin:/bin"},
        capture_output=True, text=True, cwd=ROOT, check=False,
    )
    assert result.returncode == 1
    assert "broken.yml:6: duplicate step id 'hello'" in result.stderr


@pytest.mark.e2e
def test_cli_check_passes_on_shipped_flows() -> None:
    result = subprocess.run([sys.executable, "-m", "bot", "flows", "check"],
                            capture_output=True, text=True, cwd=ROOT, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("flows OK:")


def test_diagram_shows_steps_and_branches() -> None:
    book = load_flows(ROOT / "flows")
    diagram = mermaid(book.flows["precheck"])
    assert diagram.startswith("flowchart TD")
    assert "is_craft -->|business_kind == 'craft'| trade" in diagram
    assert "is_craft -->|else| town" in diagram
    assert "to_menu -.-> FLOW_menu[[menu]]" in diagram
