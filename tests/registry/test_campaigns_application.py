"""Campaign commands on the registry application (in memory), as the importer calls them, and
the contracts their stored events publish."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any
from uuid import UUID, uuid4

import pytest

from services.registry.application import RegistryApplication
from services.registry.domain import (
    Campaign,
    CampaignNotFound,
    EnrolmentRefused,
    InvalidCampaign,
    UnitNotFound,
)
from services.registry.domain.units import Change, Unit, UnitSpec
from services.registry.integration import to_payload
from shared.contracts import registry_campaigns as contract
from shared.principals import Principal
from tests.harness import IN_MEMORY
from tests.registry.campaign_helpers import LUOHE_CATEGORIES, luohe_spec

GOV, PUBLIC = LUOHE_CATEGORIES
OFFICE = Principal(uuid4(), "漯河市纠风办", "office", None)


@pytest.fixture
def app() -> Iterator[RegistryApplication]:
    application = RegistryApplication(IN_MEMORY)
    yield application
    application.close()


def jurisdiction(app: RegistryApplication, name: str, level: str, parent: UUID | None) -> UUID:
    return UUID(app.register_jurisdiction(OFFICE, name, level, parent, None)["jurisdiction_id"])


def saved_unit(
    app: RegistryApplication,
    where: UUID,
    name: str,
    parent: Unit | None = None,
    lineage: list[UUID] | None = None,
    **spec: Any,
) -> Unit:
    """Registered through the Unit aggregate itself: sub-units and vertical management are
    not on the units API yet when these tests were written. A sub-unit is a 基层站所."""
    kind = "grassroots_station" if parent else "government_department"
    unit = Unit.register(
        UnitSpec(where, name, kind, GOV, **spec),
        OFFICE.actor,
        date(2016, 1, 1),
        parent=parent,
        jurisdiction_lineage=lineage or [where],
    )
    app.save(unit, *([parent] if parent else []))
    return unit


@pytest.fixture
def luohe(app: RegistryApplication) -> dict[str, Any]:
    province = jurisdiction(app, "河南省", "province", None)
    city = jurisdiction(app, "漯河市", "city", province)
    county = jurisdiction(app, "源汇区", "district", city)
    other = jurisdiction(app, "郾城区", "district", city)
    bureau = saved_unit(app, county, "源汇区民政局")
    city_police = saved_unit(app, city, "漯河市公安局")
    units = {
        "bureau": bureau,
        "window": saved_unit(app, county, "源汇区民政局婚姻登记处", parent=bureau),
        "station": saved_unit(
            app, county, "漯河市公安局源汇分局", parent=city_police, lineage=[county, city]
        ),
        "tax": saved_unit(
            app, county, "源汇区税务局", vertical_superior="国家税务总局漯河市税务局"
        ),
        "city_police": city_police,
        "other": saved_unit(app, other, "郾城区民政局"),
        "other_tax": saved_unit(app, other, "郾城区税务局", vertical_superior="漯河市税务局"),
        "gone": saved_unit(app, county, "源汇区粮食局"),
    }
    gone = app.unit(units["gone"].id)
    gone.dissolve([], Change(date(2016, 5, 1), "机构改革撤销", OFFICE.actor))
    app.save(gone)
    return {"city": city, "county": county, "units": units}


def county_campaign(app: RegistryApplication, luohe: dict[str, Any]) -> UUID:
    spec = luohe_spec(str(luohe["county"])) | {"name": "源汇区民主评议政风行风"}
    return UUID(app.open_campaign(OFFICE, spec, None)["campaign_id"])


def ids(luohe: dict[str, Any], *names: str) -> list[dict[str, Any]]:
    return [{"unit_id": luohe["units"][n].id, "category": GOV} for n in names]


def test_units_sub_units_and_vertical_units_located_there_are_enrolled(
    app: RegistryApplication, luohe: dict[str, Any]
) -> None:
    campaign_id = county_campaign(app, luohe)
    result = app.enrol_units(
        OFFICE, campaign_id, ids(luohe, "bureau", "window", "station", "tax"), None
    )
    assert [e["unit_name"] for e in result["enrolments"]] == [
        "源汇区民政局",
        "源汇区民政局婚姻登记处",
        "漯河市公安局源汇分局",
        "源汇区税务局",
    ]
    campaign = app.campaign(campaign_id)
    assert isinstance(campaign, Campaign)
    assert campaign.enrolment_counts() == {GOV: 4, PUBLIC: 0}


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("other", "outside the campaign's jurisdiction"),
        ("other_tax", "vertically managed"),
        ("city_police", "outside the campaign's jurisdiction"),
        ("gone", "dissolved"),
    ],
)
def test_anything_else_is_refused_naming_the_row_and_nothing_is_enrolled(
    app: RegistryApplication, luohe: dict[str, Any], name: str, reason: str
) -> None:
    campaign_id = county_campaign(app, luohe)
    with pytest.raises(EnrolmentRefused) as raised:
        app.enrol_units(OFFICE, campaign_id, ids(luohe, "bureau", "window", name), None)
    assert raised.value.field == "enrolments.2.unit_id"
    assert reason in raised.value.reason
    assert app.campaign(campaign_id).enrolments == {}


def test_a_city_campaign_takes_its_whole_subtree(
    app: RegistryApplication, luohe: dict[str, Any]
) -> None:
    spec = luohe_spec(str(luohe["city"]))
    campaign_id = UUID(app.open_campaign(OFFICE, spec, None)["campaign_id"])
    names = ("bureau", "window", "station", "tax", "city_police", "other", "other_tax")
    app.enrol_units(OFFICE, campaign_id, ids(luohe, *names), None)
    assert sum(app.campaign(campaign_id).enrolment_counts().values()) == len(names)


def test_bad_ids_and_unknown_campaigns_name_their_field(
    app: RegistryApplication, luohe: dict[str, Any]
) -> None:
    campaign_id = county_campaign(app, luohe)
    with pytest.raises(InvalidCampaign) as malformed:
        app.enrol_units(OFFICE, campaign_id, [{"unit_id": "不是编号", "category": GOV}], None)
    assert malformed.value.field == "enrolments.0.unit_id"
    with pytest.raises(UnitNotFound) as unknown:
        app.enrol_units(OFFICE, campaign_id, [{"unit_id": uuid4(), "category": GOV}], None)
    assert unknown.value.field == "enrolments.0.unit_id"
    with pytest.raises(EnrolmentRefused) as empty:
        app.enrol_units(OFFICE, campaign_id, [], None)
    assert empty.value.field == "enrolments"
    with pytest.raises(CampaignNotFound):
        app.enrol_units(OFFICE, uuid4(), ids(luohe, "bureau"), None)
    with pytest.raises(InvalidCampaign) as extra:
        app.open_campaign(OFFICE, luohe_spec(str(luohe["county"])) | {"budget": 1}, None)
    assert extra.value.field == "budget"


def test_a_retried_enrolment_with_its_key_changes_nothing(
    app: RegistryApplication, luohe: dict[str, Any]
) -> None:
    campaign_id = county_campaign(app, luohe)
    first = app.enrol_units(OFFICE, campaign_id, ids(luohe, "bureau"), "batch-1")
    version = app.campaign(campaign_id).version
    assert app.enrol_units(OFFICE, campaign_id, ids(luohe, "bureau"), "batch-1") == first
    assert app.campaign(campaign_id).version == version


def test_the_stored_events_publish_the_campaign_contracts(
    app: RegistryApplication, luohe: dict[str, Any]
) -> None:
    campaign_id = county_campaign(app, luohe)
    bureau = luohe["units"]["bureau"].id
    app.enrol_units(OFFICE, campaign_id, ids(luohe, "bureau"), None)
    app.designate_key_target(OFFICE, campaign_id, bureau, "weak_grade_last_cycle", "上年度一般")
    app.revoke_key_target(OFFICE, campaign_id, bureau, "整改到位")
    app.withdraw_unit(OFFICE, campaign_id, bureau, "机构调整")
    payloads = [to_payload(e) for e in app.events.get(campaign_id)]
    assert [type(p) for p in payloads] == [
        contract.CampaignOpened,
        contract.UnitEnrolled,
        contract.KeyTargetDesignated,
        contract.KeyTargetRevoked,
        contract.UnitWithdrawn,
    ]
    opened = payloads[0]
    assert isinstance(opened, contract.CampaignOpened)
    assert opened.pattern == contract.Pattern(code="democratic_appraisal", label="民主评议政风行风")
    assert opened.phases[0] == contract.Phase(
        name="动员准备", starts_on=date(2016, 6, 1), ends_on=date(2016, 7, 31)
    )
    assert opened.cycle.round_windows == (
        contract.Window(starts_on=date(2016, 6, 1), ends_on=date(2017, 11, 30)),
    )
    designated = payloads[2]
    assert isinstance(designated, contract.KeyTargetDesignated)
    assert (designated.reason_code, designated.reason_label) == (
        "weak_grade_last_cycle",
        "上年度考核一般",
    )
    assert all(p is not None and p.actor == OFFICE.actor for p in payloads)  # type: ignore[union-attr]
