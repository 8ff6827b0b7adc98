"""Review findings: each test shows a real problem and is expected to fail until it is fixed.

Every test is `xfail(strict=True)`: CI stays green while the problem exists, and turns red
(XPASS) the moment a fix lands, so the marker must then be removed. The reason names the
place to fix. All run in embedded mode (SQLite, no broker) through the public APIs, except
the two messaging-kernel tests, which drive the kernel's own classes directly.
"""

from __future__ import annotations

import asyncio
import io
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID, uuid5

import h11
import openpyxl
import pytest
from fastapi.testclient import TestClient

from services.survey.views.waves import WAVES, WAVES_VIEW
from shared.contracts import IntegrationMessage, IntegrationPayload
from shared.contracts.survey import ResponseRecorded, WaveOpened
from shared.messaging.consumer import Consumer
from shared.messaging.sources import Delivery
from shared.settings import CommonSettings
from shared.views import SQLiteViewStore, StalePositionError
from tests.harness import ADMIN, Cluster
from tests.shared.messages import chain

GOV = "政府部门及其它机构"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NS = UUID("0d6f4a52-8c1e-4b7a-9e21-3f5c2a7b9d10")


# --- helpers ------------------------------------------------------------------------------


def ok(response: Any) -> dict[str, Any]:
    assert response.status_code in (200, 201), response.text
    body: dict[str, Any] = response.json()
    return body


def jurisdiction(registry: TestClient, name: str, level: str, parent: str | None = None) -> str:
    body = {"name": name, "level": level, "parent_id": parent}
    return str(ok(registry.post("/jurisdictions", json=body, headers=ADMIN))["jurisdiction_id"])


def unit_body(jurisdiction_id: str, name: str, **extra: Any) -> dict[str, Any]:
    body = {"jurisdiction_id": jurisdiction_id, "name": name, "kind": "government_department"}
    return body | {"category": GOV} | extra


def register_unit(registry: TestClient, jurisdiction_id: str, name: str) -> str:
    created = ok(registry.post("/units", json=unit_body(jurisdiction_id, name), headers=ADMIN))
    return str(created["unit_id"])


def issue(
    registry: TestClient, name: str, role: str, jurisdiction_id: str | None = None
) -> tuple[str, dict[str, str]]:
    body = {"name": name, "role": role, "jurisdiction_id": jurisdiction_id}
    issued = ok(registry.post("/principals", json=body, headers=ADMIN))
    return str(issued["principal_id"]), {"X-API-Key": issued["api_key"]}


def campaign_body(jurisdiction_id: str, name: str, starts: str, ends: str) -> dict[str, Any]:
    return {
        "jurisdiction_id": jurisdiction_id,
        "name": name,
        "pattern": "democratic_appraisal",
        "cycle": {"length": "one_year", "starts_on": starts, "ends_on": ends},
        "phases": [{"name": "组织实施", "starts_on": starts, "ends_on": ends}],
        "categories": [GOV],
    }


@pytest.fixture
def registry_only(memory_settings: CommonSettings) -> Iterator[Cluster]:
    with Cluster(memory_settings, ["registry"]) as running:
        yield running


@pytest.fixture
def city(registry_only: Cluster) -> dict[str, str]:
    """漯河市 with two counties, and an office key for the first county."""
    registry = registry_only["registry"]
    city_id = jurisdiction(registry, "漯河市", "city")
    county = jurisdiction(registry, "舞阳县", "county", city_id)
    other = jurisdiction(registry, "临颍县", "county", city_id)
    _, county_key = issue(registry, "舞阳县纠风办", "office", county)
    registry_only.wait_caught_up("registry", "registry")
    return {"city": city_id, "county": county, "other": other} | county_key


# --- 1. authorization and scoping ------------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "auditor"])
def test_an_office_cannot_revoke_keys_of_roles_it_cannot_issue(
    registry_only: Cluster, city: dict[str, str], role: str
) -> None:
    registry = registry_only["registry"]
    target, _ = issue(registry, f"驻县{role}", role, city["county"])
    registry_only.wait_caught_up("registry", "registry")

    response = registry.post(
        f"/principals/{target}/revoke",
        json={"reason": "不想被审计"},
        headers={"X-API-Key": city["X-API-Key"]},
    )

    assert response.status_code == 403, response.text


