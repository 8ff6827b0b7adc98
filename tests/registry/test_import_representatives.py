"""评议代表 import and export (memory mode): sectors, contacts kept out of every answer."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from shared.tabular import XLSX
from tests.harness import ADMIN, Cluster
from tests.registry.import_helpers import DATA, csv_bytes, problems, two_cities, upload

HEADER = ["序号", "姓名", "界别", "联系方式"]
PEOPLE = [
    ["1", "张丽华", "人大代表", "138 1234 5678"],
    ["2", "王建国", "政协委员", "13912345678"],
    ["3", "李明", "服务对象", ""],
    ["4", "赵敏", "行评代表", "zhao.min@example.cn"],
    ["5", "刘洋", "社区群干", ""],
]


@pytest.fixture
def world(cluster: Cluster) -> dict[str, Any]:
    return two_cities(cluster)


def people(cluster: Cluster, jurisdiction_id: str) -> list[dict[str, Any]]:
    cluster.wait_caught_up("registry", "registry")
    response = cluster["registry"].get(
        "/people", params={"jurisdiction_id": jurisdiction_id}, headers=ADMIN
    )
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()
    return found


def test_a_pool_imports_with_sectors_and_masked_contacts(
    cluster: Cluster, world: dict[str, Any]
) -> None:
    data = csv_bytes([HEADER, *PEOPLE])
    dry = upload(
        cluster,
        "/imports/representatives",
        data,
        key=world["keys"]["zone"],
        jurisdiction_id=world["zone"],
        dry_run=True,
    )
    assert dry.status_code == 200, dry.text
    assert dry.json()["preview"][0] == {
        "row": 2,
        "name": "张丽华",
        "sector": "npc_deputy",
        "sector_label": "人大代表",
        "contact_masked": "138****5678",
    }
    assert "12345678" not in dry.text and "zhao.min" not in dry.text
    assert people(cluster, world["zone"]) == []
    done = upload(
        cluster,
        "/imports/representatives",
        data,
        key=world["keys"]["zone"],
        jurisdiction_id=world["zone"],
    )
    assert done.status_code == 201, done.text
    assert [c["name"] for c in done.json()["created"]] == [p[1] for p in PEOPLE]
    assert "12345678" not in done.text
    pool = people(cluster, world["zone"])
    assert Counter(p["sector_label"] for p in pool) == Counter(p[2] for p in PEOPLE)
    assert sum(p["has_contact"] for p in pool) == 3


def test_every_bad_person_row_is_reported_without_echoing_contacts(
    cluster: Cluster, world: dict[str, Any]
) -> None:
    first = csv_bytes([HEADER, PEOPLE[0]])
    assert (
        upload(
            cluster, "/imports/representatives", first, jurisdiction_id=world["zone"]
        ).status_code
        == 201
    )
    data = (DATA / "representatives_bad.csv").read_bytes()
    head = cluster.head("registry")
    report = upload(
        cluster, "/imports/representatives", data, jurisdiction_id=world["zone"], dry_run=True
    ).json()
    assert problems(report) == {
        (3, "界别"),  # unknown sector
        (4, "姓名"),  # blank name
        (5, "联系方式"),  # too short to be a contact
        (6, "联系方式"),  # same contact as row 2, written differently
        (7, "联系方式"),  # already registered (row 2 of the first file)
    }
    assert all("value" not in e for e in report["errors"] if e["column"] == "联系方式")
    assert "13700001111" not in str(report) and "13812345678" not in str(report)
    assert "未知界别" in {e["row"]: e["reason"] for e in report["errors"]}[3]
    assert report["valid"] == 1
    refused = upload(cluster, "/imports/representatives", data, jurisdiction_id=world["zone"])
    assert refused.status_code == 422
    assert cluster.head("registry") == head


def test_the_sector_column_may_be_headed_leibie(cluster: Cluster, world: dict[str, Any]) -> None:
    data = csv_bytes([["姓名", "类别"], ["孙强", "机关干部"], ["周芳", "enterprise"]])
    report = upload(
        cluster, "/imports/representatives", data, jurisdiction_id=world["zone"], dry_run=True
    ).json()
    assert report["errors"] == [] and report["valid"] == 2
    assert [p["sector"] for p in report["preview"]] == ["civil_servant", "enterprise"]


def test_export_leaves_contacts_out_and_reads_back(cluster: Cluster, world: dict[str, Any]) -> None:
    done = upload(
        cluster,
        "/imports/representatives",
        csv_bytes([HEADER, *PEOPLE]),
        jurisdiction_id=world["zone"],
    )
    assert done.status_code == 201, done.text
    cluster.wait_caught_up("registry", "registry")
    for fmt, media in (("csv", "text/csv"), ("xlsx", XLSX)):
        exported = cluster["registry"].get(
            "/exports/representatives",
            params={"jurisdiction_id": world["zone"], "format": fmt},
            headers=world["keys"]["zone"],
        )
        assert exported.status_code == 200, exported.text
        assert b"5678" not in exported.content and b"example.cn" not in exported.content
        dry = upload(
            cluster,
            "/imports/representatives",
            exported.content,
            media,
            jurisdiction_id=world["spare"],
            dry_run=True,
        ).json()
        assert (dry["rows"], dry["errors"], dry["warnings"]) == (5, [], [])
        assert {p["name"] for p in dry["preview"]} == {p[1] for p in PEOPLE}
    text = (
        cluster["registry"]
        .get("/exports/representatives", params={"jurisdiction_id": world["zone"]}, headers=ADMIN)
        .content.decode("utf-8-sig")
    )
    assert text.splitlines()[0] == "序号,姓名,界别"


def test_scope_retry_and_auditors(cluster: Cluster, world: dict[str, Any]) -> None:
    data = csv_bytes([HEADER, *PEOPLE])
    for key in (world["keys"]["luohe"], world["keys"]["auditor"]):
        refused = upload(
            cluster, "/imports/representatives", data, key=key, jurisdiction_id=world["zone"]
        )
        assert refused.status_code == 403
    call = {"jurisdiction_id": world["zone"], "idempotency": "pool-2017"}
    first = upload(cluster, "/imports/representatives", data, **call)
    assert first.status_code == 201, first.text
    cluster.wait_caught_up("registry", "registry")
    retried = upload(cluster, "/imports/representatives", data, **call)
    assert retried.status_code == 201, retried.text
    assert retried.json()["created"] == first.json()["created"]
    assert len(people(cluster, world["zone"])) == 5
    auditor_export = cluster["registry"].get(
        "/exports/representatives",
        params={"jurisdiction_id": world["zone"]},
        headers=world["keys"]["auditor"],
    )
    assert auditor_export.status_code == 200
    outsider = cluster["registry"].get(
        "/exports/representatives",
        params={"jurisdiction_id": world["zone"]},
        headers=world["keys"]["luohe"],
    )
    assert outsider.status_code == 403
