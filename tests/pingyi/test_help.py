"""`pingyi --help` and every command's `--help`: what an operator reads first. The command
list said each docstring broken where its source lines end (a sentence cut after "while",
the rest on the next line, however wide the terminal); now each summary is one paragraph,
wrapped to the terminal."""

from __future__ import annotations

import os
import subprocess

import pytest

from tests.e2e.processes import ROOT, pingyi_command

COMMANDS = [
    "up", "demo", "serve", "relay", "views", "replay", "verify-draw", "policies", "rebuild",
    "audit", "audit export", "audit verify",
]  # fmt: skip


def _help(*args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PINGYI_")}
    done = subprocess.run(
        pingyi_command(*args, "--help"),
        cwd=ROOT,
        env=env | {"COLUMNS": "240", "TERM": "dumb"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    said = done.stdout + done.stderr
    assert done.returncode == 0, said
    assert "Traceback" not in said, said
    return said


def test_the_command_list_says_each_summary_as_one_paragraph() -> None:
    said = _help()
    lines = [" ".join(line.strip(" │").split()) for line in said.splitlines()]
    assert any("while holding the service's relay lease." in line for line in lines), (
        said
    )  # one line at 240 columns: not cut where the docstring's source line ends
    assert any("exit 1 on any difference, 2 when there is nothing" in line for line in lines)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_explains_itself(command: str) -> None:
    said = _help(*command.split())
    assert "Usage: " in said and command.split()[-1] in said, said
