"""Every service's local copy of what the registry publishes: the jurisdiction tree, units
and principals. It feeds authentication and scope checks without calling the registry.

A unit document holds the unit as it is now: current name, jurisdiction and status
("active", "merged", "split" or "dissolved"), with earlier names and short names in
`aliases`, and where a merged or split unit went (`merged_into`, `split_into`). Documents
written before the lifecycle facts existed have no `status`; read them through
`unit_status`, which treats a missing status as "active".

For lists, a unit document also carries `kind_status` (one index value for two filters) and
`search` (the normalised names it is found by), and a jurisdiction document its place in the
tree (`tree_fields`), so lists filter, search and order in SQL. `registered_on` is the day the
unit exists from: its 生效日期 (`effective_on`, None if none was stated) or the day it was
entered, until the office corrects it (UnitEffectiveDateCorrected).

The rules for folding the facts (aliases after a rename, the status a lifecycle fact leaves,
successors, the day a unit exists from) are the registry's, in `shared.contracts.registry`.
"""

from __future__ import annotations

from collections.abc import Collection as Many
from collections.abc import Iterable
from typing import Any

from shared.campaign_view import CAMPAIGN_COLLECTIONS, CAMPAIGN_VIEW_HANDLERS
from shared.contracts import IntegrationMessage
from shared.contracts.registry import (
    ACTIVE,
    JurisdictionRegistered,
    PrincipalIssued,
    PrincipalRevoked,
    successors,
    unit_status,
)
from shared.messaging.inbox import ViewHandler, combine_handlers
from shared.registry_view.unit_keys import unit_key_handlers
from shared.registry_view.units import UNIT_HANDLERS
from shared.registry_view.units import UNITS as UNITS  # where readers always found them
from shared.registry_view.units import kind_status as kind_status
from shared.views import Collection, ViewReader, ViewTransaction
from shared.views.base import Filter
from shared.views.model import View

JURISDICTIONS = "jurisdictions"
PRINCIPALS_BY_KEY = "principals_by_key"
PRINCIPALS = "principals"
UNIT_KEYS = "unit_keys"
"""Unit id -> the keys issued for it (`unit_keys`), so a move or an end reaches them."""


TREE_NAME_LIMIT = 100
"""Characters of each name the tree order compares (names are at most 100 when recorded);
it keeps the order's index entries well inside PostgreSQL's limit whatever an old event
holds."""


def tree_fields(doc: dict[str, Any], parent: dict[str, Any] | None) -> dict[str, Any]:
    """Where a jurisdiction sits, precomputed (the tree never changes once recorded):

    - `tree_order`: the depth-first order with siblings by name, then id, as one sortable
      text: each level is U+0001, the name, U+0002 and the id. Control characters sort below
      every character a name may hold, so a node sorts right after its parent and before a
      sibling whose name its own name begins;
    - `tree_ids`: "/root/…/self/", so a subtree is the nodes whose text contains "/id/";
    - `tree_depth` and `tree_names`: depth from the root and the names on the way down.

    A parent this copy never saw makes the node a root (the registry refuses such
    parents, and the log is applied in order)."""
    this = f"\u0001{doc['name'][:TREE_NAME_LIMIT]}\u0002{doc['jurisdiction_id']}"
    if parent is None:
        return {
            "tree_order": this,
            "tree_ids": f"/{doc['jurisdiction_id']}/",
            "tree_depth": 0,
            "tree_names": [doc["name"]],
        }
    return {
        "tree_order": parent["tree_order"] + this,
        "tree_ids": f"{parent['tree_ids']}{doc['jurisdiction_id']}/",
        "tree_depth": parent["tree_depth"] + 1,
        "tree_names": [*parent["tree_names"], doc["name"]],
    }


def _jurisdiction(tx: ViewTransaction, p: JurisdictionRegistered, m: IntegrationMessage) -> None:
    doc = p.model_dump(mode="json")
    parent = None if p.parent_id is None else tx.get(JURISDICTIONS, str(p.parent_id))
    tx.put(JURISDICTIONS, str(p.jurisdiction_id), doc | tree_fields(doc, parent))


def _principal(tx: ViewTransaction, p: PrincipalIssued, m: IntegrationMessage) -> None:
    doc = p.model_dump(mode="json") | {"revoked": False}
    tx.put(PRINCIPALS_BY_KEY, p.key_hash, doc)
    tx.put(PRINCIPALS, str(p.principal_id), doc)


def _revoked(tx: ViewTransaction, p: PrincipalRevoked, m: IntegrationMessage) -> None:
    doc = tx.get(PRINCIPALS, str(p.principal_id))
    if doc is None:
        return
    doc = doc | {"revoked": True, "revoked_reason": p.reason}
    tx.put(PRINCIPALS, str(p.principal_id), doc)
    tx.put(PRINCIPALS_BY_KEY, doc["key_hash"], doc)


def _key_follows_unit(tx: ViewTransaction, principal_id: str, changes: dict[str, Any]) -> None:
    doc = tx.get(PRINCIPALS, principal_id)
    if doc is None:
        return
    doc = doc | changes
    tx.put(PRINCIPALS, principal_id, doc)
    tx.put(PRINCIPALS_BY_KEY, doc["key_hash"], doc)


