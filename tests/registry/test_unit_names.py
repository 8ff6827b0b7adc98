"""One active unit per name in a jurisdiction: registration, batches, renames, moves, mergers
and splits refuse a name an active unit there already bears (compared as the import compares
names), while dissolved, merged and split units give theirs up."""

from __future__ import annotations

import threading
from datetime import date
from typing import Any
from uuid import UUID

import pytest

from services.registry.application import RegistryApplication
from services.registry.domain import Unit, UnitSpec
from services.registry.domain.unit_names import DuplicateUnitName, UnitNameClaim
from shared.principals import Principal as Caller
from shared.settings import CommonSettings
from tests.harness import ADMIN, IN_MEMORY, Cluster
from tests.registry.helpers import post
from tests.registry.units_helpers import GOV, change, get, merge, refused, register

NAME = "临颍县民政局"


@pytest.fixture
def places(cluster: Cluster) -> dict[str, str]:
    """漯河市 > 临颍县 ($LY), 舞阳县 ($WY)."""
    city = post(cluster, "/jurisdictions", {"name": "漯河市", "level": "city"})
    found = {"city": city["jurisdiction_id"]}
    for name, label in (("临颍县", "LY"), ("舞阳县", "WY")):
        body = {"name": name, "level": "county", "parent_id": city["jurisdiction_id"]}
        found[label] = post(cluster, "/jurisdictions", body)["jurisdiction_id"]
    return found


def duplicate(response: Any, field: str) -> dict[str, Any]:
    body = refused(response, 409, field)
    assert body["error"] == "duplicate_unit_name", body
    context: dict[str, Any] = body["detail"][0]["context"]
    return context


def attempt(cluster: Cluster, path: str, body: dict[str, Any]) -> Any:
    return cluster["registry"].post(path, json=body, headers=ADMIN)


def unit_body(jurisdiction_id: str, name: str) -> dict[str, Any]:
    body = {"jurisdiction_id": jurisdiction_id, "name": name}
    return body | {"kind": "other_body", "category": GOV}


def test_a_second_unit_of_the_same_name_is_refused_naming_the_first(
    cluster: Cluster, places: dict[str, str]
) -> None:
    first = register(cluster, places["LY"], NAME)
    for spelling in (NAME, f" {NAME} ", "临颍县 民政局"):
        context = duplicate(
            attempt(cluster, "/units", unit_body(places["LY"], spelling)), "units.0.name"
        )
        assert context == {"unit_id": first["unit_id"], "name": NAME}
    # 全角/半角 forms are one name, as in the import.
    register(cluster, places["LY"], "临颍县第1中学")
    duplicate(attempt(cluster, "/units", unit_body(places["LY"], "临颍县第１中学")), "units.0.name")
    # Another county may have a unit of that name.
    register(cluster, places["WY"], NAME)


def test_a_batch_refuses_a_taken_name_and_a_name_it_repeats(
    cluster: Cluster, places: dict[str, str]
) -> None:
    taken = register(cluster, places["LY"], NAME)
    rows = [unit_body(places["LY"], name) for name in ("批量甲", "批量乙", NAME)]
    context = duplicate(attempt(cluster, "/units:batch", {"units": rows}), "units.2.name")
    assert context["unit_id"] == taken["unit_id"]
    rows = [unit_body(places["LY"], name) for name in ("批量甲", "批量乙", " 批量甲")]
    context = duplicate(attempt(cluster, "/units:batch", {"units": rows}), "units.2.name")
    assert context == {"same_as": "units.0", "name": "批量甲"}
    cluster.wait_caught_up("registry", "registry")
    assert [u["name"] for u in get(cluster, "/units", jurisdiction_id=places["LY"])] == [NAME]


def test_a_rename_to_a_taken_name_is_refused_and_a_rename_frees_the_old_one(
    cluster: Cluster, places: dict[str, str]
) -> None:
    taken = register(cluster, places["LY"], NAME)
    other = register(cluster, places["LY"], "临颍县民政事务中心")
    response = attempt(
        cluster, f"/units/{other['unit_id']}/rename", {"name": f"{NAME} ", "reason": "更名"}
    )
    assert duplicate(response, "name")["unit_id"] == taken["unit_id"]
    change(cluster, taken["unit_id"], "rename", {"name": "临颍县民政服务局"})
    renamed = change(cluster, other["unit_id"], "rename", {"name": NAME})
    assert renamed["name"] == NAME
    # Changing only the short name keeps the name the unit holds.
    change(cluster, other["unit_id"], "rename", {"name": NAME, "short_name": "县民政局"})


