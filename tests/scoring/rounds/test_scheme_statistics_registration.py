"""`POST /schemes` refuses a confidence that `statistics.z` does not give (z 1.0 said as 95%
would publish a 68% interval as a 95% one) or that is no percentage, as 422 `scheme_invalid`
naming `document.statistics.confidence`, Chinese first. A rule for new documents only
(`scheme.checks.NEW`): a scheme registered before it still loads for replay
(tests/scoring/engine/test_statistics_confidence.py)."""

from __future__ import annotations

import copy
from collections.abc import Iterator

import pytest

from tests.conftest import in_memory
from tests.harness import Cluster
from tests.scoring.helpers import World, seed_world
from tests.scoring.rounds.helpers import SCHEME


@pytest.fixture(scope="module")
def scoring() -> Iterator[tuple[Cluster, World]]:
    with Cluster(in_memory(), ["registry", "survey", "inspection", "scoring"]) as cluster:
        yield cluster, seed_world(cluster)


@pytest.mark.parametrize("confidence", ["95%", "很高"])
def test_a_confidence_z_does_not_give_is_refused(
    scoring: tuple[Cluster, World], confidence: str
) -> None:
    cluster, world = scoring
    doc = copy.deepcopy(SCHEME) | {"scheme_id": f"stat-{len(confidence)}"}
    doc["statistics"] = {"z": "1.0", "confidence": confidence}
    response = cluster["scoring"].post(
        "/schemes", json={"document": doc, "reason": "登记"}, headers=world.county_office
    )
    assert response.status_code == 422, response.text
    assert response.json()["error"] == "scheme_invalid"
    found = {d["field"]: d["reason"] for d in response.json()["detail"]}
    assert found["document.statistics.confidence"].startswith("置信水平")
