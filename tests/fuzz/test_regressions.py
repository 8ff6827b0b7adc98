"""The 500s the fuzz tests found, each as the smallest request sequence that shows it.

An open one is a strict xfail: when the service is fixed it passes, pytest reports the
XPASS as a failure, and the marker and its entry in checks.KNOWN_DEFECTS are removed
together, leaving the test to keep it fixed. A fix that refuses the bad value at the door
(a 4xx naming the field) counts as a fix too.
"""

from __future__ import annotations

import io
import sys
import zipfile
from collections.abc import Iterator
from typing import Any

import pytest

from shared.settings import CommonSettings
from tests.fuzz.checks import KNOWN_DEFECTS, assert_error_contract, request_checked
from tests.fuzz.seed import GOV
from tests.fuzz.workbooks import with_compression_method, with_part, workbook
from tests.harness import ADMIN, Cluster

# In China's offset, the first moment of year 1 is still in year 0 in UTC.
YEAR_ONE = "0001-01-01T00:00:00+08:00"


@pytest.fixture
def cluster(memory_settings: CommonSettings) -> Iterator[Cluster]:
    with Cluster(memory_settings, ["registry", "survey", "inspection"]) as running:
        yield running


class SetUpFailed(Exception):
    """Not an AssertionError, so a broken set-up is an error, never the expected failure."""


def ok(response: Any) -> Any:
    if response.status_code not in (200, 201):
        raise SetUpFailed(f"{response.status_code} {response.text}")
    return response.json()


def checked(cluster: Cluster, service: str, method: str, url: str, **request: Any) -> Any:
    """The request, asserting < 500 and the error body; known defects are not excused."""
    label = f"{method} {url}"
    client = cluster[service]
    return request_checked(
        client, method, url, label=label, tolerate_known=False, headers=ADMIN, **request
    )


def refused_properly(response: Any) -> bool:
    """Refusing the bad value with the shared 4xx body is a fix as well."""
    if response.status_code in (200, 201):
        return False
    assert_error_contract(response, "refusal")
    return True


def county(cluster: Cluster) -> str:
    registry = cluster["registry"]
    city = ok(
        registry.post("/jurisdictions", json={"name": "漯河市", "level": "city"}, headers=ADMIN)
    )
    body = {"name": "舞阳县", "level": "county", "parent_id": city["jurisdiction_id"]}
    return str(ok(registry.post("/jurisdictions", json=body, headers=ADMIN))["jurisdiction_id"])


def unit(cluster: Cluster, county_id: str, name: str = "舞阳县公安局") -> Any:
    body = {"jurisdiction_id": county_id, "name": name, "kind": "government_department"}
    return checked(cluster, "registry", "POST", "/units", json=body | {"category": GOV})


def test_units_export_as_xlsx_with_a_control_character(cluster: Cluster) -> None:
    """Was: openpyxl IllegalCharacterError in importing/writing.py to_xlsx (a 500)."""
    county_id = county(cluster)
    if refused_properly(unit(cluster, county_id, name="舞阳县公安\x08局")):
        return
    cluster.wait_caught_up("registry", "registry")
    params = {"jurisdiction_id": county_id, "format": "xlsx"}
    exported = checked(cluster, "registry", "GET", "/exports/units", params=params)
    assert exported.status_code == 200


def test_representatives_export_as_xlsx_with_a_control_character(cluster: Cluster) -> None:
    """Was: openpyxl IllegalCharacterError in importing/writing.py to_xlsx (a 500)."""
    county_id = county(cluster)
    body = {"jurisdiction_id": county_id, "name": "张\x0b三", "sector": "人大代表"}
    person = checked(cluster, "registry", "POST", "/people", json=body)
    if refused_properly(person):
        return
    appointment = {
        "body": {"kind": "office", "jurisdiction_id": county_id},
        "cycle": "2026-2027",
        "purpose": "general",
    }
    path = f"/people/{person.json()['person_id']}/appointments"
    ok(cluster["registry"].post(path, json=appointment, headers=ADMIN))
    cluster.wait_caught_up("registry", "registry")
    params = {"jurisdiction_id": county_id, "format": "xlsx"}
    exported = checked(cluster, "registry", "GET", "/exports/representatives", params=params)
    assert exported.status_code == 200


def test_enrolments_export_as_xlsx_with_a_control_character(cluster: Cluster) -> None:
    """Was: openpyxl IllegalCharacterError in importing/writing.py to_xlsx (a 500)."""
    county_id = county(cluster)
    created = unit(cluster, county_id, name="舞阳县公安\x08局")
    if refused_properly(created):
        return
    campaign = {
        "jurisdiction_id": county_id,
        "name": "2026年度舞阳县民主评议政风行风工作",
        "pattern": "民主评议政风行风",
        "cycle": {
            "length": "one_year",
            "rounds": "whole_cycle",
            "starts_on": "2026-01-01",
            "ends_on": "2026-12-31",
        },
        "phases": [{"name": "组织实施", "starts_on": "2026-01-01", "ends_on": "2026-12-31"}],
        "categories": [GOV],
    }
    campaign_id = ok(cluster["registry"].post("/campaigns", json=campaign, headers=ADMIN))[
        "campaign_id"
    ]
    enrolment = {"enrolments": [{"unit_id": created.json()["unit_id"], "category": GOV}]}
    path = f"/campaigns/{campaign_id}/enrolments"
    ok(cluster["registry"].post(path, json=enrolment, headers=ADMIN))
    cluster.wait_caught_up("registry", "registry")
    params = {"campaign_id": campaign_id, "format": "xlsx"}
    exported = checked(cluster, "registry", "GET", "/exports/enrolments", params=params)
    assert exported.status_code == 200


