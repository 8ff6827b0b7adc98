"""On SQLite (embedded mode: reporting reads survey's log file), the `wave_progress` view
rebuilt offline from the logs (`pingyi rebuild reporting wave_progress`) is byte for byte the
view built message by message, and the progress read from it is the same."""

from __future__ import annotations

from shared.settings import CommonSettings
from tests.harness import Cluster
from tests.reporting.progress.story import wave_story
from tests.reporting.rebuilds import assert_rebuilds_as_built, dump_view

VIEWS = ["wave_progress"]
SERVICES = ["registry", "survey", "reporting"]


def test_the_progress_view_rebuilds_byte_for_byte(embedded_settings: CommonSettings) -> None:
    with Cluster(embedded_settings, SERVICES) as cluster:
        told = wave_story(cluster)
        path = f"/waves/{told.wave_id}/progress"
        headers = told.world.city_office.headers
        before = cluster["reporting"].get(path, headers=headers)
        assert before.status_code == 200, before.text
        assert before.json()["total"]["counted"] == 4
    incremental, _ = dump_view(embedded_settings, VIEWS[0])
    assert {c for c, _, _ in incremental} == {"progress_waves", "progress_responses"}
    assert_rebuilds_as_built(embedded_settings, VIEWS[0])
    with Cluster(embedded_settings, SERVICES) as cluster:
        after = cluster["reporting"].get(path, headers=headers)
        assert after.json() == before.json()
