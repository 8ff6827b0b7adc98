"""A campaign's pattern, cycle length and rounds and a key target's reason, sent to the
domain as an import cell or a script sends them (not through a JSON body's model): named
as a body names them (`shared.choices`: NFKC, spaces and Latin case ignored), stored as
the code, and refused with the same `code（中文）` list, still as `invalid_campaign`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from uuid import UUID, uuid4

import pytest

from services.registry.application import RegistryApplication
from services.registry.domain import Campaign, InvalidCampaign
from shared.principals import Principal
from tests.harness import IN_MEMORY
from tests.registry.campaign_helpers import LUOHE_CATEGORIES, luohe_spec

OFFICE = Principal(uuid4(), "漯河市纠风办", "office", None)
GOV = LUOHE_CATEGORIES[0]
ENGLISH = "(should be one of these codes, or its Chinese name)"
LENGTHS = f"须为以下之一: one_year（一年）、two_years（两年） {ENGLISH}"
REASONS = (
    "须为以下之一: concentrated_complaints（群众意见集中）、"
    f"weak_grade_last_cycle（上年度考核一般）、other（其他） {ENGLISH}"
)


def opened(**overrides: Any) -> Campaign:
    spec = luohe_spec(str(uuid4())) | overrides
    spec["jurisdiction_id"] = UUID(spec["jurisdiction_id"])
    return Campaign.open(actor=OFFICE.actor, **spec)


def cycle(**cells: str) -> dict[str, str]:
    return dict(luohe_spec("x")["cycle"]) | cells


@pytest.mark.parametrize(
    ("pattern", "length", "rounds"),
    [
        (" 民主 评议 政风行风 ", "两 年", "整个 周期"),
        ("ＤＥＭＯＣＲＡＴＩＣ_ＡＰＰＲＡＩＳＡＬ", "ＴＷＯ_ＹＥＡＲＳ", "ｗｈｏｌｅ＿ｃｙｃｌｅ"),
        ("Democratic_Appraisal", "Two_Years", "WHOLE_CYCLE"),
    ],
)
def test_a_cell_spaced_full_width_or_in_other_case_stores_the_code(
    pattern: str, length: str, rounds: str
) -> None:
    campaign = opened(pattern=pattern, cycle=cycle(length=length, rounds=rounds))
    assert campaign.pattern == "democratic_appraisal"
    assert (campaign.cycle["length"], campaign.cycle["rounds"]) == ("two_years", "whole_cycle")


@pytest.mark.parametrize("length", ["two_years\x0b", "两\u202e年", "两\n年", "three_years", 2])
def test_a_control_character_or_unknown_value_is_refused_listing_code_and_name(
    length: object,
) -> None:
    with pytest.raises(InvalidCampaign) as raised:
        opened(cycle=cycle() | {"length": length})
    assert (raised.value.code, raised.value.field) == ("invalid_campaign", "cycle.length")
    assert str(raised.value) == LENGTHS


@pytest.fixture
def app() -> Iterator[RegistryApplication]:
    application = RegistryApplication(IN_MEMORY)
    yield application
    application.close()


def test_the_application_stores_codes_for_names_a_spreadsheet_carries(
    app: RegistryApplication,
) -> None:
    """`open_campaign` as the importer calls it (a dict, no request model), then a key
    target designated on the campaign it opened."""
    city = app.register_jurisdiction(OFFICE, "漯河市", "city", None, None)["jurisdiction_id"]
    spec = luohe_spec(city) | {"pattern": "万人 评议", "cycle": cycle(length="ＴＷＯ_ＹＥＡＲＳ")}
    campaign_id = UUID(app.open_campaign(OFFICE, spec, None)["campaign_id"])
    campaign = app.campaign(campaign_id)
    assert (campaign.pattern, campaign.cycle["length"]) == ("ten_thousand_appraisal", "two_years")
    unit_id = uuid4()
    campaign.enrol(unit_id, GOV, OFFICE.actor)
    campaign.designate_key_target(unit_id, " 群众 意见集中 ", "投诉集中", OFFICE.actor)
    target = campaign.enrolment(unit_id)
    assert target is not None and target["key_target"] is not None
    assert target["key_target"]["reason_code"] == "concentrated_complaints"
    with pytest.raises(InvalidCampaign) as raised:
        campaign.designate_key_target(unit_id, "其他\x00", "x", OFFICE.actor)
    assert (raised.value.code, raised.value.field) == ("invalid_campaign", "reason_code")
    assert str(raised.value) == REASONS
