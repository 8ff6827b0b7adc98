"""One active unit per 统一社会信用代码 in a jurisdiction, by the API and the import alike; another
county may register the same code (a vertically managed body's local office), and no answer
names a unit outside the jurisdiction the caller writes to."""

from __future__ import annotations

import threading
from datetime import date
from typing import Any
from uuid import UUID

import pytest

from services.registry.application import RegistryApplication
from services.registry.domain import Unit, UnitSpec
from services.registry.domain.credit_code import check_character
from services.registry.domain.unit_names import DuplicateCreditCode
from shared.principals import Principal as Caller
from shared.settings import CommonSettings
from tests.harness import ADMIN, IN_MEMORY, Cluster
from tests.registry.helpers import office, post
from tests.registry.import_helpers import csv_bytes, upload
from tests.registry.units_helpers import GOV, change, refused, register

CODE = "91411100MA4000001" + check_character("91411100MA4000001")
OTHER = "91411100MA4000002" + check_character("91411100MA4000002")
ADMIN_CALLER = Caller(principal_id=UUID(int=0), name="admin", role="admin", jurisdiction_id=None)
FULL_WIDTH = "".join(chr(ord(c) + 0xFEE0) for c in CODE.lower())


@pytest.fixture
def places(cluster: Cluster) -> dict[str, Any]:
    """漯河市 > 临颍县 ($LY), 舞阳县 ($WY), and an office key for each county."""
    city = post(cluster, "/jurisdictions", {"name": "漯河市", "level": "city"})
    found: dict[str, Any] = {"city": city["jurisdiction_id"]}
    for name, label in (("临颍县", "LY"), ("舞阳县", "WY")):
        body = {"name": name, "level": "county", "parent_id": city["jurisdiction_id"]}
        found[label] = post(cluster, "/jurisdictions", body)["jurisdiction_id"]
        found[f"key_{label}"] = office(cluster, f"{name}纠风办", found[label])
    cluster.wait_caught_up("registry", "registry")
    return found


def attempt(cluster: Cluster, path: str, body: dict[str, Any], key: dict[str, str] = ADMIN) -> Any:
    return cluster["registry"].post(path, json=body, headers=key)


def unit_body(jurisdiction_id: str, name: str, code: str = CODE) -> dict[str, Any]:
    body = {"jurisdiction_id": jurisdiction_id, "name": name, "kind": "government_department"}
    return body | {"category": GOV, "credit_code": code}


def duplicate(response: Any, field: str) -> dict[str, Any]:
    body = refused(response, 409, field)
    assert body["error"] == "duplicate_credit_code", body
    context: dict[str, Any] = body["detail"][0]["context"]
    return context


def test_a_code_an_active_unit_of_the_jurisdiction_holds_is_refused_naming_it(
    cluster: Cluster, places: dict[str, Any]
) -> None:
    first = register(cluster, places["LY"], "临颍县税务局", credit_code=CODE)
    for spelling in (CODE, CODE.lower(), FULL_WIDTH, f" {CODE[:6]} {CODE[6:]} "):
        response = attempt(cluster, "/units", unit_body(places["LY"], "临颍县第二税务局", spelling))
        context = duplicate(response, "units.0.credit_code")
        assert context == {"unit_id": first["unit_id"], "name": "临颍县税务局", "credit_code": CODE}
    # Two items of one batch.
    rows = [unit_body(places["LY"], name, OTHER) for name in ("甲", "乙")]
    context = duplicate(attempt(cluster, "/units:batch", {"units": rows}), "units.1.credit_code")
    assert context["same_as"] == "units.0"
    # Another county may register the body too (a vertically managed unit's local office).
    register(cluster, places["WY"], "舞阳县税务局", credit_code=CODE)


def test_a_move_merge_or_split_into_a_held_code_is_refused_and_dissolving_frees_it(
    cluster: Cluster, places: dict[str, Any]
) -> None:
    here = register(cluster, places["LY"], "临颍县税务局", credit_code=CODE)
    there = register(cluster, places["WY"], "舞阳县税务局", credit_code=CODE)
    response = attempt(
        cluster,
        f"/units/{there['unit_id']}/move",
        {"jurisdiction_id": places["LY"], "reason": "划转"},
    )
    assert duplicate(response, "jurisdiction_id")["unit_id"] == here["unit_id"]
    other = register(cluster, places["LY"], "临颍县统计局")
    third = register(cluster, places["LY"], "临颍县调查队")
    ids = [other["unit_id"], third["unit_id"]]
    body = {"source_unit_ids": ids, "name": "临颍县统计中心", "credit_code": CODE}
    response = attempt(cluster, "/units:merge", body | {"reason": "合并"})
    assert duplicate(response, "credit_code")["unit_id"] == here["unit_id"]
    parts = [{"name": "临颍县统计一所"}, {"name": "临颍县统计二所", "credit_code": CODE}]
    response = attempt(
        cluster, f"/units/{other['unit_id']}/split", {"units": parts, "reason": "拆分"}
    )
    assert duplicate(response, "units.1.credit_code")["unit_id"] == here["unit_id"]
    # A renamed unit keeps its code; a dissolved one gives it up.
    change(cluster, here["unit_id"], "rename", {"name": "国家税务总局临颍县税务局"})
    change(cluster, here["unit_id"], "dissolve", {})
    change(cluster, there["unit_id"], "move", {"jurisdiction_id": places["LY"]})


