"""GET /waves (waves with rankings) pages in SQL: a small limit gives exactly the one-page
list, by wave name, within each office's subtree; a bad cursor is a 422 naming
`query.cursor`. Scoring's messages are fed to the real consumer (embedded)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from uuid import uuid4

import pytest
from fastapi.testclient import TestClient

from shared.settings import CommonSettings
from tests.harness import ADMIN, Cluster, create_app, wait_caught_up
from tests.pages import assert_bad_cursor, assert_pages_match
from tests.reporting.helpers import FeedSource, FeedTransport, ScoringLog, computed, unit


@pytest.fixture
def clients(embedded_settings: CommonSettings) -> Iterator[tuple[TestClient, TestClient, Any]]:
    feed = FeedSource()
    transport = FeedTransport(embedded_settings, feed)
    app = create_app("reporting", embedded_settings, transport=transport)
    with Cluster(embedded_settings, ["registry"]) as cluster, TestClient(app) as reporting:
        yield cluster["registry"], reporting, feed


def _post(client: TestClient, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post(path, json=body, headers=ADMIN)
    assert response.status_code == 201, response.text
    found: dict[str, Any] = response.json()
    return found


def _consumed(reporting: TestClient, upstream: str) -> Any:
    return reporting.get("/positions", headers=ADMIN).json()["consumers"].get(upstream)


def test_waves_with_rankings_page_by_name_within_scope(
    clients: tuple[TestClient, TestClient, Any],
) -> None:
    registry, reporting, feed = clients
    ids: dict[str, str] = {}
    for name, level, parent in [
        ("漯河市", "city", None),
        ("郾城区", "district", "漯河市"),
        ("源汇区", "district", "漯河市"),
        ("大庆市", "city", None),
    ]:
        body = {"name": name, "level": level, "parent_id": ids.get(parent or "")}
        ids[name] = _post(registry, "/jurisdictions", body)["jurisdiction_id"]
    keys = {"admin": ADMIN}
    for place in ("漯河市", "郾城区", "源汇区", "大庆市"):
        body = {"name": f"{place}纠风办", "role": "office", "jurisdiction_id": ids[place]}
        keys[place] = {"X-API-Key": _post(registry, "/principals", body)["api_key"]}
    head = registry.get("/positions", headers=ADMIN).json()["head"]
    wait_caught_up(lambda: head, lambda: _consumed(reporting, "registry"), "registry")

    log = ScoringLog()
    waves = [
        ("郾城区", "乙测评"),
        ("郾城区", "甲测评"),
        ("源汇区", "甲测评"),
        ("漯河市", "丙测评"),
        ("大庆市", "甲测评"),
    ]
    for place, name in waves:
        run = computed(uuid4(), [unit("某局", "90.00")], jurisdiction_id=ids[place], wave_name=name)
        feed.append(log.message(run))
    wait_caught_up(lambda: log.last, lambda: _consumed(reporting, "scoring"), "scoring")

    everything = assert_pages_match(reporting, "/waves", ADMIN)
    assert [(w["wave_name"], w["wave_id"]) for w in everything] == sorted(
        (w["wave_name"], w["wave_id"]) for w in everything
    )
    assert len(everything) == 5
    below = {"漯河市": {"漯河市", "郾城区", "源汇区"}, "郾城区": {"郾城区"}, "大庆市": {"大庆市"}}
    for place, seen in below.items():
        allowed = {ids[p] for p in seen}
        expected = [w for w in everything if w["jurisdiction_id"] in allowed]
        for limit in (1, 2):
            assert assert_pages_match(reporting, "/waves", keys[place], limit=limit) == expected
    assert_bad_cursor(reporting, "/waves", ADMIN)
