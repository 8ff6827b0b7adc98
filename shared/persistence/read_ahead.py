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
    ready: queue.Queue[object] = queue.Queue(maxsize=1)
    gone = threading.Event()

    def hand(item: object) -> bool:
        while not gone.is_set():
            try:
                ready.put(item, timeout=_POLL)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for page in pages:
                if not hand(page):
                    return
            hand(_END)
        except BaseException as error:  # raised in the caller
            hand(error)
        finally:
            close = getattr(pages, "close", None)
            if close is not None:
                close()

    thread = threading.Thread(target=produce, name=name, daemon=True)
    thread.start()
    try:
        while True:
            item = ready.get()
            if item is _END:
                return
            if isinstance(item, BaseException):
                raise item
            yield cast(T, item)
    finally:
        gone.set()
        thread.join()
