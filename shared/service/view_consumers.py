"""What the API process and a views process (`shared.service.views_process`) agree on about
a service's view consumers: their names, their leases, which of them may run apart from the
API process, and how the view store is made ready for them."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from shared.service.views_status import Expected
from shared.views import ViewStore
from shared.views.model import View

log = logging.getLogger(__name__)


def consumer_name(service: str, view: View) -> str:
    return f"{service}-{view.name}-v{view.version}"


def lease_name(service: str, consumer: str, upstream: str) -> str:
    """One lease per (consumer, upstream), whichever process of whichever replica runs it."""
    return f"{service}|{consumer}<-{upstream}"


def runs_apart(view: View) -> bool:
    """A leased view may run in the views process. The security view may not: the API
    process's authenticator needs its freshness, in its own memory, on every request."""
    return not view.security


def apart(service: str, views: Iterable[View]) -> list[Expected]:
    """The consumers a views process runs for `service`."""
    return [
        Expected(consumer_name(service, view), upstream, view.name)
        for view in views
        if runs_apart(view)
        for upstream in view.upstreams
    ]


def setup_views(store: ViewStore, views: Iterable[View]) -> None:
    """Declare every view's collections, create what is missing, and drop any view whose
    version changed so that it rebuilds from the start of its upstreams."""
    views = tuple(views)
    for view in views:
        store.declare(view.collections)
    store.setup()
    for view in views:
        if store.view_version(view.name) != view.version:
            log.info("view (re)built from the start", extra={"view": view.name})
            store.reset(view.name, view.collection_names, view.version)
