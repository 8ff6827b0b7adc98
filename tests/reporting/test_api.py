"""Rankings over HTTP: shape, scope, CSV. The same scenario runs in memory (scoring's
messages fed to the real consumer) and in production (published onto scoring's JetStream
stream, consumed over NATS, stored in PostgreSQL)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from uuid import uuid4

import pytest
from fastapi.testclient import TestClient

from shared.contracts import IntegrationMessage
from shared.settings import CommonSettings
from tests.harness import ADMIN, Cluster, create_app, wait_caught_up
from tests.reporting.helpers import (
    GOV,
    PUBLIC,
    FeedSource,
    FeedTransport,
    ScoringLog,
    computed,
    publish_to_jetstream,
    unit,
)

SLASHED = "市直/垂管单位"  # categories are free text; a slash must not break the path


@dataclass
class Env:
    registry: TestClient
    reporting: TestClient
    publish: Callable[..., None]


@pytest.fixture
def in_memory(memory_settings: CommonSettings) -> Iterator[Env]:
    feed = FeedSource()
    app = create_app("reporting", memory_settings, transport=FeedTransport(memory_settings, feed))
    with Cluster(memory_settings, ["registry"]) as cluster, TestClient(app) as reporting:
        yield Env(cluster["registry"], reporting, feed.append)


@pytest.fixture
def production(production_settings: CommonSettings) -> Iterator[Env]:
    def publish(*messages: IntegrationMessage) -> None:
        publish_to_jetstream(production_settings, *messages)

    with Cluster(production_settings, ["registry", "reporting"]) as cluster:
        yield Env(cluster["registry"], cluster["reporting"], publish)


def _post(client: TestClient, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post(path, json=body, headers=ADMIN)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def _register(registry: TestClient) -> dict[str, Any]:
    province = _post(registry, "/jurisdictions", {"name": "河南省", "level": "province"})
    luohe = _post(
        registry,
        "/jurisdictions",
        {"name": "漯河市", "level": "city", "parent_id": province["jurisdiction_id"]},
    )
    yancheng = _post(
        registry,
        "/jurisdictions",
        {"name": "郾城区", "level": "district", "parent_id": luohe["jurisdiction_id"]},
    )
    daqing = _post(registry, "/jurisdictions", {"name": "大庆市", "level": "city"})
    keys = {}
    for name, role, jurisdiction in [
        ("漯河市纠风办", "office", luohe),
        ("郾城区纠风办", "office", yancheng),
        ("大庆市纠风办", "office", daqing),
        ("审计组", "auditor", None),
        ("第三方调查机构", "agency", None),
        ("漯河市暗访组", "inspector", luohe),
        ("漯河市教育局", "unit", luohe),
    ]:
        body = {"name": name, "role": role}
        if jurisdiction is not None:
            body["jurisdiction_id"] = jurisdiction["jurisdiction_id"]
        if role == "unit":  # a unit key names its unit
            unit = {"name": name, "kind": "government_department", "category": "政府部门及其它机构"}
            unit["jurisdiction_id"] = body["jurisdiction_id"]
            body["unit_id"] = _post(registry, "/units", unit)["unit_id"]
        keys[name] = {"X-API-Key": _post(registry, "/principals", body)["api_key"]}
    return {"yancheng": yancheng, "daqing": daqing, "keys": keys}


def _positions(client: TestClient) -> dict[str, Any]:
    consumers: dict[str, Any] = client.get("/positions", headers=ADMIN).json()["consumers"]
    return consumers


def _wait_for_scoring(env: Env, position: int) -> None:
    wait_caught_up(lambda: position, lambda: _positions(env.reporting)["scoring"], "scoring")


def _scenario(env: Env) -> None:
    ctx = _register(env.registry)
    wait_caught_up(
        lambda: env.registry.get("/positions", headers=ADMIN).json()["head"],
        lambda: _positions(env.reporting)["registry"],
        "reporting <- registry",
    )
    keys = ctx["keys"]
    wave_a, wave_b = uuid4(), uuid4()
    yancheng, daqing = ctx["yancheng"]["jurisdiction_id"], ctx["daqing"]["jurisdiction_id"]
    results = [
        unit("郑州铁路局漯河车务段", "85.00", category=PUBLIC),
        unit("国网漯河供电公司", "85.00", category=PUBLIC),
        unit("中国移动漯河分公司", None, category=PUBLIC),
        unit("市教育局", "92.10"),
        unit("市公安局", "88.40"),
        unit("=市民政局", "70.00"),
        unit("省邮政管理局驻漯河办事处", "75.00", category=SLASHED),
    ]
    log = ScoringLog()
    provisional = computed(wave_a, results[:2], jurisdiction_id=yancheng, wave_name="郾城区测评")
    final = computed(wave_a, results, final=True, jurisdiction_id=yancheng, wave_name="郾城区测评")
    other = computed(wave_b, [unit("大庆市税务局", "90")], jurisdiction_id=daqing)
    env.publish(log.message(provisional), log.message(final), log.message(other))
    assert log.last is not None
    _wait_for_scoring(env, log.last)

    _check_wave_rankings(env.reporting, keys["漯河市纠风办"], str(wave_a), str(final.run_id))
    _check_scope(env.reporting, keys, str(wave_a), str(wave_b))
    _check_category(env.reporting, keys["郾城区纠风办"], str(wave_a))
    _check_csv(env.reporting, keys["审计组"], str(wave_a))


def _check_wave_rankings(client: TestClient, key: dict[str, str], wave: str, run: str) -> None:
    response = client.get(f"/waves/{wave}/rankings", headers=key)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["wave_id"], body["wave_name"], body["run_id"]) == (wave, "郾城区测评", run)
    assert body["final"] is True
    assert body["scheme"] == {
        "scheme_id": "satisfaction",
        "version": 1,
        "scheme_hash": "sha256:" + "ab" * 32,
    }
    assert body["upstream_positions"] == {"survey": 42, "registry": 17}
    assert [c["category"] for c in body["categories"]] == [PUBLIC, SLASHED, GOV]
    public = [(e["rank"], e["unit_name"], e["score"]) for e in body["categories"][0]["entries"]]
    assert public == [
        (1, "国网漯河供电公司", "85.00"),
        (1, "郑州铁路局漯河车务段", "85.00"),
        (None, "中国移动漯河分公司", None),
    ]
    entry = body["categories"][2]["entries"][0]
    assert set(entry) == {
        "rank",
        "unit_id",
        "unit_name",
        "score",
        "satisfaction_rate",
        "valid_count",
        "counts",
        "result_digest",
    }
    assert (entry["unit_name"], entry["satisfaction_rate"], entry["valid_count"]) == (
        "市教育局",
        "0.9000",
        100,
    )
    assert entry["counts"] == {"满意": 100, "基本满意": 0, "不满意": 0, "不了解": 3}


def _status(client: TestClient, path: str, key: dict[str, str]) -> tuple[int, Any]:
    response = client.get(path, headers=key)
    detail = response.json().get("detail") if response.status_code >= 400 else None
    field = detail[0]["field"] if detail else None
    return response.status_code, field


def _check_scope(client: TestClient, keys: dict[str, Any], wave_a: str, wave_b: str) -> None:
    a, b = f"/waves/{wave_a}/rankings", f"/waves/{wave_b}/rankings"
    assert _status(client, a, keys["郾城区纠风办"]) == (200, None)
    assert _status(client, b, keys["郾城区纠风办"]) == (403, "wave_id")
    assert _status(client, a, keys["大庆市纠风办"]) == (403, "wave_id")
    assert _status(client, f"{a}.csv", keys["大庆市纠风办"]) == (403, "wave_id")
    assert _status(client, b, keys["大庆市纠风办"]) == (200, None)
    assert _status(client, a, keys["审计组"]) == (200, None)
    assert _status(client, b, ADMIN) == (200, None)
    for name in ("第三方调查机构", "漯河市暗访组", "漯河市教育局"):
        assert _status(client, a, keys[name]) == (403, "X-API-Key"), name
    assert _status(client, a, {}) == (401, "X-API-Key")
    assert _status(client, f"/waves/{uuid4()}/rankings", ADMIN) == (404, "wave_id")
    assert _status(client, "/waves/not-a-wave/rankings", ADMIN) == (422, "path.wave_id")
    listed = client.get("/waves", headers=keys["大庆市纠风办"]).json()
    assert [w["wave_id"] for w in listed] == [wave_b]
    assert {w["wave_id"] for w in client.get("/waves", headers=keys["审计组"]).json()} == {
        wave_a,
        wave_b,
    }


def _check_category(client: TestClient, key: dict[str, str], wave: str) -> None:
    response = client.get(f"/waves/{wave}/rankings/{GOV}", headers=key)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["category"] == GOV and body["final"] is True
    assert [(e["rank"], e["unit_name"]) for e in body["entries"]] == [
        (1, "市教育局"),
        (2, "市公安局"),
        (3, "=市民政局"),
    ]
    assert _status(client, f"/waves/{wave}/rankings/不存在的类别", key) == (404, "category")
    slashed = client.get(f"/waves/{wave}/rankings/{SLASHED}", headers=key).json()
    assert [e["unit_name"] for e in slashed["entries"]] == ["省邮政管理局驻漯河办事处"]


def _check_csv(client: TestClient, key: dict[str, str], wave: str) -> None:
    response = client.get(f"/waves/{wave}/rankings.csv", headers=key)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == [
        "类别",
        "名次",
        "单位名称",
        "得分",
        "满意率",
        "有效样本数",
        "满意",
        "基本满意",
        "不满意",
        "不了解",
    ]
    assert rows[1] == [
        PUBLIC,
        "1",
        "国网漯河供电公司",
        "85.00",
        "0.9000",
        "100",
        "100",
        "0",
        "0",
        "3",
    ]
    assert rows[3] == [PUBLIC, "", "中国移动漯河分公司", "", "", "0", "0", "0", "0", "5"]
    assert rows[4][:3] == [SLASHED, "1", "省邮政管理局驻漯河办事处"]
    assert rows[7][:3] == [GOV, "3", "'=市民政局"]  # never a formula in a spreadsheet
    assert len(rows) == 8


def test_rankings_api_in_memory(in_memory: Env) -> None:
    _scenario(in_memory)


@pytest.mark.infra
def test_rankings_api_production(production: Env) -> None:
    _scenario(production)
