"""The version an assignment names is a whole number written as one, as a scheme
document's own `version` must be: `"1"` or `1.0` is refused naming `body.version`, not read
as version 1 (it was, silently, while the same text in a document was refused)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.harness import Cluster
from tests.scoring.rounds.helpers import (
    SCHEME,
    Round,
    assign,
    caught_up,
    round_cluster,
)


@pytest.fixture(scope="module")
def campaign() -> Iterator[tuple[Cluster, Round]]:
    with round_cluster() as (cluster, rnd):
        caught_up(cluster)
        assign(cluster, rnd, SCHEME)
        yield cluster, rnd


@pytest.mark.parametrize("version", ["1", 1.0, True])
def test_a_version_that_is_not_a_whole_number_is_refused_by_name(
    campaign: tuple[Cluster, Round], version: object
) -> None:
    cluster, rnd = campaign
    scoring = cluster["scoring"]
    path = f"/campaigns/{rnd.campaign_id}/scheme"
    body = {"scheme_id": SCHEME["scheme_id"], "version": version, "reason": "定"}
    response = scoring.put(path, json=body, headers=rnd.world.county_office.headers)
    assert response.status_code == 422, response.text
    (problem,) = response.json()["detail"]
    assert problem["field"] == "body.version"
    assert problem["reason"].startswith("须为整数"), problem
    # Nothing was assigned again: the one assignment stands.
    current = scoring.get(path, headers=rnd.world.county_office.headers).json()
    assert len(current["assignments"]) == 1


def test_a_whole_number_is_assigned(campaign: tuple[Cluster, Round]) -> None:
    cluster, rnd = campaign
    body = {"scheme_id": SCHEME["scheme_id"], "version": 1, "reason": "定"}
    response = cluster["scoring"].put(
        f"/campaigns/{rnd.campaign_id}/scheme", json=body, headers=rnd.world.county_office.headers
    )
    assert response.status_code == 200, response.text
