"""The roster follows registry lifecycle facts (rename, move, merge, split, dissolve), fed
through scoring's real inbox on an in-memory application."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing.application import ProcessingEvent
from eventsourcing.persistence import IntegrityError, Tracking
from eventsourcing.utils import get_topic

from services.scoring.application import ScoringApplication
from services.scoring.domain import ROSTER_ID, Roster, ScoreRun
from services.scoring.inboxes import ScoringInbox
from services.scoring.rounds.domain import InputBatch
from shared.contracts import IntegrationMessage, IntegrationPayload
from shared.settings import CommonSettings, eventsourcing_env
from tests.scoring.feeds import (
    GOV,
    Feed,
    deliver,
    response,
    unit_dissolved,
    unit_moved,
    unit_registered,
    unit_renamed,
    unit_split,
    units_merged,
    wave_closed,
    wave_opened,
)

NAMES = ["舞阳县公安局", "舞阳县教育局", "舞阳县供电公司"]


@dataclass
class Scoring:
    settings: CommonSettings
    app: ScoringApplication
    registry: Feed = field(default_factory=lambda: Feed("registry"))
    survey: Feed = field(default_factory=lambda: Feed("survey"))
    county: UUID = field(default_factory=uuid4)

    @property
    def inbox(self) -> ScoringInbox:
        return ScoringInbox(self.app)

    def publish(self, *payloads: IntegrationPayload) -> list[IntegrationMessage]:
        messages = [self.registry.message(payload) for payload in payloads]
        deliver(self.inbox, "registry", messages)
        return messages

    def units(self, *names: str) -> list[UUID]:
        messages = self.publish(*(unit_registered(self.county, name) for name in names))
        return [UUID(m.payload["unit_id"]) for m in messages]

    def roster(self) -> Roster:
        roster = self.app.repository.get(ROSTER_ID)
        assert isinstance(roster, Roster)
        return roster

    def score(self, unit_ids: list[UUID]) -> ScoreRun:
        """Open a wave of these units, rate each 满意 once, close it: the final run."""
        opened = self.survey.message(wave_opened(self.county, unit_ids))
        wave_id = UUID(opened.payload["wave_id"])
        answered = self.survey.message(response(wave_id, dict.fromkeys(unit_ids, "满意"), "WY-1"))
        closed = self.survey.message(wave_closed(wave_id))
        deliver(self.inbox, "survey", [opened, answered, closed])
        (run,) = self.app.runs(wave_id)
        return run

    def head(self) -> int | None:
        """The last of scoring's own decisions (the engine's input batches, kept as they
        arrived, are not decisions)."""
        inputs = get_topic(InputBatch.Received)
        return max(
            (
                n.id
                for n in self.app.recorder.select_notifications(None, 10_000)
                if n.topic != inputs
            ),
            default=None,
        )


@pytest.fixture
def scoring(common: CommonSettings) -> Iterator[Scoring]:
    app = ScoringApplication(eventsourcing_env(common, "scoring", None))
    yield Scoring(common, app)
    app.close()


def names(run: ScoreRun) -> dict[str, str]:
    return {r["unit_id"]: r["unit_name"] for r in run.results}


def roster_events(app: ScoringApplication) -> list[str]:
    return [type(e).__name__ for e in app.events.get(ROSTER_ID)]


def test_renames_moves_and_ends_change_the_roster_at_their_positions(scoring: Scoring) -> None:
    a, b, c = scoring.units(*NAMES)
    other = uuid4()
    renamed, moved = scoring.publish(
        unit_renamed(a, NAMES[0], "舞阳县公安分局"), unit_moved(b, scoring.county, other)
    )
    (dissolved,) = scoring.publish(unit_dissolved(c))

    roster = scoring.roster()
    assert roster.units[str(a)] == {
        "name": "舞阳县公安分局",
        "category": GOV,
        "jurisdiction_id": str(scoring.county),
        "status": "active",
    }
    assert roster.units[str(b)]["jurisdiction_id"] == str(other)
    assert roster.units[str(c)]["status"] == "dissolved"
    assert roster.position == dissolved.position
    assert roster.lifecycle_after == 0
    assert roster_events(scoring.app)[-3:] == ["UnitRenamed", "UnitMoved", "UnitEnded"]
    assert renamed.position < moved.position < dissolved.position

    run = scoring.score([a, b, c])
    assert names(run)[str(a)] == "舞阳县公安分局"
    assert run.upstream_positions["registry"] == dissolved.position
    assert run.lifecycle_after == 0


def test_a_repeated_rename_changes_nothing(scoring: Scoring) -> None:
    a, b = scoring.units(*NAMES[:2])
    rename = unit_renamed(a, NAMES[0], "舞阳县公安分局")
    (first,) = scoring.publish(rename)
    before = scoring.roster()
    head, events = scoring.head(), roster_events(scoring.app)

    # Redelivered as it was: planned as a duplicate, and forcing it in is refused whole.
    plan = deliver(scoring.inbox, "registry", [first])
    assert plan.to_apply == [] and plan.duplicates == [first]
    with pytest.raises(IntegrityError):
        scoring.inbox.apply("registry", [first])
    # Published again under a new position, and a rename of a unit scoring never listed.
    scoring.publish(rename, unit_renamed(uuid4(), "无此单位", "仍无此单位"))

    after = scoring.roster()
    assert scoring.head() == head and roster_events(scoring.app) == events
    assert after.units == before.units and after.position == first.position
    assert names(scoring.score([a, b]))[str(a)] == "舞阳县公安分局"


def test_merge_and_split_end_the_sources_but_a_wave_keeps_its_units(scoring: Scoring) -> None:
    a, b, c = scoring.units(*NAMES)
    merged_id, *split_ids = (uuid4() for _ in range(3))
    merged = unit_registered(scoring.county, "舞阳县公安教育局").model_copy(
        update={"unit_id": merged_id}
    )
    parts = [
        unit_registered(scoring.county, name).model_copy(update={"unit_id": unit_id})
        for name, unit_id in zip(["舞阳县供电一所", "舞阳县供电二所"], split_ids, strict=True)
    ]
    *_, split = scoring.publish(
        merged,
        units_merged(merged_id, [a, b], "舞阳县公安教育局"),
        *parts,
        unit_split(c, split_ids),
    )

    statuses = {unit_id: e["status"] for unit_id, e in scoring.roster().units.items()}
    assert statuses == {
        str(a): "merged",
        str(b): "merged",
        str(c): "split",
        str(merged_id): "active",
        **{str(unit_id): "active" for unit_id in split_ids},
    }
    run = scoring.score([a, b, c])
    assert names(run) == dict(zip([str(a), str(b), str(c)], NAMES, strict=True))
    assert run.upstream_positions["registry"] == split.position


def test_a_roster_kept_before_lifecycle_facts_follows_those_after_its_position(
    scoring: Scoring,
) -> None:
    a, b = (unit_registered(scoring.county, name) for name in NAMES[:2])
    listed = [scoring.registry.message(a), scoring.registry.message(b)]
    passed_over = scoring.registry.message(unit_renamed(a.unit_id, NAMES[0], "舞阳县公安分局"))
    # What the code before lifecycle facts stored: the listings, and the rename's position
    # tracked with no change to the roster.
    roster = Roster()
    for message, unit in zip(listed, (a, b), strict=True):
        roster.list_unit(
            unit.unit_id, unit.name, unit.category, unit.jurisdiction_id, message.position
        )
    for position, aggregates in ((listed[-1].position, [roster]), (passed_over.position, [])):
        processing: ProcessingEvent[Any] = ProcessingEvent(tracking=Tracking("registry", position))
        processing.collect_events(*aggregates)
        scoring.app.record_processing(processing)
    assert scoring.roster().lifecycle_after is None

    (renamed,) = scoring.publish(unit_renamed(b.unit_id, NAMES[1], "舞阳县教育体育局"))

    roster = scoring.roster()
    assert roster.lifecycle_after == passed_over.position
    assert [roster.units[str(u.unit_id)]["name"] for u in (a, b)] == [NAMES[0], "舞阳县教育体育局"]
    run = scoring.score([a.unit_id, b.unit_id])
    assert run.lifecycle_after == passed_over.position
    assert run.upstream_positions["registry"] == renamed.position


@pytest.mark.parametrize("common", ["embedded"], indirect=True)  # edits the stored snapshot
def test_a_roster_snapshot_from_before_lifecycle_facts_is_upcast(scoring: Scoring) -> None:
    a, _ = scoring.units(*NAMES[:2])
    scoring.app.take_snapshot(ROSTER_ID)
    db = sqlite3.connect(scoring.settings.data_dir / "scoring.sqlite")
    with db:
        (state,) = db.execute("SELECT state FROM stored_snapshots").fetchone()
        record = json.loads(state)
        roster = record["state"]
        assert roster.pop("class_version") == 2
        del roster["lifecycle_after"]
        for entry in roster["units"].values():
            del entry["status"]
        db.execute("UPDATE stored_snapshots SET state=?", (json.dumps(record).encode(),))
    db.close()
    env = eventsourcing_env(scoring.settings, "scoring", None)
    fresh = Scoring(scoring.settings, ScoringApplication(env), scoring.registry)
    try:
        roster = fresh.roster()
        assert roster.lifecycle_after is None
        assert {e["status"] for e in roster.units.values()} == {"active"}
        (renamed,) = fresh.publish(unit_renamed(a, NAMES[0], "舞阳县公安分局"))
        roster = fresh.roster()
        assert roster.units[str(a)]["name"] == "舞阳县公安分局"
        assert roster.lifecycle_after == renamed.position - 1
    finally:
        fresh.app.close()