def test_an_office_cannot_attach_a_sub_unit_to_a_unit_outside_its_scope(
    registry_only: Cluster, city: dict[str, str]
) -> None:
    registry = registry_only["registry"]
    city_unit = register_unit(registry, city["city"], "漯河市税务局")

    response = registry.post(
        "/units",
        json=unit_body(
            city["county"], "漯河市税务局舞阳分局", parent_id=city_unit, kind="grassroots_station"
        ),
        headers={"X-API-Key": city["X-API-Key"]},
    )

    assert response.status_code == 403, response.text
    assert response.json()["detail"][0]["field"] == "parent_id"


def test_finding_list_and_get_agree_on_scope_after_a_unit_moves(
    memory_settings: CommonSettings,
) -> None:
    with Cluster(memory_settings, ["registry", "inspection"]) as cluster:
        registry, inspection = cluster["registry"], cluster["inspection"]
        city = jurisdiction(registry, "漯河市", "city")
        before = jurisdiction(registry, "舞阳县", "county", city)
        after = jurisdiction(registry, "临颍县", "county", city)
        unit = register_unit(registry, before, "舞阳县市场监管局")
        _, before_key = issue(registry, "舞阳县纠风办", "office", before)
        _, after_key = issue(registry, "临颍县纠风办", "office", after)
        cluster.wait_caught_up("inspection", "registry")
        finding = ok(
            inspection.post(
                "/findings",
                json={
                    "unit_id": unit,
                    "method": "暗访",
                    "summary": "窗口无人值守",
                    "found_at": "2025-05-12T10:30:00+08:00",
                },
                headers=before_key,
            )
        )["finding_id"]
        moved = {"jurisdiction_id": after, "reason": "机构改革划转"}
        ok(registry.post(f"/units/{unit}/move", json=moved, headers=ADMIN))
        cluster.wait_caught_up("inspection", "registry")
        cluster.wait_caught_up("inspection", "inspection")

        for key in (before_key, after_key):
            found = inspection.get("/findings", headers=key)
            assert found.status_code == 200, found.text
            listed = {f["finding_id"] for f in found.json()}
            readable = inspection.get(f"/findings/{finding}", headers=key).status_code == 200
            assert (finding in listed) == readable


def test_a_duplicate_contact_does_not_reveal_a_person_outside_the_callers_scope(
    registry_only: Cluster, city: dict[str, str]
) -> None:
    registry = registry_only["registry"]
    person = {"jurisdiction_id": city["other"], "name": "王建国", "sector": "人大代表"}
    ok(registry.post("/people", json=person | {"contact": "13912345678"}, headers=ADMIN))

    mine = {"jurisdiction_id": city["county"], "name": "试探", "sector": "服务对象"}
    response = registry.post(
        "/people",
        json=mine | {"contact": "139-1234-5678"},
        headers={"X-API-Key": city["X-API-Key"]},
    )

    # Contacts are unique within what the caller sees (tests/registry/test_contact_scope.py):
    # another county's representative makes no difference, not even a bare 409.
    assert response.status_code == 201, response.text
    assert response.json()["jurisdiction_id"] == city["county"]


# --- 3. input handling: 500 instead of 4xx -------------------------------------------------


def test_a_finding_dated_in_year_one_is_refused_not_a_server_error(
    memory_settings: CommonSettings,
) -> None:
    with Cluster(memory_settings, ["registry", "inspection"]) as cluster:
        registry = cluster["registry"]
        unit = register_unit(registry, jurisdiction(registry, "漯河市", "city"), "漯河市教育局")
        cluster.wait_caught_up("inspection", "registry")
        body = {
            "unit_id": unit,
            "method": "暗访",
            "summary": "窗口无人值守",
            "found_at": "0001-01-01T00:00:00+08:00",
        }

        response = cluster["inspection"].post("/findings", json=body, headers=ADMIN)

        assert response.status_code == 422


