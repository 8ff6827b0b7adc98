"""Every cell of the role × route matrix, with real calls against all five services.

The routes come from the services' OpenAPI documents, so a new route is in this test the
moment it exists. For each route the test aims the call at resources of one county (源汇区)
— found from the policy's declared scope sources — and calls it as every kind of caller:
admin, auditor, offices of the county, of its city (parent), of a district below it (child)
and of a sibling county, the agency contracted for the wave and another agency, an inspector,
a unit, no key and a revoked key. What each caller should get is worked out here, from the
declared roles and this test's own knowledge of where each resource lives — not by the code
that enforces it: refused callers get 403 (401 without a valid key), allowed callers get past
authorization (any status but 401 and 403; the bodies carry only the scope fields, so most
writes then stop at validation).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from pingyi.catalog import NAMES
from pingyi.policies import markdown, route_policies
from shared.policy import POLICY_MARKER
from shared.settings import CommonSettings
from tests.harness import ADMIN, Cluster
from tests.registry.helpers import key_for, post, unit
from tests.registry.people_helpers import COMMITMENT, appoint, office_body

ROOT = Path(__file__).resolve().parents[2]
METHODS = ("get", "post", "put", "patch", "delete")


@dataclass
class Caller:
    name: str
    role: str | None
    headers: dict[str, str]
    jurisdiction: str | None = None
    principal_id: str | None = None


@dataclass
class Target:
    """Where a resource lives, as this test set it up."""

    value: str
    jurisdiction: str | None
    parties: dict[str, set[str]] = field(default_factory=dict)


@dataclass
class World:
    lineage: dict[str, list[str]]
    callers: list[Caller]
    targets: dict[str, Target]
    defaults: dict[str, str]

    def in_scope(self, caller: Caller, target: Target) -> bool:
        if caller.role in ("admin", "auditor"):
            return True
        if caller.role in target.parties:
            return caller.principal_id in target.parties[caller.role]
        if target.jurisdiction is None or caller.jurisdiction is None:
            return False
        return caller.jurisdiction in self.lineage[target.jurisdiction]


def _jurisdiction(cluster: Cluster, name: str, level: str, parent: str | None) -> str:
    body = {"name": name, "level": level} | ({"parent_id": parent} if parent else {})
    return str(post(cluster, "/jurisdictions", body)["jurisdiction_id"])


def _principal(cluster: Cluster, name: str, role: str, jurisdiction: str | None) -> Caller:
    body = {"name": name, "role": role} | (
        {"jurisdiction_id": jurisdiction} if jurisdiction else {}
    )
    issued = post(cluster, "/principals", body)
    return Caller(name, role, key_for(issued), jurisdiction, issued["principal_id"])


def _wait_all(cluster: Cluster) -> None:
    for downstream in NAMES:
        cluster.wait_caught_up(downstream, "registry")
    for downstream, upstream in (("scoring", "survey"), ("reporting", "scoring")):
        cluster.wait_caught_up(downstream, upstream)


@pytest.fixture(scope="module")
def world_and_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[World, Cluster]]:
    from tests.conftest import ADMIN_KEY

    common = CommonSettings(
        mode="embedded",
        data_dir=tmp_path_factory.mktemp("matrix"),
        bootstrap_admin_key=ADMIN_KEY,  # type: ignore[arg-type]
        log_json=False,
    )
    with Cluster(common, NAMES) as cluster:
        yield _build_world(cluster), cluster


def _build_world(cluster: Cluster) -> World:
    province = _jurisdiction(cluster, "河南省", "province", None)
    city = _jurisdiction(cluster, "漯河市", "city", province)
    county = _jurisdiction(cluster, "源汇区", "district", city)
    child = _jurisdiction(cluster, "源汇区开发区", "zone", county)
    sibling = _jurisdiction(cluster, "郾城区", "district", city)
    lineage = {county: [county, city, province]}
    callers = [
        Caller("admin", "admin", ADMIN),
        _principal(cluster, "审计", "auditor", None),
        _principal(cluster, "源汇区纠风办", "office", county),
        _principal(cluster, "漯河市纠风办", "office", city),
        _principal(cluster, "开发区纠风办", "office", child),
        _principal(cluster, "郾城区纠风办", "office", sibling),
        _principal(cluster, "合同调查公司", "agency", county),
        _principal(cluster, "另一调查公司", "agency", county),
        _principal(cluster, "督查员", "inspector", county),
        _principal(cluster, "源汇区民政局", "unit", county),
    ]
    revoked = _principal(cluster, "已吊销", "office", county)
    post(cluster, f"/principals/{revoked.principal_id}/revoke", {"reason": "离职"}, status=200)
    callers += [
        Caller("no key", None, {}),
        Caller("revoked key", None, revoked.headers),
    ]
    contracted = callers[6]
    target_unit = unit(cluster, county, "源汇区民政局")["unit_id"]
    campaign = post(
        cluster,
        "/campaigns",
        {
            "jurisdiction_id": county,
            "name": "2026年度源汇区民主评议政风行风",
            "pattern": "民主评议政风行风",
            "cycle": {
                "length": "one_year",
                "rounds": "whole_cycle",
                "starts_on": "2026-01-01",
                "ends_on": "2026-12-31",
            },
            "phases": [{"name": "组织实施", "starts_on": "2026-03-01", "ends_on": "2026-10-31"}],
            "categories": ["政府部门及其它机构"],
        },
    )["campaign_id"]
    person = post(cluster, "/people", {"jurisdiction_id": county, "name": "代表", "sector": "其他"})
    appoint(cluster, person["person_id"], office_body(county))
    draw = post(
        cluster,
        "/draws",
        {"jurisdiction_id": county, "cycle": "2026-2027", "size": 1, "commitment": COMMITMENT},
    )["draw_id"]
    keyholder = _principal(cluster, "被吊销对象", "unit", county)
    for downstream in NAMES:
        cluster.wait_caught_up(downstream, "registry")
    wave = cluster["survey"].post(
        "/waves",
        json={
            "name": "测评",
            "jurisdiction_id": county,
            "agency_id": contracted.principal_id,
            "unit_ids": [target_unit],
        },
        headers=ADMIN,
    )
    assert wave.status_code == 201, wave.text
    wave_id = wave.json()["wave_id"]
    finding = cluster["inspection"].post(
        "/findings",
        json={
            "unit_id": target_unit,
            "method": "暗访",
            "summary": "窗口无人",
            "found_at": "2026-05-12T10:30:00+08:00",
        },
        headers=ADMIN,
    )
    assert finding.status_code == 201, finding.text
    cluster.wait_caught_up("scoring", "survey")
    run = cluster["scoring"].post(f"/waves/{wave_id}/score-runs", headers=ADMIN)
    assert run.status_code == 201, run.text
    _wait_all(cluster)
    in_county = {
        "jurisdiction": county,
        "known_jurisdiction": county,
        "unit": target_unit,
        "unit_ever": target_unit,
        "campaign": campaign,
        "person": person["person_id"],
        "draw": draw,
        "principal": keyholder.principal_id or "",
        "finding": finding.json()["finding_id"],
        "tally": wave_id,
        "run": run.json()["run_id"],
        "ranked_wave": wave_id,
        "appointing_body": f"office:{county}",
    }
    targets = {kind: Target(value, county) for kind, value in in_county.items()}
    targets["wave"] = Target(wave_id, county, {"agency": {contracted.principal_id or ""}})
    defaults = {
        "unit_id": target_unit,
        "category": "政府部门及其它机构",
        "consumer": "survey-waves-v1",
        "upstream": "survey",
    }
    return World(lineage, callers, targets, defaults)


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


def _call(world: World, route: Route) -> tuple[str, dict[str, str], Any, list[Target]]:
    """The URL, query and body aimed at the county's resources, and the targets used."""
    used: list[Target] = []
    path_values: dict[str, str] = {}
    query: dict[str, str] = {}
    body: dict[str, Any] = {}
    for scope in route.policy["scopes"]:
        kind = scope["kind"]
        assert kind in world.targets, f"no test resource for scope kind {kind!r}: add one"
        target = world.targets[kind]
        used.append(target)
        if scope["source"] == "path":
            path_values[scope["field"]] = target.value
        elif scope["source"] == "query":
            query[scope["field"]] = target.value
        else:
            _place(body, scope["field"].split("."), target.value)

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


def _expected(world: World, route: Route, caller: Caller, targets: list[Target]) -> str:
    policy = route.policy
    if policy["public"]:
        return "allowed"
    if caller.role is None:
        return "unauthenticated"
    if caller.role not in policy["roles"]:
        return "forbidden"
    if not all(world.in_scope(caller, target) for target in targets):
        return "forbidden"
    return "allowed"


def _outcome(status: int) -> str:
    return {401: "unauthenticated", 403: "forbidden"}.get(status, "allowed")


def test_every_cell_of_the_matrix(world_and_cluster: tuple[World, Cluster]) -> None:
    world, cluster = world_and_cluster
    routes = _routes(cluster)
    wrong: list[str] = []
    cells = 0
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
            got = _outcome(response.status_code)
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


def test_the_published_matrix_is_current() -> None:
    published = (ROOT / "docs" / "authorization.md").read_text(encoding="utf-8")
    assert published.strip() == markdown(route_policies()).strip(), (
        "docs/authorization.md is stale: run `pingyi policies --output docs/authorization.md`"
    )
