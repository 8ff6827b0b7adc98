"""GET /findings is served from the findings view: findings as they stand (corrections and
withdrawals applied), scoped by the jurisdiction recorded on each, newest first, paged in
SQL, and without reading a single finding from the event store. Both modes; in production
the corrections and withdrawals are on the JetStream stream with actor, reason and version."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from services.inspection.application import InspectionApplication
from shared.settings import CommonSettings
from tests.harness import ADMIN, Cluster, wait_caught_up
from tests.pages import assert_bad_cursor, assert_pages_match, one_page
from tests.survey.helpers import read_stream

Finding = dict[str, Any]


def _post(client: TestClient, path: str, body: dict[str, Any], key: dict[str, str]) -> Any:
    response = client.post(path, json=body, headers=key)
    assert response.status_code in (200, 201), response.text
    return response.json()


@dataclass
class Scene:
    cluster: Cluster
    ids: dict[str, str]
    units: dict[str, str]
    keys: dict[str, dict[str, str]]

    @property
    def client(self) -> TestClient:
        return self.cluster["inspection"]


def build_scene(cluster: Cluster) -> Scene:
    """河南省 > 漯河市 > 郾城区, 源汇区; 大庆市. An inspector for 漯河市, offices below."""
    registry = cluster["registry"]
    ids: dict[str, str] = {}
    for name, level, parent in [
        ("河南省", "province", None),
        ("漯河市", "city", "河南省"),
        ("郾城区", "district", "漯河市"),
        ("源汇区", "district", "漯河市"),
        ("大庆市", "city", None),
    ]:
        body = {"name": name, "level": level, "parent_id": ids.get(parent or "")}
        ids[name] = _post(registry, "/jurisdictions", body, ADMIN)["jurisdiction_id"]
    units = {}
    for name, place in [
        ("郾城区人社局", "郾城区"),
        ("郾城区民政局", "郾城区"),
        ("源汇区公安分局", "源汇区"),
        ("大庆市税务局", "大庆市"),
    ]:
        body = {"jurisdiction_id": ids[place], "name": name}
        body |= {"kind": "government_department", "category": "政府部门及其它机构"}
        units[name] = _post(registry, "/units", body, ADMIN)["unit_id"]
    keys = {"admin": ADMIN}
    for name, role, place in [
        ("inspector", "inspector", "漯河市"),
        ("郾城区", "office", "郾城区"),
        ("源汇区", "office", "源汇区"),
        ("大庆市", "office", "大庆市"),
        ("auditor", "auditor", None),
    ]:
        body = {"name": name, "role": role, "jurisdiction_id": ids.get(place or "")}
        keys[name] = {"X-API-Key": _post(registry, "/principals", body, ADMIN)["api_key"]}
    cluster.wait_caught_up("inspection", "registry")
    return Scene(cluster, ids, units, keys)


# (unit, found_at, method): offsets differ, two are the same instant written two ways.
VISITS = [
    ("郾城区人社局", "2026-05-12T10:30:00+08:00", "暗访"),
    ("郾城区人社局", "2026-05-12T02:30:00Z", "明察"),
    ("郾城区民政局", "2026-05-11T23:59:59.500000+08:00", "暗访"),
    ("源汇区公安分局", "2026-05-12T01:00:00+00:00", "随机检查"),
    ("源汇区公安分局", "2026-04-30T09:00:00+08:00", "暗访"),
    ("大庆市税务局", "2026-05-13T08:00:00+08:00", "明察"),
    ("郾城区民政局", "2026-05-10T09:00:00-05:00", "暗访"),
]


def record_findings(scene: Scene) -> dict[str, Finding]:
    found = {}
    for n, (unit, found_at, method) in enumerate(VISITS):
        body = {"unit_id": scene.units[unit], "method": method, "found_at": found_at}
        body["summary"] = f"第{n}次检查: 窗口无人值守"
        key = scene.keys["大庆市" if unit.startswith("大庆") else "inspector"]
        found[f"v{n}"] = _post(scene.client, "/findings", body, key)
    correction = {"summary": "更正: 窗口有人值守但态度生硬", "reason": "核对录像"}
    for name in ("v0", "v3"):
        _post(scene.client, f"/findings/{found[name]['finding_id']}/corrections", correction, ADMIN)
    withdrawal = {"reason": "经核实不属实"}
    _post(scene.client, f"/findings/{found['v2']['finding_id']}/withdrawal", withdrawal, ADMIN)
    scene.cluster.wait_caught_up("inspection", "inspection")
    return found


def newest_first(findings: list[Finding]) -> list[Finding]:
    by_id = sorted(findings, key=lambda f: f["finding_id"], reverse=True)
    return sorted(by_id, key=lambda f: datetime.fromisoformat(f["found_at"]), reverse=True)


class CountingReads:
    """Counts event-store reads of the running application: its repository's `get` (one per
    aggregate loaded) and its event store's `get` (history)."""

    def __init__(self, application: InspectionApplication, monkeypatch: pytest.MonkeyPatch):
        self.calls: list[str] = []
        for owner, name in (
            (application.repository, "repository.get"),
            (application.events, "events.get"),
        ):
            monkeypatch.setattr(owner, "get", self._counting(name, owner.get))

    def _counting(self, name: str, original: Any) -> Any:
        def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls.append(name)
            return original(*args, **kwargs)

        return counted


