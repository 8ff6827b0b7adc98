"""Query parameters a route does not take, or takes once and is given twice, are refused
after the route's policy (shared/web/query_check.py): an ignored filter silently answered
more than was asked for, and a repeated one kept only its last value."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from shared.web.query_check import _several
from tests.conftest import in_memory
from tests.harness import ADMIN, Cluster


@pytest.fixture(scope="module")
def registry() -> Iterator[TestClient]:
    with Cluster(in_memory(), ["registry"]) as cluster:
        yield cluster["registry"]


def test_a_filter_the_route_does_not_take_is_named_not_ignored(registry: TestClient) -> None:
    answer = registry.get("/units", params={"state": "active", "sort": "name"}, headers=ADMIN)
    assert answer.status_code == 422, answer.text
    body = answer.json()
    assert body["error"] == "unknown_query_parameter"
    assert [entry["field"] for entry in body["detail"]] == ["query.sort", "query.state"]
    reason = body["detail"][0]["reason"]
    assert reason.startswith("此接口没有这个查询参数, 可用: "), reason
    assert "(not a query parameter of this route (it takes: " in reason, reason
    assert "category" in reason and "status" in reason, reason


def test_a_single_valued_parameter_given_twice_is_refused(registry: TestClient) -> None:
    answer = registry.get("/units?status=active&status=withdrawn", headers=ADMIN)
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"] == "duplicate_key"  # not a parameter the route lacks
    [entry] = answer.json()["detail"]
    assert (entry["field"], entry["code"]) == ("query.status", "duplicate_key")


def test_an_unknown_parameter_beside_a_repeat_names_both(registry: TestClient) -> None:
    answer = registry.get("/units?status=active&status=withdrawn&state=x", headers=ADMIN)
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"] == "unknown_query_parameter"
    codes = [(e["field"], e["code"]) for e in answer.json()["detail"]]
    assert codes == [("query.state", "unknown_query_parameter"), ("query.status", "duplicate_key")]


def test_what_the_route_takes_still_works(registry: TestClient) -> None:
    assert registry.get("/units", params={"status": "active"}, headers=ADMIN).status_code == 200


def test_the_policy_answers_first(registry: TestClient) -> None:
    """A caller the route refuses learns nothing of what it would take."""
    assert registry.get("/units", params={"state": "x"}).status_code == 401


@pytest.mark.parametrize(
    ("annotation", "several"),
    [(int, False), (int | None, False), (list[str], True), (list[str] | None, True)],
)
def test_which_parameters_take_several_values(annotation: object, several: bool) -> None:
    assert _several(annotation) is several
