"""The standings name a missing required component by its name in the scheme (it read
`缺少必需成分:questionnaire`, a code an office does not know), while the results keep the
engine's flag as computed: runs store and replay that text byte for byte."""

from __future__ import annotations

import copy

from services.scoring.engine.scheme import Scheme
from services.scoring.rounds.flag_words import flag_names
from tests.scoring.rounds.helpers import (
    SCHEME,
    assign,
    caught_up,
    push,
    round_cluster,
)

REQUIRED = copy.deepcopy(SCHEME) | {"scheme_id": "test-county-required"}
REQUIRED["components"][0]["when_missing"] = "no_score"


def test_the_standings_name_a_missing_component_by_its_title() -> None:
    with round_cluster() as (cluster, rnd):
        # The third unit's answers are all 不了解, excluded: no valid questionnaire.
        push(cluster["survey"], rnd, [("满意", "满意", "不了解")] * 2, "Q")
        caught_up(cluster)
        assign(cluster, rnd, REQUIRED)
        answer = cluster["scoring"].get(
            f"/campaigns/{rnd.campaign_id}/rounds/1/standings",
            headers=rnd.world.county_office.headers,
        )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    missing = rnd.world.unit_ids[2]
    by_unit = {unit["unit_id"]: unit for unit in body["results"]["units"]}
    assert by_unit[missing]["score"] is None
    # The results are what a run stores and replays: the flag keeps the component's code.
    assert "缺少必需成分:questionnaire" in by_unit[missing]["flags"]
    assert "缺少必需成分：问卷测评群众满意度" in body["flag_names"][missing]
    assert all(unit_id == missing or not by_unit[unit_id]["flags"] for unit_id in by_unit)
    assert set(body["flag_names"]) == {missing}


def test_flags_read_in_words_in_the_results_order() -> None:
    scheme = Scheme.from_document(REQUIRED)
    results = {
        "units": [
            {"unit_id": "u1", "flags": ["缺少必需成分:questionnaire", "样本不足"]},
            {"unit_id": "u2", "flags": []},
            {"unit_id": "u3", "flags": ["indistinguishable_from_neighbours"]},
            {"unit_id": "u4", "flags": ["缺少必需成分:gone"]},
        ]
    }
    assert flag_names(results, scheme) == {
        "u1": ["缺少必需成分：问卷测评群众满意度", "样本不足"],
        "u3": ["与相邻名次差异不显著"],
        "u4": ["缺少必需成分：gone"],  # a code the scheme does not name stays as it is
    }
