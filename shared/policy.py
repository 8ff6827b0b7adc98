"""Authorization declared beside each route, enforced by one dependency.

Every route states its policy where it is defined::

    router = PolicyRouter(tags=["survey"])

    @router.post("/waves/{id}/close", **allow(Policy.write("office", scope=path("id", "wave"))))
    def close_wave(...): ...

A `PolicyRouter` refuses a route without a policy when the module is imported, and the app
builder refuses any route (from any router) whose OpenAPI operation lacks one, so an
unguarded handler cannot be registered. Handlers never check roles; they may filter lists
by what the caller can see (`Authenticator.visible_jurisdictions`).

A policy says:
- which roles may call (admin always may; `Policy.read` adds auditors, who read
  everything and write nothing);
- where the scope of the call is found: path, query or body fields naming a jurisdiction
  or a resource. A resource kind ("wave", "unit", "finding"…) is resolved by a resolver the
  service registers, to the jurisdiction it belongs to and, for some roles, the parties to
  it (an agency is in scope of a wave only if it is the wave's agency);
- or that the route is public (no key).

Rule: a caller passes a scope if it sees everything (admin, auditor); or, when the target
names parties for the caller's role, if the caller is one of them; otherwise if the
target's jurisdiction is the caller's own or lies below it.

The declarations also produce the role × route matrix published in docs/authorization.md
(`pingyi policies`), and the matrix test checks every cell with real calls.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool

from shared.auth import Principal, current_principal_from
from shared.contracts.registry import PARTICIPANT_ROLES, ROLES, Role
from shared.errors import ForbiddenError, InvalidError, NotFoundError

if TYPE_CHECKING:
    from shared.runtime import ServiceRuntime

POLICY_MARKER = "x-pingyi-policy"
PUBLIC_MARKER = "x-pingyi-public"
ALL_ROLES = ROLES
PARTICIPANTS = PARTICIPANT_ROLES
Source = Literal["path", "query", "body"]
NullRule = Literal["defer", "admin", "skip"]


@dataclass(frozen=True)
class ScopeTarget:
    jurisdiction_id: str | None
    parties: Mapping[str, frozenset[str]] = field(default_factory=dict)
    """role -> principal ids that are parties; a caller of such a role must be one of them."""
    others: tuple[str, ...] = ()
    """Further jurisdictions whose offices also have the target in scope (e.g. where a unit
    was located before it moved, for its history)."""


ScopeResolver = Callable[["ServiceRuntime", str, str], ScopeTarget]
"""(runtime, id as text, field name for errors) -> target; raises a NotFoundError."""


@dataclass(frozen=True)
class Scope:
    """Where a call's scope is found: `field` of `source` holds an id of `kind`.

    A body field may reach into lists with `*` (`units.*.jurisdiction_id`: every item must
    be in scope). `when_null` says what a missing or null value means: "defer" (the request
    model requires the field, so validation refuses its absence), "admin" (it means the top
    level, which only an admin may touch) or "skip" (nothing to check)."""

    source: Source
    field: str
    kind: str
    when_null: NullRule = "defer"

    def describe(self) -> str:
        null = "" if self.when_null == "defer" else f", null: {self.when_null}"
        return f"{self.kind} from {self.source} `{self.field}`{null}"


def path(name: str, kind: str) -> Scope:
    return Scope("path", name, kind)


def query(name: str, kind: str, when_null: NullRule = "skip") -> Scope:
    return Scope("query", name, kind, when_null)


def body(name: str, kind: str, when_null: NullRule = "defer") -> Scope:
    return Scope("body", name, kind, when_null)


@dataclass(frozen=True)
class Policy:
    roles: frozenset[str]
    scopes: tuple[Scope, ...] = ()
    public: bool = False
    reads: bool = False
    filtered: bool = False
    """A list that shows each caller only what lies in its scope."""

    @classmethod
    def read(
        cls, *roles: Role, scope: Scope | Iterable[Scope] = (), filtered: bool = False
    ) -> Policy:
        """Callers with these roles, plus admins and auditors. `filtered`: the route lists
        records and shows each caller only those in its scope."""
        return cls(
            frozenset({"admin", "auditor", *roles}), _scopes(scope), reads=True, filtered=filtered
        )

    @classmethod
    def write(cls, *roles: Role, scope: Scope | Iterable[Scope] = ()) -> Policy:
        """Callers with these roles, plus admins; never auditors."""
        if "auditor" in roles:
            raise ValueError("auditors write nothing")
        return cls(frozenset({"admin", *roles}), _scopes(scope))

    @classmethod
    def admin(cls) -> Policy:
        return cls(frozenset({"admin"}))

    @classmethod
    def anyone(cls) -> Policy:
        """Public: no key needed."""
        return cls(frozenset(ALL_ROLES), public=True, reads=True)

    def describe(self) -> dict[str, Any]:
        return {
            "public": self.public,
            "filtered": self.filtered,
            "roles": sorted(self.roles, key=ALL_ROLES.index),
            "scopes": [
                {"source": s.source, "field": s.field, "kind": s.kind, "when_null": s.when_null}
                for s in self.scopes
            ],
        }


def _scopes(scope: Scope | Iterable[Scope]) -> tuple[Scope, ...]:
    return (scope,) if isinstance(scope, Scope) else tuple(scope)


def allow(policy: Policy, openapi_extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Keyword arguments for a route decorator that declare and enforce `policy` (with any
    other `openapi_extra` the route needs)."""
    extra: dict[str, Any] = {**(openapi_extra or {}), POLICY_MARKER: policy.describe()}
    if policy.public:
        extra[PUBLIC_MARKER] = True
        return {"openapi_extra": extra}
    return {"openapi_extra": extra, "dependencies": [Depends(_enforcer(policy))]}


