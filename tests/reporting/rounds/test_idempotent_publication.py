"""Publishing with an Idempotency-Key (memory mode, behind the real services): a retry gets
the first answer back and publishes nothing, the same key with another request is a 409
naming the key (before the run it names is even looked up), and a first publication retried
after a correction answers its old version instead of putting the uncorrected results back
in force."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import in_memory
from tests.harness import Cluster
from tests.reporting.rounds.helpers import (
    SERVICES,
    Scored,
    more_answers,
    publish,
    run,
    scored_round,
)

KEY = {"Idempotency-Key": "pub-ly-1"}


@pytest.fixture(scope="module")
def scored() -> Iterator[Scored]:
    with Cluster(in_memory(), SERVICES) as cluster:
        yield scored_round(cluster)


def _post(scored: Scored, body: dict[str, Any], headers: dict[str, str] | None = None) -> Any:
    response = scored.reporting.post(
        scored.path("/rounds/1/publications"),
        json=body,
        headers=scored.office | (headers or {}),
    )
    scored.cluster.wait_caught_up("reporting", "reporting")
    return response


def _versions(scored: Scored) -> list[tuple[int, str]]:
    found = scored.reporting.get(scored.path("/rounds/1/publications"), headers=scored.office)
    assert found.status_code == 200, found.text
    return [(v["version"], v["run_id"]) for v in found.json()["versions"]]


def test_a_keyed_retry_answers_the_first_publication_even_after_a_correction(
    scored: Scored,
) -> None:
    first = run(scored, final=True, reason="上半年结果")
    original = {
        "run_id": first["run_id"],
        "results_digest": first["results_digest"],
        "reason": "经县纠风办审定",
    }
    created = _post(scored, original, KEY)
    assert created.status_code == 201, created.text
    v1 = created.json()
    assert (v1["version"], v1["run_id"], v1["status"]) == (1, first["run_id"], "current")
    listed = scored.reporting.get(scored.path("/rounds/1/publications"), headers=scored.office)
    assert v1["published_at"] == listed.json()["versions"][0]["published_at"]

    other = _post(scored, {"run_id": first["run_id"], "reason": "不同"}, KEY)
    assert other.status_code == 409, other.text
    assert other.json()["detail"][0]["field"] == "Idempotency-Key"
    unknown = _post(scored, {"run_id": "00000000-0000-0000-0000-000000000000"}, KEY)
    assert unknown.status_code == 409, unknown.text
    assert unknown.json()["detail"][0]["field"] == "Idempotency-Key"
    elsewhere = scored.reporting.post(
        scored.path("/rounds/2/publications"), json=original, headers=scored.office | KEY
    )
    assert elsewhere.status_code == 409, elsewhere.text

    more_answers(scored)
    second = run(scored, final=True, reason="补录两份问卷后重算")
    v2 = publish(scored, {"run_id": second["run_id"], "reason": "补录漏报问卷40份，更正排名"})
    assert (v2["version"], v2["supersedes"]) == (2, 1)

    retried = _post(scored, original, KEY)
    assert retried.status_code == 201, retried.text
    assert retried.json() == v1
    assert _versions(scored) == [(1, first["run_id"]), (2, second["run_id"])]
    shown = scored.reporting.get(scored.public("/rounds/1")).json()
    assert (shown["run_id"], shown["published"]["version"]) == (second["run_id"], 2)


def test_a_keyed_request_for_the_version_in_force_is_answered_200_each_time(
    scored: Scored,
) -> None:
    [*_, (version, run_id)] = _versions(scored)
    key = {"Idempotency-Key": "pub-ly-again"}
    for _ in range(2):
        again = _post(scored, {"run_id": run_id}, key)
        assert again.status_code == 200, again.text
        assert (again.json()["version"], again.json()["status"]) == (version, "current")
    assert len(_versions(scored)) == version


def test_the_openapi_declares_the_header(scored: Scored) -> None:
    spec = scored.reporting.app.openapi()
    route = spec["paths"]["/campaigns/{campaign_id}/rounds/{round_number}/publications"]
    headers = [p["name"] for p in route["post"]["parameters"] if p["in"] == "header"]
    assert "Idempotency-Key" in headers
