"""The view store contract: JSON documents in named collections, with the upstream positions
each read model has applied tracked in the same transaction as its rows.

A read model (a *view*) is rebuilt from the upstream logs, never edited by hand, so upserting
its rows is fine; what must never happen is a row written without its position or a position
recorded without its rows. `ViewStore.transaction(view)` makes both one atomic unit and
refuses positions that are not newer than the last one (a redelivery changes nothing).

Positions are kept per (view, upstream), so each view follows each upstream at its own pace:
a new or changed view backfills itself without touching its neighbours.

Collections may declare up to four index fields and a sort field; `page` filters on them
in SQL with indexes and pages in a stable order, so lists never load whole collections.
A collection may also name a `search` field: precomputed text (normalised by whoever writes
it) that `page(contains=...)` matches by substring in SQL. It is not indexed (a substring
cannot use a b-tree, and free text may outgrow an index entry); it narrows the rows the
indexed, ordered query walks, which stops as soon as one page is full.

Each page is its own query; a reader of several pages (or of a page and then a get) reads
inside `ViewStore.snapshot()` to see one state of the store (`shared.views.reading`).
"""

from __future__ import annotations

import base64
import json
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping
from collections.abc import Collection as Many
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Literal

from shared.text_order import pinyin_sort_text
from shared.views.reading import Snapshots, ViewReader

Document = dict[str, Any]
INDEX_SLOTS = 4
Filter = Mapping[str, "str | Many[str] | None"]


class StalePositionError(Exception):
    """The position was already recorded: another worker or a redelivery got there first."""


class ViewSupersededError(Exception):
    """The view's stored version is not the one this process builds: a newer release reset
    it (a rolling upgrade). Nothing was written; this process must stop applying the view."""


class UnknownIndexError(ValueError):
    """A page was asked to filter on a field its collection does not index."""


@dataclass(frozen=True)
class Collection:
    """A named set of documents owned by one view. `index` names the fields `page` may filter
    on (equality or membership); `sort` the field pages are ordered by (then the key);
    `search` a text field `page(contains=...)` matches by substring."""

    name: str
    index: tuple[str, ...] = ()
    sort: str | None = None
    search: str | None = None
    sort_as: Literal["text", "pinyin"] = "text"
    """How `sort` orders: as text (code points: ids, dates, positions), or, for Chinese
    names, in dictionary (pinyin) order (`shared.text_order`)."""

    def __post_init__(self) -> None:
        if len(self.index) > INDEX_SLOTS:
            raise ValueError(f"{self.name}: at most {INDEX_SLOTS} index fields")

    def slot(self, field_name: str) -> int:
        try:
            return self.index.index(field_name)
        except ValueError:
            raise UnknownIndexError(f"{self.name} has no index on {field_name!r}") from None

    def index_values(self, doc: Document) -> list[str | None]:
        values: list[str | None] = [_index_value(doc.get(name)) for name in self.index]
        return values + [None] * (INDEX_SLOTS - len(values))

    def sort_value(self, doc: Document) -> str:
        value = "" if self.sort is None else _index_value(doc.get(self.sort)) or ""
        return pinyin_sort_text(value) if self.sort_as == "pinyin" else value

    def search_value(self, doc: Document) -> str | None:
        return None if self.search is None else _index_value(doc.get(self.search))


