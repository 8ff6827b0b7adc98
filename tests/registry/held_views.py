"""Holding the registry's views of itself back for certain, for tests of what a request sees
before they catch up.

Each view's applier checks the view's version row in its transaction (`FOR SHARE`, against
a reset by a newer release), so a session holding those rows `FOR UPDATE` stops it, as a long
reset would, while requests go on."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg


@contextmanager
def registry_views_held(database_url: str) -> Iterator[None]:
    """Both views the registry keeps of itself (`security` holds the jurisdiction tree
    scope checks walk; `registry_models` the rest), stopped before their next write."""
    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "SELECT view FROM registry.view_versions WHERE view IN ('security', "
            "'registry_models') FOR UPDATE"
        ).fetchall()
        assert len(rows) == 2, rows
        yield
        conn.rollback()
