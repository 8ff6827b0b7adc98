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
LEVEL_LABELS: dict[str, str] = {
    "province": "省",
    "city": "市",
    "county": "县",
    "district": "区",
    "zone": "开发区",
}
ROLE_LABELS: dict[str, str] = {
    "admin": "管理员",
    "office": "纠风办",
    "agency": "测评机构",
    "inspector": "督查员",
    "unit": "单位",
    "auditor": "审计员",
}
STATUS_LABELS: dict[str, str] = {
    "active": "在册",
    "merged": "已合并",
    "split": "已拆分",
    "dissolved": "已撤销",
}
"""Words a refusal names a level, role or unit status in (Chinese first, the code after)."""


THING_LABELS: dict[str, str] = {
    "unit": "参评单位",
    "jurisdiction": "辖区",
    "campaign": "评议活动",
    "principal": "密钥",
    "draw": "抽取",
    "person": "代表",
}


NOT_ENROLLED = "该单位未参加这次评议活动 (the unit is not enrolled in this campaign)"


def no_such(thing: str, when: str = "") -> str:
    """A 404's reason: `没有这个辖区 (no such jurisdiction)`; `when` a day, for a read as of it."""
    label = THING_LABELS.get(thing, thing)
    if when:
        return f"{when} 时没有这个{label} (no such {thing} on {when})"
    return f"没有这个{label} (no such {thing})"


def an(word: str) -> str:
    """The English article for `word`: "an office key", "a unit key"."""
    return f"an {word}" if word[:1] in ("a", "e", "i", "o", "u") else f"a {word}"


def required_text(value: str, field: str) -> str:
    cleaned = value.strip()
    if not cleaned:
        raise InvalidRegistration("不能为空 (must not be blank)", field=field)
    return cleaned
