"""Survey API in memory mode (the registry read from the running registry service)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import uuid4

import pytest

from tests.harness import ADMIN, Cluster
from tests.survey.helpers import (
    COLLECTED_AT,
    World,
    error_fields,
    open_wave,
    push,
    questionnaire,
    response_count,
    wave_body,
)


def _qs(world: World, *ids: str, rating: str = "满意") -> list[dict[str, object]]:
    return [questionnaire(qid, world.unit_ids, rating) for qid in ids]


# --- waves ----------------------------------------------------------------------------------


def test_office_opens_a_wave_in_its_jurisdiction(cluster: Cluster, world: World) -> None:
    wave = open_wave(cluster, world)
    assert wave["status"] == "open"
    assert wave["name"] == "2024年度民主评议政风行风问卷测评"
    assert (wave["jurisdiction_id"], wave["agency_id"]) == (
        world.county_id,
        world.agency.principal_id,
    )
    assert wave["unit_ids"] == world.unit_ids

    fetched = cluster["survey"].get(
        f"/waves/{wave['wave_id']}", headers=world.county_office.headers
    )
    assert fetched.status_code == 200
    nothing = dict.fromkeys(("counted", "quarantined", "rejected", "voided", "withdrawn"), 0)
    assert fetched.json() == wave | {
        "response_count": 0,
        "closed_reason": None,
        "accepted": 0,
        "questionnaires_by_status": nothing,
    }


def test_city_office_opens_a_wave_over_units_of_its_counties(
    cluster: Cluster, world: World
) -> None:
    units = [*world.unit_ids, world.other_county_unit_id]
    wave = open_wave(
        cluster, world, world.city_office.headers, jurisdiction_id=world.city_id, unit_ids=units
    )
    assert wave["unit_ids"] == units


INVALID_WAVES: dict[str, tuple[Callable[[World], dict[str, Any]], str]] = {
    "unknown unit": (lambda w: {"unit_ids": [w.unit_ids[0], str(uuid4())]}, "unit_ids.1"),
    "unit of another county": (lambda w: {"unit_ids": [w.other_county_unit_id]}, "unit_ids.0"),
    "unit twice": (lambda w: {"unit_ids": [w.unit_ids[0], w.unit_ids[0]]}, "unit_ids.1"),
    "no units": (lambda w: {"unit_ids": []}, "unit_ids"),
    "agency is an office": (lambda w: {"agency_id": w.county_office.principal_id}, "agency_id"),
    "unknown agency": (lambda w: {"agency_id": str(uuid4())}, "agency_id"),
    "blank name": (lambda w: {"name": " "}, "body.name"),
}


@pytest.mark.parametrize("case", INVALID_WAVES)
def test_invalid_wave_is_refused_naming_the_field(
    cluster: Cluster, world: World, case: str
) -> None:
    overrides, field = INVALID_WAVES[case]
    response = cluster["survey"].post(
        "/waves", json=wave_body(world, **overrides(world)), headers=world.county_office.headers
    )
    assert response.status_code == 422, response.text
    assert error_fields(response) == [field]


def test_open_wave_with_idempotency_key_returns_the_first_wave(
    cluster: Cluster, world: World
) -> None:
    headers = world.county_office.headers | {"Idempotency-Key": "wave-2024"}
    first = cluster["survey"].post("/waves", json=wave_body(world), headers=headers)
    again = cluster["survey"].post("/waves", json=wave_body(world), headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    other = cluster["survey"].post(
        "/waves", json=wave_body(world, name="另一批次"), headers=headers
    )
    assert other.status_code == 409
    cluster.wait_caught_up("survey", "survey")
    assert len(cluster["survey"].get("/waves", headers=ADMIN).json()) == 1


def test_wave_list_is_scoped_to_the_caller(cluster: Cluster, world: World) -> None:
    mine = open_wave(cluster, world)
    theirs = open_wave(
        cluster,
        world,
        world.other_county_office.headers,
        jurisdiction_id=world.other_county_id,
        unit_ids=[world.other_county_unit_id],
        agency_id=world.other_agency.principal_id,
    )
    cluster.wait_caught_up("survey", "survey")

    def listed(headers: dict[str, str]) -> set[str]:
        response = cluster["survey"].get("/waves", headers=headers)
        assert response.status_code == 200
        return {w["wave_id"] for w in response.json()}

    both = {mine["wave_id"], theirs["wave_id"]}
    assert listed(world.auditor.headers) == both
    assert listed(ADMIN) == both
    assert listed(world.city_office.headers) == both
    assert listed(world.county_office.headers) == {mine["wave_id"]}
    assert listed(world.agency.headers) == {mine["wave_id"]}
    assert listed(world.other_agency.headers) == {theirs["wave_id"]}


# --- questionnaires -------------------------------------------------------------------------


def test_agency_pushes_a_batch(cluster: Cluster, world: World, wave: dict[str, str]) -> None:
    response = push(cluster, wave["wave_id"], _qs(world, "Q1", "Q2", "Q3"), world.agency.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert {k: body[k] for k in ("wave_id", "accepted", "duplicates", "rejected")} == {
        "wave_id": wave["wave_id"],
        "accepted": 3,
        "duplicates": 0,
        "rejected": 0,
    }
    assert body["problems"] == [] and body["batch_id"] is not None
    assert response_count(cluster, wave["wave_id"]) == 3


def test_repushed_questionnaires_with_same_content_are_counted_as_duplicates(
    cluster: Cluster, world: World, wave: dict[str, str]
) -> None:
    assert (
        push(cluster, wave["wave_id"], _qs(world, "Q1", "Q2"), world.agency.headers).json()[
            "accepted"
        ]
        == 2
    )
    # Same instant written with another offset is the same questionnaire.
    again = _qs(world, "Q1", "Q2", "Q3")
    again[0]["collected_at"] = COLLECTED_AT.astimezone().isoformat()
    response = push(cluster, wave["wave_id"], again, world.agency.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["accepted"], body["duplicates"]) == (1, 2)
    assert body["duplicate_questionnaire_ids"] == ["Q1", "Q2"]
    assert response_count(cluster, wave["wave_id"]) == 3


def test_repushed_questionnaire_with_other_answers_is_a_row_problem(
    cluster: Cluster, world: World, wave: dict[str, str]
) -> None:
    push(cluster, wave["wave_id"], _qs(world, "Q1"), world.agency.headers)
    batch = [*_qs(world, "Q9"), *_qs(world, "Q1", rating="不满意")]
    response = push(cluster, wave["wave_id"], batch, world.agency.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["accepted"] == 1
    assert [(p["row"], p["field"], p["code"]) for p in body["problems"]] == [
        (1, "questionnaires.1.questionnaire_id", "questionnaire_conflict")
    ]
    assert response_count(cluster, wave["wave_id"]) == 2


def test_idempotency_key_replays_the_identical_first_response(
    cluster: Cluster, world: World, wave: dict[str, str]
) -> None:
    batch = _qs(world, "Q1", "Q2")
    first = push(cluster, wave["wave_id"], batch, world.agency.headers, key="push-001")
    again = push(cluster, wave["wave_id"], batch, world.agency.headers, key="push-001")
    assert first.status_code == again.status_code == 200
    assert first.content == again.content
    assert again.json()["accepted"] == 2
    changed = push(cluster, wave["wave_id"], _qs(world, "Q3"), world.agency.headers, key="push-001")
    assert changed.status_code == 409
    assert error_fields(changed) == ["Idempotency-Key"]
    assert response_count(cluster, wave["wave_id"]) == 2


def test_new_key_over_stored_questionnaires_takes_the_duplicate_path(
    cluster: Cluster, world: World, wave: dict[str, str]
) -> None:
    push(cluster, wave["wave_id"], _qs(world, "Q1"), world.agency.headers, key="a")
    response = push(cluster, wave["wave_id"], _qs(world, "Q1", "Q2"), world.agency.headers, key="b")
    assert response.status_code == 200, response.text
    assert (response.json()["accepted"], response.json()["duplicate_questionnaire_ids"]) == (
        1,
        ["Q1"],
    )
    replay = push(cluster, wave["wave_id"], _qs(world, "Q1", "Q2"), world.agency.headers, key="b")
    assert replay.content == response.content


def test_rating_for_a_unit_outside_the_wave_names_the_field(
    cluster: Cluster, world: World, wave: dict[str, str]
) -> None:
    batch = _qs(world, "Q1", "Q2")
    batch[1]["ratings"] = {world.other_county_unit_id: "满意"}
    response = push(cluster, wave["wave_id"], batch, world.agency.headers)
    assert response.status_code == 200
    problems = response.json()["problems"]
    assert [(p["field"], p["code"]) for p in problems] == [
        (f"questionnaires.1.ratings.{world.other_county_unit_id}", "unknown_unit_in_wave")
    ]
    assert response_count(cluster, wave["wave_id"]) == 1


def test_questionnaire_id_repeated_in_a_batch_is_refused(
    cluster: Cluster, world: World, wave: dict[str, str]
) -> None:
    response = push(cluster, wave["wave_id"], _qs(world, "Q1", "Q2", "Q1"), world.agency.headers)
    assert response.status_code == 200
    problems = response.json()["problems"]
    assert [(p["field"], p["code"]) for p in problems] == [
        ("questionnaires.2.questionnaire_id", "repeated")
    ]


@pytest.mark.parametrize(
    ("change", "field_part"),
    [
        ({"collected_at": "2024-11-05T10:30:00"}, "questionnaires.0.collected_at"),
        ({"ratings": {}}, "questionnaires.0.ratings"),
        ({"ratings": "bad-level"}, "questionnaires.0.ratings"),
        ({"questionnaire_id": ""}, "questionnaires.0.questionnaire_id"),
        ({"questionnaire_id": "Q" * 101}, "questionnaires.0.questionnaire_id"),
        ({"extra": 1}, "questionnaires.0.extra"),
    ],
)
def test_malformed_questionnaire_names_the_field(
    cluster: Cluster,
    world: World,
    wave: dict[str, str],
    change: dict[str, object],
    field_part: str,
) -> None:
    q = questionnaire("Q1", world.unit_ids)
    if change.get("ratings") == "bad-level":
        change = {"ratings": {world.unit_ids[0]: "非常满意"}}
    response = push(cluster, wave["wave_id"], [q | change], world.agency.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["accepted"] == 0
    assert any(field_part in p["field"] for p in body["problems"]), body


def test_batch_size_is_limited(cluster: Cluster, world: World, wave: dict[str, str]) -> None:
    too_many = [{"questionnaire_id": f"Q{i}"} for i in range(10_001)]
    response = push(cluster, wave["wave_id"], too_many, world.agency.headers)
    assert response.status_code == 422
    assert error_fields(response) == ["body.questionnaires"]
    empty = push(cluster, wave["wave_id"], [], world.agency.headers)
    assert empty.status_code == 422


def test_push_into_unknown_wave_is_404(cluster: Cluster, world: World) -> None:
    response = push(cluster, str(uuid4()), _qs(world, "Q1"), world.agency.headers)
    assert response.status_code == 404
    assert response.json()["error"] == "wave_not_found"


# --- who may do what ------------------------------------------------------------------------


def test_only_the_waves_agency_or_an_admin_pushes(
    cluster: Cluster, world: World, wave: dict[str, str]
) -> None:
    wave_id = wave["wave_id"]
    for headers in (world.other_agency.headers, world.auditor.headers, world.county_office.headers):
        response = push(cluster, wave_id, _qs(world, "Q1"), headers)
        assert response.status_code == 403, response.text
    # The agency is told why, by the rule that refused it (not "outside your jurisdiction").
    refused = push(cluster, wave_id, _qs(world, "Q1"), world.other_agency.headers).json()
    # The kernel's words (Chinese first where shared/policy says them so), the rule named.
    assert (
        "only the agencies accredited to this survey wave may act on it"
        in refused["detail"][0]["reason"]
    )
    assert push(cluster, wave_id, _qs(world, "Q1"), ADMIN).status_code == 200
    assert response_count(cluster, wave_id) == 1


def test_wave_reads_are_scoped(cluster: Cluster, world: World, wave: dict[str, str]) -> None:
    path = f"/waves/{wave['wave_id']}"
    for allowed in (world.agency, world.auditor, world.county_office, world.city_office):
        assert cluster["survey"].get(path, headers=allowed.headers).status_code == 200
    for denied in (world.other_agency, world.other_county_office):
        assert cluster["survey"].get(path, headers=denied.headers).status_code == 403
    assert cluster["survey"].get(path).status_code == 401
    assert cluster["survey"].get(f"/waves/{uuid4()}", headers=ADMIN).status_code == 404


def test_auditor_and_agencies_do_not_open_or_close_waves(
    cluster: Cluster, world: World, wave: dict[str, str]
) -> None:
    for caller in (world.auditor, world.agency):
        opened = cluster["survey"].post("/waves", json=wave_body(world), headers=caller.headers)
        assert opened.status_code == 403
        closed = cluster["survey"].post(
            f"/waves/{wave['wave_id']}/close", json={"reason": "x"}, headers=caller.headers
        )
        assert closed.status_code == 403


def test_office_outside_the_jurisdiction_is_refused(
    cluster: Cluster, world: World, wave: dict[str, str]
) -> None:
    office = world.other_county_office.headers
    opened = cluster["survey"].post("/waves", json=wave_body(world), headers=office)
    assert opened.status_code == 403
    assert error_fields(opened) == ["jurisdiction_id"]
    closed = cluster["survey"].post(
        f"/waves/{wave['wave_id']}/close", json={"reason": "越权"}, headers=office
    )
    assert closed.status_code == 403
    assert (
        cluster["survey"].get(f"/waves/{wave['wave_id']}", headers=ADMIN).json()["status"] == "open"
    )


# --- closing --------------------------------------------------------------------------------


def test_closed_wave_refuses_questionnaires(
    cluster: Cluster, world: World, wave: dict[str, str]
) -> None:
    wave_id = wave["wave_id"]
    push(cluster, wave_id, _qs(world, "Q1"), world.agency.headers)
    closed = cluster["survey"].post(
        f"/waves/{wave_id}/close",
        json={"reason": "问卷回收完毕"},
        headers=world.county_office.headers,
    )
    assert closed.status_code == 200, closed.text
    assert closed.json()["status"] == "closed"

    late = push(cluster, wave_id, _qs(world, "Q2"), world.agency.headers)
    assert late.status_code == 409
    assert late.json()["error"] == "wave_closed"
    again = cluster["survey"].post(
        f"/waves/{wave_id}/close", json={"reason": "again"}, headers=world.county_office.headers
    )
    assert again.status_code == 409

    cluster.wait_caught_up("survey", "survey")
    detail = cluster["survey"].get(f"/waves/{wave_id}", headers=world.auditor.headers).json()
    assert (detail["status"], detail["closed_reason"], detail["response_count"]) == (
        "closed",
        "问卷回收完毕",
        1,
    )
    listed = cluster["survey"].get("/waves", headers=world.auditor.headers).json()
    assert [w["status"] for w in listed] == ["closed"]


def test_a_dissolved_unit_cannot_be_surveyed(cluster: Cluster, world: World) -> None:
    unit_id = world.unit_ids[0]
    dissolved = cluster["registry"].post(
        f"/units/{unit_id}/dissolve", json={"reason": "机构改革撤销"}, headers=ADMIN
    )
    assert dissolved.status_code == 200, dissolved.text
    cluster.wait_caught_up("survey", "registry")
    response = cluster["survey"].post(
        "/waves", json=wave_body(world), headers=world.county_office.headers
    )
    assert response.status_code == 422
    assert error_fields(response) == ["unit_ids.0"]
    assert "dissolved" in response.json()["detail"][0]["reason"]
