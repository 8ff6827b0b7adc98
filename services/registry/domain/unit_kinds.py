"""Which kinds of unit may be sub-units of which (上级单位).

The programs evaluate government departments and other bodies (政府部门及其它机构) and
public-service enterprises (公共服务行业/企业) as units, and "extend" the evaluation to their
key sections and posts (重点科室/重点岗位) and their grassroots stations and windows
(基层站所/窗口单位), whose results count in the parent unit's score (seed 000; seed 002:
the grassroots service units that departments and industries set up). Government-funded
projects (政府投资项目) are scored beside sections and windows (seed 001) and belong to no
unit in the seeds. So:

- a department, other body, enterprise or funded project is evaluated on its own and is
  never a sub-unit: one department "under" another would roll its score into the other's;
- a key section, key post, grassroots station or service window may be a sub-unit of a
  department, other body or enterprise;
- below a sub-unit only what it can contain: a key post in a key section, a service window
  or key post in a grassroots station; a post, window or project holds nothing.

A key section or key post is part of a unit and nothing else: seed 000 evaluates the 市直单位's
重点科室和重点岗位 as a part of each unit's composite score (the shipped Luohe scheme: the
mean of the unit's own sections and posts), and no seed evaluates one on its own. So it is
registered with its parent unit (`parent_id`), or refused. A grassroots station or service
window may still be registered without a parent, and is then ranked as a unit of its own:
seed 002 evaluates every grassroots service unit in its own right (人民满意基层服务单位),
those of vertically managed bodies where they are located (their superior, outside the
local registry, is `vertical_superior`), and a county office may evaluate a station of a
city bureau it cannot attach to that bureau (a sub-unit is recorded on its parent, which
must be the caller's to change).

Units registered before these rules keep what they were registered with: the rules are
checked when a unit is registered (merger and split included), never when a stored unit
is loaded.
"""

from __future__ import annotations

from services.registry.domain.common import UNIT_KIND_LABELS

STANDING_KINDS = frozenset(
    {"government_department", "other_body", "public_service_enterprise", "funded_project"}
)
SUB_UNIT_KINDS = frozenset({"key_section", "key_post", "grassroots_station", "service_window"})
PARENT_REQUIRED_KINDS = frozenset({"key_section", "key_post"})
CHILD_KINDS: dict[str, frozenset[str]] = {
    "government_department": SUB_UNIT_KINDS,
    "other_body": SUB_UNIT_KINDS,
    "public_service_enterprise": SUB_UNIT_KINDS,
    "funded_project": frozenset(),
    "key_section": frozenset({"key_post"}),
    "grassroots_station": frozenset({"service_window", "key_post"}),
    "key_post": frozenset(),
    "service_window": frozenset(),
}


def _zh(kind: str) -> str:
    return UNIT_KIND_LABELS.get(kind, kind)


def sub_unit_refusal(parent_kind: str, kind: str) -> str | None:
    """Why a unit of `kind` cannot be a sub-unit of a unit of `parent_kind`, or None."""
    if kind not in SUB_UNIT_KINDS:
        return (
            f"{_zh(kind)}单独参评, 不能作为下属单位; 只有重点科室、重点岗位、基层站所、"
            f"窗口单位可以设上级单位 (a {kind} is evaluated on its own, never as a sub-unit; "
            "only key sections, key posts, grassroots stations and service windows have a "
            "parent unit)"
        )
    allowed = CHILD_KINDS.get(parent_kind, frozenset())
    if kind not in allowed:
        holds = "、".join(UNIT_KIND_LABELS[k] for k in sorted(allowed)) or "不设下属单位"
        return (
            f"上级单位类型不符: {_zh(parent_kind)}之下不能设{_zh(kind)} (可设: {holds}) "
            f"(a {parent_kind} cannot hold a {kind})"
        )
    return None


def missing_parent_refusal(kind: str) -> str | None:
    """Why a unit of `kind` cannot be registered without a parent unit, or None."""
    if kind not in PARENT_REQUIRED_KINDS:
        return None
    return (
        f"{UNIT_KIND_LABELS[kind]}是所属单位的一部分, 须填写上级单位 (a {kind} is part of a "
        "unit: name its parent unit, a department, other body, enterprise, or for a key post "
        "also a key section or grassroots station)"
    )
