"""What-if compares a unit's flags and status too, not only its score, rank, grade and
lists: an office raising the minimum sample in a draft sees which units become 样本不足,
each flag also in words from its own side's scheme version (a component renamed in the
draft is named as the draft names it)."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest

from tests.harness import Cluster
from tests.scoring.rounds.helpers import (
    SCHEME,
    Round,
    assign,
    caught_up,
    push,
    round_cluster,
)

IN_FORCE = copy.deepcopy(SCHEME) | {"scheme_id": "test-county-what-if-flags"}
IN_FORCE["components"][0]["when_missing"] = "no_score"


@pytest.fixture(scope="module")
def scored() -> Iterator[tuple[Cluster, Round]]:
    with round_cluster() as (cluster, rnd):
        # Valid questionnaires: the first unit 3, the second 2, the third none (不了解).
        answers = [("满意", "满意", "不了解"), ("满意", "基本满意", "不了解")]
        push(cluster["survey"], rnd, [*answers, ("满意", "不了解", "不了解")], "F")
        caught_up(cluster)
        assign(cluster, rnd, IN_FORCE)
        yield cluster, rnd


def _what_if(cluster: Cluster, rnd: Round, draft: dict[str, Any]) -> dict[str, Any]:
    answer = cluster["scoring"].post(
        f"/campaigns/{rnd.campaign_id}/rounds/1/what-if",
        json={"document": draft},
        headers=rnd.world.county_office.headers,
    )
    assert answer.status_code == 200, answer.text
    return {d["unit_id"]: d for d in answer.json()["differences"]}


def test_a_unit_that_becomes_short_of_sample_is_shown(scored: tuple[Cluster, Round]) -> None:
    cluster, rnd = scored
    draft = copy.deepcopy(IN_FORCE) | {"version": 2}
    draft["components"][0]["min_sample"] = 3
    differences = _what_if(cluster, rnd, draft)
    first, second = (differences[unit_id] for unit_id in rnd.world.unit_ids[:2])
    # The second unit, 2 valid of 3 now needed, becomes 样本不足 and is no longer ranked.
    assert second["changed"] == ["rank", "grade", "flags"]
    assert second["rank"] == {"in_force": 2, "draft": None}
    assert second["status"] == {"in_force": "active", "draft": "active"}
    assert second["flags"] == {
        "in_force": ["indistinguishable_from_neighbours"],
        "draft": ["样本不足"],
        "added": ["样本不足"],
        "removed": ["indistinguishable_from_neighbours"],
        "names": {
            "in_force": ["与相邻名次差异不显著"],
            "draft": ["样本不足"],
            "added": ["样本不足"],
            "removed": ["与相邻名次差异不显著"],
        },
    }
    # The first keeps its score, rank and grade: only its flags say it now stands alone.
    assert first["changed"] == ["flags"]
    assert first["flags"]["names"]["removed"] == ["与相邻名次差异不显著"]
    # The third was flagged the same under both.
    assert set(differences) == {first["unit_id"], second["unit_id"]}


def test_each_side_s_flags_are_in_its_own_scheme_s_words(scored: tuple[Cluster, Round]) -> None:
    cluster, rnd = scored
    draft = copy.deepcopy(IN_FORCE) | {"version": 3}
    draft["components"][0] |= {"code": "masses", "name": "群众满意度问卷"}
    third = _what_if(cluster, rnd, draft)[rnd.world.unit_ids[2]]
    assert third["changed"] == ["flags"]
    assert third["flags"] == {
        "in_force": ["缺少必需成分:questionnaire", "样本不足"],
        "draft": ["缺少必需成分:masses", "样本不足"],
        "added": ["缺少必需成分:masses"],
        "removed": ["缺少必需成分:questionnaire"],
        "names": {
            "in_force": ["缺少必需成分：问卷测评群众满意度", "样本不足"],
            "draft": ["缺少必需成分：群众满意度问卷", "样本不足"],
            "added": ["缺少必需成分：群众满意度问卷"],
            "removed": ["缺少必需成分：问卷测评群众满意度"],
        },
    }
