"""Scoring's writes with an Idempotency-Key (memory mode, behind the real registry, survey
and inspection): as on every other service, a retry with the same key and body answers what
the first request was answered — the same status and body, even after new answers arrived
or the campaign's scheme changed — and the same key with another body (or another campaign
or round) is a 409 naming the key that stores and changes nothing. What-if, a POST that
stores nothing, follows the same rule; without a key every route answers as before."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest

from tests.harness import ADMIN, Cluster
from tests.scoring.rounds.helpers import (
    SCHEME,
    Round,
    assign,
    caught_up,
    published,
    push,
    round_cluster,
)

ANSWERS: list[tuple[str, ...]] = [("满意", "基本满意", "不满意"), ("满意", "满意", "不了解")]


@pytest.fixture(scope="module")
def scored() -> Iterator[tuple[Cluster, Round]]:
    with round_cluster() as (cluster, rnd):
        push(cluster["survey"], rnd, ANSWERS, "Q")
        caught_up(cluster)
        assign(cluster, rnd, SCHEME)
        yield cluster, rnd


def _more_answers(cluster: Cluster, rnd: Round, prefix: str) -> None:
    """New questionnaires in round 1, applied by scoring: the round moves on."""
    push(cluster["survey"], rnd, [("不满意", "满意", "满意")], prefix)
    caught_up(cluster)


def _key(name: str) -> dict[str, str]:
    return {"Idempotency-Key": name}


def _refused_for_the_key(response: Any) -> None:
    assert response.status_code == 409, response.text
    assert [d["field"] for d in response.json()["detail"]] == ["Idempotency-Key"]


def _runs(cluster: Cluster, rnd: Round) -> list[dict[str, Any]]:
    listed = cluster["scoring"].get(
        f"/campaigns/{rnd.campaign_id}/rounds/1/score-runs", headers=rnd.world.auditor.headers
    )
    assert listed.status_code == 200, listed.text
    runs: list[dict[str, Any]] = listed.json()
    return runs


def _scored_messages(cluster: Cluster) -> list[Any]:
    return [m for m in published(cluster, "scoring") if m.event_type == "scoring.round.scored"]


def test_a_keyed_run_retried_after_new_answers_is_the_first_run(
    scored: tuple[Cluster, Round],
) -> None:
    cluster, rnd = scored
    scoring = cluster["scoring"]
    path = f"/campaigns/{rnd.campaign_id}/rounds/1/score-runs"
    office = rnd.world.county_office.headers
    _more_answers(cluster, rnd, "RUN-A")  # positions no run was asked at yet
    body = {"final": False, "reason": "中期"}
    first = scoring.post(path, json=body, headers=office | _key("run-retry"))
    assert first.status_code == 201, first.text
    runs = _runs(cluster, rnd)

    _more_answers(cluster, rnd, "RUN-B")
    retried = scoring.post(path, json=body, headers=office | _key("run-retry"))
    assert retried.status_code == 201, retried.text
    assert retried.json() == first.json()
    assert _runs(cluster, rnd) == runs

    # Without a key the round as it stands now: a run of its own, at the new positions.
    fresh = scoring.post(path, json=body, headers=office)
    assert fresh.status_code == 201, fresh.text
    assert fresh.json()["run_id"] != first.json()["run_id"]
    later = fresh.json()["upstream_positions"]["survey"]
    assert later > first.json()["upstream_positions"]["survey"]
    again = scoring.post(path, json=body, headers=office)
    assert again.status_code == 200 and again.json()["run_id"] == fresh.json()["run_id"]


def test_a_key_reused_for_a_final_run_records_nothing(scored: tuple[Cluster, Round]) -> None:
    cluster, rnd = scored
    scoring = cluster["scoring"]
    path = f"/campaigns/{rnd.campaign_id}/rounds/1/score-runs"
    office = rnd.world.county_office.headers
    _more_answers(cluster, rnd, "FIN")
    provisional = scoring.post(
        path, json={"final": False, "reason": "a"}, headers=office | _key("run-reused")
    )
    assert provisional.status_code == 201, provisional.text
    runs, messages = _runs(cluster, rnd), _scored_messages(cluster)

    final = scoring.post(
        path, json={"final": True, "reason": "a"}, headers=office | _key("run-reused")
    )
    _refused_for_the_key(final)
    # The same body under the same key, for another round: another request.
    elsewhere = scoring.post(
        f"/campaigns/{rnd.campaign_id}/rounds/2/score-runs",
        json={"final": False, "reason": "a"},
        headers=office | _key("run-reused"),
    )
    _refused_for_the_key(elsewhere)
    assert _runs(cluster, rnd) == runs
    assert _scored_messages(cluster) == messages
    assert not any(run["final"] for run in runs)


def test_a_keyed_assignment_retried_answers_the_first_and_assigns_nothing(
    scored: tuple[Cluster, Round],
) -> None:
    cluster, rnd = scored
    scoring = cluster["scoring"]
    path = f"/campaigns/{rnd.campaign_id}/scheme"
    office = rnd.world.county_office.headers
    other = copy.deepcopy(SCHEME) | {"scheme_id": "idem-other-scheme", "title": "另一方案"}
    registered = scoring.post("/schemes", json={"document": other, "reason": "备选"}, headers=ADMIN)
    assert registered.status_code in (200, 201), registered.text
    to_a = {"scheme_id": SCHEME["scheme_id"], "version": SCHEME["version"], "reason": "定"}
    to_b = {"scheme_id": other["scheme_id"], "version": 1, "reason": "定"}

    first = scoring.put(path, json=to_a, headers=office | _key("assign"))
    assert first.status_code == 200, first.text
    assert first.json()["current"]["scheme_id"] == SCHEME["scheme_id"]
    _refused_for_the_key(scoring.put(path, json=to_b, headers=office | _key("assign")))
    assert scoring.get(path, headers=office).json() == first.json()

    # Scheme B put in force without the key; the keyed retry answers the first answer and
    # leaves B in force.
    assert scoring.put(path, json=to_b, headers=office).status_code == 200
    in_force = scoring.get(path, headers=office).json()
    assert in_force["current"]["scheme_id"] == other["scheme_id"]
    retried = scoring.put(path, json=to_a, headers=office | _key("assign"))
    assert retried.status_code == 200, retried.text
    assert retried.json() == first.json()
    assert scoring.get(path, headers=office).json() == in_force
    assert scoring.put(path, json=to_a, headers=office).status_code == 200  # back to A


def test_a_keyed_registration_retried_answers_the_first(scored: tuple[Cluster, Round]) -> None:
    cluster, rnd = scored
    scoring = cluster["scoring"]
    office = rnd.world.county_office.headers
    v1 = copy.deepcopy(SCHEME) | {"scheme_id": "idem-registered"}
    v2 = copy.deepcopy(v1) | {"version": 2}
    body = {"document": v1, "reason": "本县方案"}

    first = scoring.post("/schemes", json=body, headers=office | _key("register"))
    assert first.status_code == 201, first.text
    retried = scoring.post("/schemes", json=body, headers=office | _key("register"))
    assert retried.status_code == 201, retried.text
    assert retried.json() == first.json()
    refused = scoring.post(
        "/schemes", json={"document": v2, "reason": "本县方案"}, headers=office | _key("register")
    )
    _refused_for_the_key(refused)
    assert scoring.get("/schemes/idem-registered/versions/2", headers=office).status_code == 404
    # Without a key, the same document is the same registration, as before.
    again = scoring.post("/schemes", json=body, headers=office)
    assert again.status_code == 200 and again.json()["scheme_hash"] == first.json()["scheme_hash"]
    # A number no fast encoder takes is the document's problem, keyed or not (never a 500).
    hostile = copy.deepcopy(v1) | {"version": 10**30}
    for headers in (office, office | _key("register-hostile")):
        invalid = scoring.post(
            "/schemes", json={"document": hostile, "reason": "坏"}, headers=headers
        )
        assert invalid.status_code == 422, invalid.text
        assert invalid.json()["error"] == "scheme_invalid"


def test_a_keyed_what_if_retried_answers_the_first(scored: tuple[Cluster, Round]) -> None:
    cluster, rnd = scored
    scoring = cluster["scoring"]
    path = f"/campaigns/{rnd.campaign_id}/rounds/1/what-if"
    office = rnd.world.county_office.headers
    draft = copy.deepcopy(SCHEME) | {"version": 3}
    draft["components"][0]["level_weights"]["基本满意"] = 60
    other_draft = copy.deepcopy(draft)
    other_draft["components"][0]["level_weights"]["基本满意"] = 50
    messages = published(cluster, "scoring")

    first = scoring.post(path, json={"document": draft}, headers=office | _key("what-if"))
    assert first.status_code == 200, first.text
    _more_answers(cluster, rnd, "WHATIF")
    retried = scoring.post(path, json={"document": draft}, headers=office | _key("what-if"))
    assert retried.status_code == 200, retried.text
    assert retried.json() == first.json()
    fresh = scoring.post(path, json={"document": draft}, headers=office)
    assert fresh.status_code == 200, fresh.text
    now = fresh.json()["upstream_positions"]["survey"]
    assert now > first.json()["upstream_positions"]["survey"]
    refused = scoring.post(path, json={"document": other_draft}, headers=office | _key("what-if"))
    _refused_for_the_key(refused)
    # An auditor may ask what-if, with a key as well.
    auditor = rnd.world.auditor.headers | _key("what-if")
    assert scoring.post(path, json={"document": draft}, headers=auditor).status_code == 200
    assert published(cluster, "scoring") == messages


def test_the_openapi_declares_the_header_on_every_write(scored: tuple[Cluster, Round]) -> None:
    cluster, _ = scored
    spec = cluster["scoring"].app.openapi()
    writes = [
        ("/schemes", "post"),
        ("/campaigns/{campaign_id}/scheme", "put"),
        ("/campaigns/{campaign_id}/rounds/{round_number}/score-runs", "post"),
        ("/campaigns/{campaign_id}/rounds/{round_number}/what-if", "post"),
    ]
    for route, method in writes:
        operation = spec["paths"][route][method]
        headers = [p["name"] for p in operation["parameters"] if p["in"] == "header"]
        assert "Idempotency-Key" in headers, (route, method)
        assert "409" in operation["responses"], (route, method)
