"""How the registry's routes find the jurisdiction a call is about (see `shared.policy`).

Writes are checked against the registry's own aggregates, which are current the moment a
command commits; nothing here waits for a read model."""

from __future__ import annotations

from uuid import UUID

from services.registry.application import RegistryApplication
from services.registry.domain import JurisdictionNotFound
from services.registry.domain.people import AppointingBody
from services.registry.projections.units import UnitHistoryView
from shared.policy import ScopeResolver, ScopeTarget, target_id
from shared.runtime import ServiceRuntime


def _app(runtime: ServiceRuntime) -> RegistryApplication:
    application = runtime.application
    assert isinstance(application, RegistryApplication)
    return application


def _optional(value: object) -> str | None:
    return None if value is None else str(value)


def _placed(
    runtime: ServiceRuntime, jurisdiction_id: UUID | None, unit_id: str | None = None
) -> ScopeTarget:
    """A target in a jurisdiction, with its ancestors from the event store as `others`: the
    kernel's scope check walks the registry copy, a view, which may not hold a jurisdiction
    created a moment ago (a city office adding a county, then importing into it, was refused
    until the copy caught up). An office of any ancestor has the target in scope, so naming
    them is what the lineage walk would find once the copy is current."""
    if jurisdiction_id is None:
        return ScopeTarget(None, unit_id=unit_id)
    lineage = _app(runtime).jurisdiction_lineage(jurisdiction_id)
    return ScopeTarget(
        str(jurisdiction_id), others=tuple(str(j) for j in lineage[1:]), unit_id=unit_id
    )


def unit(runtime: ServiceRuntime, value: str, field: str) -> ScopeTarget:
    found = _app(runtime).unit(target_id(value, field), field)
    return _placed(runtime, found.jurisdiction_id, unit_id=str(found.id))


def unit_ever(runtime: ServiceRuntime, value: str, field: str) -> ScopeTarget:
    """A unit's history is for whoever has the unit in scope now or had it before."""
    current = unit(runtime, value, field)
    history = UnitHistoryView(runtime.views).history(str(target_id(value, field))) or {}
    places = {entry["state"]["jurisdiction_id"] for entry in history.get("entries", [])}
    return ScopeTarget(
        current.jurisdiction_id,
        others=tuple(sorted(places | set(current.others))),
        unit_id=current.unit_id,
    )


def jurisdiction(runtime: ServiceRuntime, value: str, field: str) -> ScopeTarget:
    """The kernel's rule (a jurisdiction is its own scope; one that does not exist is left
    to the command), with the ancestors from the event store, as `_placed` says why."""
    jurisdiction_id = target_id(value, field)
    try:
        return _placed(runtime, jurisdiction_id)
    except JurisdictionNotFound:
        return ScopeTarget(str(jurisdiction_id))


def known_jurisdiction(runtime: ServiceRuntime, value: str, field: str) -> ScopeTarget:
    """From the event store, not the registry copy: a jurisdiction registered a moment ago
    is known to the next request (an import into a new county answered 404 until the copy
    caught up)."""
    return _placed(runtime, _app(runtime).jurisdiction(target_id(value, field), field).id)


def campaign(runtime: ServiceRuntime, value: str, field: str) -> ScopeTarget:
    found = _app(runtime).campaign(target_id(value, field), field)
    return _placed(runtime, found.jurisdiction_id)


def principal(runtime: ServiceRuntime, value: str, field: str) -> ScopeTarget:
    """A key without a jurisdiction (admin, auditor, some agencies) is in nobody's scope but
    an admin's."""
    app = _app(runtime)
    found = app.principal(target_id(value, field), field)
    return _placed(runtime, app.principal_place(found))  # a unit key: where its unit is now


def person(runtime: ServiceRuntime, value: str, field: str) -> ScopeTarget:
    found = _app(runtime).person(target_id(value, field), field)
    return _placed(runtime, found.jurisdiction_id)


def draw(runtime: ServiceRuntime, value: str, field: str) -> ScopeTarget:
    return _placed(runtime, _app(runtime).draw(target_id(value, field), field).jurisdiction_id)


def appointing_body(runtime: ServiceRuntime, value: str, field: str) -> ScopeTarget:
    """ "office:<jurisdiction id>" or "department:<unit id>"."""
    body = AppointingBody.parse(value, field)
    if body.kind == "office":
        return _placed(runtime, _app(runtime).jurisdiction(body.body_id, field).id)
    return unit(runtime, str(body.body_id), field)


RESOLVERS: dict[str, ScopeResolver] = {
    "jurisdiction": jurisdiction,
    "unit": unit,
    "unit_ever": unit_ever,
    "known_jurisdiction": known_jurisdiction,
    "campaign": campaign,
    "principal": principal,
    "person": person,
    "draw": draw,
    "appointing_body": appointing_body,
}
