"""Random draws through the API in memory mode (SQLite where a draw is checked from the
stored log): commit, freeze, reveal, scoping."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterator
from typing import Any
from uuid import UUID

import pytest

from services.registry.draw_verify import verify_draw
from shared.settings import CommonSettings
from tests.harness import ADMIN, Cluster
from tests.registry.campaign_helpers import luohe_spec, open_campaign
from tests.registry.helpers import city_with_counties, office, post
from tests.registry.people_helpers import COMMITMENT, SEED, appoint, office_body, person


@pytest.fixture
def cluster(common: CommonSettings) -> Iterator[Cluster]:
    with Cluster(common, ["registry"]) as running:
        yield running


@pytest.fixture
def world(cluster: Cluster) -> dict[str, Any]:
    """源汇区's pool: 12 人大代表 and 18 服务对象 appointed by its office for 2026-2027, plus
    one person appointed elsewhere and one for another cycle (neither in the pool)."""
    setup = city_with_counties(cluster)
    county = setup["counties"]["源汇区"]["jurisdiction_id"]
    rows = [
        {"jurisdiction_id": county, "name": f"代表{i:02d}", "sector": sector}
        for i, sector in enumerate(["人大代表"] * 12 + ["服务对象"] * 18)
    ]
    people = [p["person_id"] for p in post(cluster, "/people:batch", {"people": rows})["people"]]
    for person_id in people:
        appoint(cluster, person_id, office_body(county))
    other = setup["counties"]["郾城区"]["jurisdiction_id"]
    outsider = post(
        cluster, "/people", {"jurisdiction_id": other, "name": "外区", "sector": "其他"}
    )
    appoint(cluster, outsider["person_id"], office_body(other))
    old = post(cluster, "/people", {"jurisdiction_id": county, "name": "往届", "sector": "其他"})
    appoint(cluster, old["person_id"], office_body(county), "2024-2025")
    cluster.wait_caught_up("registry", "registry")
    return setup | {"county": county, "people": people}


def new_draw(cluster: Cluster, world: dict[str, Any], **changes: Any) -> dict[str, Any]:
    body = {
        "jurisdiction_id": world["county"],
        "cycle": "2026-2027",
        "size": 10,
        "quotas": {"人大代表": 4, "服务对象": 6},
        "commitment": COMMITMENT,
    } | changes
    return post(cluster, "/draws", body, world["keys"]["源汇区"])


def step(cluster: Cluster, path: str, key: dict[str, str], body: Any = None) -> Any:
    return cluster["registry"].post(path, json=body, headers=key)


@pytest.mark.parametrize("common", ["embedded"], indirect=True)
def test_commit_freeze_reveal_and_anyone_can_check(
    cluster: Cluster, world: dict[str, Any], common: CommonSettings
) -> None:
    office = world["keys"]["源汇区"]
    campaign = open_campaign(cluster, luohe_spec(world["county"]))
    unknown = cluster["registry"].post(
        "/draws",
        headers=ADMIN,
        json={
            "jurisdiction_id": world["county"],
            "campaign_id": "5f0c8a52-8d1e-4c1b-9a49-0e7f3e1d2c3b",
            "cycle": "2026-2027",
            "size": 10,
            "commitment": "0" * 64,
        },
    )
    assert unknown.status_code == 404 and unknown.json()["detail"][0]["field"] == "campaign_id"
    draw = new_draw(cluster, world, campaign_id=campaign["campaign_id"])
    assert (draw["status"], draw["committed_at"] is not None, draw["seed"]) == (
        "committed",
        True,
        None,
    )
    assert draw["quotas"] == {"npc_deputy": 4, "service_user": 6}
    draw_id = draw["draw_id"]
    early = step(cluster, f"/draws/{draw_id}/reveal", office, {"seed": SEED})
    assert early.status_code == 409

    frozen = step(cluster, f"/draws/{draw_id}/pool/freeze", office)
    assert frozen.status_code == 200, frozen.text
    assert frozen.json()["pool_size"] == 30 and frozen.json()["status"] == "frozen"
    assert step(cluster, f"/draws/{draw_id}/pool/freeze", office).status_code == 409

    wrong = step(cluster, f"/draws/{draw_id}/reveal", office, {"seed": "x" * 32})
    assert wrong.status_code == 422 and wrong.json()["detail"][0]["field"] == "seed"
    revealed = step(cluster, f"/draws/{draw_id}/reveal", office, {"seed": SEED})
    assert revealed.status_code == 200, revealed.text
    result = revealed.json()
    assert result["seed"] == SEED and result["status"] == "drawn"
    assert Counter(c["sector"] for c in result["chosen"]) == {"npc_deputy": 4, "service_user": 6}
    assert {c["person_id"] for c in result["chosen"]} <= set(world["people"])
    assert result["committed_at"] <= result["frozen_at"] <= result["revealed_at"]

    audited = cluster["registry"].get(
        f"/draws/{draw_id}", params={"include_pool": "true"}, headers=world["keys"]["auditor"]
    )
    assert audited.status_code == 200
    assert sorted(audited.json()["pool"]) == sorted(world["people"])
    assert verify_draw(common, UUID(draw_id)).passed


def test_draws_are_scoped_and_auditors_write_nothing(
    cluster: Cluster, world: dict[str, Any]
) -> None:
    body = {
        "jurisdiction_id": world["counties"]["郾城区"]["jurisdiction_id"],
        "cycle": "2026",
        "size": 1,
        "commitment": COMMITMENT,
    }
    outside = step(cluster, "/draws", world["keys"]["源汇区"], body)
    assert outside.status_code == 403 and outside.json()["detail"][0]["field"] == "jurisdiction_id"
    assert step(cluster, "/draws", world["keys"]["auditor"], body).status_code == 403
    draw = new_draw(cluster, world)
    assert (
        step(cluster, f"/draws/{draw['draw_id']}/pool/freeze", world["keys"]["auditor"]).status_code
        == 403
    )
    county_draw = post(cluster, "/draws", body)  # admin, in 郾城区
    assert (
        cluster["registry"]
        .get(f"/draws/{county_draw['draw_id']}", headers=world["keys"]["源汇区"])
        .status_code
        == 403
    )


@pytest.mark.parametrize(
    ("changes", "status", "field"),
    [
        ({"quotas": {"人大代表": 4}}, 422, "quotas"),
        ({"quotas": {"外星人": 10}}, 422, "quotas.外星人"),
        ({"commitment": "abc"}, 422, "body.commitment"),
        ({"cycle": "2026-2030"}, 422, "cycle"),
        ({"size": 0}, 422, "body.size"),
    ],
)
def test_bad_draws_are_refused_naming_the_field(
    cluster: Cluster, world: dict[str, Any], changes: dict[str, Any], status: int, field: str
) -> None:
    body = {
        "jurisdiction_id": world["county"],
        "cycle": "2026-2027",
        "size": 10,
        "commitment": COMMITMENT,
    } | changes
    response = step(cluster, "/draws", ADMIN, body)
    assert response.status_code == status, response.text
    assert response.json()["detail"][0]["field"] == field


def test_a_quota_bigger_than_its_stratum_is_refused_at_freeze(
    cluster: Cluster, world: dict[str, Any]
) -> None:
    draw = new_draw(cluster, world, size=13, quotas={"人大代表": 13})
    refused = step(cluster, f"/draws/{draw['draw_id']}/pool/freeze", ADMIN)
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["field"] == "quotas.npc_deputy"
    too_many = new_draw(cluster, world, size=31, quotas=None)
    refused = step(cluster, f"/draws/{too_many['draw_id']}/pool/freeze", ADMIN)
    assert refused.status_code == 422 and refused.json()["detail"][0]["field"] == "size"


@pytest.mark.parametrize("common", ["embedded"], indirect=True)
def test_disqualified_people_sit_on_no_later_panel(
    cluster: Cluster, world: dict[str, Any], common: CommonSettings
) -> None:
    before, after = world["people"][0], world["people"][1]
    post(cluster, f"/people/{before}/disqualification", {"reason": "违纪"}, status=200)
    seed = "another-seed-for-a-whole-pool-draw"
    whole = new_draw(
        cluster, world, size=29, quotas=None, commitment=hashlib.sha256(seed.encode()).hexdigest()
    )
    five = new_draw(cluster, world, size=5, quotas=None)
    for draw in (whole, five):
        frozen = step(cluster, f"/draws/{draw['draw_id']}/pool/freeze", ADMIN).json()
        assert frozen["pool_size"] == 29 and before not in (frozen["pool"] or [])
    post(cluster, f"/people/{after}/disqualification", {"reason": "违纪"}, status=200)

    # All 29 would need the person disqualified since the freeze: refused, naming size.
    short = step(cluster, f"/draws/{whole['draw_id']}/reveal", ADMIN, {"seed": seed})
    assert short.status_code == 422 and short.json()["detail"][0]["field"] == "size"
    revealed = step(cluster, f"/draws/{five['draw_id']}/reveal", ADMIN, {"seed": SEED}).json()
    chosen = {c["person_id"] for c in revealed["chosen"]}
    assert before not in chosen and after not in chosen and len(chosen) == 5
    assert revealed["excluded"] == [after]
    assert verify_draw(common, UUID(five["draw_id"])).passed

    later = new_draw(cluster, world, size=5, quotas=None)
    pool = step(cluster, f"/draws/{later['draw_id']}/pool/freeze", ADMIN).json()
    assert pool["pool_size"] == 28


def test_an_idempotency_key_returns_the_first_draw(cluster: Cluster, world: dict[str, Any]) -> None:
    body = {
        "jurisdiction_id": world["county"],
        "cycle": "2026",
        "size": 3,
        "commitment": COMMITMENT,
    }
    first = post(cluster, "/draws", body, **{"Idempotency-Key": "draw-1"})
    again = post(cluster, "/draws", body, **{"Idempotency-Key": "draw-1"})
    assert again == first


@pytest.mark.parametrize("common", ["embedded"], indirect=True)
def test_one_person_registered_by_two_counties_sits_in_a_citys_pool_once(
    cluster: Cluster, world: dict[str, Any], common: CommonSettings
) -> None:
    """Each county sees only its own contacts, so both may register the same representative;
    the city's pool holds them once, by the earliest registration (pool rule 2), and
    `pingyi verify-draw` re-derives the same pool."""
    counties = {name: world["counties"][name]["jurisdiction_id"] for name in ("源汇区", "郾城区")}
    keys = world["keys"] | {"郾城区": office(cluster, "郾城区纠风办", counties["郾城区"])}
    phone = "13900139001"
    twice = [
        person(cluster, county, "王代表", contact=phone, key=keys[name])["person_id"]
        for name, county in counties.items()
    ]
    for (name, county), person_id in zip(counties.items(), twice, strict=True):
        appoint(cluster, person_id, office_body(county), key=keys[name])
    cluster.wait_caught_up("registry", "registry")
    city_draw = post(
        cluster,
        "/draws",
        {
            "jurisdiction_id": world["city"]["jurisdiction_id"],
            "cycle": "2026-2027",
            "size": 5,
            "commitment": COMMITMENT,
        },
    )
    assert city_draw["pool_rule"] == 2
    draw_id = city_draw["draw_id"]
    assert step(cluster, f"/draws/{draw_id}/pool/freeze", ADMIN).status_code == 200
    pool = (
        cluster["registry"]
        .get(f"/draws/{draw_id}", params={"include_pool": "true"}, headers=ADMIN)
        .json()["pool"]
    )
    assert twice[0] in pool and twice[1] not in pool
    # 源汇区's 30 and the outsider of 郾城区 (fixture), and 王代表 once.
    assert len(pool) == len(world["people"]) + 2
    assert step(cluster, f"/draws/{draw_id}/reveal", ADMIN, {"seed": SEED}).status_code == 200
    assert verify_draw(common, UUID(draw_id)).passed


@pytest.mark.parametrize(
    "quotas",
    [
        {"人大代表": 4, "人大代表 ": 6},
        {"人大代表": 4, "\u3000人大代表": 6},
        {"人大代表": 4, "人大 代表": 6},
        {"人大代表": 4, "npc_deputy": 6},
        {"npc_deputy": 4, "ＮＰＣ_deputy": 6},
    ],
)
def test_two_quota_keys_naming_one_sector_are_refused_not_merged(
    cluster: Cluster, world: dict[str, Any], quotas: dict[str, int]
) -> None:
    """Before, the request model stripped the keys and kept the last count: {"人大代表": 4,
    "人大代表 ": 6} became {"人大代表": 6}, accepted as is when the size was 6."""
    body = {"jurisdiction_id": world["county"], "cycle": "2026-2027", "commitment": COMMITMENT}
    response = step(cluster, "/draws", ADMIN, body | {"size": 6, "quotas": quotas})
    assert response.status_code == 422, response.text
    detail = response.json()["detail"][0]
    assert detail["field"] == "body.quotas" and "同一界别重复" in detail["reason"], detail


def test_a_sector_is_read_as_names_are_whatever_its_spacing_or_width(
    cluster: Cluster, world: dict[str, Any]
) -> None:
    body = {"jurisdiction_id": world["county"], "cycle": "2026-2027", "commitment": COMMITMENT}
    response = step(cluster, "/draws", ADMIN, body | {"size": 6, "quotas": {" 人大 代表 ": 6}})
    assert response.status_code == 201, response.text
    assert response.json()["quotas"] == {"npc_deputy": 6}
    person = {"jurisdiction_id": world["county"], "name": "代表甲", "sector": "ｎｐｃ_deputy"}
    assert post(cluster, "/people", person)["sector"] == "npc_deputy"
    other = {"jurisdiction_id": world["county"], "name": "代表乙", "sector": "其它"}
    assert post(cluster, "/people", other)["sector"] == "other"