def test_dissolved_merged_and_split_units_give_their_names_up(
    cluster: Cluster, places: dict[str, str]
) -> None:
    dissolved = register(cluster, places["LY"], NAME)
    change(cluster, dissolved["unit_id"], "dissolve", {})
    register(cluster, places["LY"], NAME)

    first = register(cluster, places["LY"], "临颍县发改委")
    second = register(cluster, places["LY"], "临颍县统计局")
    ids = [first["unit_id"], second["unit_id"]]
    merged = merge(cluster, {"source_unit_ids": ids, "name": "临颍县发改委"})
    assert merged["unit"]["name"] == "临颍县发改委"
    register(cluster, places["LY"], "临颍县统计局")

    whole = register(cluster, places["LY"], "临颍县文广旅局")
    parts = [{"name": "临颍县文广旅局"}, {"name": "临颍县体育局"}]
    change(cluster, whole["unit_id"], "split", {"units": parts}, status=201)
    duplicate(attempt(cluster, "/units", unit_body(places["LY"], "临颍县文广旅局")), "units.0.name")


def test_a_merger_or_split_into_a_taken_name_is_refused(
    cluster: Cluster, places: dict[str, str]
) -> None:
    taken = register(cluster, places["LY"], NAME)
    ids = [register(cluster, places["LY"], name)["unit_id"] for name in ("甲局", "乙局")]
    response = attempt(
        cluster, "/units:merge", {"source_unit_ids": ids, "name": NAME, "reason": "r"}
    )
    assert duplicate(response, "name")["unit_id"] == taken["unit_id"]
    parts = {"units": [{"name": "丙局"}, {"name": f"{NAME} "}], "reason": "拆分"}
    response = attempt(cluster, f"/units/{ids[0]}/split", parts)
    assert duplicate(response, "units.1.name")["unit_id"] == taken["unit_id"]


def test_a_split_into_two_parts_of_one_name_is_refused_as_a_batch_is(
    cluster: Cluster, places: dict[str, str]
) -> None:
    """Two parts called alike, however spaced, are the name rule's
    409 naming the earlier part, as `/units:batch` answers; parts placed in two counties may
    share a name, as two counties' units may."""
    whole = register(cluster, places["LY"], "临颍县文广旅局")["unit_id"]
    for spelling in ("临颍县体育局", " 临颍县 体育局"):
        parts = [{"name": "临颍县体育局"}, {"name": "临颍县文化局"}, {"name": spelling}]
        response = attempt(cluster, f"/units/{whole}/split", {"units": parts, "reason": "拆分"})
        context = duplicate(response, "units.2.name")
        assert context == {"same_as": "units.0", "name": spelling.strip()}
    apart = [{"name": "体育中心"}, {"name": "体育中心", "jurisdiction_id": places["WY"]}]
    change(cluster, whole, "split", {"units": apart}, status=201)


def test_a_move_into_a_jurisdiction_with_that_name_is_refused(
    cluster: Cluster, places: dict[str, str]
) -> None:
    there = register(cluster, places["WY"], NAME)
    here = register(cluster, places["LY"], NAME)
    body = {"jurisdiction_id": places["WY"], "reason": "划转"}
    response = attempt(cluster, f"/units/{here['unit_id']}/move", body)
    assert duplicate(response, "jurisdiction_id")["unit_id"] == there["unit_id"]
    # A carried sub-unit's name counts too.
    parent = register(cluster, places["LY"], "临颍县教育局")
    register(cluster, places["LY"], "招生办", parent_id=parent["unit_id"], kind="key_section")
    clash = register(cluster, places["WY"], "招生办")
    response = attempt(cluster, f"/units/{parent['unit_id']}/move", body)
    assert duplicate(response, "jurisdiction_id")["unit_id"] == clash["unit_id"]
    # Once the name is free there, the move goes through, and the old name is free here.
    change(cluster, there["unit_id"], "dissolve", {})
    change(cluster, here["unit_id"], "move", {"jurisdiction_id": places["WY"]})
    register(cluster, places["LY"], NAME)