SECURITY_HANDLERS: dict[Any, ViewHandler] = combine_handlers(
    {
        JurisdictionRegistered: _jurisdiction,
        PrincipalIssued: _principal,
        PrincipalRevoked: _revoked,
    },
    unit_key_handlers(UNIT_KEYS, _key_follows_unit),
)
SECURITY_VIEW = View(
    "security",
    4,  # 4: unit keys follow their unit's moves and ends (`unit_keys`)
    (
        Collection(
            JURISDICTIONS,
            index=("parent_id", "jurisdiction_id"),
            sort="tree_order",
            search="tree_ids",
        ),
        Collection(PRINCIPALS, index=("role", "jurisdiction_id")),
        Collection(PRINCIPALS_BY_KEY),
        Collection(UNIT_KEYS),
    ),
    {"registry": SECURITY_HANDLERS},
    "API keys, their principals and revocations, and the jurisdiction tree scopes are "
    "checked against. Followed by its own consumer, so nothing else on the registry's log "
    "can hold a revocation back; authentication fails closed when it lags.",
    security=True,
)

REGISTRY_COPY = View(
    "registry_copy",
    6,  # 6: corrected 生效日期 (UnitEffectiveDateCorrected) move the day a unit exists from
    (
        Collection(
            UNITS,
            index=("jurisdiction_id", "parent_id", "category", "kind_status"),
            sort="name",
            sort_as="pinyin",
            search="search",
        ),
        *CAMPAIGN_COLLECTIONS,
    ),
    {"registry": combine_handlers(UNIT_HANDLERS, CAMPAIGN_VIEW_HANDLERS)},
    "Units with their lifecycle, campaigns (with their round windows), enrolments, key "
    "targets, drawn panels and appointed representatives, as the registry publishes them.",
)


class RegistryView:
    """Read access to the registry copy held in a service's view store (or in a snapshot of
    it: `RegistryView(snap)` inside `views.snapshot()` makes several reads one state).
    A read of more than one page is one snapshot of its own (`ViewStore.snapshot`): a unit
    renamed meanwhile moves in the name order, and would otherwise be skipped or read twice
    by pages on either side of the cursor."""

    def __init__(self, views: ViewReader) -> None:
        self._views = views

    def jurisdiction(self, jurisdiction_id: str) -> dict[str, Any] | None:
        return self._views.get(JURISDICTIONS, jurisdiction_id)

    def jurisdictions(self) -> list[dict[str, Any]]:
        return [doc for _, doc in self._views.scan(JURISDICTIONS)]

    def unit(self, unit_id: str) -> dict[str, Any] | None:
        return self._views.get(UNITS, unit_id)

    def units_by_id(self, unit_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """The units found under `unit_ids`, in one read (those this copy never saw are left
        out)."""
        return self._views.get_many(UNITS, unit_ids)

    def units_in(
        self, jurisdiction_ids: str | Many[str], *, active_only: bool = False
    ) -> list[dict[str, Any]]:
        """Units located in the jurisdiction (or in any of a set), read through the
        jurisdiction index a page (one query) at a time, in the list's order: name in
        dictionary (pinyin) order, then id."""
        return self._units_where({"jurisdiction_id": jurisdiction_ids}, active_only)

    def unit_status(self, unit_id: str) -> str | None:
        """ "active", "merged", "split" or "dissolved"; None for a unit this copy never saw."""
        doc = self.unit(unit_id)
        return None if doc is None else unit_status(doc.get("status"))

    def is_active_unit(self, unit_id: str) -> bool:
        return self.unit_status(unit_id) == ACTIVE

    def successors(self, unit_id: str) -> list[str]:
        """The active units that now stand for `unit_id` (the registry's rule, applied to
        this copy)."""
        return successors(unit_id, self.unit)

    def sub_units(self, unit_id: str) -> list[dict[str, Any]]:
        """The units whose parent is `unit_id`, by id (read through the parent index)."""
        return _by_id(self._units_where({"parent_id": unit_id}, active_only=False))

    def subtree(self, jurisdiction_id: str) -> set[str]:
        """The jurisdiction and every jurisdiction below it: the nodes whose `tree_ids`
        name it, read a page (one query) at a time, as one state (`everything`)."""
        found = {jurisdiction_id}
        below = self._views.everything(JURISDICTIONS, contains=f"/{jurisdiction_id}/")
        found.update(doc["jurisdiction_id"] for doc in below)
        return found

    def units_within(
        self, jurisdiction_id: str, *, active_only: bool = False
    ) -> list[dict[str, Any]]:
        """Units located in the jurisdiction or anywhere below it, by id: the order they were
        always listed in, which an enrolment import's refusals (the first units sharing a
        credit code) follow."""
        # One snapshot for both reads: a unit moved meanwhile is where the subtree says.
        with self._views.snapshot():
            inside = self.subtree(jurisdiction_id)
            return _by_id(self.units_in(inside, active_only=active_only))

    def _units_where(self, where: Filter, active_only: bool) -> list[dict[str, Any]]:
        found = self._views.everything(UNITS, where=where)
        if not active_only:
            return found
        return [doc for doc in found if unit_status(doc.get("status")) == ACTIVE]

    def principal(self, principal_id: str) -> dict[str, Any] | None:
        return self._views.get(PRINCIPALS, principal_id)

    def principal_by_key_hash(self, key_hash: str) -> dict[str, Any] | None:
        return self._views.get(PRINCIPALS_BY_KEY, key_hash)

    def lineage(self, jurisdiction_id: str) -> list[str]:
        """The jurisdiction and its ancestors, nearest first."""
        chain: list[str] = []
        current: str | None = jurisdiction_id
        while current is not None and current not in chain:
            chain.append(current)
            doc = self.jurisdiction(current)
            current = None if doc is None else doc.get("parent_id")
        return chain


def _by_id(docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(docs, key=lambda doc: str(doc["unit_id"]))
