"""Every cell of the role × route matrix, with real calls against all five services.

The routes come from the services' OpenAPI documents, so a new route is in this test the
moment it exists. For each route the test aims the call at resources of one county (源汇区)
— found from the policy's declared scope sources — and calls it as every kind of caller:
admin, auditor, offices of the county, of its city (parent), of a district below it (child)
and of a sibling county, the agency contracted for the wave and another agency, an inspector,
a unit, no key and a revoked key. What each caller should get is worked out here, from the
declared roles and this test's own knowledge of where each resource lives — not by the code
that enforces it: refused callers get 403 (401 without a valid key), or, outside a scope that
hides its targets, exactly the 404 a target that does not exist gets; allowed callers get past
authorization (any status but 401 and 403; the bodies carry only the scope fields, so most
writes then stop at validation).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest

from pingyi.catalog import NAMES
from pingyi.policies import markdown, route_policies
from shared.policy import POLICY_MARKER
from tests.conftest import in_memory
from tests.harness import Cluster
from tests.world import Caller, Target, World, build_world

ROOT = Path(__file__).resolve().parents[2]
METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture(scope="module")
def world_and_cluster() -> Iterator[tuple[World, Cluster]]:
    with Cluster(in_memory(), NAMES) as cluster:
        yield build_world(cluster), cluster


@dataclass(frozen=True)
class Route:
    service: str
    method: str
    path: str
    policy: dict[str, Any]


def _routes(cluster: Cluster) -> list[Route]:
    found = []
    for service in NAMES:
        spec = cluster[service].get("/openapi.json").json()
        for path, item in spec["paths"].items():
            for method, operation in item.items():
                if method in METHODS:
                    found.append(Route(service, method.upper(), path, operation[POLICY_MARKER]))
    return found


def _call(
    world: World, route: Route, missing: str | None = None
) -> tuple[str, dict[str, str], Any, list[tuple[Target, bool]]]:
    """The URL, query and body aimed at the county's resources, and the targets used (each
    with whether its scope hides it). `missing`: an id that names nothing, in place of every
    hidden target."""
    used: list[tuple[Target, bool]] = []
    path_values: dict[str, str] = {}
    query: dict[str, str] = {}
    body: dict[str, Any] = {}
    for scope in route.policy["scopes"]:
        kind = scope["kind"]
        assert kind in world.targets, f"no test resource for scope kind {kind!r}: add one"
        target = world.targets[kind]
        used.append((target, bool(scope.get("hidden"))))
        value = missing if missing is not None and scope.get("hidden") else target.value
        if scope["source"] == "path":
            path_values[scope["field"]] = value
        elif scope["source"] == "query":
            query[scope["field"]] = value
        else:
            _place(body, scope["field"].split("."), value)

    def fill(match: re.Match[str]) -> str:
        name = match.group(1).split(":")[0]
        if name in path_values:
            return path_values[name]
        assert name in world.defaults, f"{route.path}: no test value for path parameter {name}"
        return world.defaults[name]

    url = re.sub(r"\{([^}]+)\}", fill, route.path)
    return url, query, body, used


def _place(body: dict[str, Any], parts: list[str], value: str) -> None:
    head, rest = parts[0], parts[1:]
    if not rest:
        body[head] = value
    elif rest[0] == "*":
        items = body.setdefault(head, [{}] if rest[1:] else [])
        if rest[1:]:
            _place(items[0], rest[1:], value)
        else:
            items.append(value)
    else:
        _place(body.setdefault(head, {}), rest, value)


def _expected(
    world: World, route: Route, caller: Caller, targets: list[tuple[Target, bool]]
) -> str:
    policy = route.policy
    if policy["public"]:
        return "allowed"
    if caller.role is None:
        return "unauthenticated"
    if caller.role not in policy["roles"]:
        return "forbidden"
    for target, hidden in targets:  # the first scope the caller is outside of answers
        if not world.in_scope(caller, target):
            return "hidden" if hidden else "forbidden"
    return "allowed"


def _outcome(response: Any, missing: Any) -> str:
    """What the call got; `missing`: the answer to the same call for a hidden target that
    does not exist, when the caller is outside the hidden scope."""
    if missing is not None and response.status_code == 404:
        # Exactly the answer for a target that does not exist, field and all.
        if response.json() == missing.json():
            return "hidden"
        return f"a 404 unlike a missing target's: {missing.text}"
    return {401: "unauthenticated", 403: "forbidden"}.get(response.status_code, "allowed")


def test_every_cell_of_the_matrix(world_and_cluster: tuple[World, Cluster]) -> None:
    world, cluster = world_and_cluster
    routes = _routes(cluster)
    wrong: list[str] = []
    cells = 0
    hidden = 0
    for route in routes:
        url, query, body, targets = _call(world, route)
        for caller in world.callers:
            response = cluster[route.service].request(
                route.method,
                url,
                params=query,
                json=body if route.method != "GET" else None,
                headers=caller.headers,
            )
            expected = _expected(world, route, caller, targets)
            missing = None
            if expected == "hidden":
                hidden += 1
                url_, query_, body_, _ = _call(world, route, missing=str(uuid4()))
                missing = cluster[route.service].request(
                    route.method,
                    url_,
                    params=query_,
                    json=body_ if route.method != "GET" else None,
                    headers=caller.headers,
                )
                assert missing.status_code == 404, (route.path, missing.text)
            got = _outcome(response, missing)
            cells += 1
            if got != expected:
                wrong.append(
                    f"{route.service} {route.method} {route.path} as {caller.name}: "
                    f"expected {expected}, got {response.status_code} {response.text[:200]}"
                )
            if got != "allowed":
                assert "error" in response.json(), response.text
    assert not wrong, "\n".join(wrong)
    assert cells == len(routes) * len(world.callers)
    assert len(routes) > 60
    assert hidden > 0  # inspection's visits: another county's is no visit


def test_the_published_matrix_is_current() -> None:
    published = (ROOT / "docs" / "authorization.md").read_text(encoding="utf-8")
    assert published.strip() == markdown(route_policies()).strip(), (
        "docs/authorization.md is stale: run `pingyi policies --output docs/authorization.md`"
    )
