"""SQL shared by the SQLite and PostgreSQL view stores (they differ in placeholders, locking,
set parameters and connection handling only)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from shared.views.base import INDEX_SLOTS, Collection, Document, PageQuery
from shared.views.encoding import dump_document, escape_text, searchable

SLOTS = [f"i{n}" for n in range(1, INDEX_SLOTS + 1)]
LEGACY_TABLES = ("view_documents", "view_tracking")
Dialect = Literal["sqlite", "postgres"]


def create_statements(rows: str, positions: str, versions: str, collate: str = "") -> list[str]:
    """`rows` etc. are already-quoted (schema-qualified) names. `collate` makes PostgreSQL
    order text by code point, as SQLite does, so both modes list in the same order."""
    text = f"TEXT{collate}"
    slots = ", ".join(f"{slot} {text}" for slot in SLOTS)
    statements = [
        f"CREATE TABLE IF NOT EXISTS {rows} (collection {text} NOT NULL, key {text} NOT NULL, "
        f"doc TEXT NOT NULL, {slots}, sort {text} NOT NULL DEFAULT '', search TEXT, "
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


# Tables made before collections had search text lack the column; views that use it have a
# newer version and are rebuilt, so the old rows' NULL is never read.
ADD_SEARCH_COLUMN = "ALTER TABLE {rows} ADD COLUMN search TEXT"


COLUMNS = ["collection", "key", "doc", *SLOTS, "sort", "search"]
"""A row's columns, in the order `row_values` gives them."""
_UPDATES = ", ".join(f"{c} = excluded.{c}" for c in COLUMNS[2:])


def upsert_statement(rows: str, mark: str) -> str:
    values = ", ".join([mark] * len(COLUMNS))
    return (
        f"INSERT INTO {rows} ({', '.join(COLUMNS)}) VALUES ({values}) "
        f"ON CONFLICT (collection, key) DO UPDATE SET {_UPDATES}"
    )


def bulk_upsert_statement(rows: str, incoming: str) -> str:
    """Every row of the table `incoming` (one per key) upserted into `rows`, and `incoming`
    emptied, in one statement (PostgreSQL)."""
    columns = ", ".join(COLUMNS)
    return (
        f"WITH moved AS (DELETE FROM {incoming} RETURNING {columns}) "
        f"INSERT INTO {rows} ({columns}) SELECT {columns} FROM moved "
        f"ON CONFLICT (collection, key) DO UPDATE SET {_UPDATES}"
    )


def row_values(collection: Collection, key: str, doc: Document) -> tuple[Any, ...]:
    index = [None if v is None else escape_text(v) for v in collection.index_values(doc)]
    search = collection.search_value(doc)
    return (
        collection.name,
        escape_text(key),
        dump_document(doc),
        *index,
        escape_text(collection.sort_value(doc)),
        None if search is None else searchable(search),
    )


def member_of(dialect: Dialect, column: str, mark: str) -> str:
    """`column` is one of a list passed as ONE parameter (see `set_parameter`), so a large
    set (an office's whole subtree) is neither thousands of placeholders nor a new plan."""
    if dialect == "postgres":
        return f"{column} = ANY({mark})"
    return f"{column} IN (SELECT value FROM json_each({mark}))"


def set_parameter(dialect: Dialect, values: list[str]) -> Any:
    return values if dialect == "postgres" else json.dumps(values)


def substring_of(dialect: Dialect, column: str, mark: str) -> str:
    # strpos/instr rather than LIKE: no wildcards to escape, and case-sensitive in both.
    function = "strpos" if dialect == "postgres" else "instr"
    return f"{function}({column}, {mark}) > 0"


@dataclass(frozen=True)
class PageSQL:
    statement: str
    params: list[Any]


def page_sql(rows: str, mark: str, query: PageQuery, dialect: Dialect) -> PageSQL:
    """One indexed query; asks for limit + 1 rows to know whether there is a next page."""
    clauses = ["collection = " + mark]
    params: list[Any] = [query.collection.name]
    for slot, values in query.conditions():
        column = SLOTS[slot]
        if not values:
            clauses.append("1 = 0")  # membership in nothing: an office with no subtree
        elif len(values) == 1:
            clauses.append(f"{column} = {mark}")
            params.append(escape_text(values[0]))
        else:
            clauses.append(member_of(dialect, column, mark))
            params.append(set_parameter(dialect, [escape_text(v) for v in values]))
    needle = query.needle()
    if needle is not None:
        clauses.append(substring_of(dialect, "search", mark))
        params.append(searchable(needle))
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


def get_many_sql(rows: str, mark: str, dialect: Dialect) -> str:
    return f"SELECT key, doc FROM {rows} WHERE collection = {mark} AND " + member_of(
        dialect, "key", mark
    )
