"""What the API process and a views process (`shared.service.views_process`) agree on about
a service's view consumers: their names, their leases, which of them may run apart from the
API process, and how the view store is made ready for them."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from shared.service.views_status import Expected
from shared.views import ViewStore, ViewSupersededError
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


def apart(
    service: str, views: Iterable[View], superseded: frozenset[str] = frozenset()
) -> list[Expected]:
    """The consumers a views process runs for `service`: not those of `superseded` views
    (see `setup_views`), which no process of this release applies."""
    return [
        Expected(consumer_name(service, view), upstream, view.name)
        for view in views
        if runs_apart(view) and view.name not in superseded
        for upstream in view.upstreams
    ]


def setup_views(store: ViewStore, views: Iterable[View]) -> frozenset[str]:
    """Declare every view's collections, create what is missing, and drop any view whose
    stored version is older than its declared one (or absent) so that it rebuilds from the
    start of its upstreams. Answers the views a newer release already owns (their stored
    version is newer: a rolling upgrade): they are left as they are, and this process must
    not run their consumers; it serves them read-only until it is replaced."""
    views = tuple(views)
    for view in views:
        store.declare(view.collections)
    store.setup()
    return frozenset(view.name for view in views if not _ready(store, view))


def _ready(store: ViewStore, view: View) -> bool:
    """Whether this process may apply `view`, resetting it first when it is older."""
    stored = store.view_version(view.name)
    if stored == view.version:
        return True
    if stored is None or stored < view.version:
        try:
            store.reset(view.name, view.collection_names, view.version)
        except ViewSupersededError:  # a newer release reset it since we read its version
            stored = store.view_version(view.name)
        else:
            log.info("view (re)built from the start", extra={"view": view.name})
            return True
    log.warning(
        "view owned by a newer release: not applied here, served read-only until replaced",
        extra={"view": view.name, "version": view.version, "stored_version": stored},
    )
    return False
