"""What counts after survey's later decisions about questionnaires (quarantine, release,
rejection, void, batch withdrawal, correction), waves on scales the scheme cannot score, and
decisions after the close, on an application fed through its real inbox; and replay folding
the same log to the same tallies, byte for byte."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing.domain import Snapshot

from services.scoring.application import ScoringApplication
from services.scoring.batch import Batch
from services.scoring.counting import SCALE_NOT_SUPPORTED, SURVEY_FACTS
from services.scoring.domain import FINAL_RUNS_ID, ScaleNotSupported, ScoreRun, WaveTally
from services.scoring.inboxes import ScoringInbox
from services.scoring.replay import verify
from services.scoring.replay_fold import SurveyFold
from shared.auth import Principal
from shared.contracts import IntegrationMessage, IntegrationPayload, parse_payload
from shared.contracts.survey import Scale
from shared.settings import CommonSettings, eventsourcing_env
from tests.conftest import in_memory
from tests.harness import ADMIN, Cluster
from tests.scoring.feeds import (
    Feed,
    FeedLog,
    batch_withdrawn,
    corrected,
    deliver,
    quarantined,
    rejected,
    released,
    response,
    response_v1,
    unit_registered,
    voided,
    wave_closed,
    wave_closed_v1,
    wave_opened,
    wave_opened_v1,
)
from tests.stored_events import created, following, store

OFFICE = Principal(uuid4(), "舞阳县纠风办", "office", None)
NAMES = ["舞阳县公安局", "舞阳县教育局", "舞阳县供电公司"]
NONE = {"满意": 0, "基本满意": 0, "不满意": 0, "不了解": 0}


def counts(**given: int) -> dict[str, int]:
    names = {"s": "满意", "b": "基本满意", "d": "不满意", "u": "不了解"}
    return NONE | {names[key]: value for key, value in given.items()}


@dataclass
class Scoring:
    app: ScoringApplication
    inbox: ScoringInbox
    registry: Feed = field(default_factory=lambda: Feed("registry"))
    survey: Feed = field(default_factory=lambda: Feed("survey"))
    jurisdiction_id: UUID = field(default_factory=uuid4)
    published: dict[str, list[IntegrationMessage]] = field(
        default_factory=lambda: {"registry": [], "survey": []}
    )

    def units(self, *names: str) -> list[UUID]:
        messages = [self.registry.message(unit_registered(self.jurisdiction_id, n)) for n in names]
        self.published["registry"] += messages
        deliver(self.inbox, "registry", messages)
        return [UUID(m.payload["unit_id"]) for m in messages]

    def send(self, *payloads: IntegrationPayload) -> list[IntegrationMessage]:
        """The payloads as consecutive survey messages, applied in one batch."""
        messages = [self.survey.message(payload) for payload in payloads]
        self.published["survey"] += messages
        deliver(self.inbox, "survey", messages)
        return messages

    def open(self, unit_ids: list[UUID], scale: Scale | None = None) -> UUID:
        (message,) = self.send(wave_opened(self.jurisdiction_id, unit_ids, scale=scale))
        return UUID(message.payload["wave_id"])

    def tally(self, wave_id: UUID) -> WaveTally:
        return self.app.tally(wave_id)

    def runs(self, wave_id: UUID) -> list[ScoreRun]:
        return self.app.runs(wave_id)

    def logs(self, service: str) -> Any:
        return FeedLog(self.published[service])


@pytest.fixture
def scoring(common: CommonSettings) -> Iterator[Scoring]:
    app = ScoringApplication(eventsourcing_env(common, "scoring", None))
    yield Scoring(app, ScoringInbox(app))
    app.close()


def test_a_flagged_questionnaire_counts_only_once_released(scoring: Scoring) -> None:
    (a,) = scoring.units(NAMES[0])
    wave_id = scoring.open([a])
    clean, flagged = uuid4(), uuid4()
    scoring.send(
        response(wave_id, {a: "满意"}, "WY-1", clean),
        response(wave_id, {a: "不满意"}, "WY-2", flagged, flags=("burst",)),
    )
    tally = scoring.tally(wave_id)
    assert tally.counts[str(a)] == counts(s=1)
    assert tally.counted == {str(clean): "WY-1"}
    assert tally.records[str(flagged)]["status"] == "quarantined"

    # Corrected while in quarantine: nothing counts yet, the new answers count on release.
    scoring.send(corrected(wave_id, flagged, {a: "基本满意"}))
    assert scoring.tally(wave_id).counts[str(a)] == counts(s=1)
    (message,) = scoring.send(released(wave_id, flagged))
    tally = scoring.tally(wave_id)
    assert tally.counts[str(a)] == counts(s=1, b=1)
    assert tally.counted == {str(clean): "WY-1", str(flagged): "WY-2"}
    assert tally.position == message.position


@pytest.mark.parametrize("decision", [rejected, voided])
@pytest.mark.parametrize("flags", [(), ("identical_across_ids",)])
def test_a_rejected_or_voided_questionnaire_never_counts_again(
    scoring: Scoring, decision: Any, flags: tuple[str, ...]
) -> None:
    (a,) = scoring.units(NAMES[0])
    wave_id = scoring.open([a])
    kept, ended = uuid4(), uuid4()
    scoring.send(
        response(wave_id, {a: "满意"}, "WY-1", kept),
        response(wave_id, {a: "不满意"}, "WY-2", ended, flags=flags),
    )
    scoring.send(decision(wave_id, ended))
    # Nothing brings it back: a release, a correction, a quarantine.
    scoring.send(
        released(wave_id, ended),
        corrected(wave_id, ended, {a: "满意"}),
        quarantined(wave_id, ended),
    )
    tally = scoring.tally(wave_id)
    assert tally.counts[str(a)] == counts(s=1)
    assert tally.counted == {str(kept): "WY-1"}
    assert tally.records[str(ended)]["status"] == ("rejected" if decision is rejected else "voided")


def test_a_withdrawn_batch_stops_counting(scoring: Scoring) -> None:
    a, b = scoring.units(*NAMES[:2])
    wave_id = scoring.open([a, b])
    batch_id = uuid4()
    counted, flagged, other = uuid4(), uuid4(), uuid4()
    scoring.send(
        response(wave_id, {a: "满意", b: "满意"}, "WY-1", counted, batch_id=batch_id),
        response(wave_id, {a: "不满意"}, "WY-2", flagged, flags=("burst",), batch_id=batch_id),
        response(wave_id, {a: "基本满意", b: "不了解"}, "WY-3", other),
    )
    assert scoring.tally(wave_id).counts[str(a)] == counts(s=1, b=1)
    scoring.send(batch_withdrawn(wave_id, batch_id, [counted, flagged]))
    scoring.send(released(wave_id, flagged))
    tally = scoring.tally(wave_id)
    assert tally.counts == {str(a): counts(b=1), str(b): counts(u=1)}
    assert tally.counted == {str(other): "WY-3"}
    assert {r: tally.records[str(r)]["status"] for r in (counted, flagged)} == {
        counted: "withdrawn",
        flagged: "withdrawn",
    }


def test_a_correction_moves_the_counts(scoring: Scoring) -> None:
    a, b, c = scoring.units(*NAMES)
    wave_id = scoring.open([a, b, c])
    response_id = uuid4()
    scoring.send(response(wave_id, {a: "满意", b: "不满意"}, "WY-1", response_id))
    scoring.send(corrected(wave_id, response_id, {a: "不满意", c: "不了解"}))
    tally = scoring.tally(wave_id)
    assert tally.counts == {str(a): counts(d=1), str(b): NONE, str(c): counts(u=1)}
    assert tally.records[str(response_id)]["ratings"] == dict(
        sorted({str(a): "不满意", str(c): "不了解"}.items())
    )
    scoring.send(wave_closed(wave_id))
    (run,) = scoring.runs(wave_id)
    scores = {r["unit_id"]: (r["valid_count"], r["score"]) for r in run.results}
    assert scores == {str(a): (1, "0.00"), str(b): (0, None), str(c): (0, None)}


def test_a_later_quarantine_uncounts_until_released(scoring: Scoring) -> None:
    (a,) = scoring.units(NAMES[0])
    wave_id = scoring.open([a])
    response_id = uuid4()
    scoring.send(response(wave_id, {a: "满意"}, "WY-1", response_id))
    scoring.send(quarantined(wave_id, response_id))
    assert scoring.tally(wave_id).counts[str(a)] == NONE
    assert scoring.tally(wave_id).counted == {}
    scoring.send(released(wave_id, response_id))
    assert scoring.tally(wave_id).counts[str(a)] == counts(s=1)


def test_decisions_in_one_batch_apply_in_log_order(scoring: Scoring) -> None:
    (a,) = scoring.units(NAMES[0])
    wave_id = scoring.open([a])
    first, second = uuid4(), uuid4()
    scoring.send(
        response(wave_id, {a: "满意"}, "WY-1", first),
        voided(wave_id, first),
        response(wave_id, {a: "不满意"}, "WY-2", second, flags=("burst",)),
        corrected(wave_id, second, {a: "基本满意"}),
        released(wave_id, second),
        corrected(wave_id, second, {a: "不了解"}),
    )
    events = [type(e).__name__ for e in scoring.app.events.get(wave_id)]
    assert events == ["Opened", "ResponsesChanged"]
    tally = scoring.tally(wave_id)
    assert tally.counts[str(a)] == counts(u=1)
    assert tally.counted == {str(second): "WY-2"}


def test_decisions_after_the_close_amend_the_wave_with_a_new_final_run(
    scoring: Scoring,
) -> None:
    """An office reviews the quarantine after closing the collection, or withdraws a batch
    found to be cheated later: the decisions apply, and the wave gets a new final run; the
    first one stays, with its positions, for audit."""
    (a,) = scoring.units(NAMES[0])
    wave_id = scoring.open([a])
    counted, flagged = uuid4(), uuid4()
    scoring.send(
        response(wave_id, {a: "满意"}, "WY-1", counted),
        response(wave_id, {a: "不满意"}, "WY-2", flagged, flags=("burst",)),
    )
    scoring.send(wave_closed(wave_id))
    (first_final,) = scoring.runs(wave_id)
    assert scoring.tally(wave_id).counts[str(a)] == counts(s=1)
    scoring.send(released(wave_id, flagged))
    assert scoring.tally(wave_id).counts[str(a)] == counts(s=1, d=1)
    runs = scoring.runs(wave_id)
    assert len(runs) == 2 and all(run.final for run in runs)
    amended = next(run for run in runs if run.id != first_final.id)
    assert amended.trigger == "amended_after_close"
    assert amended.upstream_positions["survey"] > first_final.upstream_positions["survey"]
    # A questionnaire recorded after the close is still refused.
    scoring.send(response(wave_id, {a: "满意"}, "WY-3"))
    assert scoring.tally(wave_id).counts[str(a)] == counts(s=1, d=1)
    latest, created = scoring.app.request_run(OFFICE, wave_id, "satisfaction", 1)
    assert latest.id == amended.id and not created


@pytest.mark.parametrize("scale", [Scale.FIVE_LEVEL, Scale.NUMERIC_10, Scale.PERCENT])
def test_a_wave_on_another_scale_is_recorded_unscored_and_never_stalls(
    scoring: Scoring, scale: Scale
) -> None:
    a, b = scoring.units(*NAMES[:2])
    wave_id = scoring.open([a, b], scale)
    answer = {"five_level": "非常满意", "numeric_10": "7", "percent": "85"}[scale.value]
    response_id = uuid4()
    scoring.send(
        response(wave_id, {a: answer, b: answer}, "WY-1", response_id),
        response(wave_id, {a: answer}, "WY-2", flags=("burst",)),
        corrected(wave_id, response_id, {a: answer}),
        voided(wave_id, response_id),
    )
    tally = scoring.tally(wave_id)
    assert not tally.scored
    assert (tally.unscored_scale, tally.unscored_reason) == (scale.value, SCALE_NOT_SUPPORTED)
    with pytest.raises(ScaleNotSupported) as refused:
        scoring.app.request_run(OFFICE, wave_id, "satisfaction", 1)
    assert refused.value.status_code == 409
    body = refused.value.body()
    assert body["error"] == "scale_not_supported"
    assert SCALE_NOT_SUPPORTED in body["detail"][0]["reason"]
    assert body["detail"][0]["context"]["scale"] == scale.value

    (closed,) = scoring.send(wave_closed(wave_id))
    assert scoring.inbox.last_position("survey") == closed.position
    assert scoring.tally(wave_id).closed and scoring.runs(wave_id) == []
    assert scoring.app.repository.get(FINAL_RUNS_ID).due == []
    # The feed goes on: the next wave scores as ever.
    other = scoring.open([a, b], Scale.THREE_LEVEL)
    scoring.send(response(other, {a: "满意", b: "基本满意"}, "WY-3"), wave_closed(other))
    (run,) = scoring.runs(other)
    assert [r["score"] for r in sorted(run.results, key=lambda r: r["unit_id"] != str(a))] == [
        "100.00",
        "80.00",
    ]


def test_v1_messages_score_as_before(scoring: Scoring) -> None:
    a, b, c = scoring.units(*NAMES)
    rows: list[dict[UUID, str]] = [
        {a: "满意", b: "满意", c: "不满意"},
        {a: "基本满意", b: "不了解", c: "不满意"},
        {a: "不满意", b: "满意"},
        {a: "不了解", b: "基本满意"},
    ]
    (opened_v1,) = scoring.send(wave_opened_v1(scoring.jurisdiction_id, [a, b, c]))
    old = UUID(opened_v1.payload["wave_id"])
    assert opened_v1.schema_version == 1
    scoring.send(*[response_v1(old, row, f"V1-{i}") for i, row in enumerate(rows)])
    scoring.send(wave_closed_v1(old))
    new = scoring.open([a, b, c])
    scoring.send(*[response(new, row, f"V2-{i}") for i, row in enumerate(rows)])
    scoring.send(wave_closed(new))
    (old_run,) = scoring.runs(old)
    (new_run,) = scoring.runs(new)
    assert old_run.final and new_run.final
    assert old_run.results == new_run.results
    assert old_run.results_digest == new_run.results_digest


def test_the_contracts_scoring_folds_are_known() -> None:
    assert {
        "survey.response.corrected",
        "survey.response.voided",
        "survey.response.quarantined",
        "survey.response.released",
        "survey.response.rejected",
        "survey.batch.withdrawn",
    } <= SURVEY_FACTS


def mixed_history(scoring: Scoring) -> dict[str, UUID]:
    """Two scored waves and one on a five-level scale, with every kind of decision, runs
    requested between them, late decisions after each close."""
    a, b, c = scoring.units(*NAMES)
    first, second = scoring.open([a, b, c]), scoring.open([a, b], Scale.THREE_LEVEL)
    unscored = scoring.open([a, b], Scale.FIVE_LEVEL)
    batch_id = uuid4()
    r = [uuid4() for _ in range(8)]
    scoring.send(
        response(first, {a: "满意", b: "基本满意", c: "不满意"}, "F-1", r[0], batch_id=batch_id),
        response(first, {a: "不满意", b: "满意"}, "F-2", r[1], flags=("burst",)),
        response(second, {a: "满意", b: "不满意"}, "S-1", r[2]),
        response(unscored, {a: "非常满意"}, "U-1", r[3]),
        response(first, {a: "基本满意", c: "不了解"}, "F-3", r[4], batch_id=batch_id),
    )
    scoring.app.request_run(OFFICE, first, "satisfaction", 1)
    scoring.send(corrected(first, r[1], {a: "满意", b: "满意", c: "满意"}))
    scoring.app.request_run(OFFICE, first, "satisfaction", 1)
    scoring.send(
        released(first, r[1]),
        corrected(second, r[2], {a: "基本满意", b: "不满意"}),
        response(second, {a: "不满意"}, "S-2", r[5], flags=("burst",)),
        response(first, {a: "满意", b: "满意"}, "F-4", r[6]),
    )
    scoring.app.request_run(OFFICE, first, "satisfaction", 1)
    scoring.app.request_run(OFFICE, second, "satisfaction", 1)
    scoring.send(batch_withdrawn(first, batch_id, [r[0], r[4]]), rejected(second, r[5]))
    scoring.send(quarantined(first, r[6]), voided(unscored, r[3]))
    scoring.app.request_run(OFFICE, first, "satisfaction", 1)
    scoring.send(wave_closed(second), response(first, {c: "满意"}, "F-5", r[7]))
    scoring.send(released(first, r[6]), voided(second, r[2]), wave_closed(first))
    scoring.send(voided(first, r[7]), wave_closed(unscored), corrected(first, r[1], {a: "不满意"}))
    return {"first": first, "second": second, "unscored": unscored}


def test_replay_folds_the_same_tallies(scoring: Scoring) -> None:
    waves = mixed_history(scoring)
    fold = SurveyFold()
    for message in scoring.published["survey"]:
        fold.apply(message)
    for wave_id in waves.values():
        tally, state = scoring.tally(wave_id), fold.waves[str(wave_id)]
        assert (state.counts, state.counted, state.records) == (
            tally.counts,
            tally.counted,
            tally.records,
        )
        assert (state.position, state.closed, state.scored) == (
            tally.position,
            tally.closed,
            tally.scored,
        )
        assert state.ignored_late == tally.ignored_late == 0


@pytest.mark.parametrize("common", ["embedded"], indirect=True)  # replay reads stored runs
def test_replay_of_a_log_with_decisions_is_byte_identical(
    scoring: Scoring, common: CommonSettings
) -> None:
    waves = mixed_history(scoring)
    runs = scoring.runs(waves["first"]) + scoring.runs(waves["second"])
    # Two finals at the closes, two more for the decisions that came after them.
    assert len(runs) == 9 and sum(run.final for run in runs) == 4
    assert sum(run.trigger == "amended_after_close" for run in runs) == 2
    assert scoring.runs(waves["unscored"]) == []
    results = verify(common, open_log=scoring.logs)
    assert {r.run_id for r in results} == {run.id for run in runs}
    for result in results:
        assert result.identical and result.inputs_identical and not result.problems, (
            result.as_dict()
        )


@pytest.mark.parametrize("common", ["embedded"], indirect=True)  # reopens the stored log
def test_a_tally_snapshotted_before_records_is_rebuilt_from_its_events(
    scoring: Scoring, common: CommonSettings
) -> None:
    (a,) = scoring.units(NAMES[0])
    wave_id = scoring.open([a])
    first, second = uuid4(), uuid4()
    scoring.send(
        response(wave_id, {a: "满意"}, "WY-1", first),
        response(wave_id, {a: "不满意"}, "WY-2", second),
    )
    tally = scoring.tally(wave_id)
    # The state as class version 1 snapshotted it: no questionnaire records.
    state = {
        key: value
        for key, value in Snapshot.take(tally).state.items()
        if key not in {"records", "records_complete", "unscored_scale", "unscored_reason"}
        and key not in {"ignored_late", "class_version"}
    }
    old = Snapshot(
        originator_id=tally.id,
        originator_version=tally.version,
        timestamp=tally.modified_on,
        topic=Snapshot.take(tally).topic,
        state=state,
    )
    assert scoring.app.snapshots is not None
    scoring.app.snapshots.put([old])

    reopened = ScoringApplication(eventsourcing_env(common, "scoring", None))
    try:
        restored = reopened.repository.get(wave_id)
        assert not restored.records_complete and restored.records == {}
        loaded = Batch(reopened).get(wave_id, WaveTally)
        assert loaded is not None and loaded.records_complete
        assert loaded.records == tally.records and loaded.counts == tally.counts
        assert reopened.tally(wave_id).records == tally.records
        inbox = ScoringInbox(reopened)
        message = scoring.survey.message(voided(wave_id, first))
        deliver(inbox, "survey", [message])
        assert reopened.tally(wave_id).counts[str(a)] == counts(d=1)
    finally:
        reopened.close()


def test_every_decision_contract_parses_to_what_scoring_reads() -> None:
    feed, wave_id, response_id = Feed("survey"), uuid4(), uuid4()
    for payload in (
        corrected(wave_id, response_id, {uuid4(): "满意"}),
        voided(wave_id, response_id),
        quarantined(wave_id, response_id),
        released(wave_id, response_id),
        rejected(wave_id, response_id),
        batch_withdrawn(wave_id, uuid4(), [response_id]),
    ):
        assert parse_payload(feed.message(payload)) == payload


def test_a_run_request_for_a_wave_on_another_scale_answers_409() -> None:
    """Over HTTP: scoring alone, its survey inbox fed by hand."""
    with Cluster(in_memory(), ["scoring"]) as cluster:
        client = cluster["scoring"]
        inbox = ScoringInbox(client.app.state.runtime.application)
        registry, survey, county = Feed("registry"), Feed("survey"), uuid4()
        unit = registry.message(unit_registered(county, NAMES[0]))
        deliver(inbox, "registry", [unit])
        unit_ids = [UUID(unit.payload["unit_id"])]
        opened = survey.message(wave_opened(county, unit_ids, scale=Scale.FIVE_LEVEL))
        deliver(inbox, "survey", [opened])

        refused = client.post(f"/waves/{opened.payload['wave_id']}/score-runs", headers=ADMIN)
        assert refused.status_code == 409, refused.text
        body = refused.json()
        assert body["error"] == "scale_not_supported"
        assert body["detail"][0]["field"] == "wave_id"
        assert SCALE_NOT_SUPPORTED in body["detail"][0]["reason"]


def test_a_tally_counted_by_the_code_before_decisions_takes_them(scoring: Scoring) -> None:
    """Stored as the previous code wrote it (`ResponsesCounted`): the counted questionnaires'
    ratings come from those events, so a later void and correction move them."""
    (a,) = scoring.units(NAMES[0])
    wave_id, kept, ended = uuid4(), uuid4(), uuid4()
    opened = created(
        WaveTally,
        WaveTally.Opened,
        originator_id=wave_id,
        wave_id=wave_id,
        jurisdiction_id=scoring.jurisdiction_id,
        name="2024年度问卷测评",
        unit_ids=[str(a)],
        position=1,
    )
    counted = following(
        opened,
        WaveTally.ResponsesCounted,
        responses=[
            {"response_id": str(kept), "questionnaire_id": "WY-1", "ratings": {str(a): "满意"}},
            {"response_id": str(ended), "questionnaire_id": "WY-2", "ratings": {str(a): "不满意"}},
        ],
        position=3,
    )
    store(scoring.app, opened, counted)
    scoring.survey.position = 3
    scoring.send(voided(wave_id, ended), corrected(wave_id, kept, {a: "基本满意"}))
    tally = scoring.tally(wave_id)
    assert tally.counts[str(a)] == counts(b=1)
    assert tally.counted == {str(kept): "WY-1"}


def test_a_change_no_command_would_make_still_loads(scoring: Scoring) -> None:
    """Mutators apply what the log says and never refuse: a questionnaire never recorded
    leaving the counts (they go below zero), a status no decision leads to."""
    wave_id, unit = uuid4(), str(uuid4())
    opened = created(
        WaveTally,
        WaveTally.Opened,
        originator_id=wave_id,
        wave_id=wave_id,
        jurisdiction_id=uuid4(),
        name="2024年度问卷测评",
        unit_ids=[unit],
        position=1,
    )
    odd = [
        {"response_id": "x", "questionnaire_id": "", "status": "counted", "ratings": {}},
        {"response_id": "x", "questionnaire_id": "", "status": "gone", "ratings": {unit: "满意"}},
        {"response_id": "y", "questionnaire_id": "Q", "status": "counted", "ratings": {unit: "?"}},
    ]
    changed = following(opened, WaveTally.ResponsesChanged, changes=odd, position=2)
    late = following(changed, WaveTally.LateDecisionsIgnored, decisions=3)
    store(scoring.app, opened, changed, late)
    tally = scoring.tally(wave_id)
    assert tally.counted == {"y": "Q"} and tally.ignored_late == 3
    assert tally.counts[unit]["?"] == 1


def test_a_compact_row_counts_like_the_ratings_it_stands_for(scoring: Scoring) -> None:
    """v3 questionnaires carry their answers as a row in the wave's unit order."""
    a, b, c = scoring.units(*NAMES[:3])
    wave_id = scoring.open([a, b, c])
    as_row = response(wave_id, {}, "ROW-1").model_copy(update={"row": ("满意", None, "不满意")})
    as_dict = response(wave_id, {a: "满意", c: "不满意"}, "DICT-1")
    scoring.send(as_row, as_dict)
    tally = scoring.tally(wave_id)
    assert tally.counts[str(a)] == counts(s=2)
    assert tally.counts[str(b)] == counts()
    assert tally.counts[str(c)] == counts(d=2)
    fold = SurveyFold()
    for message in scoring.published["survey"]:
        fold.apply(message)
    assert fold.waves[str(wave_id)].counts == tally.counts
