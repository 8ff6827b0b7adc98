"""The scoring policy on an in-memory application, fed through its real inboxes."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from uuid import UUID, uuid4

import pytest
from eventsourcing.persistence import IntegrityError

from services.scoring.application import ScoringApplication
from services.scoring.domain import (
    FINAL_RUNS_ID,
    RosterIncomplete,
    ScoreRun,
    UnknownScheme,
    WaveNotFound,
    WaveTally,
)
from services.scoring.inboxes import ScoringInbox
from services.scoring.integration import to_payload
from services.scoring.scheme import SATISFACTION_V1
from shared.auth import Principal
from shared.contracts import IntegrationMessage
from shared.contracts.scoring import ScoreComputed
from shared.settings import CommonSettings, eventsourcing_env
from tests.scoring.feeds import (
    Feed,
    deliver,
    principal_issued,
    response,
    unit_registered,
    wave_closed,
    wave_opened,
)

OFFICE = Principal(uuid4(), "舞阳县纠风办", "office", None)
NAMES = ["舞阳县公安局", "舞阳县教育局", "舞阳县供电公司"]


@dataclass
class Scoring:
    app: ScoringApplication
    inbox: ScoringInbox
    registry: Feed = field(default_factory=lambda: Feed("registry"))
    survey: Feed = field(default_factory=lambda: Feed("survey"))
    jurisdiction_id: UUID = field(default_factory=uuid4)

    def units(self, *names: str) -> list[UUID]:
        messages = [self.registry.message(unit_registered(self.jurisdiction_id, n)) for n in names]
        deliver(self.inbox, "registry", messages)
        return [UUID(m.payload["unit_id"]) for m in messages]

    def open(self, unit_ids: list[UUID]) -> UUID:
        message = self.survey.message(wave_opened(self.jurisdiction_id, unit_ids))
        deliver(self.inbox, "survey", [message])
        return UUID(message.payload["wave_id"])

    def answers(self, wave_id: UUID, *rows: dict[UUID, str]) -> list[IntegrationMessage]:
        start = self.survey.position
        return [
            self.survey.message(response(wave_id, ratings, f"WY-{start + i:04d}"))
            for i, ratings in enumerate(rows)
        ]

    def close(self, wave_id: UUID) -> IntegrationMessage:
        message = self.survey.message(wave_closed(wave_id))
        deliver(self.inbox, "survey", [message])
        return message

    def tally(self, wave_id: UUID) -> WaveTally:
        return self.app.tally(wave_id)

    def runs(self, wave_id: UUID) -> list[ScoreRun]:
        return self.app.runs(wave_id)


@pytest.fixture
def scoring(common: CommonSettings) -> Iterator[Scoring]:
    app = ScoringApplication(eventsourcing_env(common, "scoring", None))
    yield Scoring(app, ScoringInbox(app))
    app.close()


def three_units_rated(s: Scoring) -> tuple[list[UUID], UUID]:
    """Three units; four questionnaires; a, b, c as in the hand calculation below."""
    a, b, c = s.units(*NAMES)
    wave_id = s.open([a, b, c])
    deliver(
        s.inbox,
        "survey",
        s.answers(
            wave_id,
            {a: "满意", b: "满意", c: "不满意"},
            {a: "基本满意", b: "不了解", c: "不满意"},
            {a: "不满意", b: "满意"},
            {a: "不了解", b: "基本满意"},
        ),
    )
    return [a, b, c], wave_id


def by_unit(run: ScoreRun) -> dict[str, tuple[int, str | None, str | None]]:
    return {
        r["unit_id"]: (r["valid_count"], r["satisfaction_rate"], r["score"]) for r in run.results
    }


def test_closing_a_wave_computes_the_final_run(scoring: Scoring) -> None:
    (a, b, c), wave_id = three_units_rated(scoring)
    assert scoring.runs(wave_id) == []
    closed = scoring.close(wave_id)

    (run,) = scoring.runs(wave_id)
    assert run.final and run.trigger == "wave_closed"
    assert run.upstream_positions == {"registry": 3, "survey": closed.position}
    assert run.scheme == SATISFACTION_V1.ref()
    # a: 满意, 基本满意, 不满意 valid -> rate 2/3 = 66.67, score 1.8/3 = 60.00
    # b: 满意, 满意, 基本满意 valid -> rate 100.00, score 2.8/3 = 93.33
    # c: 不满意 twice -> rate 0.00, score 0.00
    assert by_unit(run) == {
        str(a): (3, "66.67", "60.00"),
        str(b): (3, "100.00", "93.33"),
        str(c): (2, "0.00", "0.00"),
    }
    assert [r["unit_name"] for r in sorted(run.results, key=lambda r: r["unit_id"])] == [
        dict(zip([str(a), str(b), str(c)], NAMES, strict=True))[u]
        for u in sorted([str(a), str(b), str(c)])
    ]
    assert scoring.tally(wave_id).final_run_id == str(run.id)


def test_a_redelivered_batch_changes_nothing(scoring: Scoring) -> None:
    (a, _, _), wave_id = three_units_rated(scoring)
    batch = scoring.answers(wave_id, {a: "满意"}, {a: "满意"})
    deliver(scoring.inbox, "survey", batch)
    head = scoring.app.recorder.max_notification_id()
    counts = scoring.tally(wave_id).counts[str(a)]

    plan = deliver(scoring.inbox, "survey", batch)
    assert plan.to_apply == [] and plan.duplicates == batch
    # Even forced past the plan, the recorded position refuses the whole transaction.
    with pytest.raises(IntegrityError):
        scoring.inbox.apply("survey", batch)
    assert scoring.app.recorder.max_notification_id() == head
    assert scoring.tally(wave_id).counts[str(a)] == counts


def test_a_questionnaire_republished_under_a_new_position_counts_once(scoring: Scoring) -> None:
    (a,) = scoring.units("舞阳县公安局")
    wave_id = scoring.open([a])
    response_id = uuid4()
    first = scoring.survey.message(response(wave_id, {a: "满意"}, "WY-1", response_id))
    again = scoring.survey.message(response(wave_id, {a: "不满意"}, "WY-1", response_id))
    same_batch = scoring.survey.message(response(wave_id, {a: "不满意"}, "WY-1", response_id))
    deliver(scoring.inbox, "survey", [first])
    deliver(scoring.inbox, "survey", [again, same_batch])

    tally = scoring.tally(wave_id)
    assert tally.counted == {str(response_id): "WY-1"}
    assert tally.counts[str(a)] == {"满意": 1, "基本满意": 0, "不满意": 0, "不了解": 0}
    assert tally.position == first.position


def test_one_counted_event_per_wave_per_batch(scoring: Scoring) -> None:
    (a, b) = scoring.units("舞阳县公安局", "舞阳县教育局")
    wave_a, wave_b = scoring.open([a]), scoring.open([b])
    mixed = [
        *scoring.answers(wave_a, {a: "满意"}, {a: "满意"}),
        *scoring.answers(wave_b, {b: "不满意"}),
        *scoring.answers(wave_a, {a: "基本满意"}),
    ]
    deliver(scoring.inbox, "survey", mixed)

    events = [type(e).__name__ for e in scoring.app.events.get(wave_a)]
    assert events == ["Opened", "ResponsesChanged"]
    assert scoring.tally(wave_a).position == mixed[-1].position
    assert scoring.tally(wave_b).position == mixed[2].position
    assert scoring.tally(wave_a).counts[str(a)]["满意"] == 2


def test_questionnaires_after_the_close_are_not_counted(scoring: Scoring) -> None:
    (a, _, _), wave_id = three_units_rated(scoring)
    scoring.close(wave_id)
    before = scoring.tally(wave_id)
    deliver(scoring.inbox, "survey", scoring.answers(wave_id, {a: "满意"}))
    after = scoring.tally(wave_id)
    assert after.counts == before.counts and after.position == before.position


def test_the_final_run_waits_for_a_lagging_roster(scoring: Scoring) -> None:
    a, b = scoring.units("舞阳县公安局", "舞阳县教育局")
    late = unit_registered(scoring.jurisdiction_id, "舞阳县供电公司")
    wave_id = scoring.open([a, b, late.unit_id])
    deliver(scoring.inbox, "survey", scoring.answers(wave_id, {a: "满意", late.unit_id: "满意"}))
    closed = scoring.close(wave_id)
    assert scoring.runs(wave_id) == []
    assert scoring.app.repository.get(FINAL_RUNS_ID).due == [str(wave_id)]

    unrelated = scoring.registry.message(principal_issued(scoring.jurisdiction_id))
    deliver(scoring.inbox, "registry", [unrelated])
    assert scoring.runs(wave_id) == []

    arrival = scoring.registry.message(late, skip=2)
    deliver(scoring.inbox, "registry", [arrival])
    (run,) = scoring.runs(wave_id)
    assert run.final and run.trigger == "roster_completed"
    assert run.upstream_positions == {"registry": arrival.position, "survey": closed.position}
    assert by_unit(run)[str(late.unit_id)] == (1, "100.00", "100.00")
    assert scoring.app.repository.get(FINAL_RUNS_ID).due == []


def test_requested_runs_are_provisional_and_idempotent(scoring: Scoring) -> None:
    (a, _, _), wave_id = three_units_rated(scoring)
    run, created = scoring.app.request_run(OFFICE, wave_id, "satisfaction", 1)
    again, created_again = scoring.app.request_run(OFFICE, wave_id, "satisfaction", 1)
    assert created and not created_again
    assert again.id == run.id and not run.final
    assert run.trigger == "requested" and run.actor == OFFICE.actor

    deliver(scoring.inbox, "survey", scoring.answers(wave_id, {a: "满意"}))
    newer, created_newer = scoring.app.request_run(OFFICE, wave_id, "satisfaction", 1)
    assert created_newer and newer.id != run.id
    assert newer.upstream_positions["survey"] > run.upstream_positions["survey"]

    scoring.close(wave_id)
    final = scoring.runs(wave_id)[-1]
    after_close, created_after = scoring.app.request_run(OFFICE, wave_id, "satisfaction", 1)
    assert final.final and after_close.id == final.id and not created_after
    assert [r.id for r in scoring.runs(wave_id)] == [run.id, newer.id, final.id]


def test_requested_runs_refuse_what_cannot_be_scored(scoring: Scoring) -> None:
    with pytest.raises(WaveNotFound):
        scoring.app.request_run(OFFICE, uuid4(), "satisfaction", 1)
    (a,) = scoring.units("舞阳县公安局")
    wave_id = scoring.open([a, uuid4()])
    with pytest.raises(RosterIncomplete) as refused:
        scoring.app.request_run(OFFICE, wave_id, "satisfaction", 1)
    assert refused.value.context["unit_ids"]
    with pytest.raises(UnknownScheme):
        scoring.app.request_run(OFFICE, wave_id, "satisfaction", 99)


@pytest.mark.parametrize("common", ["embedded"], indirect=True)  # reopens the stored log
def test_busy_tallies_are_snapshotted_and_restore_identically(
    scoring: Scoring, common: CommonSettings
) -> None:
    (a,) = scoring.units("舞阳县公安局")
    wave_id = scoring.open([a])
    interval = ScoringApplication.snapshotting_intervals[WaveTally]
    for _ in range(interval + 1):
        deliver(scoring.inbox, "survey", scoring.answers(wave_id, {a: "满意"}, {a: "不满意"}))
    assert scoring.app.snapshots is not None
    assert list(scoring.app.snapshots.get(wave_id))

    reopened = ScoringApplication(eventsourcing_env(common, "scoring", None))
    try:
        restored, original = reopened.tally(wave_id), scoring.tally(wave_id)
        assert restored.counts == original.counts and restored.counted == original.counted
        assert restored.position == original.position
    finally:
        reopened.close()


def test_other_registry_facts_only_move_the_position(scoring: Scoring) -> None:
    message = scoring.registry.message(principal_issued(scoring.jurisdiction_id))
    deliver(scoring.inbox, "registry", [message])
    assert scoring.inbox.last_position("registry") == message.position
    assert scoring.app.recorder.max_notification_id() is None


def test_only_computed_runs_are_published(scoring: Scoring) -> None:
    _, wave_id = three_units_rated(scoring)
    scoring.close(wave_id)
    notifications = scoring.app.recorder.select_notifications(1, 1000)
    events = [scoring.app.mapper.to_domain_event(n) for n in notifications]
    published = [p for p in map(to_payload, events) if p is not None]
    assert len(published) == 1 and isinstance(published[0], ScoreComputed)
    (run,) = scoring.runs(wave_id)
    payload = published[0]
    assert payload.run_id == run.id and payload.results_digest == run.results_digest
    assert [u.model_dump(mode="json") for u in payload.results] == run.results