def test_units_registered_before_name_claims_still_hold_their_names(
    cluster: Cluster, places: dict[str, str]
) -> None:
    """Units saved without a claim (as before this rule) are found through the read model,
    twins among them included; each is judged by its own current state."""
    app = cluster["registry"].app.state.runtime.application
    spec = UnitSpec(UUID(places["LY"]), NAME, "other_body", GOV)
    twins = [Unit.register(spec, "office:old", date(2024, 1, 1)) for _ in range(2)]
    app.save(*twins)
    cluster.wait_caught_up("registry", "registry")
    context = duplicate(attempt(cluster, "/units", unit_body(places["LY"], NAME)), "units.0.name")
    assert context["unit_id"] in {str(t.id) for t in twins}
    change(cluster, str(twins[0].id), "rename", {"name": "临颍县老民政局"})
    context = duplicate(attempt(cluster, "/units", unit_body(places["LY"], NAME)), "units.0.name")
    assert context["unit_id"] == str(twins[1].id)
    change(cluster, str(twins[1].id), "dissolve", {})
    register(cluster, places["LY"], NAME)


def test_an_import_then_finds_the_one_unit_of_that_name(
    cluster: Cluster, places: dict[str, str]
) -> None:
    register(cluster, places["LY"], NAME)
    duplicate(attempt(cluster, "/units", unit_body(places["LY"], NAME)), "units.0.name")
    cluster.wait_caught_up("registry", "registry")
    sheet = f"单位名称,单位类型,类别,上级单位\n社会救助股,重点科室,{GOV},{NAME}\n"
    response = cluster["registry"].post(
        "/imports/units",
        params={"jurisdiction_id": places["LY"]},
        content=sheet.encode("utf-8"),
        headers=ADMIN | {"content-type": "text/csv"},
    )
    assert response.status_code == 201, response.text


# --- two requests at once -----------------------------------------------------------------


def race(app: RegistryApplication, jurisdiction_id: str) -> list[object]:
    """Two registrations of one name, each passing the check before either saves: the read
    model each asks is held until both have asked it. What each got back, or its refusal."""
    both_checked = threading.Barrier(2, timeout=10)
    first_look: set[int] = set()

    def listed(jurisdiction_id: UUID, name: str) -> list[UUID]:
        if threading.get_ident() not in first_look:
            first_look.add(threading.get_ident())
            both_checked.wait()
        return []

    outcomes: list[object] = []

    def register_once() -> None:
        body = [unit_body(jurisdiction_id, NAME)]
        try:
            outcomes.append(app.register_units(ADMIN_CALLER, body, None, listed))
        except DuplicateUnitName as refusal:
            outcomes.append(refusal)

    threads = [threading.Thread(target=register_once) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def assert_one_won(outcomes: list[object]) -> None:
    """The claim made the second save clash; its rerun is refused, naming the winner."""
    refusals = [o for o in outcomes if isinstance(o, DuplicateUnitName)]
    registered = [o for o in outcomes if isinstance(o, dict)]
    assert (len(registered), len(refusals)) == (1, 1), outcomes
    assert refusals[0].context["unit_id"] == registered[0]["units"][0]["unit_id"]


def test_two_concurrent_registrations_of_one_name_do_not_both_succeed() -> None:
    app = RegistryApplication(IN_MEMORY)
    city = app.register_jurisdiction(ADMIN_CALLER, "漯河市", "city", None, None)
    assert_one_won(race(app, city["jurisdiction_id"]))


@pytest.mark.infra
def test_the_race_is_decided_by_postgresql_too(production_settings: CommonSettings) -> None:
    with Cluster(production_settings, ["registry"]) as cluster:
        city = post(cluster, "/jurisdictions", {"name": "漯河市", "level": "city"})
        app = cluster["registry"].app.state.runtime.application
        assert_one_won(race(app, city["jurisdiction_id"]))


def test_a_claim_is_one_aggregate_per_jurisdiction_and_name() -> None:
    county = UUID(int=7)
    claim = UnitNameClaim(county, "临颍县民政局", UUID(int=1))
    assert claim.id == UnitNameClaim.id_for(county, "临颍县民政局")
    claim.release(UUID(int=2))  # not the holder: nothing to give up
    assert claim.holder == UUID(int=1)
    claim.release(UUID(int=1))
    claim.take(UUID(int=3))
    app = RegistryApplication(IN_MEMORY)
    app.save(claim)
    loaded = app.repository.get(claim.id)
    assert (loaded.holder, loaded.version) == (UUID(int=3), 3)


ADMIN_CALLER = Caller(principal_id=UUID(int=0), name="admin", role="admin", jurisdiction_id=None)
