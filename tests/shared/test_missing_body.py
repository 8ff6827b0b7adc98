"""A required JSON body that is not there at all is refused naming the fields `{}` lacks
(`body.reason 必填`), not the whole `body`: on any service's route with a body model
(survey's void and withdraw, registry's new jurisdiction), on scoring's `POST /schemes`
that reads its own body. (JSON `null` is a body sent: FastAPI says it is not an object.)"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import in_memory
from tests.harness import ADMIN, Cluster
from tests.survey.helpers import open_wave, seed_world

JSON = {"Content-Type": "application/json"}
REQUIRED = "必填 (Field required)"


@pytest.fixture(scope="module")
def placed() -> Iterator[tuple[Cluster, str]]:
    with Cluster(in_memory(), ["registry", "survey", "scoring"]) as cluster:
        world = seed_world(cluster)
        yield cluster, str(open_wave(cluster, world)["wave_id"])


def _routes(wave_id: str) -> dict[str, tuple[str, str, list[str]]]:
    """Service, path and the fields `{}` is refused naming."""
    wave = f"/waves/{wave_id}"
    return {
        "void": ("survey", f"{wave}/questionnaires/{uuid.uuid4()}/void", ["body.reason"]),
        "withdraw": ("survey", f"{wave}/batches/{uuid.uuid4()}/withdraw", ["body.reason"]),
        "close": ("survey", f"{wave}/close", ["body.reason"]),
        "jurisdiction": ("registry", "/jurisdictions", ["body.name", "body.level"]),
        "scheme": ("scoring", "/schemes", ["body.document", "body.reason"]),
    }


def _named(response: Any) -> list[tuple[str, str, str]]:
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["error"] == "validation_failed", body
    return [(d["field"], d["reason"], d["code"]) for d in body["detail"]]


@pytest.mark.parametrize("route", ["void", "withdraw", "close", "jurisdiction", "scheme"])
def test_a_missing_body_names_the_fields_an_empty_object_lacks(
    placed: tuple[Cluster, str], route: str
) -> None:
    cluster, wave_id = placed
    service, path, fields = _routes(wave_id)[route]
    client = cluster[service]
    empty = _named(client.post(path, json={}, headers=ADMIN))
    assert empty == [(field, REQUIRED, "missing") for field in fields]
    assert _named(client.post(path, headers=ADMIN | JSON)) == empty


def test_a_survey_body_sent_without_a_content_type_is_read_as_json(
    placed: tuple[Cluster, str],
) -> None:
    cluster, wave_id = placed
    path = _routes(wave_id)["void"][1]
    refused = cluster["survey"].post(path, headers=ADMIN)
    assert _named(refused) == [("body.reason", REQUIRED, "missing")]


def test_other_problems_of_the_request_are_kept_beside_the_fields(
    placed: tuple[Cluster, str],
) -> None:
    """Only the body's own `missing` is replaced: a bad path parameter is still named."""
    cluster, wave_id = placed
    refused = cluster["survey"].post(
        f"/waves/{wave_id}/questionnaires/not-a-uuid/void", headers=ADMIN | JSON
    )
    fields = [field for field, _, _ in _named(refused)]
    assert fields == ["path.response_id", "body.reason"]
