"""The appointment rules report (`GET /appointments/rules`) reads the roster's people from
the view store in one read, not one per person: counted, never timed, the store's `get`s
are the same for a roster of 2 and of 12 (`RepresentativesView.rules_report`)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from tests.harness import Cluster
from tests.registry.helpers import city_with_counties
from tests.registry.people_helpers import appoint, office_body, person


def test_the_rules_report_reads_its_people_at_once_whatever_their_number(
    cluster: Cluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = city_with_counties(cluster)
    views = cluster["registry"].app.state.runtime.views
    calls: Counter[str] = Counter()
    inside: list[str] = []  # the memory store's get_many calls its own get per key
    for name in ("get", "get_many"):
        original = getattr(views, name)

        def counted(*args: Any, _name: str = name, _original: Any = original) -> Any:
            if not inside:
                calls[_name] += 1
            inside.append(_name)
            try:
                return _original(*args)
            finally:
                inside.pop()

        monkeypatch.setattr(views, name, counted)

    def report(jurisdiction_id: str, serving: int) -> tuple[Counter[str], dict[str, Any]]:
        body = office_body(jurisdiction_id)
        for number in range(serving):
            appointed = person(cluster, jurisdiction_id, f"代表{number}")["person_id"]
            appoint(cluster, appointed, body, "2026-2027")
        cluster.wait_caught_up("registry", "registry")
        calls.clear()
        response = cluster["registry"].get(
            "/appointments/rules",
            params={"body": f"office:{jurisdiction_id}", "cycle": "2026-2027"},
            headers=world["keys"]["auditor"],
        )
        assert response.status_code == 200, response.text
        found: dict[str, Any] = response.json()
        return Counter(calls), found

    few, few_report = report(world["counties"]["源汇区"]["jurisdiction_id"], 2)
    many, many_report = report(world["counties"]["郾城区"]["jurisdiction_id"], 12)
    assert few == many and few["get_many"] == 1, (few, many)
    assert few_report["one_third_new"]["representatives"] == 2
    assert many_report["one_third_new"]["representatives"] == 12
