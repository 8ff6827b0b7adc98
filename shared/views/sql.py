"""SQL shared by the SQLite and PostgreSQL view stores (they differ in placeholders, locking
and connection handling only)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shared.views.base import INDEX_SLOTS, Collection, Document, PageQuery
from shared.views.encoding import dump_document, escape_text

SLOTS = [f"i{n}" for n in range(1, INDEX_SLOTS + 1)]
LEGACY_TABLES = ("view_documents", "view_tracking")


def create_statements(rows: str, positions: str, versions: str, collate: str = "") -> list[str]:
    """`rows` etc. are already-quoted (schema-qualified) names. `collate` makes PostgreSQL
    order text by code point, as SQLite does, so both modes list in the same order."""
    text = f"TEXT{collate}"
    slots = ", ".join(f"{slot} {text}" for slot in SLOTS)
    statements = [
        f"CREATE TABLE IF NOT EXISTS {rows} (collection {text} NOT NULL, key {text} NOT NULL, "
        f"doc TEXT NOT NULL, {slots}, sort {text} NOT NULL DEFAULT '', "
        "PRIMARY KEY (collection, key))",
        f"CREATE INDEX IF NOT EXISTS view_rows_sort ON {rows} (collection, sort, key)",
        f"CREATE TABLE IF NOT EXISTS {positions} (view TEXT NOT NULL, upstream TEXT NOT NULL, "
        "position BIGINT NOT NULL, PRIMARY KEY (view, upstream))",
        f"CREATE TABLE IF NOT EXISTS {versions} (view TEXT PRIMARY KEY, version INTEGER NOT NULL)",
    ]
    statements += [
        f"CREATE INDEX IF NOT EXISTS view_rows_{slot} ON {rows} (collection, {slot}, sort, key)"
        for slot in SLOTS
    ]
    return statements


def upsert_statement(rows: str, mark: str) -> str:
    columns = ["collection", "key", "doc", *SLOTS, "sort"]
    values = ", ".join([mark] * len(columns))
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns[2:])
    return (
        f"INSERT INTO {rows} ({', '.join(columns)}) VALUES ({values}) "
        f"ON CONFLICT (collection, key) DO UPDATE SET {updates}"
    )


def row_values(collection: Collection, key: str, doc: Document) -> tuple[Any, ...]:
    index = [None if v is None else escape_text(v) for v in collection.index_values(doc)]
    return (
        collection.name,
        escape_text(key),
        dump_document(doc),
        *index,
        escape_text(collection.sort_value(doc)),
    )


@dataclass(frozen=True)
class PageSQL:
    statement: str
    params: list[Any]


def page_sql(rows: str, mark: str, query: PageQuery) -> PageSQL:
    """One indexed query; asks for limit + 1 rows to know whether there is a next page."""
    clauses = ["collection = " + mark]
    params: list[Any] = [query.collection.name]
    for slot, values in query.conditions():
        column = SLOTS[slot]
        if not values:
            clauses.append("1 = 0")  # membership in nothing: an office with no subtree
        elif len(values) == 1:
            clauses.append(f"{column} = {mark}")
        else:
            clauses.append(f"{column} IN ({', '.join([mark] * len(values))})")
        params.extend(escape_text(v) for v in values)
    direction = "DESC" if query.descending else "ASC"
    if query.after is not None:
        sort, key = query.after
        comparison = "<" if query.descending else ">"
        clauses.append(f"(sort, key) {comparison} ({mark}, {mark})")
        params.extend([escape_text(sort), escape_text(key)])
    statement = (
        f"SELECT key, doc, sort FROM {rows} WHERE {' AND '.join(clauses)} "
        f"ORDER BY sort {direction}, key {direction} LIMIT {int(query.limit) + 1}"
    )
    return PageSQL(statement, params)
