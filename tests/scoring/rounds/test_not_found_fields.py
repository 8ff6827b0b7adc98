"""Scoring's not-found errors name their input as request validation names it: a round
past the campaign's is `path.round_number` (it was `round`), as the 422 for round 0 is, a
scheme version `path.scheme_id`, the scheme an assignment names `body.scheme_id`. A target
the route's policy resolves first (a campaign, a run) is named as the policy kernel names
it for every service (`campaign_id`, `run_id`)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.harness import ADMIN, Cluster
from tests.scoring.rounds.helpers import (
    SCHEME,
    Round,
    assign,
    caught_up,
    round_cluster,
)

UNKNOWN = "00000000-0000-4000-8000-000000000009"


@pytest.fixture(scope="module")
def campaign() -> Iterator[tuple[Cluster, Round]]:
    with round_cluster() as (cluster, rnd):  # two half-year rounds
        caught_up(cluster)
        assign(cluster, rnd, SCHEME)
        yield cluster, rnd


def _error(response: Any) -> tuple[int, str, str]:
    body = response.json()
    return response.status_code, body["error"], body["detail"][0]["field"]


def _calls(cluster: Cluster, campaign_id: str, number: int) -> list[Any]:
    """Every route that takes a round, asked for round `number`."""
    scoring = cluster["scoring"]
    base = f"/campaigns/{campaign_id}/rounds/{number}"
    return [
        scoring.post(f"{base}/score-runs", json={}, headers=ADMIN),
        scoring.get(f"{base}/score-runs", headers=ADMIN),
        scoring.get(f"{base}/standings", headers=ADMIN),
        scoring.post(f"{base}/what-if", json={"document": SCHEME}, headers=ADMIN),
    ]


def test_a_round_past_the_campaign_is_named_as_validation_names_it(
    campaign: tuple[Cluster, Round],
) -> None:
    cluster, rnd = campaign
    for invalid in _calls(cluster, rnd.campaign_id, 0):
        assert _error(invalid)[:1] == (422,), invalid.text
        assert invalid.json()["detail"][0]["field"] == "path.round_number"
    for missing in _calls(cluster, rnd.campaign_id, 3):
        assert _error(missing) == (404, "round_not_found", "path.round_number"), missing.text
        # Both languages say the round is not there, not only the Chinese.
        assert missing.json()["detail"][0]["reason"] == (
            "没有第 3 轮, 该评议活动共 2 轮 (no round 3: the campaign has 2 rounds)"
        )


def test_a_missing_scheme_is_named_where_the_request_names_it(
    campaign: tuple[Cluster, Round],
) -> None:
    cluster, rnd = campaign
    scoring = cluster["scoring"]
    version = scoring.get("/schemes/no-such-scheme/versions/1", headers=ADMIN)
    assert _error(version) == (404, "scheme_not_found", "path.scheme_id"), version.text
    assigned = scoring.put(
        f"/campaigns/{rnd.campaign_id}/scheme",
        json={"scheme_id": "no-such-scheme", "version": 1, "reason": "测试"},
        headers=ADMIN,
    )
    assert _error(assigned) == (404, "scheme_not_found", "body.scheme_id"), assigned.text
    # A scheme that exists, in a version it does not have: the version is named, and those
    # it has are said.
    sid = SCHEME["scheme_id"]
    version = scoring.get(f"/schemes/{sid}/versions/9", headers=ADMIN)
    assert _error(version) == (404, "scheme_not_found", "path.version"), version.text
    assigned = scoring.put(
        f"/campaigns/{rnd.campaign_id}/scheme",
        json={"scheme_id": sid, "version": 7, "reason": "测试"},
        headers=ADMIN,
    )
    assert _error(assigned) == (404, "scheme_not_found", "body.version"), assigned.text
    assert f"scheme {sid} has no version 7 (it has 1)" in assigned.json()["detail"][0]["reason"]


def test_a_target_the_policy_resolves_is_named_as_the_kernel_names_it(
    campaign: tuple[Cluster, Round],
) -> None:
    cluster, _ = campaign
    for unknown in _calls(cluster, UNKNOWN, 1):
        assert _error(unknown) == (404, "campaign_not_found", "campaign_id"), unknown.text
    run = cluster["scoring"].get(f"/round-runs/{UNKNOWN}", headers=ADMIN)
    assert _error(run) == (404, "round_run_not_found", "run_id"), run.text