def test_a_questionnaire_collected_in_year_one_is_refused_not_a_server_error(
    memory_settings: CommonSettings,
) -> None:
    with Cluster(memory_settings, ["registry", "survey"]) as cluster:
        registry = cluster["registry"]
        city = jurisdiction(registry, "漯河市", "city")
        unit = register_unit(registry, city, "漯河市教育局")
        agency, agency_key = issue(registry, "某某调查公司", "agency")
        cluster.wait_caught_up("survey", "registry")
        survey = cluster["survey"]
        wave = ok(
            survey.post(
                "/waves",
                json={
                    "name": "问卷测评",
                    "jurisdiction_id": city,
                    "agency_id": agency,
                    "unit_ids": [unit],
                },
                headers=ADMIN,
            )
        )["wave_id"]
        questionnaire = {
            "questionnaire_id": "Q-0001",
            "collected_at": "0001-01-01T00:00:00+08:00",
            "ratings": {unit: "满意"},
        }

        response = survey.post(
            f"/waves/{wave}/questionnaires:batch",
            json={"questionnaires": [questionnaire]},
            headers=agency_key,
        )

        # Rows are checked one by one: the bad row is reported, nothing is recorded.
        assert response.status_code == 200
        body = response.json()
        assert body["accepted"] == 0
        assert [p["field"] for p in body["problems"]] == ["questionnaires.0.collected_at"]


def test_a_campaign_in_year_9999_is_refused_not_a_server_error(
    registry_only: Cluster, city: dict[str, str]
) -> None:
    body = campaign_body(city["city"], "远期评议", "9999-01-01", "9999-12-31")

    response = registry_only["registry"].post("/campaigns", json=body, headers=ADMIN)

    assert response.status_code == 422


def _xlsx_with_truncated_sheet() -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["单位名称", "单位类型", "类别"])
    sheet.append(["舞阳县统计局", "政府部门", GOV])
    whole = io.BytesIO()
    workbook.save(whole)
    broken = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(whole.getvalue())) as source,
        zipfile.ZipFile(broken, "w") as target,
    ):
        for member in source.infolist():
            data = source.read(member.filename)
            if member.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]  # what a cut-off upload leaves
            target.writestr(member, data)
    return broken.getvalue()


def test_a_damaged_xlsx_sheet_is_refused_not_a_server_error(
    registry_only: Cluster, city: dict[str, str]
) -> None:
    response = registry_only["registry"].post(
        "/imports/units",
        params={"jurisdiction_id": city["county"], "dry_run": "true"},
        content=_xlsx_with_truncated_sheet(),
        headers=ADMIN | {"Content-Type": XLSX},
    )

    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "file"


def test_an_export_named_after_a_campaign_has_a_valid_http_header(
    registry_only: Cluster, city: dict[str, str]
) -> None:
    registry = registry_only["registry"]
    forged = campaign_body(city["city"], "2025年度\r\n评议", "2025-01-01", "2025-12-31")
    assert registry.post("/campaigns", json=forged, headers=ADMIN).status_code == 422
    body = campaign_body(city["city"], '2025年度"评议".csv"; x=1', "2025-01-01", "2025-12-31")
    campaign = ok(registry.post("/campaigns", json=body, headers=ADMIN))["campaign_id"]
    registry_only.wait_caught_up("registry", "registry")

    response = registry.get(f"/exports/enrolments?campaign_id={campaign}", headers=ADMIN)

    assert response.status_code == 200
    header = response.headers["content-disposition"].encode("latin-1")
    # What uvicorn's HTTP/1.1 layer does with the header before it goes on the wire.
    h11.Response(status_code=200, headers=[(b"content-disposition", header)])


# --- 4. messaging --------------------------------------------------------------------------


