from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel, Field

from services.registry.domain import Role
from services.registry.schemas.common import In
from shared.types import Line, Prose


class PrincipalIn(In):
    name: Line = Field(min_length=1, max_length=100, examples=["某某调查公司"])
    role: Role
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
    revoked: bool = False
    api_key: str | None = Field(default=None, description="Shown once, at issue time")


class RevokeIn(In):
    reason: Prose = Field(min_length=1, max_length=500)
