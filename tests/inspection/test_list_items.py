"""A list's entries are records without their history (and a complaint's without its
complainant): each list route declares an item schema of its own that has no such field,
rather than a field that is always null in lists. A record's own GET (and every command's
answer) has the history, declared there."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import in_memory
from tests.harness import Cluster

# list route, its record's own GET, what the list leaves out
LISTS = [
    ("/findings", "/findings/{finding_id}", {"history"}),
    ("/rectifications", "/rectifications/{order_id}", {"history"}),
    ("/assessment-scores", "/assessment-scores/{score_id}", {"history"}),
    ("/complaints", "/complaints/{complaint_id}", {"history", "complainant"}),
    ("/vetoes", "/vetoes/{veto_id}", {"history"}),
]


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    with Cluster(in_memory(), ["inspection"]) as cluster:
        document: dict[str, Any] = cluster["inspection"].get("/openapi.json").json()
    return document


def _answer(spec: dict[str, Any], path: str) -> dict[str, Any]:
    content = spec["paths"][path]["get"]["responses"]["200"]["content"]
    schema: dict[str, Any] = content["application/json"]["schema"]
    return schema


def _model(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    name = schema["$ref"].rsplit("/", 1)[-1]
    model: dict[str, Any] = spec["components"]["schemas"][name]
    return model


@pytest.mark.parametrize(("listed", "one", "left_out"), LISTS)
def test_list_items_declare_no_history(
    spec: dict[str, Any], listed: str, one: str, left_out: set[str]
) -> None:
    answer = _answer(spec, listed)
    assert answer["type"] == "array"
    item = _model(spec, answer["items"])
    assert left_out.isdisjoint(item["properties"]), item["properties"].keys()
    detail = _model(spec, _answer(spec, one))
    assert left_out <= set(detail["properties"])
    # Everything a list item says, the record's own GET says too.
    assert set(item["properties"]) <= set(detail["properties"])


@pytest.mark.parametrize("one", [one for _, one, _ in LISTS[:3]])
def test_a_record_always_answers_its_history(spec: dict[str, Any], one: str) -> None:
    """Findings, orders and scores answered their history from the first release on: it is
    required, never null. A complaint's is null only in a retry's answer stored before
    complaints answered it (its schema says so)."""
    detail = _model(spec, _answer(spec, one))
    assert "history" in detail.get("required", [])
    assert detail["properties"]["history"]["type"] == "array"
