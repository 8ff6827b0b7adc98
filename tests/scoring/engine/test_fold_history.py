"""Earlier rounds' results as the fold reads them (`scoring.round.scored`, a plain dict),
and the fold's own walls: it runs on the contracts and canonical JSON alone."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

from services.scoring.engine.fold import MalformedResult, RoundFold

from .test_fold_builders import (
    CAMPAIGN,
    PATTERN,
    ROUND,
    Feed,
    campaign_opened,
    enrol,
    round_scored,
    sid,
    unit,
)

SCORED = "scoring.round.scored"
POLICE = sid("市公安局")


def fold_with(results: list[dict[str, Any]]) -> tuple[RoundFold, Feed]:
    fold = RoundFold(str(CAMPAIGN), ROUND)
    registry = Feed("registry")
    for payload in (campaign_opened(), unit("市公安局"), enrol("市公安局")):
        fold.apply(registry(payload))
    scoring = Feed("scoring")
    for result in results:
        fold.apply(scoring.raw(SCORED, 1, result))
    return fold, scoring


def police(grade: str, score: str | None = "70") -> list[dict[str, Any]]:
    return [{"unit_id": POLICE, "grade": grade, "lists": ["先进单位", "A"], "score": score}]


def test_a_later_draft_does_not_replace_a_final_result() -> None:
    fold, _ = fold_with(
        [
            round_scored(CAMPAIGN, 1, "2024-06-30", police("差")),
            round_scored(CAMPAIGN, 1, "2024-06-30", police("优"), final=False),
        ]
    )
    assert [entry["grade"] for entry in fold.inputs()["history"][POLICE]] == ["差"]


def test_lists_are_sorted_and_a_whole_pattern_names_its_code() -> None:
    result = round_scored(CAMPAIGN, 1, "2024-06-30", police("良"))
    result["pattern"] = {"code": PATTERN, "label": "民主评议政风行风"}
    fold, _ = fold_with([result])
    (entry,) = fold.inputs()["history"][POLICE]
    assert entry["lists"] == ["A", "先进单位"]
    assert entry["round"] == 1 and entry["window_ends_on"] == "2024-06-30"


def test_a_result_without_its_units_stalls_the_fold_on_it() -> None:
    fold, scoring = fold_with([round_scored(CAMPAIGN, 1, "2024-06-30", police("差"))])
    before = (fold.inputs(), fold.positions())
    broken = round_scored(CAMPAIGN, 1, "2024-06-30", [])
    del broken["units"]
    message = scoring.raw(SCORED, 1, broken)
    with pytest.raises(MalformedResult, match="units"):
        fold.apply(message)
    assert (fold.inputs(), fold.positions()) == before
    # A unit without its id is as broken.
    message = scoring.raw(SCORED, 1, round_scored(CAMPAIGN, 1, "2024-06-30", [{"grade": "差"}]))
    with pytest.raises(MalformedResult):
        fold.apply(message)


def test_results_of_a_later_window_are_not_history() -> None:
    fold, _ = fold_with(
        [round_scored(CAMPAIGN, 3, "2025-06-30", police("差"), starts_on="2025-01-01")]
    )
    assert fold.inputs()["history"][POLICE] == []


def test_the_fold_imports_only_the_engine_the_contracts_and_canonical_json() -> None:
    probe = (
        "import sys, services.scoring.engine.fold as f; f.RoundFold; "
        "print('\\n'.join(m for m in sys.modules "
        "if m.split('.')[0] in ('services', 'shared', 'pingyi')))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.split()
    allowed = (
        "services.scoring.engine",
        "shared.contracts",
        "shared.canonical",
        "shared._canonical",  # canonical JSON's compiled float check
        "shared.types",
        "shared.reasons",
    )
    outside = [
        name
        for name in loaded
        if name not in ("services", "services.scoring", "shared") and not name.startswith(allowed)
    ]
    assert outside == []
    assert "services.scoring.engine.fold" in loaded
