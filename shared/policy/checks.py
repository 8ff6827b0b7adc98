"""Checking a caller against a policy: its role, then every scope the call names."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from shared.access_words import (
    AUDITORS_WRITE_NOTHING,
    ONLY_ADMIN,
    ONLY_ADMIN_AT_TOP,
    OUTSIDE_JURISDICTION,
    OWN_UNIT_ONLY,
    needs_roles,
    unit_ended,
)
from shared.errors import ForbiddenError, PingyiError
from shared.policy.model import ALL_ROLES, Policy, Scope, ScopeResolver, ScopeTarget
from shared.policy.resolvers import KERNEL_RESOLVERS, MalformedId
from shared.policy.words import noun, only_parties
from shared.principals import Principal

if TYPE_CHECKING:
    from fastapi import Request

    from shared.runtime import ServiceRuntime


class UnitEndedError(ForbiddenError):
    code = "unit_ended"


def check_role(policy: Policy, caller: Principal) -> None:
    if caller.role in policy.roles:
        if caller.unit_ended is not None and not policy.reads:
            raise UnitEndedError(
                unit_ended(caller.unit_ended),
                field="X-API-Key",
                unit_id=str(caller.unit_id),
                status=caller.unit_ended,
            )
        return
    if caller.role == "auditor":
        raise ForbiddenError(AUDITORS_WRITE_NOTHING, field="X-API-Key")
    allowed = sorted(policy.roles - {"admin"}, key=ALL_ROLES.index)
    if not allowed:
        raise ForbiddenError(ONLY_ADMIN, field="X-API-Key")
    raise ForbiddenError(needs_roles(allowed), field="X-API-Key")


ScopeValue = tuple[Scope, str, str | None]  # (scope, field path for errors, value)


async def scope_values(scopes: tuple[Scope, ...], request: Request) -> list[ScopeValue]:
    found: list[ScopeValue] = []
    payload: Any = None
    for scope in scopes:
        if scope.source == "path":
            found.append((scope, scope.field, request.path_params.get(scope.field)))
        elif scope.source == "query":
            found.append((scope, scope.field, request.query_params.get(scope.field)))
        else:
            if payload is None:
                payload = await _json_body(request)
            found.extend((scope, name, value) for name, value in _body_values(payload, scope))
    return found


async def _json_body(request: Request) -> Any:
    raw = await request.body()
    if not raw:
        return {}
    try:
        return json.loads(raw)
    except ValueError:
        return {}  # FastAPI answers malformed JSON with its own 422


def _body_values(payload: Any, scope: Scope) -> list[tuple[str, str | None]]:
    """(field path, value) for every place `scope.field` names in the body. A missing field
    counts as null; a value of the wrong shape is left to the request model to refuse."""
    parts = scope.field.split(".")
    found: list[tuple[str, str | None]] = []

    def walk(node: Any, index: int, trail: list[str]) -> None:
        if index == len(parts):
            if node is None or isinstance(node, str | int):
                found.append((".".join(trail), None if node is None else str(node)))
            return
        part = parts[index]
        if part == "*":
            for position, item in enumerate(node if isinstance(node, list) else []):
                walk(item, index + 1, [*trail, str(position)])
        else:
            walk(node.get(part) if isinstance(node, dict) else None, index + 1, [*trail, part])

    walk(payload, 0, [])
    return found


def check_scopes(runtime: ServiceRuntime, caller: Principal, values: list[ScopeValue]) -> None:
    refusal = scope_refusal(runtime, caller, values)
    if refusal is not None:
        raise refusal


def scope_refusal(
    runtime: ServiceRuntime, caller: Principal, values: list[ScopeValue]
) -> PingyiError | None:
    """What the first scope the caller is outside of answers (a 403, or for a `hidden` scope
    the answer for a target that does not exist), or None when every scope admits it. A
    target that does not exist raises its resolver's error at once, for every caller."""
    for scope, name, value in values:
        if value is None:
            if scope.when_null == "admin" and caller.role != "admin":
                return ForbiddenError(ONLY_ADMIN_AT_TOP, field=name)
            continue
        # Resolved for every caller, so a missing resource is the same 404 for all.
        try:
            target = resolver_for(runtime, scope.kind)(runtime, value, name)
        except MalformedId:
            continue
        if in_scope(runtime, caller, target):
            continue
        if not scope.hidden:
            thing = noun(scope.kind, runtime.definition.scope_nouns)
            return ForbiddenError(why_outside(caller, target, thing), field=name)
        if target.not_found is None:
            raise LookupError(
                f"{runtime.name}'s resolver of {scope.kind!r} gives no answer for a missing "
                "target (ScopeTarget.not_found), which a hidden scope answers"
            )
        return target.not_found
    return None


def in_scope(runtime: ServiceRuntime, caller: Principal, target: ScopeTarget) -> bool:
    if caller.sees_everything:
        return True
    own_unit = caller.own_unit
    if own_unit is not None and target.unit_id is not None:
        # A unit's key speaks for that unit only, wherever the target was recorded: its
        # jurisdiction is no wider licence to its neighbours' records.
        return target.unit_id == own_unit
    parties = target.parties.get(caller.role)
    if parties is not None:
        return str(caller.principal_id) in parties
    places = [p for p in (target.jurisdiction_id, *target.others) if p is not None]
    return any(runtime.authenticator.in_scope(caller, place) for place in places)


def why_outside(caller: Principal, target: ScopeTarget, thing: str) -> str:
    """Why `in_scope` refused, by the rule that refused: an agency not accredited to a wave
    in its own city was told "outside your jurisdiction", which sends it to the wrong fix.
    In the API's words: the target is named by what it is (`thing`, `words.noun`), never
    by its scope kind."""
    if caller.own_unit is not None and target.unit_id is not None:
        return OWN_UNIT_ONLY
    if target.parties.get(caller.role) is not None:
        return only_parties(caller.role, thing)
    return OUTSIDE_JURISDICTION


def resolver_for(runtime: ServiceRuntime, kind: str) -> ScopeResolver:
    resolver = runtime.definition.resolvers.get(kind) or KERNEL_RESOLVERS.get(kind)
    if resolver is None:
        raise LookupError(f"{runtime.name} has no scope resolver for {kind!r}")
    return resolver
