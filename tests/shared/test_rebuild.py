"""`pingyi rebuild`: a read model rebuilt offline from the upstream logs is byte-identical to
the one the running service built message by message, and rebuilding one view leaves its
neighbours alone."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pingyi.catalog import definition
from pingyi.composition import open_outbox
from shared.rebuild import UnknownViewError, rebuild
from shared.runtime import build_view_store
from shared.settings import CommonSettings
from shared.views import ViewStore
from tests.conftest import ADMIN_KEY
from tests.harness import ADMIN, Cluster
from tests.registry.helpers import key_for, post, unit

ROOT = Path(__file__).resolve().parents[2]


def _collections(service: str) -> list[str]:
    return [name for view in definition(service).views for name in view.collection_names]


def _dump(common: CommonSettings, service: str) -> tuple[list[Any], dict[str, Any]]:
    store = build_view_store(common, service, None)
    store.setup()
    try:
        return list(store.dump(_collections(service))), store.positions()
    finally:
        store.close()


def _history(cluster: Cluster) -> None:
    """Registry and survey facts of every kind the survey service's views follow."""
    city = post(cluster, "/jurisdictions", {"name": "漯河市", "level": "city"})
    units = [unit(cluster, city["jurisdiction_id"], f"漯河市{n}局")["unit_id"] for n in "一二三"]
    post(
        cluster, f"/units/{units[2]}/rename", {"name": "漯河市新三局", "reason": "更名"}, status=200
    )
    agency = post(cluster, "/principals", {"name": "调查公司", "role": "agency"})
    gone = post(cluster, "/principals", {"name": "离职", "role": "auditor"})
    post(cluster, f"/principals/{gone['principal_id']}/revoke", {"reason": "离职"}, status=200)
    cluster.wait_caught_up("survey", "registry")
    wave = (
        cluster["survey"]
        .post(
            "/waves",
            json={
                "name": "测评\u3000第一批",
                "jurisdiction_id": city["jurisdiction_id"],
                "agency_id": agency["principal_id"],
                "unit_ids": units,
            },
            headers=ADMIN,
        )
        .json()
    )
    answers = {u: rating for u, rating in zip(units, ["满意", "基本满意", "不满意"], strict=True)}
    batch = [
        {
            "questionnaire_id": f"Q{n}",
            "collected_at": "2026-05-01T09:00:00+08:00",
            "ratings": answers,
        }
        for n in range(30)
    ]
    pushed = cluster["survey"].post(
        f"/waves/{wave['wave_id']}/questionnaires:batch",
        json={"questionnaires": batch},
        headers=key_for(agency),
    )
    assert pushed.status_code == 200, pushed.text
    cluster["survey"].post(
        f"/waves/{wave['wave_id']}/close", json={"reason": "回收完毕"}, headers=ADMIN
    )
    cluster.wait_caught_up("survey", "registry")
    cluster.wait_caught_up("survey", "survey")


def _rebuild(common: CommonSettings, service: str, views: list[str]) -> None:
    store: ViewStore = build_view_store(common, service, None)
    try:
        rebuild(store, definition(service).views, views, lambda up: open_outbox(up, common))
    finally:
        store.close()


@pytest.mark.parametrize("mode", ["embedded", "production"])
def test_a_rebuilt_view_is_byte_identical_to_the_incremental_one(
    mode: str, request: pytest.FixtureRequest
) -> None:
    common: CommonSettings = request.getfixturevalue(f"{mode}_settings")
    with Cluster(common, ["registry", "survey"]) as cluster:
        _history(cluster)
    incremental, positions = _dump(common, "survey")
    assert any(collection == "waves" for collection, _, _ in incremental)
    _rebuild(common, "survey", [])
    rebuilt, rebuilt_positions = _dump(common, "survey")
    assert rebuilt == incremental
    assert rebuilt_positions == positions


def test_rebuilding_one_view_leaves_the_others_alone(embedded_settings: CommonSettings) -> None:
    with Cluster(embedded_settings, ["registry", "survey"]) as cluster:
        _history(cluster)
    before, positions = _dump(embedded_settings, "survey")
    store = build_view_store(embedded_settings, "survey", None)
    store.setup()
    version = store.view_version("waves")
    assert version is not None
    store.reset("waves", ["waves"], version)  # as if the waves were lost…
    store.close()
    _rebuild(embedded_settings, "survey", ["waves"])  # …and only they come back
    after, after_positions = _dump(embedded_settings, "survey")
    assert after == before and after_positions == positions
    with pytest.raises(UnknownViewError):
        _rebuild(embedded_settings, "survey", ["no_such_view"])


def _command(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"PINGYI_MODE": "embedded", "PINGYI_BOOTSTRAP_ADMIN_KEY": ADMIN_KEY, "PATH": ""}
    return subprocess.run(
        [sys.executable, "-m", "pingyi", "rebuild", *args, "--data-dir", str(data_dir)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_command_rebuilds_a_stopped_service(embedded_settings: CommonSettings) -> None:
    with Cluster(embedded_settings, ["registry", "survey"]) as cluster:
        _history(cluster)
    before, _ = _dump(embedded_settings, "survey")
    done = _command(embedded_settings.data_dir, "survey", "waves")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "waves" in done.stdout
    after, _ = _dump(embedded_settings, "survey")
    assert after == before
    refused = _command(embedded_settings.data_dir, "survey", "nonsense")
    assert refused.returncode == 2 and "nonsense" in refused.stdout
