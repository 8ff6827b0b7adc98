"""A 重点科室 or 重点岗位 is part of a unit and is registered with its parent unit; a 基层站所 or
窗口单位 may stand alone (services/registry/domain/unit_kinds.py says why). Stored units of
either kind without a parent still load: the rule is checked when registering, never when
a stored event is applied."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any
from uuid import uuid4

import pytest

from services.registry.application import RegistryApplication
from services.registry.domain import InvalidRegistration, Unit, UnitSpec
from services.registry.domain.units import Change
from shared.settings import CommonSettings
from tests.harness import ADMIN, IN_MEMORY, Cluster
from tests.registry.campaign_helpers import error_field
from tests.registry.helpers import city_with_counties
from tests.registry.import_helpers import csv_bytes, problems, upload
from tests.stored_events import created, store

GOV = "政府部门及其它机构"
DAY = date(2024, 1, 1)
PARENTLESS = ("key_section", "key_post")


def spec(kind: str, name: str = "单位", place: Any = None) -> UnitSpec:
    return UnitSpec(place or uuid4(), name, kind, GOV)


def test_a_section_or_post_without_a_parent_is_refused_naming_parent_id() -> None:
    for kind in PARENTLESS:
        with pytest.raises(InvalidRegistration) as raised:
            Unit.register(spec(kind), "office:x", DAY)
        assert raised.value.field == "parent_id"
        assert raised.value.reason.startswith(("重点科室是", "重点岗位是"))
        assert "须填写上级单位" in raised.value.reason
    for kind in ("grassroots_station", "service_window", "government_department"):
        assert Unit.register(spec(kind), "office:x", DAY).parent_id is None


def test_a_merger_or_split_into_parentless_sections_is_refused_naming_kind() -> None:
    place = uuid4()
    first, second = (
        Unit.register(spec("government_department", n, place), "a", DAY) for n in "甲乙"
    )
    change = Change(date(2024, 6, 1), "机构改革", "office:x")
    with pytest.raises(InvalidRegistration) as merged:
        Unit.merge([first, second], spec("key_section", "合并科", place), change)
    assert merged.value.field == "kind"
    parts = [spec("government_department", "丙局", place), spec("key_post", "丁岗", place)]
    with pytest.raises(InvalidRegistration) as split:
        first.split(parts, [[place], [place]], change)
    assert split.value.field == "units.1.kind"


def test_a_stored_section_without_a_parent_still_loads() -> None:
    app = RegistryApplication(IN_MEMORY)
    registered = created(
        Unit,
        Unit.Registered,
        jurisdiction_id=uuid4(),
        name="无主科室",
        short_name=None,
        kind="key_section",
        category=GOV,
        actor="office:old",
        parent_id=None,
        vertical_superior=None,
        credit_code=None,
        effective_on="2024-06-01",
        effective_on_stated=True,
    )
    store(app, registered)
    loaded = app.unit(registered.originator_id)
    assert (loaded.kind, loaded.parent_id, loaded.name) == ("key_section", None, "无主科室")


# --- the API and the import, on PostgreSQL and NATS ---------------------------------------------


@pytest.fixture
def cluster(production_settings: CommonSettings) -> Iterator[Cluster]:
    with Cluster(production_settings, ["registry"]) as running:
        yield running


def body(county: str, name: str, kind: str, **extra: Any) -> dict[str, Any]:
    return {"jurisdiction_id": county, "name": name, "kind": kind, "category": GOV} | extra


@pytest.mark.infra
def test_the_api_and_the_import_refuse_a_section_or_post_without_its_parent(
    cluster: Cluster,
) -> None:
    world = city_with_counties(cluster)
    county = world["counties"]["源汇区"]["jurisdiction_id"]
    department = world["units"]["源汇区民政局"]["unit_id"]
    registry = cluster["registry"]
    for kind in PARENTLESS:
        alone = registry.post("/units", json=body(county, f"无主{kind}", kind), headers=ADMIN)
        assert (alone.status_code, error_field(alone)) == (422, "units.0.parent_id"), alone.text
        assert alone.json()["error"] == "invalid_registration"
        assert "须填写上级单位" in alone.json()["detail"][0]["reason"]
    batch = {
        "units": [
            body(county, "社会救助科", "key_section", parent_id=department),
            body(county, "低保审核岗", "key_post"),
        ]
    }
    refused = registry.post("/units:batch", json=batch, headers=ADMIN)
    assert (refused.status_code, error_field(refused)) == (422, "units.1.parent_id")
    station = registry.post(
        "/units", json=body(county, "城区救助站", "grassroots_station"), headers=ADMIN
    )
    assert station.status_code == 201, station.text
    # All or none: the refused batch registered nothing, so its section's name is free.
    section = body(county, "社会救助科", "key_section", parent_id=department)
    assert registry.post("/units", json=section, headers=ADMIN).status_code == 201

    cluster.wait_caught_up("registry", "registry")
    rows = [
        ["单位名称", "单位类型", "类别", "上级单位"],
        ["源汇区民政局婚姻登记科", "重点科室", GOV, "源汇区民政局"],
        ["源汇区无主岗位", "重点岗位", GOV, ""],
        ["源汇区独立窗口", "窗口单位", GOV, ""],
    ]
    sheet = csv_bytes(rows)
    dry = upload(cluster, "/imports/units", sheet, jurisdiction_id=county, dry_run=True)
    assert dry.status_code == 200, dry.text
    assert problems(dry.json()) == {(3, "上级单位")}
    assert "须填写上级单位" in dry.json()["errors"][0]["reason"]
    real = upload(cluster, "/imports/units", sheet, jurisdiction_id=county)
    assert real.status_code == 422, real.text
    assert problems(real.json()) == {(3, "上级单位")}
