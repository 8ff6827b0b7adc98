"""Rebuilding one of reporting's views from the upstream logs (`pingyi rebuild`'s own code)
and checking that it comes out byte for byte as the incremental build left it."""

from __future__ import annotations

from typing import Any

from pingyi.catalog import definition
from pingyi.composition import open_outbox
from shared.rebuild import rebuild
from shared.runtime import build_view_store
from shared.settings import CommonSettings

Dump = tuple[list[Any], dict[str, Any]]
"""(every (collection, key, document text) of the view, the store's positions)."""


def dump_view(common: CommonSettings, view_name: str) -> Dump:
    store = build_view_store(common, "reporting", None)
    store.setup()
    try:
        view = next(v for v in definition("reporting").views if v.name == view_name)
        return list(store.dump(list(view.collection_names))), store.positions()
    finally:
        store.close()


def assert_rebuilds_as_built(common: CommonSettings, view_name: str) -> Dump:
    """Rebuild the view and require what the incremental build holds; that dump."""
    incremental = dump_view(common, view_name)
    store = build_view_store(common, "reporting", None)
    try:
        rebuild(
            store,
            definition("reporting").views,
            [view_name],
            lambda upstream: open_outbox(upstream, common),
        )
    finally:
        store.close()
    rebuilt = dump_view(common, view_name)
    assert rebuilt[0] == incremental[0]
    assert rebuilt[1] == incremental[1]
    return incremental
