"""On SQLite (embedded mode: reporting reads survey's log file), the `wave_progress` view
rebuilt offline from the logs (`pingyi rebuild reporting wave_progress`) is byte for byte the
view built message by message, and the progress read from it is the same."""

from __future__ import annotations

from typing import Any

from pingyi.catalog import definition
from pingyi.composition import open_outbox
from shared.rebuild import rebuild
from shared.runtime import build_view_store
from shared.settings import CommonSettings
from tests.harness import Cluster
from tests.reporting.progress.story import wave_story

VIEWS = ["wave_progress"]
SERVICES = ["registry", "survey", "reporting"]


def _dump(common: CommonSettings) -> tuple[list[Any], dict[str, Any]]:
    store = build_view_store(common, "reporting", None)
    store.setup()
    try:
        view = next(v for v in definition("reporting").views if v.name in VIEWS)
        return list(store.dump(list(view.collection_names))), store.positions()
    finally:
        store.close()


def test_the_progress_view_rebuilds_byte_for_byte(embedded_settings: CommonSettings) -> None:
    with Cluster(embedded_settings, SERVICES) as cluster:
        told = wave_story(cluster)
        path = f"/waves/{told.wave_id}/progress"
        headers = told.world.city_office.headers
        before = cluster["reporting"].get(path, headers=headers)
        assert before.status_code == 200, before.text
        assert before.json()["total"]["counted"] == 4
    incremental, positions = _dump(embedded_settings)
    assert {c for c, _, _ in incremental} == {"progress_waves", "progress_responses"}
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
    with Cluster(embedded_settings, SERVICES) as cluster:
        after = cluster["reporting"].get(path, headers=headers)
        assert after.json() == before.json()
