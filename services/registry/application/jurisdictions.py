"""Registering jurisdictions, and reading the tree from the event store itself."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.utils import get_topic

from services.registry.application.base import RegistryBase
from services.registry.domain import Jurisdiction, JurisdictionNotFound
from services.registry.domain.jurisdictions import (
    CHILD_LEVELS,
    JurisdictionNameClaim,
    duplicate_name,
)
from services.registry.domain.unit_names import name_key
from shared.idempotency import Response
from shared.persistence.log_pages import notifications
from shared.principals import Principal as Caller

__all__ = ["CHILD_LEVELS", "JurisdictionCommands", "ListedChildren", "jurisdiction_out"]

REGISTERED_TOPICS = (
    get_topic(Jurisdiction.Registered),
    # Where the class stood before the registry's domain became a package: older stores hold
    # their jurisdictions under this topic (see CONTRIBUTING, splitting a module).
    "services.registry.domain:Jurisdiction.Registered",
)

ListedChildren = Callable[[UUID], Iterable[tuple[UUID, str]]]
"""(id, name) of the children a read model lists under a jurisdiction."""


def nothing_listed(parent_id: UUID) -> list[tuple[UUID, str]]:
    """For callers without a read model (tests of the application alone): claims only."""
    return []


class JurisdictionCommands(RegistryBase):
    def jurisdiction(self, jurisdiction_id: UUID, field: str = "jurisdiction_id") -> Jurisdiction:
        return self.load(jurisdiction_id, Jurisdiction, JurisdictionNotFound, field)

    def jurisdiction_lineage(
        self, jurisdiction_id: UUID, field: str = "jurisdiction_id"
    ) -> list[UUID]:
        """The jurisdiction and its ancestors, nearest first, from the event store itself (not
        a view), so rules checked against it never see a lagging copy."""
        chain: list[UUID] = []
        current: UUID | None = jurisdiction_id
        while current is not None and current not in chain:
            found = self.jurisdiction(current, field)
            chain.append(found.id)
            current = found.parent_id
        return chain

    def subtree(self, root: UUID, listed: Iterable[UUID], after: int | None) -> list[UUID]:
        """`root` and every jurisdiction below it: those a read model lists (`listed`, read
        once it had applied the log up to `after`; None: nothing yet) and those registered
        in the event store since, which it may not hold yet (a county registered a moment
        ago, a zone a moment ago below it). A parent is stored before its children, so one
        pass in log order finds each new node below a node already found."""
        found = {root, *listed}
        for stored in notifications(self.recorder, after=after, topics=REGISTERED_TOPICS):
            registered = self.mapper.to_domain_event(stored)
            if isinstance(registered, Jurisdiction.Registered) and registered.parent_id in found:
                found.add(registered.originator_id)
        return sorted(found)

    def sees_jurisdiction(self, caller: Caller, jurisdiction_id: UUID) -> bool:
        """Whether the caller's scope covers a jurisdiction, from the event store (as the
        Authenticator's `in_scope` does from the security view): admins and auditors see
        every jurisdiction, anyone else its own and what lies below it."""
        if caller.sees_everything:
            return True
        if caller.jurisdiction_id is None:
            return False
        try:
            return caller.jurisdiction_id in self.jurisdiction_lineage(jurisdiction_id)
        except JurisdictionNotFound:
            return False

    def register_jurisdiction(
        self,
        caller: Caller,
        name: str,
        level: str,
        parent_id: UUID | None,
        key: str | None,
        listed: ListedChildren | None = None,
    ) -> Response:
        """A name another child of the same parent bears (compared as unit names are) is a
        409 `duplicate_jurisdiction_name` naming `name`. `listed`: the read model's children
        of a parent, for those registered before names were claimed."""

        def command() -> tuple[list[Any], Response]:
            parent = None if parent_id is None else self.jurisdiction(parent_id, "parent_id")
            jurisdiction = Jurisdiction.register(name, level, parent, caller.actor)
            claim = JurisdictionNameClaim.claim(jurisdiction)
            if claim is not None:
                self._refuse_taken_name(claim, listed or nothing_listed)
            return [jurisdiction, *([claim] if claim else [])], jurisdiction_out(jurisdiction)

        request = {"name": name, "level": level, "parent_id": parent_id}
        return self.idempotent(caller, "jurisdiction", key, request, command)

    def _refuse_taken_name(self, claim: JurisdictionNameClaim, listed: ListedChildren) -> None:
        try:
            held: JurisdictionNameClaim = self.repository.get(claim.id)
        except AggregateNotFoundError:
            pass
        else:
            holder = self.jurisdiction(held.jurisdiction_id)
            raise duplicate_name(holder.id, holder.name)
        # Children registered before names were claimed hold no claim: the read model
        # lists them (it may lag, but not behind what was stored before claims existed).
        for child_id, child_name in listed(claim.parent_id):
            if child_id != claim.jurisdiction_id and name_key(child_name) == claim.name_key:
                raise duplicate_name(child_id, child_name)


def jurisdiction_out(j: Jurisdiction) -> Response:
    return {
        "jurisdiction_id": str(j.id),
        "name": j.name,
        "level": j.level,
        "parent_id": str(j.parent_id) if j.parent_id else None,
    }
