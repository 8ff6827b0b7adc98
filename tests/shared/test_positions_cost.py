"""Reading a log's head is O(1): it never re-reads the log (it once read all of scoring's log
on every /positions call, 1 s and 240 MB at 20,000 questionnaires)."""

from __future__ import annotations

from typing import Any

from eventsourcing.domain import Aggregate, event

from shared.contracts.registry import JurisdictionRegistered
from shared.messaging.outbox import Outbox
from shared.service.application import PublishingApplication


class Note(Aggregate):
    @event("Written")
    def __init__(self, text: str, published: bool) -> None:
        self.text = text
        self.published = published


class Counter:
    def __init__(self) -> None:
        self.mapped = 0

    def __call__(self, domain_event: Any) -> JurisdictionRegistered | None:
        self.mapped += 1
        if not getattr(domain_event, "published", False):
            return None
        return JurisdictionRegistered(
            jurisdiction_id=domain_event.originator_id, name="x", level="city", parent_id=None
        )


def test_the_head_is_read_from_the_end_and_remembered() -> None:
    app = PublishingApplication({"PERSISTENCE_MODULE": "eventsourcing.popo"})
    for n in range(3000):
        app.save(Note(f"n{n}", published=n % 10 == 0))
    counter = Counter()
    outbox = Outbox("probe", app, counter)
    head = outbox.head()
    assert head is not None and head == 2991  # the last published note (n = 2990)
    assert counter.mapped <= 8 + 64, counter.mapped  # two small windows from the end
    before = counter.mapped
    assert outbox.head() == head and counter.mapped == before  # nothing new: nothing read
    app.save(Note("internal", published=False))
    assert outbox.head() == head and counter.mapped == before + 1  # only what is new
    app.save(Note("public", published=True))
    assert outbox.head() == 3002 and counter.mapped == before + 2
