"""What a refused caller is told about its role and reach (the 403s of `shared.policy`),
Chinese first, the English after it unchanged (`shared.reasons`).

The offices, agencies and units that meet these refusals read Chinese; the English after it
keeps the wording clients and runbooks already match on. Kept apart from `shared.policy` so
that the policy checks and `pingyi policies` (docs/authorization.md) say the same thing in
the same words: both import it, it imports neither."""

from __future__ import annotations

from collections.abc import Iterable

ROLE_WORDS: dict[str, str] = {
    "admin": "管理员",
    "office": "纠风办",
    "agency": "测评机构",
    "inspector": "督查员",
    "unit": "单位",
    "auditor": "审计员",
}
"""A role's code -> what its holders are called (the registry names them the same way)."""

AUDITORS_WRITE_NOTHING = "审计员只能查阅, 不能写入 (auditors read everything and write nothing)"
ONLY_ADMIN = "只有管理员可以执行此操作 (only an admin may do this)"
ONLY_ADMIN_AT_TOP = "只有管理员可以在最高一级操作 (only an admin may act at the top level)"
OUTSIDE_JURISDICTION = "不在您的辖区范围内 (outside your jurisdiction)"
OWN_UNIT_ONLY = "单位密钥只能代表本单位 (a unit's key acts for its own unit only)"
UNIT_ENDED_STATUS = {"merged": "已被合并", "split": "已被拆分", "dissolved": "已被撤销"}


def unit_ended(status: str) -> str:
    """Why a write with the key of a unit that has ended is refused."""
    chinese = UNIT_ENDED_STATUS.get(status, "已不存在")
    return (
        f"该密钥所代表的单位{chinese}, 只能查阅, 不能写入; 请使用现在承接它的单位的密钥 "
        f"(the unit this key speaks for is {status}: the key still reads but writes nothing; "
        "use a key of the unit that stands for it now)"
    )


def role_word(role: str) -> str:
    """What holders of `role` are called; a role named nowhere keeps its code."""
    return ROLE_WORDS.get(role, role)


def needs_roles(roles: Iterable[str]) -> str:
    """Why a caller whose role is not among `roles` (codes, in order) is refused."""
    codes = list(roles)
    chinese = "、".join(role_word(role) for role in codes)
    return f"此操作需要以下角色之一: {chinese} (this needs one of the roles {', '.join(codes)})"