class PolicyRouter(APIRouter):
    """An APIRouter whose every route must declare a policy with `**allow(...)`."""

    def add_api_route(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        extra = kwargs.get("openapi_extra") or {}
        if POLICY_MARKER not in extra:
            raise TypeError(
                f"route {path} ({getattr(endpoint, '__name__', endpoint)}) declares no policy: "
                "add **allow(Policy....) to its decorator"
            )
        super().add_api_route(path, endpoint, **kwargs)


def _enforcer(policy: Policy) -> Callable[..., Any]:
    async def enforce_policy(request: Request) -> None:
        runtime: ServiceRuntime = request.app.state.runtime
        caller = await run_in_threadpool(current_principal_from, request)
        check_role(policy, caller)
        if policy.scopes:
            values = await _scope_values(policy.scopes, request)
            await run_in_threadpool(check_scopes, runtime, caller, values)

    return enforce_policy


def check_role(policy: Policy, caller: Principal) -> None:
    if caller.role in policy.roles:
        return
    if caller.role == "auditor":
        raise ForbiddenError("auditors read everything and write nothing", field="X-API-Key")
    allowed = sorted(policy.roles - {"admin"}, key=ALL_ROLES.index)
    if not allowed:
        raise ForbiddenError("only an admin may do this", field="X-API-Key")
    raise ForbiddenError(f"this needs one of the roles {', '.join(allowed)}", field="X-API-Key")


ScopeValue = tuple[Scope, str, str | None]  # (scope, field path for errors, value)


async def _scope_values(scopes: tuple[Scope, ...], request: Request) -> list[ScopeValue]:
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
    for scope, name, value in values:
        if value is None:
            _null(scope, name, caller)
            continue
        # Resolved for every caller, so a missing resource is the same 404 for all.
        try:
            target = resolver_for(runtime, scope.kind)(runtime, value, name)
        except MalformedId:
            continue
        if not in_scope(runtime, caller, target):
            raise ForbiddenError("outside your jurisdiction", field=name)


def _null(scope: Scope, name: str, caller: Principal) -> None:
    if scope.when_null == "admin" and caller.role != "admin":
        raise ForbiddenError("only an admin may act at the top level", field=name)


def in_scope(runtime: ServiceRuntime, caller: Principal, target: ScopeTarget) -> bool:
    if caller.sees_everything:
        return True
    parties = target.parties.get(caller.role)
    if parties is not None:
        return str(caller.principal_id) in parties
    places = [p for p in (target.jurisdiction_id, *target.others) if p is not None]
    return any(runtime.authenticator.in_scope(caller, place) for place in places)


def resolver_for(runtime: ServiceRuntime, kind: str) -> ScopeResolver:
    resolver = runtime.definition.resolvers.get(kind) or KERNEL_RESOLVERS.get(kind)
    if resolver is None:
        raise LookupError(f"{runtime.name} has no scope resolver for {kind!r}")
    return resolver


class MalformedId(InvalidError):
    code = "validation_failed"


def target_id(value: str, field: str) -> UUID:
    """A resource id from a path or body, for a resolver. A malformed one is left to the
    request model, whose UUID field refuses it with the usual 422 naming the field."""
    try:
        return UUID(value)
    except ValueError:
        raise MalformedId("not a valid id", field=field) from None


def _jurisdiction(runtime: ServiceRuntime, value: str, name: str) -> ScopeTarget:
    return ScopeTarget(value)


class UnitNotFound(NotFoundError):
    code = "unit_not_found"


def _unit(runtime: ServiceRuntime, value: str, name: str) -> ScopeTarget:
    doc = runtime.registry.unit(str(target_id(value, name)))
    if doc is None:
        raise UnitNotFound("no such unit", field=name)
    return ScopeTarget(doc["jurisdiction_id"])


KERNEL_RESOLVERS: dict[str, ScopeResolver] = {"jurisdiction": _jurisdiction, "unit": _unit}
"""Resolvers every service has: a jurisdiction is its own scope; a unit is in the scope of
the jurisdiction it is located in now (from the service's registry copy)."""
