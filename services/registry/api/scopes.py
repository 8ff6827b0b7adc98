"""How the registry's routes find the jurisdiction a call is about (see `shared.policy`).

Writes are checked against the registry's own aggregates, which are current the moment a
command commits; nothing here waits for a read model."""

from __future__ import annotations

from services.registry.application import RegistryApplication
from services.registry.domain import JurisdictionNotFound
from services.registry.domain.common import no_such
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


def unit(runtime: ServiceRuntime, value: str, field: str) -> ScopeTarget:
    found = _app(runtime).unit(target_id(value, field), field)
    return ScopeTarget(str(found.jurisdiction_id), unit_id=str(found.id))


def unit_ever(runtime: ServiceRuntime, value: str, field: str) -> ScopeTarget:
    """A unit's history is for whoever has the unit in scope now or had it before."""
    current = unit(runtime, value, field)
    history = UnitHistoryView(runtime.views).history(str(target_id(value, field))) or {}
    places = {entry["state"]["jurisdiction_id"] for entry in history.get("entries", [])}
    return ScopeTarget(
        current.jurisdiction_id, others=tuple(sorted(places)), unit_id=current.unit_id
    )


def known_jurisdiction(runtime: ServiceRuntime, value: str, field: str) -> ScopeTarget:
    jurisdiction = str(target_id(value, field))
    if runtime.registry.jurisdiction(jurisdiction) is None:
        raise JurisdictionNotFound(no_such("jurisdiction"), field=field)
    return ScopeTarget(jurisdiction)


def campaign(runtime: ServiceRuntime, value: str, field: str) -> ScopeTarget:
    found = _app(runtime).campaign(target_id(value, field), field)
    return ScopeTarget(str(found.jurisdiction_id))


def principal(runtime: ServiceRuntime, value: str, field: str) -> ScopeTarget:
    """A key without a jurisdiction (admin, auditor, some agencies) is in nobody's scope but
    an admin's."""
    found = _app(runtime).principal(target_id(value, field), field)
    return ScopeTarget(_optional(found.jurisdiction_id))


def person(runtime: ServiceRuntime, value: str, field: str) -> ScopeTarget:
    found = _app(runtime).person(target_id(value, field), field)
    return ScopeTarget(str(found.jurisdiction_id))


def draw(runtime: ServiceRuntime, value: str, field: str) -> ScopeTarget:
    return ScopeTarget(str(_app(runtime).draw(target_id(value, field), field).jurisdiction_id))


def appointing_body(runtime: ServiceRuntime, value: str, field: str) -> ScopeTarget:
    """ "office:<jurisdiction id>" or "department:<unit id>"."""
    body = AppointingBody.parse(value, field)
    if body.kind == "office":
        _app(runtime).jurisdiction(body.body_id, field)
        return ScopeTarget(str(body.body_id))
    return unit(runtime, str(body.body_id), field)


RESOLVERS: dict[str, ScopeResolver] = {
    "unit": unit,
    "unit_ever": unit_ever,
    "known_jurisdiction": known_jurisdiction,
    "campaign": campaign,
    "principal": principal,
    "person": person,
    "draw": draw,
    "appointing_body": appointing_body,
}
