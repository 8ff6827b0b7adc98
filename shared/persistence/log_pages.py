"""Reading an application's own notification log in order, page by page, optionally only
some topics: what replay, the round folds and sealed-visit lists each need."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from eventsourcing.persistence import ApplicationRecorder, Notification

PAGE = 500


def notifications(
    recorder: ApplicationRecorder,
    *,
    after: int | None = None,
    topics: Sequence[str] = (),
    page: int = PAGE,
) -> Iterator[Notification]:
    """Every notification after `after` (None: from the first) of the given topics (none
    given: all), in log order, read `page` at a time."""
    start = 0 if after is None else after
    while True:
        found = recorder.select_notifications(start, page, topics=topics, inclusive_of_start=False)
        yield from found
        if len(found) < page:
            return
        start = found[-1].id
