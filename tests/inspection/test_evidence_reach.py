"""Evidence is reached through who uploaded it, never through knowing its hash: a finding
names a file only if its author (or someone in the author's jurisdiction) uploaded it, and a
file is read by those callers and by callers in whose jurisdiction a finding named it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import pytest
from fastapi.testclient import TestClient

from services.inspection.application import InspectionApplication
from services.inspection.domain import Finding
from services.inspection.evidence_records import EvidenceFile
from shared.principals import Principal
from shared.settings import CommonSettings
from tests.harness import ADMIN, Cluster

JPEG = b"\xff\xd8\xff\xe0" + b"county photo " * 500
PDF = b"%PDF-1.7\n" + b"city notice " * 500
NEVER = "1" * 64


def _ok(client: TestClient, path: str, body: dict[str, Any], key: dict[str, str]) -> Any:
    response = client.post(path, json=body, headers=key)
    assert response.status_code == 201, response.text
    return response.json()


def _setup(cluster: Cluster) -> dict[str, Any]:
    registry = cluster["registry"]
    ids: dict[str, str] = {}
    for name, level, parent in [
        ("河南省", "province", None),
        ("漯河市", "city", "河南省"),
        ("郾城区", "district", "漯河市"),
        ("大庆市", "city", None),
    ]:
        body = {"name": name, "level": level, "parent_id": ids.get(parent or "")}
        ids[name] = _ok(registry, "/jurisdictions", body, ADMIN)["jurisdiction_id"]
    units = {}
    for unit, place in [("郾城区人社局", "郾城区"), ("大庆市税务局", "大庆市")]:
        body = {
            "jurisdiction_id": ids[place],
            "name": unit,
            "kind": "government_department",
            "category": "政府部门及其它机构",
        }
        units[unit] = _ok(registry, "/units", body, ADMIN)["unit_id"]
    keys = {}
    for name, role, place in [
        ("漯河市纠风办", "office", "漯河市"),
        ("郾城区纠风办", "office", "郾城区"),
        ("郾城区暗访组", "inspector", "郾城区"),
        ("大庆市暗访组", "inspector", "大庆市"),
    ]:
        body = {"name": name, "role": role, "jurisdiction_id": ids[place]}
        keys[name] = {"X-API-Key": _ok(registry, "/principals", body, ADMIN)["api_key"]}
    cluster.wait_caught_up("inspection", "registry")
    return {"units": units, "keys": keys}


@pytest.fixture
def scene(memory_settings: CommonSettings) -> Iterator[tuple[TestClient, dict[str, Any]]]:
    with Cluster(memory_settings, ["registry", "inspection"]) as cluster:
        yield cluster["inspection"], _setup(cluster)


def _upload(client: TestClient, key: dict[str, str], body: bytes, kind: str) -> str:
    response = client.post("/evidence", content=body, headers=key | {"Content-Type": kind})
    assert response.status_code == 201, response.text
    sha: str = response.json()["sha256"]
    return sha


def _finding(unit: str, evidence: list[str]) -> dict[str, Any]:
    return {
        "unit_id": unit,
        "method": "暗访",
        "summary": "窗口无人值守",
        "found_at": "2026-05-12T10:30:00+08:00",
        "evidence": evidence,
    }


def _refusal(response: Any) -> tuple[int, str, str, str]:
    detail = response.json()["detail"][0]
    return response.status_code, response.json()["error"], detail["field"], detail["reason"]


def test_a_hash_alone_names_and_reads_nothing(scene: tuple[TestClient, dict[str, Any]]) -> None:
    client, ctx = scene
    keys, units = ctx["keys"], ctx["units"]
    sha = _upload(client, keys["郾城区暗访组"], JPEG, "image/jpeg")
    prober, own_unit = keys["大庆市暗访组"], units["大庆市税务局"]

    # Another county's inspector holding the hash: refused exactly as for a hash never
    # uploaded, on a new finding and on one of its own; and the file reads as no file.
    probed = client.post("/findings", json=_finding(own_unit, [sha]), headers=prober)
    never = client.post("/findings", json=_finding(own_unit, [NEVER]), headers=prober)
    assert _refusal(probed) == _refusal(never)
    assert _refusal(probed)[:3] == (422, "invalid_finding", "evidence")
    assert probed.json()["detail"][0]["context"] == {"files": [sha]}
    own = _ok(client, "/findings", _finding(own_unit, []), prober)
    attached = client.post(
        f"/findings/{own['finding_id']}/evidence", json={"evidence": [sha]}, headers=prober
    )
    assert _refusal(attached) == _refusal(never)
    read = client.get(f"/evidence/{sha}", headers=prober)
    none = client.get(f"/evidence/{'0' * 64}", headers=prober)
    assert (read.status_code, read.json()) == (none.status_code, none.json())
    assert read.json()["error"] == "evidence_not_found"

    # Holding the file itself is another matter: uploading it records this uploader too.
    assert _upload(client, prober, JPEG, "image/jpeg") == sha
    named = _ok(client, "/findings", _finding(own_unit, [sha]), prober)
    assert named["evidence"] == [sha]
    assert client.get(f"/evidence/{sha}", headers=prober).content == JPEG


def test_uploads_within_a_jurisdiction_and_findings_named_in_it_are_reached(
    scene: tuple[TestClient, dict[str, Any]],
) -> None:
    client, ctx = scene
    keys, unit = ctx["keys"], ctx["units"]["郾城区人社局"]
    inspector, district, city = keys["郾城区暗访组"], keys["郾城区纠风办"], keys["漯河市纠风办"]

    # The district's inspector uploads: its office (same place) and the city's (above it)
    # name and read the file; another county reads nothing.
    photo = _upload(client, inspector, JPEG, "image/jpeg")
    assert _ok(client, "/findings", _finding(unit, [photo]), district)["evidence"] == [photo]
    for key in (inspector, district, city):
        assert client.get(f"/evidence/{photo}", headers=key).content == JPEG
    assert client.get(f"/evidence/{photo}", headers=keys["大庆市暗访组"]).status_code == 404

    # The city's upload is not the district's to name, nor to read, until the city names it
    # on a finding in the district: then the district reads it (and still cannot name it).
    notice = _upload(client, city, PDF, "application/pdf")
    assert client.get(f"/evidence/{notice}", headers=inspector).status_code == 404
    refused = client.post("/findings", json=_finding(unit, [notice]), headers=inspector)
    assert _refusal(refused)[:3] == (422, "invalid_finding", "evidence")
    _ok(client, "/findings", _finding(unit, [notice]), city)
    for key in (inspector, district):
        assert client.get(f"/evidence/{notice}", headers=key).content == PDF
    again = client.post("/findings", json=_finding(unit, [notice]), headers=inspector)
    assert _refusal(again)[:3] == (422, "invalid_finding", "evidence")
    assert client.get(f"/evidence/{notice}", headers=keys["大庆市暗访组"]).status_code == 404


def test_a_file_stored_before_uploaders_were_recorded_is_reached_once_uploaded_again(
    scene: tuple[TestClient, dict[str, Any]],
) -> None:
    """Files stored before records were kept have no uploader: nobody but admins and
    auditors reaches them, and findings that named them then (unchecked, perhaps by a
    probe) still load and show them but grant no reading."""
    client, ctx = scene
    keys, unit = ctx["keys"], ctx["units"]["郾城区人社局"]
    app: InspectionApplication = client.app.state.runtime.application  # type: ignore[attr-defined]
    upload = app.evidence_store.begin()  # the store alone, as every upload was before
    upload.write(JPEG)
    sha, _ = upload.finish("image/jpeg")
    registry = client.app.state.runtime.registry  # type: ignore[attr-defined]
    old = Finding.record(
        unit_id=UUID(unit),
        jurisdiction_id=UUID(registry.unit(unit)["jurisdiction_id"]),
        method="暗访",
        summary="窗口无人值守",
        found_at=datetime(2026, 5, 12, 2, 30, tzinfo=UTC),
        actor="inspector:old",
        now=datetime.now(UTC),
        evidence=[sha],
    )
    app.save(old)

    inspector, office = keys["郾城区暗访组"], keys["郾城区纠风办"]
    shown = client.get(f"/findings/{old.id}", headers=office)
    assert shown.status_code == 200 and shown.json()["evidence"] == [sha]
    for key in (inspector, office):
        assert client.get(f"/evidence/{sha}", headers=key).status_code == 404
    assert client.get(f"/evidence/{sha}", headers=ADMIN).content == JPEG
    refused = client.post("/findings", json=_finding(unit, [sha]), headers=inspector)
    assert _refusal(refused)[:3] == (422, "invalid_finding", "evidence")

    assert _upload(client, inspector, JPEG, "image/jpeg") == sha
    for key in (inspector, office):
        assert client.get(f"/evidence/{sha}", headers=key).content == JPEG
    assert client.get(f"/evidence/{sha}", headers=keys["大庆市暗访组"]).status_code == 404
    assert _ok(client, "/findings", _finding(unit, [sha]), inspector)["evidence"] == [sha]


def test_an_upload_records_each_uploader_once() -> None:
    first = Principal(uuid4(), "甲", "inspector", uuid4())
    second = Principal(uuid4(), "乙", "inspector", uuid4())
    record = EvidenceFile.upload("ab" * 32, "image/jpeg", 10, first)
    record.upload_again(first)
    record.upload_again(second)
    record.upload_again(second)
    kinds = [type(e).__name__ for e in record.collect_events()]
    assert kinds == ["Uploaded", "UploadedAgain"]
    assert record.uploads == [
        (first.principal_id, first.jurisdiction_id),
        (second.principal_id, second.jurisdiction_id),
    ]
