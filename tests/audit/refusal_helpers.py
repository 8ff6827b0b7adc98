"""What the refusal tests of the auditors' commands share (`test_*refusals.py`,
`test_refusals.py`): the scheme file, a campaign no log knows, a manifest's `about` changed,
and the check that a command refused in words, never a traceback."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

SCHEME = Path(__file__).parent / "schemes" / "satisfaction.yaml"
NOBODY = "00000000-0000-0000-0000-000000000000"
"""A campaign id no registry log knows."""

INVALID_JSON = "Invalid JSON: "
"""Pydantic's words for a body that does not decode, after their Chinese or alone
(`shared.reasons.first_problem`): asserted in the same line as what names the body."""
Reason = str | tuple[str, ...]
"""What the refusal's one line says: a text, or texts all in that line."""


def refused(done: Any, *reasons: str) -> None:
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    for reason in reasons:
        assert reason in done.stdout, done.stdout


def about_changed(**changes: Any) -> Callable[[dict[str, bytes]], None]:
    def change(entries: dict[str, bytes]) -> None:
        manifest = json.loads(entries["manifest.json"])
        for key, value in changes.items():
            manifest["about"][key] = value
        entries["manifest.json"] = json.dumps(manifest).encode()

    return change
