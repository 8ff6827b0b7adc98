"""A representative's contact is unique among the representatives the registering office may
see, and nothing an office is answered tells whether another county has it: registration,
batches and the import's dry run alike."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import pytest

from services.registry.application import RegistryApplication
from services.registry.domain.people import ContactClaim, ContactHolder
from tests.harness import ADMIN, IN_MEMORY, Cluster
from tests.registry.helpers import city_with_counties, office
from tests.registry.import_helpers import csv_bytes, upload
from tests.stored_events import created, store

PHONE = "13812345678"


@pytest.fixture
def world(cluster: Cluster) -> dict[str, Any]:
    setup = city_with_counties(cluster)
    setup["keys"]["郾城区"] = office(
        cluster, "郾城区纠风办", setup["counties"]["郾城区"]["jurisdiction_id"]
    )
    cluster.wait_caught_up("registry", "registry")
    return setup


def register(
    cluster: Cluster, world: dict[str, Any], where: str, key: str, contact: str, name: str = "孙丽"
) -> Any:
    place = world["city"] if where == "city" else world["counties"][where]
    body = {"jurisdiction_id": place["jurisdiction_id"], "name": name, "sector": "人大代表"}
    headers = world["keys"][key] if key != "admin" else ADMIN
    return cluster["registry"].post("/people", json=body | {"contact": contact}, headers=headers)


def test_another_countys_representative_makes_no_difference_to_the_answer(
    cluster: Cluster, world: dict[str, Any]
) -> None:
    first = register(cluster, world, "源汇区", "源汇区", PHONE)
    assert first.status_code == 201, first.text
    # 郾城区's office cannot see 源汇区's pool: a phone held there is answered as a new one.
    held_elsewhere = register(cluster, world, "郾城区", "郾城区", "138-1234-5678")
    never_seen = register(cluster, world, "郾城区", "郾城区", "13900000009", name="钱伟")
    assert (held_elsewhere.status_code, never_seen.status_code) == (201, 201)
    assert set(held_elsewhere.json()) == set(never_seen.json())
    mine = held_elsewhere.json()["person_id"]
    # Within each office's own sight, one human is one record: naming the one it may see.
    for where, key, holder in [
        ("郾城区", "郾城区", mine),
        ("源汇区", "源汇区", first.json()["person_id"]),
    ]:
        again = register(cluster, world, where, key, f"+86 {PHONE}")
        assert again.status_code == 409, again.text
        detail = again.json()["detail"][0]
        assert (again.json()["error"], detail["field"]) == ("duplicate_contact", "contact")
        assert detail["context"]["person_id"] == holder
    # The city office and admins see both counties: a third record is refused.
    for where, key in [("city", "city"), ("郾城区", "city"), ("源汇区", "admin")]:
        again = register(cluster, world, where, key, PHONE)
        assert again.status_code == 409, again.text
        assert again.json()["detail"][0]["context"]["person_id"] in {
            first.json()["person_id"],
            mine,
        }


def test_a_batch_and_an_import_dry_run_answer_the_same_way(
    cluster: Cluster, world: dict[str, Any]
) -> None:
    assert register(cluster, world, "源汇区", "源汇区", PHONE).status_code == 201
    other = world["counties"]["郾城区"]["jurisdiction_id"]
    rows = [["姓名", "界别", "联系方式"], ["孙丽", "人大代表", PHONE]]
    for key, errors in [("源汇区", [(2, "联系方式")]), ("郾城区", [])]:
        place = world["counties"][key]["jurisdiction_id"]
        dry = upload(
            cluster,
            "/imports/representatives",
            csv_bytes(rows),
            key=world["keys"][key],
            jurisdiction_id=place,
            dry_run=True,
        )
        assert dry.status_code == 200, dry.text
        assert [(e["row"], e["column"]) for e in dry.json()["errors"]] == errors
    batch = {"people": [{"jurisdiction_id": other, "name": "孙丽", "sector": "其他"}]}
    batch["people"][0]["contact"] = PHONE
    done = cluster["registry"].post("/people:batch", json=batch, headers=world["keys"]["郾城区"])
    assert done.status_code == 201, done.text


def test_a_claim_stored_with_its_first_holder_only_still_loads() -> None:
    """Claims made before further holders were recorded: the first holder is their only one."""
    app = RegistryApplication(IN_MEMORY)
    person_id, jurisdiction_id = uuid4(), uuid4()
    claimed = created(
        ContactClaim,
        ContactClaim.Claimed,
        originator_id=ContactClaim.id_for("hash"),
        contact_hash="hash",
        person_id=person_id,
        jurisdiction_id=jurisdiction_id,
    )
    store(app, claimed)
    claim = app.repository.get(ContactClaim.id_for("hash"))
    assert isinstance(claim, ContactClaim)
    assert claim.holders == [ContactHolder(person_id, jurisdiction_id)]
    elsewhere = (uuid4(), uuid4())
    claim.add_holder(*elsewhere)
    app.save(claim)
    loaded = app.repository.get(claim.id)
    assert loaded.holders == [ContactHolder(person_id, jurisdiction_id), ContactHolder(*elsewhere)]
