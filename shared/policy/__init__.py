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

Rule: a caller passes a scope if it sees everything (admin, auditor); or, for a unit key
that names its unit and a target that belongs to one unit (`ScopeTarget.unit_id`: the unit
itself, its findings, orders, complaints once dispatched, tasks, scores…), if that is the
key's unit; otherwise, when the target names parties for the caller's role, if the caller is
one of them; otherwise if the target's jurisdiction is the caller's own or lies below it.
Unit keys issued before keys named their unit (legacy) have no unit and keep the party and
jurisdiction rules.

A caller outside a scope is refused with 403, or, for a scope declared `hidden`, answered
exactly as a target that does not exist (the resolver's `ScopeTarget.not_found`).

The declarations also produce the role × route matrix published in docs/authorization.md
(`pingyi policies`), and the matrix test checks every cell with real calls.
"""

from typing import TYPE_CHECKING, Any

from shared.policy.checks import (
    check_role,
    check_scopes,
    in_scope,
    resolver_for,
    scope_refusal,
)
from shared.policy.model import (
    ALL_ROLES,
    PARTICIPANTS,
    POLICY_MARKER,
    PUBLIC_MARKER,
    Policy,
    Scope,
    ScopeResolver,
    ScopeTarget,
    body,
    path,
    query,
)
from shared.policy.resolvers import KERNEL_RESOLVERS, MalformedId, UnitNotFound, target_id

if TYPE_CHECKING:
    from shared.policy.routing import PolicyRouter, allow

__all__ = [
    "ALL_ROLES",
    "KERNEL_RESOLVERS",
    "PARTICIPANTS",
    "POLICY_MARKER",
    "PUBLIC_MARKER",
    "MalformedId",
    "Policy",
    "PolicyRouter",
    "Scope",
    "ScopeResolver",
    "ScopeTarget",
    "UnitNotFound",
    "allow",
    "body",
    "check_role",
    "check_scopes",
    "in_scope",
    "path",
    "query",
    "resolver_for",
    "scope_refusal",
    "target_id",
]


def __getattr__(name: str) -> Any:
    # The router and `allow` load FastAPI: only an API process needs them, while applications
    # (loaded by the relay and views processes too) name scopes and targets from this package.
    if name in ("PolicyRouter", "allow"):
        from shared.policy import routing

        return getattr(routing, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
