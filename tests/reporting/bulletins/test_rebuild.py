"""On SQLite (embedded mode: reporting reads inspection's log file), the bulletins' view
rebuilt offline from the logs is byte for byte the view built message by message, and the
bulletin read from it is the same."""

from __future__ import annotations

from shared.settings import CommonSettings
from tests.harness import Cluster
from tests.reporting.bulletins.test_bulletins import task_story
from tests.reporting.rebuilds import assert_rebuilds_as_built, dump_view

VIEWS = ["task_bulletins"]


def test_the_bulletin_view_rebuilds_byte_for_byte(embedded_settings: CommonSettings) -> None:
    services = ["registry", "inspection", "reporting"]
    with Cluster(embedded_settings, services) as cluster:
        ctx = task_story(cluster)
        params = {"jurisdiction_id": ctx["county"], "month": ctx["month"]}
        headers = ctx["keys"]["萨尔图区纠风办"]
        before = cluster["reporting"].get("/bulletins/monthly", params=params, headers=headers)
        assert before.status_code == 200, before.text
        assert len(before.json()["reports"]) == 3
    incremental, _ = dump_view(embedded_settings, VIEWS[0])
    assert {collection for collection, _, _ in incremental} == {"bulletin_tasks", "bulletin_facts"}
    assert_rebuilds_as_built(embedded_settings, VIEWS[0])
    with Cluster(embedded_settings, services) as cluster:
        after = cluster["reporting"].get("/bulletins/monthly", params=params, headers=headers)
        assert after.json() == before.json()
