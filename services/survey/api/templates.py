"""Questionnaire templates (问卷模板) and their versions."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import Query

from services.survey.api.deps import TEMPLATE, TEMPLATE_USERS, SurveyApp, SurveyRouter
from services.survey.application import template_out
from services.survey.schemas.templates import TemplateIn, TemplateOut, TemplateRevisionIn
from shared.auth import CurrentPrincipal
from shared.policy import PARTICIPANTS, Policy, allow, body
from shared.types import UrlInt
from shared.web.idempotency import IdempotencyKey

router = SurveyRouter(tags=["templates 问卷模板"])


@router.post(
    "/templates",
    status_code=201,
    response_model=TemplateOut,
    **allow(Policy.write("office", scope=body("jurisdiction_id", "jurisdiction"))),
)
def publish_template(
    body: TemplateIn,
    caller: CurrentPrincipal,
    app: SurveyApp,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """发布问卷模板 (version 1): the scale, the evaluation contents rated per unit
    (dimensions), and whether it asks for opinions, key-target recommendations, the
    respondent's group and district (never personal data). Offices below use it too."""
    return app.publish_template(caller, body.spec(), idempotency_key)


@router.get(
    "/templates/{template_id}",
    response_model=TemplateOut,
    **allow(Policy.read(*PARTICIPANTS, scope=TEMPLATE_USERS)),
)
def get_template(
    template_id: UUID,
    app: SurveyApp,
    version: Annotated[UrlInt | None, Query(ge=1, le=10_000)] = None,
) -> dict[str, Any]:
    """A version of the template (default: the latest): for its jurisdiction's office and
    above, and the offices below it, which may open waves with it."""
    return template_out(app.template(template_id), version)


@router.post(
    "/templates/{template_id}/versions",
    status_code=201,
    response_model=TemplateOut,
    **allow(Policy.write("office", scope=TEMPLATE)),
)
def revise_template(
    template_id: UUID, body: TemplateRevisionIn, caller: CurrentPrincipal, app: SurveyApp
) -> dict[str, Any]:
    """A new version; earlier versions and the waves opened with them are unchanged."""
    return app.revise_template(caller, template_id, body.spec(), body.reason)