def fields(response: Any) -> list[str]:
    return [str(item["field"]) for item in response.json()["detail"]]


def test_finding_found_at_in_year_one(cluster: Cluster) -> None:
    """Was: OverflowError in shared/canonical.py (astimezone(UTC) before year 1)."""
    created = ok(unit(cluster, county(cluster)))
    cluster.wait_caught_up("inspection", "registry")
    finding = {
        "unit_id": created["unit_id"],
        "method": "暗访",
        "summary": "窗口无人值守",
        "found_at": YEAR_ONE,
    }
    recorded = checked(cluster, "inspection", "POST", "/findings", json=finding)
    assert recorded.status_code == 422
    assert "body.found_at" in fields(recorded)


def test_questionnaire_collected_at_in_year_one(cluster: Cluster) -> None:
    """Was: the same OverflowError, through the batch's idempotency digest."""
    county_id = county(cluster)
    unit_id = ok(unit(cluster, county_id))["unit_id"]
    agency_body = {"name": "某某社会调查公司", "role": "agency"}
    agency = ok(cluster["registry"].post("/principals", json=agency_body, headers=ADMIN))
    cluster.wait_caught_up("survey", "registry")
    wave = {
        "name": "2026年度问卷测评",
        "jurisdiction_id": county_id,
        "agency_id": agency["principal_id"],
        "unit_ids": [unit_id],
    }
    wave_id = ok(cluster["survey"].post("/waves", json=wave, headers=ADMIN))["wave_id"]
    questionnaire = {
        "questionnaire_id": "q-0001",
        "collected_at": YEAR_ONE,
        "ratings": {unit_id: "满意"},
    }
    path = f"/waves/{wave_id}/questionnaires:batch"
    pushed = checked(cluster, "survey", "POST", path, json={"questionnaires": [questionnaire]})
    # Rows are checked one by one: the bad row is reported by number, nothing recorded.
    assert pushed.status_code == 200
    problems = pushed.json()["problems"]
    assert [p["field"] for p in problems] == ["questionnaires.0.collected_at"]


def test_campaign_cycle_ending_after_year_9999(cluster: Cluster) -> None:
    """Was: ValueError 'year 10000 is out of range' in campaign_schedule.add_months."""
    campaign = {
        "jurisdiction_id": county(cluster),
        "name": "9999年度民主评议政风行风工作",
        "pattern": "民主评议政风行风",
        "cycle": {
            "length": "one_year",
            "rounds": "whole_cycle",
            "starts_on": "9999-06-01",
            "ends_on": "9999-12-31",
        },
        "phases": [{"name": "组织实施", "starts_on": "9999-06-01", "ends_on": "9999-12-31"}],
        "categories": [GOV],
    }
    opened = checked(cluster, "registry", "POST", "/campaigns", json=campaign)
    assert opened.status_code == 422
    assert "body.cycle.starts_on" in fields(opened)


def import_units(cluster: Cluster, county_id: str, content: bytes) -> Any:
    cluster.wait_caught_up("registry", "registry")  # imports look the county up in the view
    params = {"jurisdiction_id": county_id, "dry_run": "true"}
    headers = {"Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
    return request_checked(
        cluster["registry"],
        "POST",
        "/imports/units",
        label="POST /imports/units",
        tolerate_known=False,
        params=params,
        content=content,
        headers=ADMIN | headers,
    )


def test_import_of_a_workbook_with_malformed_xml(cluster: Cluster) -> None:
    county_id = county(cluster)
    whole = workbook()
    with zipfile.ZipFile(io.BytesIO(whole)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml")
    # The first fails when the workbook is opened, the second half way through its rows.
    for damaged in (
        with_part(whole, "xl/workbook.xml", b"<"),
        with_part(whole, "xl/worksheets/sheet1.xml", sheet[: len(sheet) // 2]),
    ):
        assert import_units(cluster, county_id, damaged).status_code < 500


def test_import_of_a_workbook_with_a_corrupt_deflate_stream(cluster: Cluster) -> None:
    county_id = county(cluster)
    whole = workbook(rows=1000)
    with zipfile.ZipFile(io.BytesIO(whole)) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    data_starts = info.header_offset + 30 + len(info.filename) + len(info.extra)
    # Damage at the start fails when the workbook is opened, half way while reading rows.
    for at in (data_starts + 5, data_starts + info.compress_size // 2):
        damaged = bytearray(whole)
        damaged[at : at + 4] = b"\xff\xff\xff\xff"
        assert import_units(cluster, county_id, bytes(damaged)).status_code < 500


def test_import_of_a_workbook_with_an_unsupported_compression_method(cluster: Cluster) -> None:
    damaged = with_compression_method(workbook(), "[Content_Types].xml", 6)
    assert import_units(cluster, county(cluster), damaged).status_code < 500


def test_every_excused_defect_has_its_strict_xfail() -> None:
    """checks.KNOWN_DEFECTS may only excuse what a strict xfail above still pins down."""
    module = sys.modules[__name__]
    for defect in KNOWN_DEFECTS:
        test = getattr(module, defect.regression, None)
        assert test is not None, defect.regression
        marks = [m for m in getattr(test, "pytestmark", []) if m.name == "xfail"]
        assert marks and marks[0].kwargs.get("strict") is True, defect.regression