def check_lists(scene: Scene, monkeypatch: pytest.MonkeyPatch) -> dict[str, Finding]:
    recorded = record_findings(scene)
    client = scene.client
    application = client.app.state.runtime.application  # type: ignore[attr-defined]
    reads = CountingReads(application, monkeypatch)
    everything = assert_pages_match(client, "/findings", ADMIN)
    assert reads.calls == []
    details = {}
    for finding in everything:
        detail = client.get(f"/findings/{finding['finding_id']}", headers=ADMIN).json()
        details[finding["finding_id"]] = detail
        # A list item is the record without its history (no `history` key at all).
        assert finding == {k: v for k, v in detail.items() if k != "history"}
    assert reads.calls, "the counter sees the reads GET /findings/{id} makes"
    assert everything == newest_first(everything)
    assert {f["finding_id"] for f in everything} == {f["finding_id"] for f in recorded.values()}
    by_name = {name: details[f["finding_id"]] for name, f in recorded.items()}
    assert by_name["v0"]["summary"].startswith("更正") and by_name["v0"]["version"] == 2
    assert (by_name["v2"]["status"], by_name["v2"]["withdrawn_reason"]) == (
        "withdrawn",
        "经核实不属实",
    )

    reads.calls.clear()
    places = {
        "inspector": {"郾城区", "源汇区", "漯河市"},
        "郾城区": {"郾城区"},
        "源汇区": {"源汇区"},
        "大庆市": {"大庆市"},
    }
    for caller in ("admin", "auditor", "inspector", "郾城区", "源汇区", "大庆市"):
        allowed = {scene.ids[p] for p in places.get(caller, scene.ids)}
        for params, keep in [
            ({}, lambda f: True),
            ({"status": "withdrawn"}, lambda f: f["status"] == "withdrawn"),
            ({"status": "active"}, lambda f: f["status"] == "active"),
        ]:
            expected = [f for f in everything if f["jurisdiction_id"] in allowed and keep(f)]
            for limit in (1, 2, 3):
                found = assert_pages_match(client, "/findings", scene.keys[caller], params, limit)
                assert found == expected, (caller, params)
    unit = scene.units["郾城区人社局"]
    for caller in ("admin", "inspector", "郾城区"):
        one_unit = assert_pages_match(client, "/findings", scene.keys[caller], {"unit_id": unit})
        assert one_unit == [f for f in everything if f["unit_id"] == unit]
    assert reads.calls == []
    assert_bad_cursor(client, "/findings", ADMIN)
    return recorded


def check_moved_unit_keeps_its_findings_where_recorded(scene: Scene) -> None:
    unit = scene.units["郾城区民政局"]
    move = {"jurisdiction_id": scene.ids["源汇区"], "reason": "区划调整"}
    _post(scene.cluster["registry"], f"/units/{unit}/move", move, ADMIN)
    scene.cluster.wait_caught_up("inspection", "registry")
    later = {"unit_id": unit, "method": "暗访", "summary": "迁入后首次暗访"}
    later["found_at"] = "2026-05-14T09:00:00+08:00"
    after = _post(scene.client, "/findings", later, scene.keys["inspector"])
    scene.cluster.wait_caught_up("inspection", "inspection")
    # The unit is no longer 郾城区's to filter on, but its findings from before still are.
    listed = one_page(scene.client, "/findings", scene.keys["郾城区"])
    old_county = [f for f in listed if f["unit_id"] == unit]
    new_county = one_page(scene.client, "/findings", scene.keys["源汇区"], {"unit_id": unit})
    assert len(old_county) == 2 and after["finding_id"] not in {f["finding_id"] for f in old_county}
    assert [f["finding_id"] for f in new_county] == [after["finding_id"]]


@pytest.fixture(params=["embedded", pytest.param("production", marks=pytest.mark.infra)])
def scene(request: pytest.FixtureRequest) -> Iterator[Scene]:
    settings: CommonSettings = request.getfixturevalue(f"{request.param}_settings")
    with Cluster(settings, ["registry", "inspection"]) as cluster:
        yield build_scene(cluster)


def test_findings_page_from_the_view_without_event_store_reads(
    scene: Scene, monkeypatch: pytest.MonkeyPatch
) -> None:
    check_lists(scene, monkeypatch)
    check_moved_unit_keeps_its_findings_where_recorded(scene)


@pytest.mark.infra
def test_corrections_and_withdrawals_reach_the_stream(
    production_settings: CommonSettings,
) -> None:
    with Cluster(production_settings, ["registry", "inspection"]) as cluster:
        scene = build_scene(cluster)
        recorded = record_findings(scene)
        wait_caught_up(
            lambda: cluster.head("inspection"),
            lambda: scene.client.get("/readyz").json()["checks"]["relay"]["published_to"],
            "inspection relay",
        )
    messages = read_stream(production_settings.namespace, "inspection")
    kinds = [m.event_type.rsplit(".", 1)[-1] for m in messages]
    assert kinds == ["recorded"] * len(VISITS) + ["corrected", "corrected", "withdrawn"]
    first = messages[0].payload
    assert first["jurisdiction_id"] == scene.ids["郾城区"]
    corrected, _, withdrawn = (m.payload for m in messages[len(VISITS) :])
    assert corrected["finding_id"] == recorded["v0"]["finding_id"]
    assert (corrected["summary"], corrected["reason"]) == (
        "更正: 窗口有人值守但态度生硬",
        "核对录像",
    )
    assert corrected["actor"].startswith("admin:") and corrected["version"] == 2
    assert withdrawn == {
        "finding_id": recorded["v2"]["finding_id"],
        "reason": "经核实不属实",
        "actor": corrected["actor"],
        "version": 2,
    }
