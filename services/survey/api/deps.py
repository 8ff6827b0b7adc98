"""What survey routes share: their router (`SurveyRouter`), the application, the scope of a
wave, a template or a questionnaire's wave."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any

from fastapi import Depends, Request

from services.survey.application import SurveyApplication
from services.survey.schemas.repeated_keys import refuse_repeated, same_key
from shared.http import application_of
from shared.policy import PolicyRouter, ScopeTarget, path, target_id
from shared.registry_view import RegistryView
from shared.runtime import ServiceRuntime
from shared.web.repeated_keys import body_places

SurveyApp = Annotated[SurveyApplication, Depends(application_of(SurveyApplication))]
WAVE = path("wave_id", "wave")
WAVE_POINTS = path("wave_id", "wave_points")
"""A wave, also in the scope of each county where it has a survey point (for that part)."""
AGENCY_OWN = {"agency": "agency_id"}
"""Of a wave's questionnaires, an agency sees and corrects those it pushed."""
FACTS_ONLY = frozenset({"inspector", "unit"})
"""Roles that read a wave's facts (its units, window, points, template) but none of its
figures: progress is closed to them (docs/authorization.md), so the wave's counts, its
agencies and quotas and why it closed are too."""
TEMPLATE = path("template_id", "template")
TEMPLATE_USERS = path("template_id", "template_users")
"""A template, also in the scope of every office below its jurisdiction (they may open
waves with it, so they may read it)."""


async def _raw_body(request: Request) -> bytes:
    return await request.body()  # read already, for the body model


RawBody = Annotated[bytes, Depends(_raw_body)]
"""The request's body as sent."""


async def refuse_repeated_keys(request: Request) -> None:
    """A JSON body that names a key twice in one object is refused, 422 `duplicate_key`
    naming each place, keys compared as survey's models read them (`schemas.repeated_keys`):
    every survey route checks its body so (`SurveyRouter`), after its policy, but one whose
    body model reads them itself (`reads_repeated_keys`: a push, row by row, counting
    first)."""
    refuse_repeated(await body_places(request, same_key))


class SurveyRouter(PolicyRouter):
    """Survey's router: a `PolicyRouter` whose routes compare a body's keys as survey's
    models read them (a dimension code with spaces around is the code, a unit id in any
    letter case the unit), whatever the body: a questionnaire's, a wave's, a template's, a
    reason."""

    body_keys_check = staticmethod(refuse_repeated_keys)


def wave_target(jurisdiction_id: Any, agencies: Any) -> ScopeTarget:
    """A wave is in its jurisdiction's scope; of agencies, only those accredited to it."""
    return ScopeTarget(str(jurisdiction_id), {"agency": frozenset(str(a) for a in agencies)})


def _application(runtime: ServiceRuntime) -> SurveyApplication:
    application = runtime.application
    assert isinstance(application, SurveyApplication)
    return application


def resolve_wave(runtime: ServiceRuntime, wave_id: str, field: str) -> ScopeTarget:
    wave = _application(runtime).wave(target_id(wave_id, field), field)
    return wave_target(wave.jurisdiction_id, wave.agencies)


def resolve_wave_points(runtime: ServiceRuntime, wave_id: str, field: str) -> ScopeTarget:
    wave = _application(runtime).wave(target_id(wave_id, field), field)
    counties = tuple(sorted({str(point.jurisdiction_id) for point in wave.points}))
    return replace(wave_target(wave.jurisdiction_id, wave.agencies), others=counties)


def resolve_template(runtime: ServiceRuntime, template_id: str, field: str) -> ScopeTarget:
    template = _application(runtime).template(target_id(template_id, field), field)
    return ScopeTarget(str(template.jurisdiction_id), {})


def resolve_template_users(runtime: ServiceRuntime, template_id: str, field: str) -> ScopeTarget:
    target = resolve_template(runtime, template_id, field)
    below = RegistryView(runtime.views).subtree(str(target.jurisdiction_id))
    return replace(target, others=tuple(sorted(below)))


RESOLVERS = {
    "wave": resolve_wave,
    "wave_points": resolve_wave_points,
    "template": resolve_template,
    "template_users": resolve_template_users,
}
