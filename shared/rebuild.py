"""Rebuild read models offline: drop a view and re-apply every upstream message to it.

`pingyi rebuild <service> [<view> ...]` runs this with the service stopped. Each view is
reset (its collections and positions dropped, its version recorded) and then fed, upstream by
upstream, the same contract messages the running service would have received — read from the
upstream services' own logs, which is what their relays publish — with the same handlers and
the same all-or-nothing transactions. Handlers depend only on messages and the view's own
rows, so the rebuilt view is byte-identical to one built incrementally (a test checks it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from shared.messaging.outbox import Outbox
from shared.views import ViewStore
from shared.views.model import View

OutboxOpener = Callable[[str], Outbox]


@dataclass(frozen=True)
class RebuiltView:
    view: str
    positions: dict[str, int | None]
    applied: int

    def row(self) -> tuple[str, str, str]:
        reached = ", ".join(f"{u} @ {p}" for u, p in self.positions.items()) or "-"
        return self.view, reached, str(self.applied)


class UnknownViewError(LookupError):
    pass


def select_views(declared: Iterable[View], names: Iterable[str]) -> list[View]:
    views = list(declared)
    wanted = list(names)
    if not wanted:
        return views
    by_name = {view.name: view for view in views}
    unknown = [name for name in wanted if name not in by_name]
    if unknown:
        raise UnknownViewError(
            f"no view {', '.join(unknown)}; this service has {', '.join(by_name)}"
        )
    return [by_name[name] for name in wanted]


def rebuild_view(
    store: ViewStore, view: View, open_outbox: OutboxOpener, batch: int = 500
) -> RebuiltView:
    store.reset(view.name, view.collection_names, view.version)
    positions: dict[str, int | None] = {}
    applied = 0
    for upstream in view.upstreams:
        inbox = view.inbox(store, upstream)
        outbox = open_outbox(upstream)
        try:
            pending = []
            for message in outbox.iterate():
                pending.append(message)
                if len(pending) >= batch:
                    inbox.apply(upstream, pending)
                    applied += len(pending)
                    pending = []
            if pending:
                inbox.apply(upstream, pending)
                applied += len(pending)
        finally:
            outbox.close()
        positions[upstream] = store.last_position(view.name, upstream)
    return RebuiltView(view.name, positions, applied)


def rebuild(
    store: ViewStore,
    declared: Iterable[View],
    names: Iterable[str],
    open_outbox: OutboxOpener,
) -> list[RebuiltView]:
    views = select_views(declared, names)
    for view in views:
        store.declare(view.collections)
    store.setup()
    return [rebuild_view(store, view, open_outbox) for view in views]
