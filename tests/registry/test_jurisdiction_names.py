"""The children of one jurisdiction have different names, compared as unit names are
(全角/半角 alike, spaces ignored); another parent may have a child of the same name."""

from __future__ import annotations

import threading
from typing import Any
from uuid import UUID

import pytest

from services.registry.application import RegistryApplication
from services.registry.domain import Jurisdiction
from services.registry.domain.jurisdictions import (
    DuplicateJurisdictionName,
    JurisdictionNameClaim,
)
from tests.harness import ADMIN, IN_MEMORY, Cluster
from tests.registry.helpers import post
from tests.registry.people_helpers import ADMIN_CALLER


@pytest.fixture
def cities(cluster: Cluster) -> dict[str, str]:
    province = post(cluster, "/jurisdictions", {"name": "河南省", "level": "province"})
    found = {}
    for name in ("漯河市", "许昌市"):
        body = {"name": name, "level": "city", "parent_id": province["jurisdiction_id"]}
        found[name] = post(cluster, "/jurisdictions", body)["jurisdiction_id"]
    return found


def county(parent: str, name: str) -> dict[str, Any]:
    return {"name": name, "level": "county", "parent_id": parent}


def refused(response: Any) -> dict[str, Any]:
    assert response.status_code == 409, response.text
    body: dict[str, Any] = response.json()
    assert (body["error"], body["detail"][0]["field"]) == ("duplicate_jurisdiction_name", "name")
    context: dict[str, Any] = body["detail"][0]["context"]
    return context


@pytest.mark.parametrize("again", ["临颍县", " 临颍 县 ", "临颍县\u3000"])
def test_a_second_child_of_the_same_name_is_refused_naming_the_first(
    cluster: Cluster, cities: dict[str, str], again: str
) -> None:
    first = post(cluster, "/jurisdictions", county(cities["漯河市"], "临颍县"))
    response = cluster["registry"].post(
        "/jurisdictions", json=county(cities["漯河市"], again), headers=ADMIN
    )
    assert refused(response) == {"jurisdiction_id": first["jurisdiction_id"], "name": "临颍县"}


def test_full_and_half_width_forms_are_one_name(cluster: Cluster, cities: dict[str, str]) -> None:
    body = {"name": "经济技术开发区(东区)", "level": "zone", "parent_id": cities["漯河市"]}
    post(cluster, "/jurisdictions", body)
    response = cluster["registry"].post(
        "/jurisdictions", json=body | {"name": "经济技术开发区（东区）"}, headers=ADMIN
    )
    refused(response)


def test_another_parent_may_have_a_child_of_that_name(
    cluster: Cluster, cities: dict[str, str]
) -> None:
    post(cluster, "/jurisdictions", county(cities["漯河市"], "城关区"))
    post(cluster, "/jurisdictions", county(cities["许昌市"], "城关区"))
    post(cluster, "/jurisdictions", county(cities["漯河市"], "临颍县"))
    tree = cluster["registry"].get("/jurisdictions", headers=ADMIN).json()
    assert sorted(j["name"] for j in tree if j["name"] == "城关区") == ["城关区", "城关区"]


def test_children_registered_before_names_were_claimed_still_hold_their_names(
    cluster: Cluster, cities: dict[str, str]
) -> None:
    """Saved without a claim (as before this rule), twins among them: they still load, and
    the read model finds them for the rule."""
    app = cluster["registry"].app.state.runtime.application
    parent = app.jurisdiction(UUID(cities["漯河市"]))
    twins = [Jurisdiction.register("临颍县", "county", parent, "admin:old") for _ in range(2)]
    app.save(*twins)
    assert [app.jurisdiction(t.id).name for t in twins] == ["临颍县", "临颍县"]
    cluster.wait_caught_up("registry", "registry")
    response = cluster["registry"].post(
        "/jurisdictions", json=county(cities["漯河市"], "临颍 县"), headers=ADMIN
    )
    assert refused(response)["jurisdiction_id"] in {str(t.id) for t in twins}


def test_two_concurrent_registrations_of_one_name_do_not_both_succeed() -> None:
    app = RegistryApplication(IN_MEMORY)
    top = app.register_jurisdiction(ADMIN_CALLER, "漯河市", "city", None, None)
    city = UUID(top["jurisdiction_id"])
    both_checked = threading.Barrier(2, timeout=10)

    def listed(parent_id: UUID) -> list[tuple[UUID, str]]:
        both_checked.wait()  # each has found no claim before either saves
        return []

    outcomes: list[object] = []

    def register_once() -> None:
        try:
            outcomes.append(
                app.register_jurisdiction(ADMIN_CALLER, "临颍县", "county", city, None, listed)
            )
        except DuplicateJurisdictionName as refusal:
            outcomes.append(refusal)

    threads = [threading.Thread(target=register_once) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # The claim made the second save clash; its rerun finds the claim and names the winner.
    registered = [o for o in outcomes if isinstance(o, dict)]
    refusals = [o for o in outcomes if isinstance(o, DuplicateJurisdictionName)]
    assert (len(registered), len(refusals)) == (1, 1), outcomes
    assert refusals[0].context["jurisdiction_id"] == registered[0]["jurisdiction_id"]


def test_a_claim_is_one_aggregate_per_parent_and_name() -> None:
    parent = Jurisdiction.register("漯河市", "city", None, "admin")
    child = Jurisdiction.register("临颍县", "county", parent, "admin")
    claim = JurisdictionNameClaim.claim(child)
    assert claim is not None
    assert claim.id == JurisdictionNameClaim.id_for(parent.id, "临颍县")
    assert JurisdictionNameClaim.claim(parent) is None  # top-level names are not compared
