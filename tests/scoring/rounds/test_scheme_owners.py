"""QA: GET /schemes did not say whose each registered scheme is. Each scheme, listed or got
alone, now says: a shipped one is `builtin` with no owner; a registered one names the
jurisdiction its id belongs to (id and name, for every reader) and who registered the
version (`registered_by`, for callers with that jurisdiction in scope only, as every other
record's actor)."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest

from services.scoring.engine.scheme import builtin_schemes
from tests.conftest import in_memory
from tests.harness import ADMIN, Cluster
from tests.scoring.rounds.helpers import OLD_ACTOR, SCHEME, register_before_owners
from tests.survey.helpers import World, seed_world


@pytest.fixture(scope="module")
def owned() -> Iterator[tuple[Cluster, World]]:
    with Cluster(in_memory(), ["registry", "survey", "scoring"]) as cluster:
        world = seed_world(cluster)
        cluster.wait_caught_up("scoring", "registry")
        scoring = cluster["scoring"]
        for scheme_id, version, headers in (
            ("wuyang-own", 1, world.county_office.headers),
            ("wuyang-own", 2, world.city_office.headers),  # an office above adds a version
            ("province-own", 1, ADMIN),
        ):
            doc = copy.deepcopy(SCHEME) | {"scheme_id": scheme_id, "version": version}
            answered = scoring.post(
                "/schemes", json={"document": doc, "reason": "测试"}, headers=headers
            )
            assert answered.status_code == 201, answered.text
        register_before_owners(cluster, copy.deepcopy(SCHEME) | {"scheme_id": "old-own"})
        yield cluster, world


def _listed(cluster: Cluster, headers: dict[str, str]) -> dict[tuple[str, int], Any]:
    answered = cluster["scoring"].get("/schemes", headers=headers)
    assert answered.status_code == 200, answered.text
    return {(s["scheme_id"], s["version"]): s for s in answered.json()}


def _whose(entry: dict[str, Any]) -> tuple[Any, ...]:
    owner = entry["owner"]
    named = None if owner is None else (owner["jurisdiction_id"], owner["jurisdiction_name"])
    return entry["builtin"], named, entry["registered_by"]


def test_shipped_schemes_are_built_in_and_no_one_s(owned: tuple[Cluster, World]) -> None:
    cluster, world = owned
    listed = _listed(cluster, world.county_office.headers)
    for key in builtin_schemes():
        assert _whose(listed[key]) == (True, None, None)
    got = cluster["scoring"].get(
        "/schemes/luohe-2yr-zhengfeng/versions/1", headers=world.county_office.headers
    )
    assert got.status_code == 200, got.text
    assert _whose(got.json()) == (True, None, None) and got.json()["document"]


def test_a_registered_scheme_names_its_owner_and_registrant(owned: tuple[Cluster, World]) -> None:
    cluster, world = owned
    county = (world.county_id, "舞阳县")
    listed = _listed(cluster, world.county_office.headers)
    assert _whose(listed[("wuyang-own", 1)]) == (
        False,
        county,
        f"office:{world.county_office.principal_id}",
    )
    # v2 came from the city's office: the id stays the county's.
    assert _whose(listed[("wuyang-own", 2)]) == (
        False,
        county,
        f"office:{world.city_office.principal_id}",
    )
    got = cluster["scoring"].get(
        "/schemes/wuyang-own/versions/2", headers=world.city_office.headers
    )
    assert got.status_code == 200, got.text
    assert _whose(got.json()) == _whose(listed[("wuyang-own", 2)])
    # Registering says it too (the same document again: 200, the stored registration).
    doc = copy.deepcopy(SCHEME) | {"scheme_id": "wuyang-own", "version": 2}
    again = cluster["scoring"].post(
        "/schemes", json={"document": doc, "reason": "再次"}, headers=world.county_office.headers
    )
    assert again.status_code == 200, again.text
    assert _whose(again.json()) == _whose(listed[("wuyang-own", 2)])


def test_who_registered_is_shown_within_the_owner_s_scope_only(
    owned: tuple[Cluster, World],
) -> None:
    cluster, world = owned
    county = (world.county_id, "舞阳县")
    other = _listed(cluster, world.other_county_office.headers)
    # Every office sees every scheme and whose it is, not who of another county registered it.
    assert _whose(other[("wuyang-own", 1)]) == (False, county, None)
    got = cluster["scoring"].get(
        "/schemes/wuyang-own/versions/1", headers=world.other_county_office.headers
    )
    assert _whose(got.json()) == (False, county, None)
    for headers in (ADMIN, world.auditor.headers):
        seen = _listed(cluster, headers)
        assert _whose(seen[("wuyang-own", 1)])[2] == f"office:{world.county_office.principal_id}"
        assert seen[("province-own", 1)]["registered_by"].startswith("admin:")


def test_ids_no_office_owns_have_no_owner(owned: tuple[Cluster, World]) -> None:
    """An admin's id, and one registered before owners were recorded (a v1 event)."""
    cluster, world = owned
    office = _listed(cluster, world.county_office.headers)
    admin = _listed(cluster, ADMIN)
    assert _whose(office[("province-own", 1)]) == (False, None, None)
    assert _whose(office[("old-own", 1)]) == (False, None, None)
    assert _whose(admin[("old-own", 1)]) == (False, None, OLD_ACTOR)
