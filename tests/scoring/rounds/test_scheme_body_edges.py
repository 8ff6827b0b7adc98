"""`POST /schemes` reads its own body (JSON or YAML) and answers a body that is not there, or
not an object, as every other route does (`shared.web.missing_body`; here compared with
`PUT …/scheme`, an ordinary route): JSON `null` (and YAML's) is `body` 须为对象; no bytes,
or YAML text with no document (blank lines, comments), is what `{}` is, each required field
by name. What-if, whose body FastAPI reads, answers alike. Never a 500."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.harness import Cluster
from tests.scoring.rounds.helpers import Round, caught_up, round_cluster

JSON = {"Content-Type": "application/json"}
YAML = {"Content-Type": "application/yaml"}
NOT_AN_OBJECT = [("body", "model_attributes_type")]
SCHEME_FIELDS = [("body.document", "missing"), ("body.reason", "missing")]


@pytest.fixture(scope="module")
def campaign() -> Iterator[tuple[Cluster, Round]]:
    with round_cluster() as (cluster, rnd):
        caught_up(cluster)
        yield cluster, rnd


def _named(response: Any) -> list[tuple[str, str]]:
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["error"] == "validation_failed", body
    return [(d["field"], d["code"]) for d in body["detail"]]


def _post(cluster: Cluster, rnd: Round, body: bytes, headers: dict[str, str]) -> Any:
    return cluster["scoring"].post(
        "/schemes", content=body, headers=rnd.world.county_office.headers | headers
    )


def test_an_ordinary_route_is_what_schemes_are_held_to(campaign: tuple[Cluster, Round]) -> None:
    cluster, rnd = campaign
    path = f"/campaigns/{rnd.campaign_id}/scheme"
    headers = rnd.world.county_office.headers | JSON
    null = _named(cluster["scoring"].put(path, content=b"null", headers=headers))
    assert null == NOT_AN_OBJECT
    empty = _named(cluster["scoring"].put(path, content=b"", headers=headers))
    assert empty == _named(cluster["scoring"].put(path, content=b"{}", headers=headers))
    assert {field for field, _ in empty} == {"body.scheme_id", "body.version", "body.reason"}


@pytest.mark.parametrize(
    ("body", "headers"),
    [(b"null", JSON), (b"null", YAML), (b"~\n", YAML), (b"---\n", YAML)],
    ids=["json null", "yaml null", "yaml tilde", "yaml empty document"],
)
def test_null_is_not_an_object(
    campaign: tuple[Cluster, Round], body: bytes, headers: dict[str, str]
) -> None:
    cluster, rnd = campaign
    response = _post(cluster, rnd, body, headers)
    assert _named(response) == NOT_AN_OBJECT
    assert response.json()["detail"][0]["reason"].startswith("须为对象")


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        (b"", JSON),
        (b"", {}),
        (b"", YAML),
        (b"  \n\n", YAML),
        ("# 只有注释\n  # comment\n".encode(), YAML),
    ],
    ids=["json", "no content type", "yaml", "yaml blank", "yaml comments"],
)
def test_a_missing_body_is_answered_as_an_empty_object(
    campaign: tuple[Cluster, Round], body: bytes, headers: dict[str, str]
) -> None:
    cluster, rnd = campaign
    empty = _post(cluster, rnd, b"{}", JSON)
    assert _named(empty) == SCHEME_FIELDS
    response = _post(cluster, rnd, body, headers)
    assert response.json() == empty.json()


def test_what_if_answers_the_same_cases_alike(campaign: tuple[Cluster, Round]) -> None:
    cluster, rnd = campaign
    path = f"/campaigns/{rnd.campaign_id}/rounds/1/what-if"
    headers = rnd.world.county_office.headers | JSON
    assert _named(cluster["scoring"].post(path, content=b"null", headers=headers)) == (
        NOT_AN_OBJECT
    )
    for body in (b"", b"{}"):
        answer = cluster["scoring"].post(path, content=body, headers=headers)
        assert _named(answer) == [("body.document", "missing")]
