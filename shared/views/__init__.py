"""Read models (views): the store contract and its SQLite, PostgreSQL and in-memory stores.
See `shared.views.base` for what a store guarantees and `shared.views.model` for how a
service declares its views."""

from shared.views.base import (
    Collection,
    Document,
    Page,
    StalePositionError,
    UnknownIndexError,
    ViewStore,
    ViewSupersededError,
    ViewTransaction,
)
from shared.views.memory import MemoryViewStore
from shared.views.postgres import PostgresViewStore
from shared.views.reading import ViewReader
from shared.views.sqlite import SQLiteViewStore

__all__ = [
    "Collection",
    "Document",
    "MemoryViewStore",
    "Page",
    "PostgresViewStore",
    "SQLiteViewStore",
    "StalePositionError",
    "UnknownIndexError",
    "ViewReader",
    "ViewStore",
    "ViewSupersededError",
    "ViewTransaction",
]
