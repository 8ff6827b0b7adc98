"""The RoundScored contract carries exactly what compute produces; what-if compares two
results documents unit by unit."""

from __future__ import annotations

import copy

from services.scoring.engine.compute import compute_round
from services.scoring.engine.scheme import Scheme, builtin_schemes
from services.scoring.engine.whatif import compare_results
from shared.contracts import IntegrationPayload
from shared.contracts.scoring import RoundScored
from tests.scoring.engine.builders import uid
from tests.scoring.engine.test_scheme_luohe import luohe_round

LUOHE = ("luohe-2yr-zhengfeng", 1)


def test_results_validate_into_round_scored_and_dump_back_unchanged():
    results = compute_round(builtin_schemes()[LUOHE], luohe_round())
    message = RoundScored.model_validate(results)
    assert IntegrationPayload.registry[("scoring.round.scored", 2)] is RoundScored
    # What the run adds to the engine's results (its identity, provenance and reason).
    run = {"run_id", "upstream_positions", "final", "jurisdiction_id", "list_order"}
    dumped = message.model_dump(mode="json", exclude=run | {"reason", "replaces"})
    assert dumped == results


def test_whatif_shows_only_units_that_differ():
    """Draft: 优 needs 95 instead of 85. G1 (91.14) drops from 优 to 良 and leaves the 先进
    list; nobody else changes (G2 差, G3 cancelled, P1 unranked, S1 良)."""
    in_force = builtin_schemes()[LUOHE]
    doc = copy.deepcopy(in_force.document())
    doc["version"] = 2
    doc["grading"]["rules"][0]["when"]["min_score"] = "95"
    draft = Scheme.from_document(doc)
    inputs = luohe_round()
    diff = compare_results(compute_round(in_force, inputs), compute_round(draft, inputs))
    assert diff == [
        {
            "unit_id": uid(1),
            "unit_name": "市民政局",
            "changed": ["grade", "lists"],
            "score": {"in_force": "91.14", "draft": "91.14"},
            "rank": {"in_force": 1, "draft": 1},
            "grade": {"in_force": "优", "draft": "良"},
            "lists": {"in_force": ["advanced"], "draft": [], "added": [], "removed": ["advanced"]},
        }
    ]


def test_whatif_of_identical_results_is_empty():
    results = compute_round(builtin_schemes()[LUOHE], luohe_round())
    assert compare_results(results, copy.deepcopy(results)) == []
