"""What stopped standing frees its quota exactly once, and the wave keeps it as counts: per
agency, per point, and per batch until the batch's withdrawal — never an id per
questionnaire, so a wave whose agency withdraws batches of thousands does not carry their
ids in its state and snapshots. Events and snapshots stored when the wave kept every id
(`Wave.QuotaFreed` v1) still load, fold to the same counts, and still keep a questionnaire
voided then from being freed again by its batch's withdrawal. (The survey application
alone, in memory: `Setup`.)"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from eventsourcing.domain import Snapshot

from services.survey.domain import Batch, Response, Wave
from tests.stored_events import created, store
from tests.survey.test_application import IN_ROUND_1, OFFICE, Setup

POINT = {"code": "P1", "name": "城关测评点", "target": 10}


def _wave(setup: Setup, quota: int | None = None) -> UUID:
    return setup.open_wave(
        points=[POINT | {"jurisdiction_id": setup.county}],
        agencies=[{"agency_id": setup.agency_id, "quota": quota}],
    )


def _ids(setup: Setup, wave_id: UUID, n: int, start: int = 0) -> list[UUID]:
    return [Response.create_id(wave_id, f"Q{i}") for i in range(start, start + n)]


def test_a_withdrawn_batch_leaves_counts_in_the_wave_not_its_questionnaires(
    setup: Setup,
) -> None:
    wave_id = _wave(setup)
    pushed = setup.push(wave_id, setup.rows(300, survey_point="P1"))
    assert pushed["accepted"] == 300
    first, *_ = _ids(setup, wave_id, 300)
    setup.app.void(OFFICE, wave_id, first, "录入错误")
    setup.app.withdraw_batch(OFFICE, wave_id, UUID(pushed["batch_id"]), "该机构代填问卷")
    wave = setup.app.wave(wave_id)
    assert wave.freed() == ({str(setup.agency_id): 300}, {"P1": 300})
    # Neither the wave nor its snapshot names a questionnaire of the batch.
    snapshot = Snapshot.take(wave)
    stored = setup.app.mapper.to_stored_event(snapshot).state.decode()
    assert not any(str(rid) in stored for rid in _ids(setup, wave_id, 300))
    assert wave.freed_in_batch == {}  # what the batch freed one by one ended with it


def test_a_rejected_questionnaire_frees_its_quota_once(setup: Setup) -> None:
    """A questionnaire rejected on review no longer stands (as a voided one): the next push
    is screened without it, and its batch's withdrawal does not free it a second time."""
    wave_id = _wave(setup, quota=2)
    pushed = setup.push(wave_id, setup.rows(2, survey_point="P1"))
    flagged, _ = _ids(setup, wave_id, 2)
    flag = {"code": "burst", "detail": "同一测评点“P1”60秒内出现10份答案完全相同的问卷"}
    assert setup.app.quarantine(OFFICE, wave_id, [flagged], [flag]) == [str(flagged)]
    setup.app.review(OFFICE, wave_id, [flagged], "reject", "核实为代填问卷")
    again = setup.push(wave_id, setup.rows(1, survey_point="P1", start=2))
    assert (again["accepted"], again["quarantined"]) == (1, 0), again
    setup.app.withdraw_batch(OFFICE, wave_id, UUID(pushed["batch_id"]), "该机构代填问卷")
    assert setup.app.wave(wave_id).freed() == ({str(setup.agency_id): 2}, {"P1": 2})


def _as_v1(setup: Setup, event: Wave.QuotaFreed, response_ids: list[str]) -> Any:
    """`event` stored as the code before v2 stored it: every questionnaire freed named."""
    record = setup.app.mapper.to_stored_event(event)
    state = setup.app.mapper.transcoder.decode(record.state)
    for field in ("class_version", "count", "batch_id", "voided_ids"):
        state.pop(field)
    state["response_ids"] = response_ids
    return replace(record, state=setup.app.mapper.transcoder.encode(state))


def _freed_v1(
    setup: Setup, wave: Wave, by_point: dict[str, int], ids: list[UUID], why: str
) -> None:
    event = Wave.QuotaFreed(  # type: ignore[call-arg]  # the metaclass makes it a dataclass
        originator_id=wave.id,
        originator_version=wave.version + 1,
        timestamp=datetime(2026, 3, 1, tzinfo=UTC),
        agency_id=UUID(str(next(iter(wave.agencies)))),
        by_point=by_point,
        count=len(ids),
        batch_id=None,
        why=why,
        voided_ids=[],
    )
    setup.app.recorder.insert_events([_as_v1(setup, event, [str(i) for i in ids])])


