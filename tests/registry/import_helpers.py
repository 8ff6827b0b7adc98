"""Set-up and calls for the import/export tests: jurisdictions with office keys, uploads."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import httpx

from shared.tabular import CSV, XLSX
from tests.harness import ADMIN, Cluster
from tests.registry.helpers import key_for, office, post

SAMPLES = Path(__file__).resolve().parents[2] / "pingyi" / "samples"
DATA = Path(__file__).resolve().parent / "data"


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def media_type(name: str) -> str:
    return XLSX if name.endswith(".xlsx") else CSV


def jurisdiction(cluster: Cluster, name: str, level: str, parent: str | None = None) -> str:
    body = {"name": name, "level": level} | ({"parent_id": parent} if parent else {})
    found: str = post(cluster, "/jurisdictions", body)["jurisdiction_id"]
    return found


def two_cities(cluster: Cluster) -> dict[str, Any]:
    """漯河市 (seed 000) and 武汉开发区 under 武汉市 (seed 004), an office key for each city
    and for the zone, and an auditor."""
    henan = jurisdiction(cluster, "河南省", "province")
    luohe = jurisdiction(cluster, "漯河市", "city", henan)
    hubei = jurisdiction(cluster, "湖北省", "province")
    wuhan = jurisdiction(cluster, "武汉市", "city", hubei)
    zone = jurisdiction(cluster, "武汉开发区(汉南区)", "district", wuhan)
    spare = jurisdiction(cluster, "蔡甸区", "district", wuhan)
    auditor = key_for(post(cluster, "/principals", {"name": "审计", "role": "auditor"}))
    cluster.wait_caught_up("registry", "registry")
    world = {
        "luohe": luohe,
        "wuhan": wuhan,
        "zone": zone,
        "spare": spare,
        "keys": {
            "luohe": office(cluster, "漯河市纠风办", luohe),
            "zone": office(cluster, "区纠风办", zone),
            "wuhan": office(cluster, "武汉市纠风办", wuhan),
            "auditor": auditor,
        },
    }
    cluster.wait_caught_up("registry", "registry")  # the keys authenticate via the view
    return world


def upload(
    cluster: Cluster,
    path: str,
    data: bytes,
    content_type: str = CSV,
    key: dict[str, str] = ADMIN,
    idempotency: str | None = None,
    **params: Any,
) -> httpx.Response:
    headers = key | {"Content-Type": content_type}
    if idempotency:
        headers["Idempotency-Key"] = idempotency
    query = {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in params.items()}
    response: httpx.Response = cluster["registry"].post(
        path, content=data, headers=headers, params=query
    )
    return response


def csv_bytes(rows: list[list[str]], encoding: str = "utf-8") -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode(encoding)


def units_of(cluster: Cluster, jurisdiction_id: str) -> list[dict[str, Any]]:
    cluster.wait_caught_up("registry", "registry")
    response = cluster["registry"].get(
        "/units", params={"jurisdiction_id": jurisdiction_id}, headers=ADMIN
    )
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()
    return found


def problems(report: dict[str, Any]) -> set[tuple[int | None, str | None]]:
    return {(e["row"], e["column"]) for e in report["errors"]}


WUHAN_CATEGORIES = ["经济和社会事业发展类", "城市管理和执法监督类", "公共服务企业类"]


def wuhan_campaign(
    cluster: Cluster, zone: str, name: str = "2017年履职尽责督促检查", year: int = 2017
) -> str:
    """The zone's campaign of `year` (one per cycle: another needs another year)."""
    body = {
        "jurisdiction_id": zone,
        "name": name,
        "pattern": "履职尽责督促检查",
        "cycle": {"length": "one_year", "starts_on": f"{year}-01-01", "ends_on": f"{year}-12-31"},
        "phases": [{"name": "集中评议", "starts_on": f"{year}-11-01", "ends_on": f"{year}-12-31"}],
        "categories": WUHAN_CATEGORIES,
    }
    found: str = post(cluster, "/campaigns", body)["campaign_id"]
    cluster.wait_caught_up("registry", "registry")
    return found


def import_wuhan_units(cluster: Cluster, zone: str) -> list[dict[str, Any]]:
    response = upload(
        cluster, "/imports/units", sample("wuhan_004_units.csv"), jurisdiction_id=zone
    )
    assert response.status_code == 201, response.text
    return units_of(cluster, zone)
