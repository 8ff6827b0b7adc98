"""What the assessment routes share: who reads and writes, where a score or veto lies
(scope resolvers), the unit's jurisdiction once its campaign is checked, and the list filter."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import Depends

from services.inspection.assessments.application import Commands
from services.inspection.assessments.domain import AssessmentScoreNotFound, VetoNotFound
from services.inspection.campaigns import CAMPAIGN_IN_BODY
from shared.auth import AuthenticatorDep, CurrentPrincipal
from shared.contracts.registry import Role
from shared.http import application_of
from shared.policy import ScopeTarget, body, path, query, target_id
from shared.runtime import ServiceRuntime
from shared.web.pagination import scope_where, within

READERS: tuple[Role, ...] = ("office", "unit")
WRITERS: tuple[Role, ...] = ("office",)
SCORE = path("score_id", "assessment_score", hidden=True)
VETO = path("veto_id", "veto", hidden=True)
"""A score or veto outside the caller's scope answers exactly as none (404), never a 403."""
UNIT_IN_BODY = body("unit_id", "unit")
COUNTED = (UNIT_IN_BODY, CAMPAIGN_IN_BODY)
"""A fact about a unit for a campaign round: both must lie in the caller's scope."""
UNIT_IN_QUERY = query("unit_id", "unit")

AssessmentApp = Annotated[Commands, Depends(application_of(Commands))]


def _application(runtime: ServiceRuntime) -> Commands:
    application = runtime.application
    assert isinstance(application, Commands)
    return application


def resolve_score(runtime: ServiceRuntime, score_id: str, field: str) -> ScopeTarget:
    """A score stays in the scope of the jurisdiction recorded with it; it is its unit's."""
    found = _application(runtime).assessment_score(target_id(score_id, field), field)
    return ScopeTarget(
        str(found.jurisdiction_id),
        unit_id=str(found.unit_id),
        not_found=AssessmentScoreNotFound(field=field),
    )


def resolve_veto(runtime: ServiceRuntime, veto_id: str, field: str) -> ScopeTarget:
    found = _application(runtime).veto(target_id(veto_id, field), field)
    return ScopeTarget(
        str(found.jurisdiction_id),
        unit_id=str(found.unit_id),
        not_found=VetoNotFound(field=field),
    )


RESOLVERS = {"assessment_score": resolve_score, "veto": resolve_veto}


def unit_jurisdiction(runtime: ServiceRuntime, unit_id: UUID) -> UUID:
    """The unit's jurisdiction in the registry copy now (kept with the fact for good). The
    campaign, its round and the unit's enrolment are the command's to check (`counted`)."""
    unit = runtime.registry.unit(str(unit_id))
    assert unit is not None  # the policy resolved it
    return UUID(unit["jurisdiction_id"])


def scope(
    auth: AuthenticatorDep,
    caller: CurrentPrincipal,
    unit_id: UUID | None,
    campaign_id: UUID | None,
    **more: str | None,
) -> dict[str, Any]:
    """A list's `where`: the caller's scope narrowed by the filters given."""
    return within(
        scope_where(auth, caller),
        unit_id=None if unit_id is None else str(unit_id),
        campaign_id=None if campaign_id is None else str(campaign_id),
        **more,
    )
