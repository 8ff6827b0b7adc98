"""Sub-units (重点科室/重点岗位/基层站所/窗口单位): which kinds may be sub-units of which, and
in which category of a campaign a sub-unit of an enrolled unit may be enrolled
(services/registry/domain/unit_kinds.py, campaign_sub_units.py)."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID, uuid4

import pytest

from services.registry.application import RegistryApplication
from services.registry.domain import InvalidRegistration, Unit, UnitSpec
from services.registry.domain.campaign_sub_units import sub_unit_category_refusal
from services.registry.domain.unit_kinds import CHILD_KINDS, SUB_UNIT_KINDS, sub_unit_refusal
from tests.harness import ADMIN, IN_MEMORY, Cluster
from tests.registry.campaign_helpers import LUOHE_CATEGORIES, enrol, error_field, luohe_spec
from tests.registry.helpers import city_with_counties, post
from tests.registry.import_helpers import csv_bytes, upload
from tests.stored_events import created, store

GOV, PUBLIC = LUOHE_CATEGORIES
STATIONS = "基层站所和窗口单位"
DAY = date(2024, 1, 1)


# --- which kinds may be sub-units of which ---------------------------------------------------


def test_only_sections_posts_stations_and_windows_are_sub_units() -> None:
    for parent in ("government_department", "other_body", "public_service_enterprise"):
        for kind in SUB_UNIT_KINDS:
            assert sub_unit_refusal(parent, kind) is None
    for kind in ("government_department", "other_body", "public_service_enterprise"):
        assert "never as a sub-unit" in (sub_unit_refusal("government_department", kind) or "")
    assert sub_unit_refusal("government_department", "funded_project") is not None
    assert sub_unit_refusal("key_section", "key_post") is None
    assert sub_unit_refusal("grassroots_station", "service_window") is None
    assert sub_unit_refusal("grassroots_station", "key_section") is not None
    for holds_nothing in ("service_window", "key_post", "funded_project"):
        assert CHILD_KINDS[holds_nothing] == frozenset()
        assert sub_unit_refusal(holds_nothing, "service_window") is not None


def unit(kind: str, parent: Unit | None = None, name: str = "单位") -> Unit:
    place = parent.jurisdiction_id if parent else uuid4()
    spec = UnitSpec(place, name, kind, GOV)
    return Unit.register(spec, "office:x", DAY, parent, [place])


def test_registration_refuses_a_department_under_a_department_naming_parent_id() -> None:
    department = unit("government_department")
    with pytest.raises(InvalidRegistration) as raised:
        unit("government_department", department)
    assert raised.value.field == "parent_id"
    assert raised.value.context == {"parent_kind": "government_department"}
    window = unit("service_window", department)
    with pytest.raises(InvalidRegistration) as under_window:
        unit("service_window", window)
    assert under_window.value.field == "parent_id"


def test_a_stored_department_under_a_department_still_loads() -> None:
    """Registered before the rule: the mutator never checks it."""
    app = RegistryApplication(IN_MEMORY)
    parent = unit("government_department")
    app.save(parent)
    registered = created(
        Unit,
        Unit.Registered,
        jurisdiction_id=parent.jurisdiction_id,
        name="下级局",
        short_name=None,
        kind="government_department",
        category=GOV,
        actor="office:old",
        parent_id=parent.id,
        vertical_superior=None,
        credit_code=None,
        effective_on="2024-06-01",
        effective_on_stated=True,
    )
    store(app, registered)
    loaded = app.unit(registered.originator_id)
    assert (loaded.kind, loaded.parent_id) == ("government_department", parent.id)


@pytest.fixture
def world(cluster: Cluster) -> dict[str, Any]:
    found = city_with_counties(cluster)
    found["county"] = found["counties"]["源汇区"]["jurisdiction_id"]
    found["department"] = found["units"]["源汇区民政局"]["unit_id"]
    return found


def register(cluster: Cluster, world: dict[str, Any], name: str, kind: str, **extra: Any) -> Any:
    body = {"jurisdiction_id": world["county"], "name": name, "kind": kind, "category": GOV}
    return cluster["registry"].post("/units", json=body | extra, headers=ADMIN)


def test_the_api_refuses_sub_units_that_make_no_sense(
    cluster: Cluster, world: dict[str, Any]
) -> None:
    department = world["department"]
    for kind in ("government_department", "other_body", "funded_project"):
        response = register(cluster, world, f"下属{kind}", kind, parent_id=department)
        assert (response.status_code, error_field(response)) == (422, "units.0.parent_id")
        assert response.json()["error"] == "invalid_registration"
    window = register(cluster, world, "婚姻登记窗口", "service_window", parent_id=department)
    assert window.status_code == 201, window.text
    station = register(cluster, world, "城区救助站", "grassroots_station", parent_id=department)
    post_ = register(
        cluster, world, "救助站值班岗", "key_post", parent_id=station.json()["unit_id"]
    )
    assert post_.status_code == 201, post_.text
    inside = register(
        cluster, world, "窗口下的科室", "key_section", parent_id=window.json()["unit_id"]
    )
    assert (inside.status_code, error_field(inside)) == (422, "units.0.parent_id")
    # A merger or split of sub-units keeps their parent: the kind is what is refused.
    other = register(cluster, world, "收养登记窗口", "service_window", parent_id=department)
    merged = cluster["registry"].post(
        "/units:merge",
        json={
            "source_unit_ids": [window.json()["unit_id"], other.json()["unit_id"]],
            "name": "婚姻收养登记处",
            "kind": "government_department",
            "reason": "合并",
        },
        headers=ADMIN,
    )
    assert (merged.status_code, error_field(merged)) == (422, "kind")
    split = cluster["registry"].post(
        f"/units/{window.json()['unit_id']}/split",
        json={
            "units": [{"name": "结婚登记窗口"}, {"name": "婚姻局", "kind": "other_body"}],
            "reason": "拆分",
        },
        headers=ADMIN,
    )
    assert (split.status_code, error_field(split)) == (422, "units.1.kind")


def test_an_import_dry_run_reports_a_parent_that_cannot_hold_the_row(
    cluster: Cluster, world: dict[str, Any]
) -> None:
    cluster.wait_caught_up("registry", "registry")
    rows = [
        ["单位名称", "单位类型", "类别", "上级单位"],
        ["源汇区民政局婚姻登记处", "窗口单位", GOV, "源汇区民政局"],
        ["源汇区民政局下属局", "政府部门", GOV, "源汇区民政局"],
    ]
    dry = upload(
        cluster, "/imports/units", csv_bytes(rows), jurisdiction_id=world["county"], dry_run=True
    )
    assert dry.status_code == 200, dry.text
    assert [(e["row"], e["column"]) for e in dry.json()["errors"]] == [(3, "上级单位")]


# --- a sub-unit's category in a campaign -------------------------------------------------------


def test_the_category_rule_from_each_side() -> None:
    department = unit("government_department", name="民政局")
    window = unit("service_window", department, name="婚姻登记窗口")
    power = unit("public_service_enterprise", name="供电公司")
    units = {u.id: u for u in (department, window, power)}

    def check(enrolled: list[tuple[Unit, str]], batch: list[Unit]) -> tuple[int, str] | None:
        return sub_unit_category_refusal(
            {u.id: c for u, c in enrolled}, [u.id for u in batch], units.__getitem__
        )

    # Beside the parent, or in a category of sub-units only: fine.
    assert check([(department, GOV), (window, GOV)], [department, window]) is None
    assert check([(department, GOV), (power, PUBLIC), (window, STATIONS)], [window]) is None
    # Among units of their own, not the parent's: refused, whichever is enrolled last.
    sub_side = check([(department, GOV), (power, PUBLIC), (window, PUBLIC)], [department, window])
    assert sub_side is not None and sub_side[0] == 1 and "民政局" in sub_side[1]
    parent_side = check([(department, GOV), (power, PUBLIC), (window, PUBLIC)], [department])
    assert parent_side is not None and "婚姻登记窗口" in parent_side[1]
    unit_side = check([(department, GOV), (power, STATIONS), (window, STATIONS)], [power])
    assert unit_side is not None and "category of sub-units" in unit_side[1]
    # A sub-unit whose parent is not enrolled may go anywhere.
    assert check([(power, PUBLIC), (window, PUBLIC)], [window]) is None


def test_enrolment_keeps_sub_units_beside_their_parent_or_among_sub_units(
    cluster: Cluster, world: dict[str, Any]
) -> None:
    department = world["department"]
    windows = [
        register(cluster, world, name, "service_window", parent_id=department).json()["unit_id"]
        for name in ("婚姻登记窗口", "救助申请窗口", "殡葬服务窗口")
    ]
    power = post(
        cluster,
        "/units",
        {
            "jurisdiction_id": world["county"],
            "name": "源汇供电公司",
            "kind": "public_service_enterprise",
            "category": PUBLIC,
        },
    )["unit_id"]
    spec = luohe_spec(world["county"]) | {"categories": [GOV, PUBLIC, STATIONS]}
    cid = post(cluster, "/campaigns", spec)["campaign_id"]
    # Seed 000: units in their categories, windows in a category of sub-units (scored
    # there, rolled up into the parent) or beside their parent.
    enrol(cluster, cid, [(department, GOV), (power, PUBLIC), (windows[0], STATIONS)])
    enrol(cluster, cid, [(windows[1], GOV)])
    # A window of the 民政局 among the public-service enterprises: refused, naming it.
    refused = enrol(cluster, cid, [(windows[2], PUBLIC)], status=422)
    assert refused["detail"][0]["field"] == "enrolments.0.category"
    assert refused["error"] == "enrolment_refused"
    # A unit of its own in the category of sub-units: refused too.
    education = register(cluster, world, "源汇区教育局", "government_department")
    refused = enrol(cluster, cid, [(education.json()["unit_id"], STATIONS)], status=422)
    assert refused["detail"][0]["field"] == "enrolments.0.category"


def test_a_parent_enrolled_after_its_sub_unit_follows_the_same_rule(
    cluster: Cluster, world: dict[str, Any]
) -> None:
    department = world["department"]
    window = register(cluster, world, "婚姻登记窗口", "service_window", parent_id=department)
    power = register(cluster, world, "源汇供电公司", "public_service_enterprise")
    cid = post(cluster, "/campaigns", luohe_spec(world["county"]))["campaign_id"]
    enrol(cluster, cid, [(power.json()["unit_id"], PUBLIC), (window.json()["unit_id"], PUBLIC)])
    education = register(cluster, world, "源汇区教育局", "government_department")
    batch = [(education.json()["unit_id"], GOV), (department, GOV)]
    refused = enrol(cluster, cid, batch, status=422)
    assert refused["detail"][0]["field"] == "enrolments.1.category"
    enrol(cluster, cid, [(department, PUBLIC)])  # beside its window: fine


def test_a_campaign_stored_with_a_misplaced_sub_unit_still_loads_and_takes_commands(
    cluster: Cluster, world: dict[str, Any]
) -> None:
    """Enrolled before the rule: nothing in the campaign's events is checked on loading."""
    app: RegistryApplication = cluster["registry"].app.state.runtime.application
    department = UUID(world["department"])
    window = register(cluster, world, "婚姻登记窗口", "service_window", parent_id=str(department))
    power = register(cluster, world, "源汇供电公司", "public_service_enterprise")
    cid = UUID(post(cluster, "/campaigns", luohe_spec(world["county"]))["campaign_id"])
    campaign = app.campaign(cid)
    campaign.enrol(department, GOV, "office:old")
    campaign.enrol(UUID(power.json()["unit_id"]), PUBLIC, "office:old")
    campaign.enrol(UUID(window.json()["unit_id"]), PUBLIC, "office:old")
    app.save(campaign)
    assert app.campaign(cid).enrolment(UUID(window.json()["unit_id"])) is not None
    # The rule judges what a batch touches: others still enrol, the window may leave.
    education = register(cluster, world, "源汇区教育局", "government_department")
    enrol(cluster, str(cid), [(education.json()["unit_id"], GOV)])
    withdrawal = f"/campaigns/{cid}/enrolments/{window.json()['unit_id']}/withdrawal"
    post(cluster, withdrawal, {"reason": "类别调整"}, status=200)


def test_an_enrolment_import_dry_run_reports_the_category(
    cluster: Cluster, world: dict[str, Any]
) -> None:
    department = world["department"]
    register(cluster, world, "婚姻登记窗口", "service_window", parent_id=department)
    register(cluster, world, "源汇供电公司", "public_service_enterprise")
    cid = post(cluster, "/campaigns", luohe_spec(world["county"]))["campaign_id"]
    cluster.wait_caught_up("registry", "registry")
    rows = [
        ["单位名称", "类别"],
        ["源汇区民政局", GOV],
        ["源汇供电公司", PUBLIC],
        ["婚姻登记窗口", PUBLIC],
    ]
    dry = upload(cluster, "/imports/enrolments", csv_bytes(rows), campaign_id=cid, dry_run=True)
    assert dry.status_code == 200, dry.text
    assert [(e["row"], e["column"]) for e in dry.json()["errors"]] == [(4, "类别")]
    real = upload(cluster, "/imports/enrolments", csv_bytes(rows), campaign_id=cid)
    assert real.status_code == 422, real.text