def test_units_registered_before_the_rule_still_hold_their_codes(
    cluster: Cluster, places: dict[str, Any]
) -> None:
    """Saved without a claim, as every unit before this rule: found through the read model."""
    app = cluster["registry"].app.state.runtime.application
    spec = UnitSpec(UUID(places["LY"]), "临颍县老税务局", "other_body", GOV, credit_code=CODE)
    old = Unit.register(spec, "office:old", date(2024, 1, 1))
    app.save(old)
    cluster.wait_caught_up("registry", "registry")
    response = attempt(cluster, "/units", unit_body(places["LY"], "临颍县税务局"))
    assert duplicate(response, "units.0.credit_code")["unit_id"] == str(old.id)


def test_the_import_applies_the_same_rule_and_names_no_other_countys_unit(
    cluster: Cluster, places: dict[str, Any]
) -> None:
    register(cluster, places["WY"], "舞阳县保密的税务局", credit_code=CODE)
    mine = register(cluster, places["LY"], "临颍县税务局", credit_code=CODE)
    cluster.wait_caught_up("registry", "registry")
    sheet = csv_bytes(
        [
            ["单位名称", "单位类型", "类别", "统一社会信用代码"],
            ["临颍县二局", "政府部门", GOV, CODE],
        ]
    )
    # 临颍县 holds the code: refused, naming its own unit.
    report = upload(
        cluster,
        "/imports/units",
        sheet,
        key=places["key_LY"],
        jurisdiction_id=places["LY"],
        dry_run=True,
    ).json()
    (error,) = report["errors"]
    assert (error["row"], error["column"]) == (2, "统一社会信用代码")
    assert "临颍县税务局" in error["reason"] and "该辖区已登记该信用代码" in error["reason"]
    # Dissolved there, the code is free in 临颍县 although 舞阳县 holds it: imported, and
    # nothing about 舞阳县's unit is said.
    change(cluster, mine["unit_id"], "dissolve", {})
    cluster.wait_caught_up("registry", "registry")
    report = upload(
        cluster,
        "/imports/units",
        sheet,
        key=places["key_LY"],
        jurisdiction_id=places["LY"],
        dry_run=True,
    ).json()
    assert report["errors"] == [] and "舞阳县" not in str(report), report
    imported = upload(
        cluster, "/imports/units", sheet, key=places["key_LY"], jurisdiction_id=places["LY"]
    )
    assert imported.status_code == 201, imported.text


def race(app: RegistryApplication, jurisdiction_id: str) -> list[object]:
    """Two units of different names and one code, each checked before either saves: the
    read model each asks is held until both have asked it. What each got back, or its
    refusal."""
    both_checked = threading.Barrier(2, timeout=10)
    first_look: set[int] = set()

    def listed(jurisdiction_id: UUID, key: str) -> list[UUID]:
        if threading.get_ident() not in first_look:
            first_look.add(threading.get_ident())
            both_checked.wait()
        return []

    outcomes: list[object] = []

    def register_once(name: str) -> None:
        body = [unit_body(jurisdiction_id, name)]
        try:
            outcomes.append(app.register_units(ADMIN_CALLER, body, None, listed))
        except DuplicateCreditCode as refusal:
            outcomes.append(refusal)

    threads = [threading.Thread(target=register_once, args=(n,)) for n in ("甲局", "乙局")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def assert_one_won(outcomes: list[object]) -> None:
    """The code's claim made the second save clash; its rerun is refused naming the first."""
    refusals = [o for o in outcomes if isinstance(o, DuplicateCreditCode)]
    registered = [o for o in outcomes if isinstance(o, dict)]
    assert (len(registered), len(refusals)) == (1, 1), outcomes
    assert refusals[0].context["unit_id"] == registered[0]["units"][0]["unit_id"]
    assert refusals[0].context["credit_code"] == CODE


def test_two_concurrent_registrations_of_one_code_do_not_both_succeed() -> None:
    app = RegistryApplication(IN_MEMORY)
    city = app.register_jurisdiction(ADMIN_CALLER, "漯河市", "city", None, None)
    assert_one_won(race(app, city["jurisdiction_id"]))


@pytest.mark.infra
def test_the_code_race_is_decided_by_postgresql_too(production_settings: CommonSettings) -> None:
    """The same race on the event store a production registry runs on: PostgreSQL's unique
    (originator, version) refuses the second claim of the code, whichever thread saves last;
    the rerun then finds the claim saved, and both units' rows are the winner's alone."""
    with Cluster(production_settings, ["registry"]) as cluster:
        city = post(cluster, "/jurisdictions", {"name": "漯河市", "level": "city"})
        app = cluster["registry"].app.state.runtime.application
        outcomes = race(app, city["jurisdiction_id"])
        assert_one_won(outcomes)
        cluster.wait_caught_up("registry", "registry")
        listed = cluster["registry"].get(
            "/units", params={"jurisdiction_id": city["jurisdiction_id"]}, headers=ADMIN
        )
        assert listed.status_code == 200, listed.text
        winner = next(o for o in outcomes if isinstance(o, dict))["units"][0]
        assert [(u["unit_id"], u["credit_code"]) for u in listed.json()] == [
            (winner["unit_id"], CODE)
        ]
