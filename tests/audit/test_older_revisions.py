"""A run stored, or a bundle exported, under an earlier engine revision keeps verifying byte
for byte: replay and `audit verify` compute it under the revision its results record, not
under today's. Revision 4 changed only the explanation's words (every figure as under 3), on
exactly what this round holds: two units tied first, and a unit whose only answers are
不了解 (so without a score)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from services.scoring.engine.compute.revision import CURRENT
from tests.audit.stores import copy_of, run_pingyi, store_under_revision, tied_history

PREVIOUS = 3
"""A revision before the current one whose words differ from it on this round (revision 4
reworded what 3 computed; 5 reworded again where a component counts as 0 or a bound clamps
the score)."""


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """A data directory whose final run is stored as revision 3 computed it, and the results
    the current revision stored for it first."""
    data = tmp_path_factory.mktemp("older") / "pingyi-data"
    facts = tied_history(data)
    older = copy_of(data, data.parent / "older-data")
    facts["previous"] = store_under_revision(older, facts["run"]["run_id"], PREVIOUS)
    return older, facts


def _words(results: dict[str, Any]) -> list[str]:
    return [unit["explanation"] for unit in results["units"]]


def _figures(results: dict[str, Any]) -> list[dict[str, Any]]:
    words = ("explanation", "result_digest")
    return [{k: v for k, v in u.items() if k not in words} for u in results["units"]]


def test_the_round_reads_differently_under_the_two_revisions(
    history: tuple[Path, dict[str, Any]],
) -> None:
    """What makes the tests below mean something: the same figures, other words."""
    _, facts = history
    previous, current = facts["previous"], facts["run"]["results"]
    assert CURRENT > PREVIOUS
    assert previous["engine_revision"] == PREVIOUS and current["engine_revision"] == CURRENT
    assert _figures(previous) == _figures(current)
    assert all(old != new for old, new in zip(_words(previous), _words(current), strict=True))
    assert any("并列第1名" in words for words in _words(current))
    assert not any("并列" in words for words in _words(previous))


def test_a_run_stored_under_the_previous_revision_replays_identically(
    history: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    data, facts = history
    done = run_pingyi("replay", "--verify", "--data-dir", str(data), cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    (line,) = [row for row in done.stdout.splitlines() if facts["run"]["run_id"] in row]
    assert line.endswith("一致 (identical)"), done.stdout


def test_its_bundle_holds_the_stored_words_and_verifies_identically(
    history: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    """Exported as stored (the words of revision 3), then verified where there is nothing
    but the file: identical, exit 0."""
    data, facts = history
    export = run_pingyi(
        "audit", "export", "--campaign", facts["campaign_id"], "--out", "r3.zip",
        "--data-dir", str(data), cwd=tmp_path,
    )  # fmt: skip
    assert export.returncode == 0, export.stdout + export.stderr
    with zipfile.ZipFile(tmp_path / "r3.zip") as archive:
        results = json.loads(archive.read("results.json"))
    assert results["engine_revision"] == PREVIOUS
    assert results["results_digest"] == facts["previous"]["results_digest"]
    assert _words(results) == _words(facts["previous"])
    clean = tmp_path / "elsewhere"
    clean.mkdir()
    (tmp_path / "r3.zip").rename(clean / "r3.zip")
    done = run_pingyi("audit", "verify", "r3.zip", cwd=clean)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines()[-1].startswith("一致 identical")
