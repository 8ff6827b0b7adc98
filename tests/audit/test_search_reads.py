"""`pingyi audit verify`'s search for the messages behind a difference reads the bundle once
per recomputation: the engine's first pass (the decisions) is the verification's, made once
for every recomputation, and the round with nothing left out is the verification's result,
not recomputed. Counted by the bundle file's openings, as Python's audit hook sees them (it
opened the file twice per origin per recomputation, and recomputed the whole round once more
per component)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from pingyi.audit_bundle import read_bundle
from pingyi.audit_verify import BUDGET, Verdict, engine, verify_bundle
from tests.audit.test_search_memory import _bundle

_OPENED: list[str] = []
_WATCHED: list[str] = []
"""The bundle file whose openings are counted (an audit hook stays for the process)."""


def _opening(event: str, args: tuple[Any, ...]) -> None:
    if event == "open" and _WATCHED and str(args[0]) == _WATCHED[0]:
        _OPENED.append(str(args[0]))


sys.addaudithook(_opening)


def _verified(path: Path, compute: Any, budget: int = BUDGET) -> tuple[Verdict, int]:
    """The verdict on the bundle at `path`, and how many times the file was opened."""
    bundle = read_bundle(path)
    _OPENED.clear()
    _WATCHED[:] = [str(path)]
    try:
        verdict = verify_bundle(bundle, compute, budget=budget)
    finally:
        _WATCHED.clear()
    return verdict, len(_OPENED)


def test_each_recomputation_of_a_bisection_reads_the_bundle_once(tmp_path: Path) -> None:
    """An answer taken out: every candidate is bisected until the budget runs out."""
    path = _bundle(tmp_path / "b.zip", 200, None)
    computed = engine()
    recomputations = []

    def counting(*args: Any) -> dict[str, Any]:
        recomputations.append(args)
        return computed(*args)

    verdict, opened = _verified(path, counting, budget=30)
    [unit] = verdict.units
    [component] = unit.components
    assert "; 查找在 30 次重算的预算处停止; " in component.searched
    assert "(search stopped at its budget of 30 recomputations; " in component.searched
    # The verification, then one per recomputation the budget allows.
    assert len(recomputations) == 1 + 30
    # One reading per recomputation, a first pass for them all, the search's few look-ups
    # (its candidates, the waves' units, the answers and decisions, what it names and where
    # the rest lies), and one for where the log's positions jump (an answer fewer than the
    # results count is said up front, once).
    looked_up = 6
    assert opened == len(recomputations) + 1 + looked_up + 1, opened


def test_naming_a_changed_answer_reads_the_bundle_a_few_times(tmp_path: Path) -> None:
    verdict, opened = _verified(_bundle(tmp_path / "b.zip", 200, "基本满意"), engine())
    [unit] = verdict.units
    [component] = unit.components
    assert [m.label() for m in component.messages] == [
        "survey 位置 12 survey.response.recorded questionnaire_id=Q-0000004 "
        "(survey position 12 survey.response.recorded questionnaire_id=Q-0000004)"
    ]
    # The verification (a first pass and a reading), the search's candidates, the waves'
    # units, the answers and decisions, the questionnaire changed, one recomputation with
    # it changed, and the one named.
    assert opened == 9, opened