def test_events_stored_when_the_wave_kept_every_id_load_and_fold_the_same(setup: Setup) -> None:
    wave_id = _wave(setup)
    first = setup.push(wave_id, setup.rows(3, survey_point="P1"))
    second = setup.push(wave_id, setup.rows(2, survey_point="P1", start=3))
    voided, *_ = _ids(setup, wave_id, 3)
    # As the code before v2 did it: a void (the questionnaire's event and the wave's), and
    # the withdrawal of the second batch, each naming its questionnaires.
    response = setup.app.questionnaire(voided)
    response.void("录入错误", "office:x")
    setup.app.save(response)
    _freed_v1(setup, setup.app.wave(wave_id), {"P1": 1}, [voided], "voided")
    batch = setup.app.batch(UUID(second["batch_id"]))
    batch.withdraw("该机构代填问卷", "office:x")
    setup.app.save(batch)
    _freed_v1(setup, setup.app.wave(wave_id), {"P1": 2}, _ids(setup, wave_id, 2, 3), "withdrawn")
    wave = setup.app.wave(wave_id)
    assert wave.freed() == ({str(setup.agency_id): 3}, {"P1": 3})
    assert wave.voided_one_by_one == {str(voided): "voided"}  # a withdrawal's ids: not kept
    # The first batch withdrawn now frees its two others, not the one voided under v1.
    setup.app.withdraw_batch(OFFICE, wave_id, UUID(first["batch_id"]), "该机构代填问卷")
    assert setup.app.wave(wave_id).freed() == ({str(setup.agency_id): 5}, {"P1": 5})


def test_a_snapshot_taken_when_the_wave_kept_every_id_loads_with_counts(setup: Setup) -> None:
    wave_id = _wave(setup)
    pushed = setup.push(wave_id, setup.rows(3, survey_point="P1"))
    ids = _ids(setup, wave_id, 3)
    wave = setup.app.wave(wave_id)
    snapshot = Snapshot.take(wave)
    # The state a v1 wave's snapshot held: every questionnaire freed, with why.
    state = snapshot.state
    for key in ("class_version", "freed_in_batch", "voided_one_by_one"):
        state.pop(key)
    state["freed_by_agency"] = {str(setup.agency_id): 1}
    state["freed_by_point"] = {"P1": 1}
    state["freed_ids"] = {str(ids[0]): "voided"}
    setup.app.snapshots.put([snapshot])  # type: ignore[union-attr]
    loaded = setup.app.wave(wave_id)
    assert loaded.freed() == ({str(setup.agency_id): 1}, {"P1": 1})
    assert loaded.voided_one_by_one == {str(ids[0]): "voided"}
    setup.app.withdraw_batch(OFFICE, wave_id, UUID(pushed["batch_id"]), "该机构代填问卷")
    assert setup.app.wave(wave_id).freed() == ({str(setup.agency_id): 3}, {"P1": 3})


def test_a_batch_recorded_before_parts_is_withdrawn_without_reading_each_questionnaire(
    setup: Setup,
) -> None:
    """A batch stored before pushes were stored as parts: one `Response.Recorded` per
    questionnaire. Its withdrawal counts what it brought per point from the wave's own
    `BatchAccepted` of it (one read), not by reading its questionnaires one by one."""
    wave_id = _wave(setup)
    wave = setup.app.wave(wave_id)
    batch_id = UUID(int=7)
    points = ["P1"] * 40 + [None] * 10
    responses = [
        created(
            Response,
            Response.Recorded,
            Response.create_id(wave_id, f"OLD-{i}"),
            wave_id=wave_id,
            questionnaire_id=f"OLD-{i}",
            survey_point=point,
            collected_at=IN_ROUND_1 + timedelta(minutes=i),
            ratings={str(u): "满意" for u in setup.units[:2]},
            actor="agency:x",
            details={"agency_id": str(setup.agency_id), "batch_id": str(batch_id)},
        )
        for i, point in enumerate(points)
    ]
    batch = created(
        Batch,
        Batch.Recorded,
        batch_id,
        wave_id=wave_id,
        agency_id=setup.agency_id,
        response_ids=[str(r.originator_id) for r in responses],
        actor="agency:x",
    )
    accepted = Wave.BatchAccepted(  # type: ignore[call-arg]  # the metaclass: a dataclass
        originator_id=wave_id,
        originator_version=wave.version + 1,
        timestamp=datetime(2026, 3, 1, tzinfo=UTC),
        batch_id=batch_id,
        agency_id=setup.agency_id,
        accepted=50,
        quarantined=0,
        by_point={"P1": 40, "": 10},
        integrity_state={},
    )
    store(setup.app, *responses, batch, accepted)
    setup.app.void(OFFICE, wave_id, responses[0].originator_id, "录入错误")
    recorder = setup.app.recorder
    reads: list[UUID] = []
    select_events = recorder.select_events

    def counted(originator_id: Any, **kwargs: Any) -> Any:
        reads.append(originator_id)
        return select_events(originator_id, **kwargs)

    recorder.select_events = counted  # type: ignore[method-assign]
    setup.app.withdraw_batch(OFFICE, wave_id, batch_id, "该机构代填问卷")
    del recorder.select_events
    assert setup.app.wave(wave_id).freed() == ({str(setup.agency_id): 50}, {"P1": 40})
    assert len(reads) < 10, reads
