"""`POST /schemes` (the real services) refuses what QA registered on the wrong scale or
written in a form that reads as another number, naming the field, Chinese first: level
weights out of 1 (满意 1 / 基本满意 0.8 / 不满意 0), thresholds out of 1 (0.85 / 0.6), a
YAML number such as `060` (octal 48) at its line and column, `85。5` with its mark named.
A scheme stored before these rules still loads for replay."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient

from services.scoring.engine.scheme import Scheme
from services.scoring.rounds.replay import _schemes as replay_schemes
from tests.conftest import in_memory
from tests.harness import Cluster
from tests.scoring.helpers import World, seed_world
from tests.scoring.rounds.helpers import SCHEME, register_before_owners


@pytest.fixture(scope="module")
def scoring() -> Iterator[tuple[Cluster, World]]:
    with Cluster(in_memory(), ["registry", "survey", "inspection", "scoring"]) as cluster:
        yield cluster, seed_world(cluster)


def _doc(scheme_id: str) -> dict[str, Any]:
    return copy.deepcopy(SCHEME) | {"scheme_id": scheme_id}


def _post(client: TestClient, world: World, doc: dict[str, Any]) -> Any:
    return client.post(
        "/schemes", json={"document": doc, "reason": "登记"}, headers=world.county_office
    )


def _refused(response: Any) -> dict[str, str]:
    assert response.status_code == 422, response.text
    assert response.json()["error"] == "scheme_invalid"
    return {d["field"]: d["reason"] for d in response.json()["detail"]}


def test_retired_0_to_1_level_weights_are_refused(scoring: tuple[Cluster, World]) -> None:
    cluster, world = scoring
    doc = _doc("points-weights")
    doc["components"][0]["level_weights"] = {"满意": 1, "基本满意": "0.8", "不满意": 0}
    found = _refused(_post(cluster["scoring"], world, doc))
    reason = found["document.components.0.level_weights"]
    assert reason.startswith("等级分值是百分制的分数") and "points out of 100" in reason
    doc["components"][0]["level_weights"] = {"满意": 100, "基本满意": 80, "不满意": 0}
    assert _post(cluster["scoring"], world, doc).status_code == 201


def test_thresholds_on_a_0_to_1_scale_are_refused(scoring: tuple[Cluster, World]) -> None:
    cluster, world = scoring
    doc = _doc("points-thresholds")
    for rule, share in zip(doc["grading"]["rules"], ("0.85", "0.6"), strict=True):
        rule["when"]["min_score"] = share
    found = _refused(_post(cluster["scoring"], world, doc))
    assert sorted(found) == [
        "document.grading.rules.0.when.min_score",
        "document.grading.rules.1.when.min_score",
    ]
    assert all("thresholds are points out of 100, e.g. 85 for 85%" in r for r in found.values())


def test_a_full_width_decimal_point_is_named(scoring: tuple[Cluster, World]) -> None:
    cluster, world = scoring
    doc = _doc("points-full-width")
    doc["grading"]["rules"][0]["when"]["min_score"] = "85。5"
    reason = _refused(_post(cluster["scoring"], world, doc))[
        "document.grading.rules.0.when.min_score"
    ]
    assert reason.startswith("须为数字") and "「。」" in reason and "85.5" in reason


def test_a_yaml_octal_threshold_is_refused_at_its_line(scoring: tuple[Cluster, World]) -> None:
    cluster, world = scoring
    body = yaml.safe_dump(
        {"reason": "登记", "document": _doc("points-octal")}, allow_unicode=True, sort_keys=False
    )
    assert body.count("min_score: 60\n") == 1
    line = body.splitlines().index(next(x for x in body.splitlines() if "min_score: 60" in x)) + 1
    response = cluster["scoring"].post(
        "/schemes",
        content=body.replace("min_score: 60\n", "min_score: 060\n").encode(),
        headers=world.county_office | {"Content-Type": "application/yaml"},
    )
    assert response.status_code == 422, response.text
    [detail] = response.json()["detail"]
    assert detail["code"] == "number_not_plain"
    assert detail["field"] == "body.document.grading.rules.1.when.min_score"
    assert detail["context"]["line"] == line
    assert "YAML 会读作 48" in detail["reason"]


def test_a_scheme_stored_on_a_0_to_1_scale_still_loads(scoring: tuple[Cluster, World]) -> None:
    cluster, _ = scoring
    old = _doc("points-stored")
    old["components"][0]["level_weights"] = {"满意": 1, "基本满意": "0.8", "不满意": 0}
    old["grading"]["rules"][0]["when"]["min_score"] = "0.85"
    register_before_owners(cluster, old)
    app = cluster["scoring"].app.state.runtime.application
    assert isinstance(replay_schemes(app)[("points-stored", 1)], Scheme)
