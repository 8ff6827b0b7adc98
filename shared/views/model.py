"""How a service declares a read model.

A `View` names the collections it owns, the upstreams it follows and a handler per contract
of each upstream. The runtime gives every (view, upstream) pair its own consumer and its
own position, so:

- a new view, or one whose `version` was raised, backfills itself from the start of each
  upstream (its collections and positions are dropped first) without touching other views;
- `pingyi rebuild <service> [<view>]` rebuilds offline with the same handlers, and the
  result is byte-identical to the incrementally built view;
- a message that one view cannot apply stalls that view only.

Handlers must depend only on the message and the view's own documents (never on the wall
clock, another view's collections or the service's event store): that is what makes a
rebuild reproduce the incremental result exactly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from shared.messaging.inbox import HandlerTable, ViewInbox, combine_handlers
from shared.views.base import Collection, ViewStore


@dataclass(frozen=True)
class View:
    name: str
    version: int
    collections: tuple[Collection, ...]
    handlers: Mapping[str, HandlerTable]
    """upstream service -> {contract class: handler}"""
    description: str = ""
    security: bool = field(default=False)
    """Holds principals and keys: authentication fails closed when this view lags."""

    def __post_init__(self) -> None:
        if not self.name.replace("_", "").isalnum():
            raise ValueError(f"view name {self.name!r}: letters, digits and _ only")

    @property
    def upstreams(self) -> tuple[str, ...]:
        return tuple(self.handlers)

    @property
    def collection_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.collections)

    def inbox(self, store: ViewStore, upstream: str) -> ViewInbox:
        return ViewInbox(store, self.name, self.handlers[upstream], self.version)

    def extended(
        self,
        name: str,
        version: int,
        collections: tuple[Collection, ...],
        handlers: Mapping[str, HandlerTable],
        description: str = "",
    ) -> View:
        """A view holding this one's collections and more, written in the same transactions
        (for read models that must see this view's rows as they are updated)."""
        upstreams = list(dict.fromkeys([*self.handlers, *handlers]))
        combined = {
            upstream: combine_handlers(self.handlers.get(upstream, {}), handlers.get(upstream, {}))
            for upstream in upstreams
        }
        return View(
            name,
            version,
            (*self.collections, *collections),
            combined,
            description or self.description,
            self.security,
        )


def check_views(views: tuple[View, ...]) -> None:
    """Refuse at start-up two views with one name or one collection written by two views."""
    names: set[str] = set()
    owners: dict[str, str] = {}
    for view in views:
        if view.name in names:
            raise ValueError(f"two views are named {view.name}")
        names.add(view.name)
        for collection in view.collection_names:
            if collection in owners:
                raise ValueError(
                    f"collection {collection} belongs to {owners[collection]} and {view.name}"
                )
            owners[collection] = view.name
