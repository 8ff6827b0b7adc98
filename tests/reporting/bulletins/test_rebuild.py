"""On SQLite (embedded mode: reporting reads inspection's log file), the bulletins' view
rebuilt offline from the logs is byte for byte the view built message by message, and the
bulletin read from it is the same."""

from __future__ import annotations

from typing import Any

from pingyi.catalog import definition
from pingyi.composition import open_outbox
from shared.rebuild import rebuild
from shared.runtime import build_view_store
from shared.settings import CommonSettings
from tests.harness import Cluster
from tests.reporting.bulletins.test_bulletins import THIS_MONTH, task_story

VIEWS = ["task_bulletins"]


def _dump(common: CommonSettings) -> tuple[list[Any], dict[str, Any]]:
    store = build_view_store(common, "reporting", None)
    store.setup()
    try:
        view = next(v for v in definition("reporting").views if v.name in VIEWS)
        return list(store.dump(list(view.collection_names))), store.positions()
    finally:
        store.close()


def test_the_bulletin_view_rebuilds_byte_for_byte(embedded_settings: CommonSettings) -> None:
    services = ["registry", "inspection", "reporting"]
    with Cluster(embedded_settings, services) as cluster:
        ctx = task_story(cluster)
        params = {"jurisdiction_id": ctx["county"], "month": THIS_MONTH}
        headers = ctx["keys"]["萨尔图区纠风办"]
        before = cluster["reporting"].get("/bulletins/monthly", params=params, headers=headers)
        assert before.status_code == 200, before.text
        assert len(before.json()["reports"]) == 3
    incremental, positions = _dump(embedded_settings)
    assert {collection for collection, _, _ in incremental} == {"bulletin_tasks", "bulletin_facts"}
    store = build_view_store(embedded_settings, "reporting", None)
    try:
        rebuild(
            store,
            definition("reporting").views,
            VIEWS,
            lambda upstream: open_outbox(upstream, embedded_settings),
        )
    finally:
        store.close()
    rebuilt, rebuilt_positions = _dump(embedded_settings)
    assert rebuilt == incremental
    assert rebuilt_positions == positions
    with Cluster(embedded_settings, services) as cluster:
        after = cluster["reporting"].get("/bulletins/monthly", params=params, headers=headers)
        assert after.json() == before.json()
