from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, BeforeValidator, Field, WithJsonSchema

from services.registry.domain import Role
from services.registry.domain.common import ROLE_LABELS
from services.registry.schemas.common import In
from shared.contracts.registry import UnitStatus
from shared.types import Line, Prose
from shared.web.choices import Named

ROLES = Named(ROLE_LABELS)
RoleIn = Annotated[
    Role,
    BeforeValidator(ROLES.read),
    WithJsonSchema(ROLES.schema("角色 (role): a code or its Chinese name")),
]
"""A role as its code (`office`) or its Chinese name (`纠风办`); the code is stored."""


class PrincipalIn(In):
    name: Line = Field(min_length=1, max_length=100, examples=["某某调查公司"])
    role: RoleIn = Field(
        examples=["agency"],
        description="admin 管理员, office 纠风办, agency 测评机构, inspector 督查员, unit 单位, "
        "auditor 审计员. The code or its Chinese name (测评机构) is accepted; the code is "
        "stored and answered.",
    )
    jurisdiction_id: UUID | None = Field(
        default=None,
        description="Where the key is bound. A unit key takes its unit's jurisdiction: "
        "omit this, or give that same jurisdiction.",
    )
    unit_id: UUID | None = Field(
        default=None,
        description="Required for a key of role unit, and only for it: the unit (参评单位) "
        "the key speaks for. It then reads and answers that unit's records only.",
    )


class PrincipalOut(BaseModel):
    principal_id: UUID
    name: str
    role: str
    jurisdiction_id: UUID | None
    unit_id: UUID | None = None
    unit_status: UnitStatus | None = Field(
        default=None,
        description="A unit key whose unit has ended: merged, split or dissolved (the key "
        "still reads, and writes nothing). Absent while the unit stands",
    )
    revoked: bool = False
    api_key: str | None = Field(
        default=None,
        description="The key itself: only in the first answer of POST /principals",
        examples=["uK3v0iQ9…"],
    )


class IssuedOut(PrincipalOut):
    api_key_shown: bool = Field(
        default=True,
        description="Whether this answer carries the key. false: an Idempotency-Key retry, "
        "whose key was shown by the first answer and cannot be shown again",
    )
    note: str | None = Field(
        default=None, description="On a retry: what to do if the key was lost", examples=[None]
    )


class PrincipalListed(BaseModel):
    """A key as listed: who holds it, where, since when, whether revoked; never the key."""

    principal_id: UUID
    name: str
    role: str
    jurisdiction_id: UUID | None
    unit_id: UUID | None = None
    unit_status: UnitStatus | None = Field(
        default=None,
        description="A unit key whose unit has ended: merged, split or dissolved (the key "
        "still reads, and writes nothing). Absent while the unit stands",
    )
    issued_at: datetime
    revoked: bool
    revoked_at: datetime | None = None
    revoked_reason: str | None = None


class RevokeIn(In):
    reason: Prose = Field(min_length=1, max_length=500)
