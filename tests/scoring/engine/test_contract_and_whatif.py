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
            "status": {"in_force": "active", "draft": "active"},
            "lists": {"in_force": ["advanced"], "draft": [], "added": [], "removed": ["advanced"]},
            "flags": {
                "in_force": [],
                "draft": [],
                "added": [],
                "removed": [],
                "names": {"in_force": [], "draft": [], "added": [], "removed": []},
            },
        }
    ]


def test_whatif_says_flags_in_each_side_s_words():
    """A flag only one side has is added or removed, in that side's words; the same flags
    in another order are no change; without words a flag is said as computed."""
    unit = {"unit_id": "u1", "unit_name": "某局", "score": "70", "rank": 1, "grade": "中"}
    in_force = {"units": [unit | {"flags": ["缺少必需成分:a", "样本不足"]}]}
    draft = {"units": [unit | {"flags": ["样本不足", "缺少必需成分:b"]}]}
    words = ({"u1": ["缺少必需成分：甲", "样本不足"]}, {"u1": ["样本不足", "缺少必需成分：乙"]})
    (entry,) = compare_results(in_force, draft, *words)
    assert entry["changed"] == ["flags"]
    assert entry["flags"]["added"] == ["缺少必需成分:b"]
    assert entry["flags"]["names"] == {
        "in_force": ["缺少必需成分：甲", "样本不足"],
        "draft": ["样本不足", "缺少必需成分：乙"],
        "added": ["缺少必需成分：乙"],
        "removed": ["缺少必需成分：甲"],
    }
    reordered = {"units": [unit | {"flags": ["样本不足", "缺少必需成分:a"]}]}
    assert compare_results(in_force, reordered) == []
    (bare,) = compare_results(in_force, draft)
    assert bare["flags"]["names"]["removed"] == ["缺少必需成分:a"]


def test_whatif_of_identical_results_is_empty():
    results = compute_round(builtin_schemes()[LUOHE], luohe_round())
    assert compare_results(results, copy.deepcopy(results)) == []


def test_whatif_compares_scores_by_value_not_by_their_places():
    """A draft rounding to whole points: 85.00 shown as 85 is no change, and is not listed;
    91.14 shown as 91 is, with both figures as each side shows them."""
    unit = {"unit_id": "u1", "unit_name": "某局", "rank": 1, "grade": "良", "flags": []}
    in_force = {"units": [unit | {"score": "85.00"}, unit | {"unit_id": "u2", "score": "91.14"}]}
    draft = {"units": [unit | {"score": "85"}, unit | {"unit_id": "u2", "score": "91"}]}
    (entry,) = compare_results(in_force, draft)
    assert entry["unit_id"] == "u2" and entry["changed"] == ["score"]
    assert entry["score"] == {"in_force": "91.14", "draft": "91"}
