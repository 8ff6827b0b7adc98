"""What survey routes share: their router (`SurveyRouter`), the application, the scope of a
wave, a template or a questionnaire's wave."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Annotated, Any

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from services.survey.application import SurveyApplication
from services.survey.schemas.repeated_keys import refuse_repeated, repeated_keys
from shared.http import application_of
from shared.policy import PolicyRouter, ScopeTarget, path, target_id
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


async def refuse_repeated_keys(request: Request) -> None:
    """A JSON body that names a key twice in one object is refused, 422 `duplicate_key`
    naming each place (`schemas.repeated_keys`): every survey route checks its body so
    (`SurveyRouter`), after its policy, but one whose body model reads them itself
    (`reads_repeated_keys`: a push, row by row, counting first)."""
    if not _json_body(request):
        return  # no body, or not read as JSON: answered as it always was
    raw = await request.body()
    found = (
        repeated_keys(raw)
        if len(raw) <= _READ_HERE
        else await run_in_threadpool(repeated_keys, raw)
    )
    refuse_repeated(found)


def _json_body(request: Request) -> bool:
    """Whether the route reads a body model from this request as JSON, and leaves its
    repeated keys to this check."""
    field = getattr(request.scope.get("route"), "body_field", None)
    if field is None or getattr(field.field_info.annotation, "reads_repeated_keys", False):
        return False
    return _json_media(request)


def _json_media(request: Request) -> bool:
    """Whether the body is read as JSON: no Content-Type, or a JSON one (FastAPI's rule)."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    return not media or media == "application/json" or media.endswith("+json")


class SurveyRouter(PolicyRouter):
    """Survey's router: a `PolicyRouter` whose every route, after its policy, refuses a JSON
    body naming a key twice in one object (`refuse_repeated_keys`), whatever the body:
    a questionnaire's, a wave's, a template's, a reason. JSON keeps the last value of such
    a key without a word, so the first would otherwise be lost silently."""

    def add_api_route(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        # After the route's own (its policy's): a caller it refuses learns nothing of the body.
        kwargs["dependencies"] = [*(kwargs.get("dependencies") or ()), UNIQUE_KEYS]
        super().add_api_route(path, endpoint, **kwargs)


UNIQUE_KEYS = Depends(refuse_repeated_keys)


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