def _survey_message(position: int, previous: int | None, payload: Any) -> IntegrationMessage:
    assert isinstance(payload, IntegrationPayload)
    return IntegrationMessage(
        event_id=IntegrationMessage.event_id_for("survey", position),
        event_type=payload.event_type,
        schema_version=payload.schema_version,
        origin="survey",
        position=position,
        previous_position=previous,
        occurred_at=datetime(2025, 11, 5, tzinfo=UTC),
        payload=payload.model_dump(mode="json"),
    )


def test_a_batch_planned_from_a_stale_position_applies_only_what_is_new(tmp_path: Path) -> None:
    views = SQLiteViewStore(tmp_path / "views.sqlite")
    views.setup()
    try:
        inbox = WAVES_VIEW.inbox(views, "survey")
        wave_id, unit_id = uuid5(NS, "wave"), uuid5(NS, "unit")
        opened = WaveOpened(
            wave_id=wave_id,
            jurisdiction_id=uuid5(NS, "jurisdiction"),
            name="问卷测评",
            agency_id=uuid5(NS, "agency"),
            unit_ids=(unit_id,),
            actor="office:x",
        )

        def recorded(n: int) -> ResponseRecorded:
            return ResponseRecorded(
                wave_id=wave_id,
                response_id=uuid5(NS, f"response-{n}"),
                questionnaire_id=f"Q-{n}",
                survey_point=None,
                collected_at=datetime(2025, 11, 5, tzinfo=UTC),
                ratings={unit_id: "满意"},  # type: ignore[dict-item]
            )

        first = _survey_message(1, None, opened)
        second = _survey_message(2, 1, recorded(2))
        third = _survey_message(3, 2, recorded(3))
        inbox.apply("survey", [first])
        # Two appliers both planned after position 1 (two replicas, or a rolling deploy):
        inbox.apply("survey", [second])  # one applies 2 …
        inbox.apply("survey", [second, third])  # … the other 2 again, and 3
        # Re-checked inside the applying transaction: 2 is skipped, only 3 is new.
        assert views.get(WAVES, str(wave_id))["response_count"] == 2  # type: ignore[index]
        assert views.last_position("waves", "survey") == 3
        with pytest.raises(StalePositionError):  # a batch that does not follow on is refused
            inbox.apply("survey", [_survey_message(5, 4, recorded(5))])
    finally:
        views.close()


class _FixedStream:
    """A message source over a fixed list of deliveries (stands in for JetStream)."""

    def __init__(self, deliveries: list[Delivery]) -> None:
        self._stream = deliveries
        self._cursor = 0
        self.rewound_to: list[int | None] = []

    async def start(self, last_position: int | None) -> None:
        await self.rewind(last_position)
        self.rewound_to.clear()

    async def fetch(self, batch: int, timeout: float) -> list[Delivery]:
        found = self._stream[self._cursor : self._cursor + batch]
        self._cursor += len(found)
        if not found:
            await asyncio.sleep(0.01)
        return found

    async def rewind(self, last_position: int | None) -> None:
        self.rewound_to.append(last_position)
        positions = [d.message.position if d.message else None for d in self._stream]
        self._cursor = 0 if last_position is None else positions.index(last_position) + 1

    async def close(self) -> None:
        return None


def test_an_undecodable_message_keeps_the_consumer_stalled(tmp_path: Path) -> None:
    views = SQLiteViewStore(tmp_path / "views.sqlite")
    views.setup()
    (good,) = chain(1)
    poison = Delivery(None, error="undecodable message: not JSON")
    (later,) = chain(2, start_previous=1)
    source = _FixedStream([Delivery(good), poison, Delivery(later)])
    consumer = Consumer("reporting", "registry", source, WAVES_VIEW.inbox(views, "survey"))

    async def run() -> None:
        await consumer.start()
        while len(source.rewound_to) < 2:  # read again, and stalled again, on the same message
            await asyncio.sleep(0.01)
        await consumer.stop()

    try:
        asyncio.run(run())
        assert set(source.rewound_to) == {1}  # always back to just after the good message
        assert views.last_position("waves", "registry") == 1  # nothing applied past the poison
        assert consumer.status.stalled, consumer.status.as_dict()
        assert "not JSON" in (consumer.status.stalled_reason or "")
    finally:
        views.close()
