"""The routes of scheme documents: list, register (JSON or YAML) and read one version.
Declared on their own router, served before the campaigns' (`rounds.api`) as they always
were (`services.scoring.main`)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Path, Response

from services.scoring.engine.scheme import Scheme
from services.scoring.rounds.api import KEY_REUSED, RoundsApp
from services.scoring.rounds.application import RoundScoring
from services.scoring.rounds.keys import keyed_request
from services.scoring.rounds.schemas import SchemeIn, SchemeOut, SchemeSummary
from services.scoring.rounds.scheme_body import request_body, scheme_body
from shared.auth import CurrentPrincipal
from shared.http import RuntimeDep
from shared.policy import Policy, PolicyRouter, ScopeTarget, allow, in_scope
from shared.principals import Principal
from shared.runtime import ServiceRuntime
from shared.types import Line, UrlInt
from shared.web.idempotency import BodyFingerprint, IdempotencyKey

scheme_router = PolicyRouter(tags=["scoring: campaign rounds"])


@scheme_router.get("/schemes", response_model=list[SchemeSummary], **allow(Policy.read("office")))
def list_schemes(
    app: RoundsApp, caller: CurrentPrincipal, runtime: RuntimeDep
) -> list[dict[str, Any]]:
    """评分方案: the shipped schemes (`builtin`, no owner) and every registered one, with the
    jurisdiction its id belongs to (`owner`) and, for callers with that jurisdiction in
    scope, who registered the version (`registered_by`)."""
    shown = _shown_to(caller, runtime)
    return [shown(entry) for entry in app.schemes()]


@scheme_router.post(
    "/schemes",
    status_code=201,
    response_model=SchemeOut,
    responses={200: {"description": "This exact document was registered before"}, **KEY_REUSED},
    **allow(Policy.write("office"), request_body()),
)
def register_scheme(
    body: Annotated[SchemeIn, Depends(scheme_body)],
    caller: CurrentPrincipal,
    app: RoundsApp,
    runtime: RuntimeDep,
    response: Response,
    body_fingerprint: BodyFingerprint,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """Register a scheme document, sent as JSON or as YAML (`Content-Type:
    application/yaml`; the same `{document, reason}`, the same checks and hash); its
    (scheme_id, version) is immutable from then on. A
    scheme id belongs to the jurisdiction of the office that registered its first version:
    a new version of it comes from an office with that jurisdiction in scope (409
    `scheme_id_taken` otherwise); a shipped scheme's versions come with a release only (409
    `scheme_shipped`). A retry with the same `Idempotency-Key` and body answers what the
    first request was answered (its status too); the same key with another body is 409."""

    def may_extend(owner: str | None) -> bool:
        # The policy kernel's scope rule, applied to the scheme id's owner.
        return in_scope(runtime, caller, ScopeTarget(owner))

    scheme, created = app.register_scheme(
        caller,
        body.document,
        body.reason,
        may_extend,
        key=idempotency_key,
        request=keyed_request(body_fingerprint),
    )
    if not created:
        response.status_code = 200
    return _scheme_out(app, scheme, _shown_to(caller, runtime))


@scheme_router.get(
    "/schemes/{scheme_id}/versions/{version}",
    response_model=SchemeOut,
    **allow(Policy.read("office")),
)
def get_scheme(
    scheme_id: Annotated[Line, Path(max_length=100)],
    version: Annotated[UrlInt, Path(ge=1)],
    app: RoundsApp,
    caller: CurrentPrincipal,
    runtime: RuntimeDep,
) -> dict[str, Any]:
    """One scheme version's document, shipped (`builtin`) or whose (`owner`, and
    `registered_by` for callers with the owner in scope), as GET /schemes lists it."""
    scheme = app.scheme(scheme_id, version, "path.scheme_id")
    return _scheme_out(app, scheme, _shown_to(caller, runtime))


Shown = Callable[[dict[str, Any]], dict[str, Any]]


def _scheme_out(app: RoundScoring, scheme: Scheme, shown: Shown) -> dict[str, Any]:
    entry = {**scheme.ref(), "title": scheme.title, **app.scheme_described(scheme)}
    return shown(entry) | {"document": scheme.document()}


def _shown_to(caller: Principal, runtime: ServiceRuntime) -> Shown:
    """A scheme's entry as this caller sees it: the owner by id and name for every reader,
    as the id's 409 `scheme_id_taken` names it to anyone; who registered the version only
    within the owner's scope, as every other record's actor (a run's, an assignment's)."""

    @functools.cache
    def owner(jurisdiction_id: str | None) -> tuple[dict[str, Any] | None, bool]:
        visible = in_scope(runtime, caller, ScopeTarget(jurisdiction_id))
        if jurisdiction_id is None:
            return None, visible
        doc = runtime.registry.jurisdiction(jurisdiction_id) or {}
        named = {"jurisdiction_id": jurisdiction_id, "jurisdiction_name": doc.get("name")}
        return named, visible

    def shown(entry: dict[str, Any]) -> dict[str, Any]:
        named, visible = owner(entry["owner"])
        return entry | {
            "owner": named,
            "registered_by": entry["registered_by"] if visible else None,
        }

    return shown
