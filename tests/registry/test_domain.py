from uuid import uuid4

import pytest

from services.registry.domain import AlreadyRevoked, InvalidRegistration, Principal, Unit


def test_a_unit_keeps_its_chinese_name_and_category() -> None:
    unit = Unit(
        uuid4(),
        "漯河市教育局",
        "市教育局",
        "government_department",
        "政府部门及其它机构",
        "admin:x",
    )
    assert (unit.name, unit.short_name, unit.category) == (
        "漯河市教育局",
        "市教育局",
        "政府部门及其它机构",
    )
    assert [type(e).__name__ for e in unit.collect_events()] == ["Registered"]


def test_blank_names_are_refused_with_the_field() -> None:
    with pytest.raises(InvalidRegistration) as raised:
        Unit(uuid4(), "   ", None, "government_department", "政府部门及其它机构", "admin:x")
    assert raised.value.field == "name"


def test_revoking_is_a_new_event_and_only_once() -> None:
    principal = Principal("调查公司", "agency", None, "hash", "admin:x")
    principal.revoke("合同到期", "admin:x")
    assert principal.revoked and principal.revoked_reason == "合同到期"
    assert [type(e).__name__ for e in principal.collect_events()] == ["Issued", "Revoked"]
    with pytest.raises(AlreadyRevoked):
        principal.revoke("again", "admin:x")
