"""What the representatives' routes accept and answer: the same masked contact on every
answer, contacts that can reach someone, trainings that have been held."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest

from services.registry.application import RegistryApplication
from services.registry.domain import InvalidRegistration, Person
from services.registry.domain.units import china_today
from tests.harness import ADMIN, IN_MEMORY, Cluster
from tests.registry.helpers import city_with_counties, post
from tests.registry.people_helpers import office_body, person
from tests.registry.units_helpers import refused
from tests.stored_events import created, following, store

JURISDICTION = UUID(int=1)
PHONE = "13811112222"
MASKED = "138****2222"


@pytest.fixture
def world(cluster: Cluster) -> dict[str, Any]:
    setup = city_with_counties(cluster)
    cluster.wait_caught_up("registry", "registry")
    return setup


def test_every_answer_about_a_person_masks_the_contact_alike(
    cluster: Cluster, world: dict[str, Any]
) -> None:
    county = world["counties"]["源汇区"]["jurisdiction_id"]
    office = world["keys"]["源汇区"]
    someone = person(cluster, county, "李秀英", contact=PHONE, key=office)
    path = f"/people/{someone['person_id']}"
    training = {"held_on": "2026-03-01", "topic": "评议业务培训", "hours": "2"}
    appointment = {"body": office_body(county), "cycle": "2026-2027"}
    batch = {"people": [{"jurisdiction_id": county, "name": "王强", "contact": "13922223333"}]}
    batch["people"][0]["sector"] = "人大代表"
    answers = [
        someone,
        post(cluster, f"{path}/trainings", training, office, status=200),
        post(cluster, f"{path}/appointments", appointment, office, status=200),
        post(cluster, f"{path}/disqualification", {"reason": "违反纪律"}, office, status=200),
        post(cluster, "/people:batch", batch, office)["people"][0],
    ]
    read = cluster["registry"].get(path, headers=office).json()
    assert read["contact_masked"] == MASKED
    assert [(a["has_contact"], a["contact_masked"]) for a in answers] == [
        *[(True, MASKED)] * 4,
        (True, "139****3333"),
    ]
    # Auditors learn that a contact exists, never what it is, on reads as before.
    audited = cluster["registry"].get(path, headers=world["keys"]["auditor"]).json()
    assert (audited["has_contact"], audited["contact_masked"]) == (True, None)


@pytest.mark.parametrize(
    "contact",
    [
        "13811112222",
        "+86 138 1111 2222",
        "0086-138-1111-2222",
        "86 13811112222",
        "１３８１１１１２２２２",
        "0395-3123456",
        "(010) 6512 3456",
        "zhang.san@example.cn",
    ],
)
def test_a_mobile_a_landline_or_an_email_is_a_contact(
    cluster: Cluster, world: dict[str, Any], contact: str
) -> None:
    city = world["city"]["jurisdiction_id"]
    assert person(cluster, city, "张三", contact=contact)["has_contact"] is True


@pytest.mark.parametrize(
    "contact", ["abc", "12345678901", "1381111222", "138111122223", "0395-123456", "张三@", "12345"]
)
def test_anything_else_is_refused_naming_contact(
    cluster: Cluster, world: dict[str, Any], contact: str
) -> None:
    body = {"jurisdiction_id": world["city"]["jurisdiction_id"], "name": "张三", "sector": "其他"}
    response = cluster["registry"].post("/people", json=body | {"contact": contact}, headers=ADMIN)
    assert refused(response, 422, "contact")["error"] == "invalid_registration"
    batch = {"people": [body | {"contact": PHONE}, body | {"contact": contact}]}
    response = cluster["registry"].post("/people:batch", json=batch, headers=ADMIN)
    refused(response, 422, "people.1.contact")


def test_a_training_is_recorded_once_held(cluster: Cluster, world: dict[str, Any]) -> None:
    someone = person(cluster, world["city"]["jurisdiction_id"], "赵敏")
    path = f"/people/{someone['person_id']}/trainings"
    tomorrow = (china_today() + timedelta(days=1)).isoformat()
    for day in ("2099-01-01", tomorrow):
        body = {"held_on": day, "topic": "培训", "hours": "1"}
        response = cluster["registry"].post(path, json=body, headers=ADMIN)
        assert "in the future" in refused(response, 422, "held_on")["detail"][0]["reason"]
    today = {"held_on": china_today().isoformat(), "topic": "培训", "hours": "1"}
    assert post(cluster, path, today, status=200)["trainings"][0]["held_on"] == today["held_on"]


def test_the_domain_refuses_a_future_training_naming_held_on() -> None:
    someone = Person.register(JURISDICTION, "赵敏", "其他", "office:x")
    with pytest.raises(InvalidRegistration) as raised:
        someone.record_training(
            date(2026, 3, 2), "培训", Decimal(1), "office:x", today=date(2026, 3, 1)
        )
    assert raised.value.field == "held_on"


def test_a_future_training_stored_before_the_rule_still_loads() -> None:
    app = RegistryApplication(IN_MEMORY)
    registered = created(
        Person,
        Person.Registered,
        jurisdiction_id=JURISDICTION,
        name="赵敏",
        sector="other",
        contact_hash=None,
        contact_sealed=None,
        contact_key_id=None,
        actor="office:x",
    )
    trained = following(
        registered,
        Person.TrainingRecorded,
        held_on="2099-01-01",
        topic="培训",
        hours=Decimal(1),
        actor="office:x",
    )
    store(app, registered, trained)
    loaded = app.repository.get(registered.originator_id)
    assert [t.held_on for t in loaded.trainings] == ["2099-01-01"]
