"""Resolvers every service has, and the helper resolvers use to read an id."""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from shared.errors import InvalidError, NotFoundError
from shared.policy.model import ScopeResolver, ScopeTarget

if TYPE_CHECKING:
    from shared.runtime import ServiceRuntime


class MalformedId(InvalidError):
    code = "validation_failed"


def target_id(value: str, field: str) -> UUID:
    """A resource id from a path or body, for a resolver. A malformed one is left to the
    request model, whose UUID field refuses it with the usual 422 naming the field."""
    try:
        return UUID(value)
    except ValueError:
        raise MalformedId("不是有效的编号 (not a valid id)", field=field) from None


def _jurisdiction(runtime: ServiceRuntime, value: str, name: str) -> ScopeTarget:
    """A jurisdiction is its own scope. Read as a UUID first: a malformed id is the request
    model's 422 naming the field (not a 403 for a jurisdiction that cannot exist), and one
    in capitals is the jurisdiction it names."""
    return ScopeTarget(str(target_id(value, name)))


class UnitNotFound(NotFoundError):
    code = "unit_not_found"


def _unit(runtime: ServiceRuntime, value: str, name: str) -> ScopeTarget:
    doc = runtime.registry.unit(str(target_id(value, name)))
    if doc is None:
        raise UnitNotFound("没有这个单位 (no such unit)", field=name)
    return ScopeTarget(doc["jurisdiction_id"], unit_id=doc["unit_id"])


KERNEL_RESOLVERS: dict[str, ScopeResolver] = {"jurisdiction": _jurisdiction, "unit": _unit}
"""Resolvers every service has: a jurisdiction is its own scope; a unit is in the scope of
the jurisdiction it is located in now (from the service's registry copy) and, of the unit
keys that name a unit, of its own key only."""
