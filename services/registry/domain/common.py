"""Vocabulary shared by the registry's aggregates."""

from __future__ import annotations

from typing import Literal

from services.registry.domain.errors import InvalidRegistration
from shared.contracts.registry import Role

__all__ = ["Role"]  # the one definition of the roles, re-exported for registry code

JurisdictionLevel = Literal["province", "city", "county", "district", "zone"]
UnitKind = Literal[
    "government_department",
    "other_body",
    "public_service_enterprise",
    "key_section",
    "key_post",
    "grassroots_station",
    "service_window",
    "funded_project",
]
UNIT_KIND_LABELS: dict[str, str] = {
    "government_department": "政府部门",
    "other_body": "其它机构",
    "public_service_enterprise": "公共服务企业",
    "key_section": "重点科室",
    "key_post": "重点岗位",
    "grassroots_station": "基层站所",
    "service_window": "窗口单位",
    "funded_project": "政府投资项目",
}
UNIT_KIND_BY_LABEL: dict[str, str] = {label: kind for kind, label in UNIT_KIND_LABELS.items()}


def required_text(value: str, field: str) -> str:
    cleaned = value.strip()
    if not cleaned:
        raise InvalidRegistration("must not be blank", field=field)
    return cleaned
