"""A unit or campaign named in a write's body belongs to the registry, and inspection answers
another county's exactly as the registry does for that unit or campaign: 403 `outside your
jurisdiction`, while an id that names nothing is 404 for every caller. Inspection's own
records (findings, orders, visits, complaints, tasks, scores, vetoes) are hidden instead,
answered as missing: their existence is inspection's to keep. A unit's or campaign's is not
(the registry's GET /units/{id} and GET /campaigns/{id} answer another county with the same
403), so answering 404 here would hide nothing and only make the two services disagree.

The table is every write route whose policy names a body `unit_id` or `campaign_id`, read
from the OpenAPI document, so a new route is checked the moment it exists."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from uuid import uuid4

import pytest
from fastapi.testclient import TestClient

from shared.policy import POLICY_MARKER
from tests.conftest import in_memory
from tests.harness import Cluster
from tests.inspection.counties import County, complaint, two_counties

OWNER_ROUTES = {"unit": "/units/{}", "campaign": "/campaigns/{}"}


@pytest.fixture(scope="module")
def scene() -> Iterator[tuple[Cluster, County, County]]:
    with Cluster(in_memory(), ["registry", "inspection"]) as cluster:
        luohe, daqing = two_counties(cluster)
        yield cluster, luohe, daqing


def _routes(client: TestClient) -> list[tuple[str, str, list[dict[str, Any]]]]:
    found = []
    for path, item in client.get("/openapi.json").json()["paths"].items():
        for method, operation in item.items():
            policy = operation.get(POLICY_MARKER)
            if method == "get" or policy is None or "office" not in policy["roles"]:
                continue
            scopes = policy["scopes"]
            if any(s["source"] == "body" and s["kind"] in OWNER_ROUTES for s in scopes):
                found.append((method.upper(), path, scopes))
    return found


def _call(
    client: TestClient, caller: County, route: tuple[str, str, list[dict[str, Any]]], named: Any
) -> Any:
    """The route called by `caller`'s office, every scope aimed at its own county's records
    but the body fields `named` overrides."""
    method, path, scopes = route
    body: dict[str, Any] = {}
    own = {"unit": caller.unit, "campaign": caller.campaign, "jurisdiction": caller.jurisdiction}
    for scope in scopes:
        if scope["source"] == "body" and scope["kind"] in own:
            body[scope["field"]] = own[scope["kind"]]
    url = path.replace("{complaint_id}", complaint(client, caller, dispatched=False))
    return client.request(method, url, json=body | named, headers=caller.keys["office"])


def _answer(response: Any) -> tuple[int, str, str, str]:
    [detail] = response.json()["detail"]
    return response.status_code, response.json()["error"], detail["field"], detail["reason"]


def test_the_table_covers_every_write_naming_a_unit_or_campaign(
    scene: tuple[Cluster, County, County],
) -> None:
    cluster, _, _ = scene
    paths = {path for _, path, _ in _routes(cluster["inspection"])}
    assert {"/findings", "/visits", "/rectifications", "/complaints", "/tasks"} <= paths
    assert {"/assessment-scores", "/vetoes", "/complaints/{complaint_id}/dispatch"} <= paths


@pytest.mark.parametrize("kind", sorted(OWNER_ROUTES))
def test_another_countys_unit_or_campaign_answers_as_the_registry_does(
    scene: tuple[Cluster, County, County], kind: str
) -> None:
    cluster, luohe, daqing = scene
    client, registry = cluster["inspection"], cluster["registry"]
    theirs = {"unit": luohe.unit, "campaign": luohe.campaign}[kind]
    field = f"{kind}_id"
    owner = registry.get(OWNER_ROUTES[kind].format(theirs), headers=daqing.keys["office"])
    status, error, named, reason = _answer(owner)
    assert (status, error, named) == (403, "forbidden", field)
    assert "outside your jurisdiction" in reason  # the kernel's words, its Chinese first
    nothing = str(uuid4())
    asked = 0
    for route in _routes(client):
        if not any(s["field"] == field and s["source"] == "body" for s in route[2]):
            continue
        probed = _call(client, daqing, route, {field: theirs})
        assert _answer(probed) == _answer(owner), (route[:2], probed.text)
        missing = _call(client, daqing, route, {field: nothing})
        status, code, named, reason = _answer(missing)
        # Inspection's own 404 is Chinese first ("没有这次评议活动 (no such campaign)"); a unit
        # is resolved by the shared policy, whose words are its own.
        assert (status, code, named) == (404, f"{kind}_not_found", field), missing.text
        assert reason.endswith(f"no such {kind})") or reason == f"no such {kind}", (
            route[:2],
            missing.text,
        )
        asked += 1
    assert asked >= 6
