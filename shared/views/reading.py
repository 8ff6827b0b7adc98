"""The read side of a view store, and its snapshots.

Each read of a store (a `get`, one `page`) is consistent on its own, but a reader walking
several pages sees what consumers commit between them: a document re-sorted between two
pages (a unit renamed) moves past or before the cursor and is skipped or read twice.
`ViewStore.snapshot()` gives a reader several reads as one snapshot: a `ViewSnapshot`, whose
reads all see the store as it was when the snapshot began. While it is open, the store's own
reads in the same thread go through it too, so code handed the store rather than the
snapshot reads from the same snapshot, and a snapshot opened inside it (in that thread) is
the same one: nested snapshots share the outer one (and its one connection).
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import TYPE_CHECKING, Generic, TypeVar

if TYPE_CHECKING:
    from shared.views.base import Document, Filter, Page

State = TypeVar("State")


class ViewReader(ABC):
    """What a reader of views may do: a `ViewStore`, or a snapshot of one."""

    @abstractmethod
    def get(self, collection: str, key: str) -> Document | None: ...

    @abstractmethod
    def get_many(self, collection: str, keys: Iterable[str]) -> dict[str, Document]:
        """The documents found under `keys`, in one query (absent keys are left out)."""

    @abstractmethod
    def scan(self, collection: str, prefix: str = "") -> list[tuple[str, Document]]: ...

    @abstractmethod
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
        """One page in (sort, key) order: `where` maps index fields to a value or a set of
        values (None: no filter; an empty set: nothing), `contains` matches the search text;
        `cursor` continues a previous page. ValueError for a cursor this store did not make."""

    @abstractmethod
    def snapshot(self) -> AbstractContextManager[ViewReader]:
        """Reads that see one state of the store, whatever commits meanwhile (see the
        module's docstring)."""

    def pages(
        self,
        collection: str,
        *,
        where: Filter | None = None,
        contains: str | None = None,
        limit: int = 1000,
    ) -> Iterator[list[Document]]:
        """Every document under `where`/`contains`, a page (one query) at a time: for
        reading a whole selection without holding a cursor by hand. The pages are one
        snapshot only when read inside `snapshot()`."""
        cursor: str | None = None
        while True:
            found = self.page(
                collection, where=where, contains=contains, cursor=cursor, limit=limit
            )
            yield found.items
            if found.next_cursor is None:
                return
            cursor = found.next_cursor

    def everything(
        self,
        collection: str,
        *,
        where: Filter | None = None,
        contains: str | None = None,
        limit: int = 1000,
    ) -> list[Document]:
        """Every document under `where`/`contains`, as one state of the store. A selection
        that fits one page is one query; a longer one is read again, whole, in a snapshot,
        so the many short reads (a scoped request's subtree) pay no transaction of their
        own, and the few long ones (an export) skip nothing and repeat nothing."""
        first = self.page(collection, where=where, contains=contains, limit=limit)
        if first.next_cursor is None:
            return list(first.items)
        with self.snapshot() as views:
            pages = views.pages(collection, where=where, contains=contains, limit=limit)
            return [doc for page in pages for doc in page]


class ViewSnapshot(ViewReader):
    """A store's reads, inside its snapshot: usable in the thread that opened it, until the
    `with` ends (a snapshot holds one connection, which is neither shared nor kept)."""

    def __init__(self, store: ViewReader) -> None:
        self._store = store
        self._thread = threading.get_ident()
        self.open = True

    def _reads(self) -> ViewReader:
        if not self.open:
            raise RuntimeError("this view snapshot has ended")
        if threading.get_ident() != self._thread:
            raise RuntimeError("a view snapshot is read in the thread that opened it")
        return self._store  # whose reads in this thread go through the snapshot

    def get(self, collection: str, key: str) -> Document | None:
        return self._reads().get(collection, key)

    def get_many(self, collection: str, keys: Iterable[str]) -> dict[str, Document]:
        return self._reads().get_many(collection, keys)

    def scan(self, collection: str, prefix: str = "") -> list[tuple[str, Document]]:
        return self._reads().scan(collection, prefix)

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
        return self._reads().page(
            collection,
            where=where,
            descending=descending,
            cursor=cursor,
            limit=limit,
            contains=contains,
        )

    def snapshot(self) -> AbstractContextManager[ViewReader]:
        return nullcontext(self)


class Snapshots(Generic[State]):
    """Which snapshot each thread of one store reads in, with the store's own state for it
    (a PostgreSQL cursor, a SQLite connection, a copy of the memory store's rows)."""

    def __init__(self) -> None:
        self._local = threading.local()

    def current(self) -> State | None:
        """The state this thread's reads use, or None outside a snapshot."""
        state: State | None = getattr(self._local, "state", None)
        return state

    @contextmanager
    def enter(
        self, store: ViewReader, begin: Callable[[], AbstractContextManager[State]]
    ) -> Iterator[ViewReader]:
        outer: ViewSnapshot | None = getattr(self._local, "snapshot", None)
        if outer is not None:
            yield outer
            return
        with begin() as state:
            snapshot = ViewSnapshot(store)
            self._local.state, self._local.snapshot = state, snapshot
            try:
                yield snapshot
            finally:
                snapshot.open = False
                self._local.state = self._local.snapshot = None
