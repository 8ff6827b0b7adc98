"""Reading the next page of a log in a thread while the caller works through the current
one, as the relay does: the database driver waits for the server without the GIL, so a
reader that decodes and folds each page (replay, the audit export) overlaps the two.

At most one page waits ahead, so memory holds two pages and the one being read. The pages
are produced wholly in the thread (a connection opened by them is opened and closed there),
an error there is raised in the caller, and a caller that stops early stops the thread
after the page it is reading, with its connection closed."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import TypeVar, cast

T = TypeVar("T")

_END = object()
_POLL = 0.1
"""How often a thread with a page ready checks whether its reader is gone (seconds)."""


def read_ahead(pages: Iterator[T], name: str = "read-ahead") -> Iterator[T]:
    """`pages`, each produced in a thread one page ahead of the caller."""
    return read_side_by_side([pages], 1, name)


def read_side_by_side(readers: list[Iterator[T]], depth: int, name: str = "read") -> Iterator[T]:
    """The readers' items, one reader's after the other's, each reader run in a thread of
    its own from the start, at most `depth` items ahead of the caller: ranges of a log read
    from the database at once (each on its connection) and handed on in order. An error in
    a thread is raised in the caller when its items are due; a caller that stops early
    stops every thread."""
    gone = threading.Event()
    queues: list[queue.Queue[object]] = [queue.Queue(maxsize=depth) for _ in readers]

    def run(reader: Iterator[T], ready: queue.Queue[object]) -> None:
        def hand(item: object) -> bool:
            while not gone.is_set():
                try:
                    ready.put(item, timeout=_POLL)
                    return True
                except queue.Full:
                    continue
            return False

        try:
            for item in reader:
                if not hand(item):
                    return
            hand(_END)
        except BaseException as error:  # raised in the caller
            hand(error)
        finally:
            close = getattr(reader, "close", None)
            if close is not None:
                close()

    threads = [
        threading.Thread(target=run, args=(reader, ready), name=f"{name}-{i}", daemon=True)
        for i, (reader, ready) in enumerate(zip(readers, queues, strict=True))
    ]
    for thread in threads:
        thread.start()
    try:
        for ready in queues:
            while True:
                item = ready.get()
                if item is _END:
                    break
                if isinstance(item, BaseException):
                    raise item
                yield cast(T, item)
    finally:
        gone.set()
        for thread in threads:
            thread.join()
