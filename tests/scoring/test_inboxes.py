"""The registry feed reaches two stores (auth copy and roster) through one consumer."""

from __future__ import annotations

from collections.abc import Iterator
from uuid import uuid4

import pytest

from services.scoring.application import ScoringApplication
from services.scoring.domain import ROSTER_ID, Roster
from services.scoring.inboxes import FanOutInbox, ScoringInbox
from shared.registry_view import RegistryView, registry_view_inbox
from shared.settings import CommonSettings, eventsourcing_env
from shared.views import SQLiteViewStore
from tests.scoring.feeds import Feed, deliver, principal_issued, unit_registered


@pytest.fixture
def stores(
    embedded_settings: CommonSettings,
) -> Iterator[tuple[ScoringApplication, SQLiteViewStore]]:
    app = ScoringApplication(eventsourcing_env(embedded_settings, "scoring", None))
    views = SQLiteViewStore(embedded_settings.data_dir / "scoring-views.sqlite")
    views.setup()
    yield app, views
    app.close()
    views.close()


def test_a_crash_between_the_two_writes_is_repaired_by_redelivery(
    stores: tuple[ScoringApplication, SQLiteViewStore],
) -> None:
    app, views = stores
    auth, events = registry_view_inbox(views), ScoringInbox(app)
    fan_out = FanOutInbox(auth, events)
    feed, jurisdiction = Feed("registry"), uuid4()
    first = [feed.message(unit_registered(jurisdiction, "舞阳县公安局"))]
    first.append(feed.message(principal_issued(jurisdiction)))
    # The auth copy committed, then the process died before the roster did.
    auth.apply("registry", first)
    assert fan_out.last_position("registry") is None

    second = [feed.message(unit_registered(jurisdiction, "舞阳县教育局"))]
    plan = deliver(fan_out, "registry", [*first, *second])
    assert plan.to_apply == [*first, *second]
    assert auth.last_position("registry") == events.last_position("registry") == feed.position
    assert fan_out.last_position("registry") == feed.position
    roster: Roster = app.repository.get(ROSTER_ID)
    assert sorted(e["name"] for e in roster.units.values()) == ["舞阳县公安局", "舞阳县教育局"]
    assert len(RegistryView(views).units()) == 2


def test_the_slower_store_sets_where_the_feed_resumes(
    stores: tuple[ScoringApplication, SQLiteViewStore],
) -> None:
    app, views = stores
    auth, events = registry_view_inbox(views), ScoringInbox(app)
    feed, jurisdiction = Feed("registry"), uuid4()
    batch = [feed.message(unit_registered(jurisdiction, name)) for name in ("甲", "乙", "丙")]
    events.apply("registry", batch)
    auth.apply("registry", batch[:1])
    fan_out = FanOutInbox(auth, events)
    assert fan_out.last_position("registry") == batch[0].position
    deliver(fan_out, "registry", batch)
    assert auth.last_position("registry") == events.last_position("registry") == batch[-1].position
