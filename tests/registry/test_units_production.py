"""Unit lifecycle against real PostgreSQL and NATS: the facts reach JetStream as contracts,
and another service's registry copy follows them."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from shared.contracts import parse_payload
from shared.contracts.registry import (
    UnitDissolved,
    UnitMoved,
    UnitRegistered,
    UnitRenamed,
    UnitsMerged,
    UnitSplit,
)
from shared.registry_view import RegistryView
from shared.settings import CommonSettings
from tests.harness import Cluster
from tests.registry.helpers import city_with_counties
from tests.registry.test_production import read_stream
from tests.registry.units_helpers import change, get, merge, register

pytestmark = pytest.mark.infra


def lifecycle(cluster: Cluster) -> dict[str, Any]:
    world = city_with_counties(cluster)
    yuanhui = world["counties"]["源汇区"]["jurisdiction_id"]
    yancheng = world["counties"]["郾城区"]["jurisdiction_id"]
    civil = world["units"]["源汇区民政局"]["unit_id"]
    fgj = register(cluster, yuanhui, "源汇区发改局", credit_code="91330100716105852F")
    tjj = register(cluster, yuanhui, "源汇区统计局")
    gsj = register(cluster, yuanhui, "源汇区工商质监局")
    grain = register(cluster, yuanhui, "源汇区粮食局")
    change(cluster, civil, "rename", {"name": "源汇区民政事务局"})
    merged = merge(
        cluster,
        {"source_unit_ids": [fgj["unit_id"], tjj["unit_id"]], "name": "源汇区发改局(区统计局)"},
    )["unit"]
    parts = change(
        cluster,
        gsj["unit_id"],
        "split",
        {"units": [{"name": "源汇区市场监督管理局"}, {"name": "源汇区质量技术监督局"}]},
        status=201,
    )["units"]
    change(cluster, civil, "move", {"jurisdiction_id": yancheng, "reason": "区划调整"})
    change(cluster, grain["unit_id"], "dissolve", {"reason": "职能划入发改局"})
    return world | {
        "civil": civil,
        "fgj": fgj,
        "tjj": tjj,
        "gsj": gsj,
        "grain": grain,
        "merged": merged,
        "parts": parts,
        "yancheng": yancheng,
    }


def wait_published(cluster: Cluster) -> None:
    head = cluster.head("registry")
    for _ in range(500):
        relay = cluster["registry"].get("/readyz").json()["checks"]["relay"]
        if relay["published_to"] == head:
            return
    raise AssertionError(f"relay stuck at {relay}, head {head}")


def test_lifecycle_facts_reach_the_stream_and_other_services(
    production_settings: CommonSettings,
) -> None:
    with Cluster(production_settings, ["registry", "survey"]) as cluster:
        story = lifecycle(cluster)
        cluster.wait_caught_up("survey", "registry")
        survey_view: RegistryView = cluster["survey"].app.state.runtime.registry  # type: ignore[attr-defined]
        civil = survey_view.unit(story["civil"])
        assert civil is not None
        assert (civil["name"], civil["jurisdiction_id"], civil["aliases"]) == (
            "源汇区民政事务局",
            story["yancheng"],
            ["源汇区民政局"],
        )
        assert survey_view.unit_status(story["tjj"]["unit_id"]) == "merged"
        assert survey_view.successors(story["fgj"]["unit_id"]) == [story["merged"]["unit_id"]]
        assert survey_view.unit_status(story["gsj"]["unit_id"]) == "split"
        assert survey_view.unit_status(story["grain"]["unit_id"]) == "dissolved"
        cluster.wait_caught_up("registry", "registry")
        history = get(cluster, f"/units/{story['civil']}/history")
        assert [e["change"] for e in history["entries"]] == ["registered", "renamed", "moved"]
        wait_published(cluster)

    published = [
        parse_payload(m) for m, _ in asyncio.run(read_stream(production_settings.namespace))
    ]
    by_type: dict[type, list[Any]] = {}
    for payload in published:
        by_type.setdefault(type(payload), []).append(payload)
    (renamed,) = by_type[UnitRenamed]
    assert (str(renamed.unit_id), renamed.old_name, renamed.new_name) == (
        story["civil"],
        "源汇区民政局",
        "源汇区民政事务局",
    )
    (merged,) = by_type[UnitsMerged]
    assert [str(u) for u in merged.source_unit_ids] == [
        story["fgj"]["unit_id"],
        story["tjj"]["unit_id"],
    ]
    assert merged.name == "源汇区发改局(区统计局)" and merged.reason == "机构改革"
    (split,) = by_type[UnitSplit]
    assert [str(u) for u in split.new_unit_ids] == [p["unit_id"] for p in story["parts"]]
    (moved,) = by_type[UnitMoved]
    assert str(moved.to_jurisdiction_id) == story["yancheng"] and moved.reason == "区划调整"
    (dissolved,) = by_type[UnitDissolved]
    assert str(dissolved.unit_id) == story["grain"]["unit_id"]
    registrations = {str(u.unit_id): u for u in by_type[UnitRegistered]}
    # The merged and split-off units are registered before the fact that names them.
    positions = {id(p): i for i, p in enumerate(published)}
    new_units = [merged.new_unit_id, *split.new_unit_ids]
    assert all(str(u) in registrations for u in new_units)
    assert positions[id(registrations[str(merged.new_unit_id)])] < positions[id(merged)]
    assert registrations[story["fgj"]["unit_id"]].credit_code == "91330100716105852F"
