"""What a route's policy says: roles, where its scope is found, public or not."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from shared.contracts.registry import PARTICIPANT_ROLES, ROLES, Role
from shared.errors import NotFoundError

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
    """role -> principal ids that are parties; a caller of such a role must be one of them.
    For the unit role this binds only legacy unit keys (those naming no unit): a key that
    names its unit is decided by `unit_id`."""
    others: tuple[str, ...] = ()
    """Further jurisdictions whose offices also have the target in scope (e.g. where a unit
    was located before it moved, for its history)."""
    unit_id: str | None = None
    """The one unit the target belongs to (a finding, an order, a task, a score…), or the
    unit itself; None for targets that are not one unit's (a campaign, a wave). A unit key
    that names its unit has such a target in scope only when it is that unit. A target that
    is not its unit's yet (a complaint not dispatched, a visit not conducted) leaves it None:
    its route then answers every unit key as if it did not exist, which a 403 here would
    contradict."""
    not_found: NotFoundError | None = field(default=None, compare=False)
    """How the target's service answers an id that names nothing (`VisitNotFound("no such
    visit")`): what a scope declared `hidden` answers a caller the target is outside the
    scope of, so that the caller cannot tell the target exists. A resolver of a kind that
    routes hide sets it."""


ScopeResolver = Callable[["ServiceRuntime", str, str], ScopeTarget]
"""(runtime, id as text, field name for errors) -> target; raises a NotFoundError."""


@dataclass(frozen=True)
class Scope:
    """Where a call's scope is found: `field` of `source` holds an id of `kind`.

    A body field may reach into lists with `*` (`units.*.jurisdiction_id`: every item must
    be in scope). `when_null` says what a missing or null value means: "defer" (the request
    model requires the field, so validation refuses its absence), "admin" (it means the top
    level, which only an admin may touch) or "skip" (nothing to check).

    `hidden`: a target outside the caller's scope is answered exactly as one that does not
    exist (the resolver's `ScopeTarget.not_found`, a 404), not with a 403 that would tell
    the caller it exists: for records whose very existence is not every office's to know
    (an unannounced visit)."""

    source: Source
    field: str
    kind: str
    when_null: NullRule = "defer"
    hidden: bool = False

    def describe(self) -> str:
        null = "" if self.when_null == "defer" else f", null: {self.when_null}"
        hidden = ", else as missing" if self.hidden else ""
        return f"{self.kind} from {self.source} `{self.field}`{null}{hidden}"


def path(name: str, kind: str, *, hidden: bool = False) -> Scope:
    return Scope("path", name, kind, hidden=hidden)


def query(name: str, kind: str, when_null: NullRule = "skip", *, hidden: bool = False) -> Scope:
    return Scope("query", name, kind, when_null, hidden)


def body(name: str, kind: str, when_null: NullRule = "defer", *, hidden: bool = False) -> Scope:
    return Scope("body", name, kind, when_null, hidden)


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
                {
                    "source": s.source,
                    "field": s.field,
                    "kind": s.kind,
                    "when_null": s.when_null,
                    "hidden": s.hidden,
                }
                for s in self.scopes
            ],
        }


def _scopes(scope: Scope | Iterable[Scope]) -> tuple[Scope, ...]:
    return (scope,) if isinstance(scope, Scope) else tuple(scope)
