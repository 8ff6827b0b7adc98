"""What survey routes share: the application, the scope of a wave, a template or a
questionnaire's wave."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from services.survey.application import SurveyApplication
from services.survey.schemas.repeated_keys import refuse_repeated, repeated_keys
from shared.http import application_of
from shared.policy import ScopeTarget, path, target_id
from shared.registry_view import RegistryView
from shared.runtime import ServiceRuntime

SurveyApp = Annotated[SurveyApplication, Depends(application_of(SurveyApplication))]
WAVE = path("wave_id", "wave")
WAVE_POINTS = path("wave_id", "wave_points")
"""A wave, also in the scope of each county where it has a survey point (for that part)."""
TEMPLATE = path("template_id", "template")
TEMPLATE_USERS = path("template_id", "template_users")
"""A template, also in the scope of every office below its jurisdiction (they may open
waves with it, so they may read it)."""


async def _raw_body(request: Request) -> bytes:
    return await request.body()  # read already, for the body model


RawBody = Annotated[bytes, Depends(_raw_body)]
"""The request's body as sent."""

_READ_HERE = 64 * 1024
"""Bodies up to this size are checked for repeated keys on the event loop; larger ones (a
vote on 2,000 units) in a worker thread."""


async def _refuse_repeated_keys(request: Request) -> None:
    if not _json_media(request):
        return  # not read as JSON: answered as it always was
    raw = await request.body()
    found = (
        repeated_keys(raw)
        if len(raw) <= _READ_HERE
        else await run_in_threadpool(repeated_keys, raw)
    )
    refuse_repeated(found)


def _json_media(request: Request) -> bool:
    """Whether the body is read as JSON: no Content-Type, or a JSON one (FastAPI's rule)."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    return not media or media == "application/json" or media.endswith("+json")


UniqueKeys = Annotated[None, Depends(_refuse_repeated_keys)]
"""A questionnaire's body (a correction, a vote) that names a key twice in one object is
refused, 422 `duplicate_key` naming each place (`schemas.repeated_keys`)."""


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
