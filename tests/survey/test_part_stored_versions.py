"""A batch part stored before rows were row texts (`BatchPart.Recorded` v1: each row a list
of answer texts, no levels) still loads: its questionnaires read, are decided and collide
with a second push exactly as before, and it publishes the same questionnaires."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic

from services.survey.domain import Batch, BatchPart, Response
from services.survey.integration import to_payload
from shared.contracts.survey_batch import BatchRecorded
from tests.survey.test_application import Setup


def _rows(setup: Setup) -> list[tuple[int, dict[str, Any]]]:
    first, second, third = setup.rows(3)
    units = [str(u) for u in setup.units[:2]]
    second[1]["ratings"] = {units[0]: "不了解"}
    third[1]["ratings"] = {units[0]: "基本满意", units[1]: "不满意"}
    return [first, second, third]


def _store_v1_part(setup: Setup, wave_id: UUID, rows: list[tuple[int, dict[str, Any]]]) -> UUID:
    """The part and its claims as the code before row texts stored them (the batch as
    today: it did not change)."""
    app = setup.app
    units = [str(u) for u in app.wave(wave_id).unit_ids]
    batch_id = uuid4()
    entries = [
        {
            "response_id": str(Response.create_id(wave_id, q["questionnaire_id"])),
            "questionnaire_id": q["questionnaire_id"],
            "survey_point": q["survey_point"],
            "collected_at": q["collected_at"].isoformat(),
            "row": [q["ratings"].get(unit) for unit in units],
        }
        for _, q in rows
    ]
    today = BatchPart.bring(
        batch_id,
        1,
        wave_id=wave_id,
        agency_id=setup.agency_id,
        parts=1,
        levels=[],
        questionnaires=[],
        actor=setup.agency.actor,
    )
    [recorded] = today.collect_events()
    state = app.mapper.transcoder.decode(app.mapper.to_stored_event(recorded).state)
    assert state.pop("class_version") == 2
    del state["levels"]
    state["questionnaires"] = entries
    part = StoredEvent(
        originator_id=recorded.originator_id,
        originator_version=1,
        topic=get_topic(BatchPart.Recorded),
        state=app.mapper.transcoder.encode(state),
    )
    claims = [
        app.mapper.to_stored_event(
            Response.claimed(
                UUID(entry["response_id"]),
                wave_id=wave_id,
                batch_id=batch_id,
                part=1,
                index=index,
                timestamp=recorded.timestamp,
            )
        )
        for index, entry in enumerate(entries)
    ]
    batch = Batch.bring(
        batch_id,
        wave_id=wave_id,
        agency_id=setup.agency_id,
        response_ids=[entry["response_id"] for entry in entries],
        actor=setup.agency.actor,
    )
    stored_batch = [app.mapper.to_stored_event(e) for e in batch.collect_events()]
    app.recorder.insert_events([*stored_batch, *claims, part])
    return recorded.originator_id


def test_a_part_stored_with_answer_lists_reads_as_pushed(setup: Setup) -> None:
    wave_id = setup.open_wave()
    rows = _rows(setup)
    part_id = _store_v1_part(setup, wave_id, rows)
    for _, q in rows:
        stored = setup.app.questionnaire(Response.create_id(wave_id, q["questionnaire_id"]))
        assert stored.answers["ratings"] == q["ratings"]
        assert stored.details["row"] == [q["ratings"].get(str(u)) for u in setup.units[:2]]
    part: BatchPart = setup.app.repository.get(part_id)
    # Levels in order of first appearance, as a v1 message upcast to v2 has them.
    assert part.levels == ["满意", "不了解", "基本满意", "不满意"]
    assert [q["row"] for q in part.questionnaires] == ["11", "20", "34"]
    # Pushed again, they are the same questionnaires; changed, a conflict.
    again = setup.push(wave_id, rows)
    assert (again["accepted"], again["duplicates"]) == (0, 3)
    changed = setup.push(wave_id, setup.rows(1, rating="不满意"))
    assert [p["code"] for p in changed["problems"]] == ["questionnaire_conflict"]
    # Decided like any, reading its first version from the part.
    response_id = Response.create_id(wave_id, "Q2")
    answers = dict(setup.app.questionnaire(response_id).answers) | {
        "ratings": {str(setup.units[0]): "满意"}
    }
    setup.app.correct(setup.agency, wave_id, response_id, answers, "按纸质问卷更正")
    versions = setup.app.versions(wave_id, response_id)["versions"]
    assert [v["answers"]["ratings"] for v in versions] == [
        rows[2][1]["ratings"],
        {str(setup.units[0]): "满意"},
    ]


def test_a_part_stored_with_answer_lists_publishes_its_questionnaires(setup: Setup) -> None:
    wave_id = setup.open_wave()
    rows = _rows(setup)
    part_id = _store_v1_part(setup, wave_id, rows)
    [stored] = setup.app.recorder.select_events(part_id)
    payload = to_payload(setup.app.mapper.to_domain_event(stored))
    assert isinstance(payload, BatchRecorded)
    message = BatchRecorded.model_validate(payload.json_payload())
    units = setup.units[:2]
    assert [r.ratings_in(units) for r in message.responses()] == [
        {str(u): a for u, a in q["ratings"].items()} for _, q in rows
    ]