def _index_value(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@dataclass
class Page:
    items: list[Document]
    next_cursor: str | None = None


@dataclass(frozen=True)
class PageQuery:
    """What `ViewStore.page` is asked for, in store-independent terms."""

    collection: Collection
    where: Filter = field(default_factory=dict)
    descending: bool = False
    after: tuple[str, str] | None = None
    limit: int = 100
    contains: str | None = None
    """Only documents whose `search` text contains this string."""

    def conditions(self) -> list[tuple[int, list[str]]]:
        """(slot, allowed values) per filter; a None filter value means no filter."""
        found: list[tuple[int, list[str]]] = []
        for name, wanted in self.where.items():
            if wanted is None:
                continue
            values = [wanted] if isinstance(wanted, str) else sorted(str(v) for v in wanted)
            found.append((self.collection.slot(name), values))
        return found

    def needle(self) -> str | None:
        if self.contains is None:
            return None
        if self.collection.search is None:
            raise UnknownIndexError(f"{self.collection.name} has no search text")
        return self.contains


def encode_cursor(sort: str, key: str) -> str:
    raw = json.dumps([sort, key], ensure_ascii=True).encode("ascii")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(cursor: str) -> tuple[str, str]:
    """The (sort, key) a cursor continues after; ValueError if it was not made by us."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        sort, key = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except Exception as exc:  # any damage to an opaque token is the caller's mistake
        raise ValueError("not a cursor returned by this list") from exc
    if not isinstance(sort, str) or not isinstance(key, str):
        raise ValueError("not a cursor returned by this list")
    return sort, key


class ViewTransaction(ABC):
    """One view's atomic unit of work: document writes plus that view's positions."""

    @abstractmethod
    def get(self, collection: str, key: str) -> Document | None: ...

    @abstractmethod
    def put(self, collection: str, key: str, doc: Document) -> None: ...

    def put_many(self, rows: list[tuple[str, str, Document]]) -> None:
        """Several puts at once, in order (a later row under the same key wins)."""
        for collection, key, doc in rows:
            self.put(collection, key, doc)

    @abstractmethod
    def track(self, upstream: str, position: int) -> None: ...

    @abstractmethod
    def last_position(self, upstream: str) -> int | None:
        """The view's position for `upstream`, locked against concurrent appliers."""


class ViewStore(ViewReader):
    def __init__(self) -> None:
        self._collections: dict[str, Collection] = {}
        self._snapshots: Snapshots[Any] = Snapshots()

    def declare(self, collections: Iterable[Collection]) -> None:
        """Make the store aware of collections' index and sort fields (before writes)."""
        for collection in collections:
            self._collections[collection.name] = collection

    def collection(self, name: str) -> Collection:
        return self._collections.get(name) or Collection(name)

    @abstractmethod
    def setup(self) -> None: ...

    @abstractmethod
    def transaction(
        self, view: str, version: int | None = None
    ) -> AbstractContextManager[ViewTransaction]:
        """Commits on clean exit, rolls back on error. With `version`, first checks, in the
        transaction and locked against `reset`, that the view's stored version is that one
        (or none is stored yet), else raises `ViewSupersededError` having written nothing:
        an applier of an older release then never writes into a newer release's rebuild."""

    def snapshot(self) -> AbstractContextManager[ViewReader]:
        """Several reads as one snapshot (`shared.views.reading`): `with views.snapshot() as
        snap:` every read of `snap`, and of this store in this thread, sees the documents
        and positions as they were when it began, whatever consumers commit meanwhile (nor
        does it see this thread's own writes). A snapshot inside it is the same snapshot.
        PostgreSQL holds one pooled connection in a REPEATABLE READ READ ONLY transaction
        for it, SQLite one read transaction (WAL), the memory store a copy."""
        return self._snapshots.enter(self, self._begin_snapshot)

    @abstractmethod
    def _begin_snapshot(self) -> AbstractContextManager[Any]:
        """Start one snapshot; yields what this store's reads use while it lasts."""

    def page(
        self,
        collection: str,
        *,
        where: Filter | None = None,
        descending: bool = False,
        cursor: str | None = None,
        limit: int = 100,
        contains: str | None = None,
    ) -> Page:
        after = None if cursor is None else decode_cursor(cursor)
        return self._page(
            PageQuery(self.collection(collection), where or {}, descending, after, limit, contains)
        )

    @abstractmethod
    def _page(self, query: PageQuery) -> Page: ...

    @abstractmethod
    def last_position(self, view: str, upstream: str) -> int | None: ...

    @abstractmethod
    def positions(self) -> dict[str, dict[str, int]]:
        """view -> upstream -> position, for every view with a position."""

    @abstractmethod
    def view_version(self, view: str) -> int | None: ...

    @abstractmethod
    def reset(self, view: str, collections: Iterable[str], version: int) -> None:
        """Drop the view's documents and positions and record its version, in one transaction,
        so it rebuilds from the start of every upstream. Raises `ViewSupersededError` (and
        drops nothing) when a newer version is stored: an older release never undoes it."""

    @abstractmethod
    def dump(self, collections: Iterable[str]) -> Iterator[tuple[str, str, str]]:
        """(collection, key, stored document text) in a stable order: what a rebuild must
        reproduce byte for byte."""

    @abstractmethod
    def ping(self) -> None: ...

    @abstractmethod
    def close(self) -> None: ...


class BufferedTransaction(ViewTransaction):
    """Keeps a transaction's writes in memory until commit, so a batch that touches one row
    per message (a counter, a ranking) reads it once and writes it once."""

    def __init__(
        self, inner: ViewTransaction, flush: Callable[[list[tuple[str, str, Document]]], None]
    ) -> None:
        self._inner = inner
        self._flush = flush
        self._pending: dict[tuple[str, str], Document] = {}

    def get(self, collection: str, key: str) -> Document | None:
        pending = self._pending.get((collection, key))
        return pending if pending is not None else self._inner.get(collection, key)

    def put(self, collection: str, key: str, doc: Document) -> None:
        self._pending[(collection, key)] = doc

    def put_many(self, rows: list[tuple[str, str, Document]]) -> None:
        self._pending.update(((collection, key), doc) for collection, key, doc in rows)

    def track(self, upstream: str, position: int) -> None:
        self._inner.track(upstream, position)

    def last_position(self, upstream: str) -> int | None:
        return self._inner.last_position(upstream)

    def flush(self) -> None:
        if self._pending:
            self._flush([(c, k, doc) for (c, k), doc in self._pending.items()])
            self._pending.clear()
