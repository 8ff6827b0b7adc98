"""Survey aggregates, the stored-event upcaster and the published contract mapping."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from uuid import UUID, uuid4

import pytest
from eventsourcing.persistence import StoredEvent

from services.survey.application import SurveyApplication
from services.survey.domain import (
    InvalidQuestionnaire,
    InvalidWave,
    Response,
    UnknownUnitInWave,
    Wave,
    WaveClosedError,
)
from services.survey.integration import to_payload
from shared.contracts.survey import Rating, ResponseRecorded, WaveClosed, WaveOpened
from shared.errors import ConflictError
from shared.idempotency import IdempotencyRecord
from tests.harness import IN_MEMORY
from tests.stored_events import created, following, store

CST = timezone(timedelta(hours=8))
COLLECTED = datetime(2024, 11, 5, 10, 30, tzinfo=CST)


def _wave(units: int = 2) -> Wave:
    return Wave.open(
        uuid4(), "2024年度问卷测评", uuid4(), tuple(uuid4() for _ in range(units)), "office:x"
    )


def _response(wave: Wave, qid: str = "Q-0001", rating: str = "满意") -> Response:
    ratings = {str(wave.unit_ids[0]): rating}
    return Response.record(wave.id, qid, "郾城区政务服务中心", COLLECTED, ratings, "agency:y")


def _app() -> SurveyApplication:
    return SurveyApplication(IN_MEMORY)


# --- Wave -----------------------------------------------------------------------------------


def test_opened_wave_is_open_with_its_units() -> None:
    wave = _wave(3)
    assert wave.is_open and wave.status == "open"
    assert len(wave.unit_ids) == 3
    assert wave.opened_by == "office:x"


def test_wave_without_units_is_invalid() -> None:
    with pytest.raises(InvalidWave) as caught:
        Wave.open(uuid4(), "测评", uuid4(), (), "office:x")
    assert caught.value.field == "unit_ids"


def test_wave_with_a_unit_twice_names_the_repeat() -> None:
    a, b = uuid4(), uuid4()
    with pytest.raises(InvalidWave) as caught:
        Wave.open(uuid4(), "测评", uuid4(), (a, b, a), "office:x")
    assert (caught.value.code, caught.value.field) == ("invalid_wave", "unit_ids.2")


def test_wave_with_blank_name_or_close_reason_is_invalid() -> None:
    with pytest.raises(InvalidWave) as caught:
        Wave.open(uuid4(), "  ", uuid4(), (uuid4(),), "office:x")
    assert (caught.value.code, caught.value.field) == ("invalid_wave", "name")
    with pytest.raises(InvalidWave) as caught:
        _wave().close(" ", "office:x")
    assert (caught.value.code, caught.value.field) == ("invalid_wave", "reason")


def test_a_stored_wave_with_a_blank_name_and_a_repeated_unit_still_loads() -> None:
    """Rules tightened after a wave was opened must not make it unloadable: the mutator
    applies what the event says, and only commands check."""
    app = _app()
    unit = uuid4()
    opened = created(
        Wave,
        Wave.Opened,
        jurisdiction_id=uuid4(),
        name="",
        agency_id=uuid4(),
        unit_ids=(unit, unit),
        actor="office:old",
    )
    closed = following(opened, Wave.Closed, actor="office:old", reason="")
    store(app, opened, closed)
    wave = app.repository.get(opened.originator_id)
    assert isinstance(wave, Wave)
    assert (wave.name, wave.unit_ids, wave.status) == ("", (unit, unit), "closed")
    app.close()


def test_a_stored_questionnaire_without_id_or_timezone_still_loads() -> None:
    app = _app()
    naive = datetime(2024, 11, 5, 10, 30)
    recorded = created(
        Response,
        Response.Recorded,
        wave_id=uuid4(),
        questionnaire_id="",
        survey_point=None,
        collected_at=naive,
        ratings={},
        actor="agency:old",
    )
    store(app, recorded)
    response = app.repository.get(recorded.originator_id)
    assert isinstance(response, Response)
    assert (response.questionnaire_id, response.collected_at) == ("", naive)
    app.close()


def test_closing_records_actor_and_reason_and_twice_is_a_conflict() -> None:
    wave = _wave()
    wave.close("问卷回收完毕", "office:z")
    assert (wave.status, wave.closed_by, wave.closed_reason) == (
        "closed",
        "office:z",
        "问卷回收完毕",
    )
    with pytest.raises(WaveClosedError) as caught:
        wave.close("again", "office:z")
    assert isinstance(caught.value, ConflictError)
    assert caught.value.status_code == 409 and caught.value.code == "wave_closed"
    assert [type(e).__name__ for e in wave.collect_events()] == ["Opened", "Closed"]


def test_ratings_for_units_outside_the_wave_are_refused_by_field() -> None:
    wave = _wave()
    stranger = str(uuid4())
    with pytest.raises(UnknownUnitInWave) as caught:
        wave.check_ratings(
            {str(wave.unit_ids[0]): "满意", stranger: "满意"}, "questionnaires.3.ratings"
        )
    assert caught.value.field == f"questionnaires.3.ratings.{stranger}"
    assert caught.value.status_code == 422


def test_ratings_must_be_one_of_the_four_levels_and_not_empty() -> None:
    wave = _wave(len(Rating))
    with pytest.raises(InvalidQuestionnaire):
        wave.check_ratings({str(wave.unit_ids[0]): "非常满意"}, "r")
    with pytest.raises(InvalidQuestionnaire):
        wave.check_ratings({}, "r")
    wave.check_ratings(
        {str(u): level.value for u, level in zip(wave.unit_ids, Rating, strict=True)}, "r"
    )


# --- Response -------------------------------------------------------------------------------


def test_response_id_is_derived_from_wave_and_questionnaire() -> None:
    wave, other = _wave(), _wave()
    response = _response(wave)
    assert response.id == Response.create_id(wave.id, "Q-0001")
    assert response.id != Response.create_id(other.id, "Q-0001")
    assert response.id != Response.create_id(wave.id, "Q-0002")


def test_same_content_compares_instants_not_offsets() -> None:
    wave = _response(_wave())
    ratings = dict(wave.ratings)
    assert wave.same_content("郾城区政务服务中心", COLLECTED.astimezone(UTC), ratings)
    assert not wave.same_content("郾城区政务服务中心", COLLECTED + timedelta(minutes=1), ratings)
    assert not wave.same_content(None, COLLECTED, ratings)
    changed = {k: "不满意" for k in ratings}
    assert not wave.same_content("郾城区政务服务中心", COLLECTED, changed)


def test_response_refuses_naive_collection_time() -> None:
    wave = _wave()
    with pytest.raises(InvalidQuestionnaire) as caught:
        Response.record(wave.id, "Q", None, datetime(2024, 11, 5, 10, 30), {}, "agency:y")
    assert (caught.value.code, caught.value.field) == ("invalid_questionnaire", "collected_at")
    with pytest.raises(InvalidQuestionnaire) as caught:
        Response.record(wave.id, " ", None, COLLECTED, {}, "agency:y")
    assert (caught.value.code, caught.value.field) == ("invalid_questionnaire", "questionnaire_id")


def test_recorded_event_is_version_two() -> None:
    assert Response.Recorded.class_version == 2
    (recorded,) = _response(_wave()).collect_events()
    assert isinstance(recorded, Response.Recorded)


def _v1_state(wave_id: UUID, ratings: dict[str, str]) -> bytes:
    """What the transcoder stored for a Recorded event before survey points existed."""
    state = {
        "timestamp": {"_type_": "datetime_iso", "_data_": "2023-11-20T02:00:00+00:00"},
        "originator_topic": "services.survey.domain:Response",
        "wave_id": {"_type_": "uuid_hex", "_data_": wave_id.hex},
        "questionnaire_id": "Q-2023-0001",
        "collected_at": {"_type_": "datetime_iso", "_data_": "2023-11-19T09:15:00+08:00"},
        "ratings": ratings,
        "actor": "agency:legacy",
    }
    return json.dumps(state, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def test_v1_recorded_event_is_upcast_through_the_application_mapper() -> None:
    app = _app()
    wave_id, unit_id = uuid4(), uuid4()
    response_id = Response.create_id(wave_id, "Q-2023-0001")
    stored = StoredEvent(
        originator_id=response_id,
        originator_version=1,
        topic="services.survey.domain:Response.Recorded",
        state=_v1_state(wave_id, {str(unit_id): "基本满意"}),
    )

    event = app.mapper.to_domain_event(stored)
    assert isinstance(event, Response.Recorded)
    assert event.survey_point is None
    assert event.collected_at == datetime(2023, 11, 19, 1, 15, tzinfo=UTC)

    # Stored for real, it still replays into an aggregate and publishes under today's contract.
    app.recorder.insert_events([stored])
    response: object = app.repository.get(response_id)
    assert isinstance(response, Response)
    assert (response.survey_point, response.questionnaire_id) == (None, "Q-2023-0001")
    assert response.ratings == {str(unit_id): "基本满意"}
    payload = to_payload(event)
    assert isinstance(payload, ResponseRecorded)
    assert payload.survey_point is None and payload.ratings == {unit_id: Rating.BASICALLY_SATISFIED}
    app.close()


def test_new_events_are_stored_as_version_two() -> None:
    app = _app()
    response = _response(_wave())
    app.save(response)
    (stored,) = app.recorder.select_events(response.id)
    state = json.loads(stored.state)
    assert state["class_version"] == 2
    assert state["survey_point"] == "郾城区政务服务中心"
    assert app.repository.get(response.id).survey_point == "郾城区政务服务中心"
    app.close()


# --- Contract mapping -----------------------------------------------------------------------


def test_stored_events_map_onto_the_survey_contracts() -> None:
    wave = _wave()
    response = _response(wave, rating="不了解")
    wave.close("问卷回收完毕", "office:z")
    opened, closed = wave.collect_events()
    (recorded,) = response.collect_events()

    assert to_payload(opened) == WaveOpened(
        wave_id=wave.id,
        jurisdiction_id=wave.jurisdiction_id,
        name="2024年度问卷测评",
        agency_id=wave.agency_id,
        unit_ids=wave.unit_ids,
        actor="office:x",
    )
    assert to_payload(recorded) == ResponseRecorded(
        wave_id=wave.id,
        response_id=response.id,
        questionnaire_id="Q-0001",
        survey_point="郾城区政务服务中心",
        collected_at=COLLECTED,
        ratings={wave.unit_ids[0]: Rating.UNKNOWN},
    )
    assert to_payload(closed) == WaveClosed(wave_id=wave.id, actor="office:z")


def test_idempotency_records_stay_internal() -> None:
    record = IdempotencyRecord(uuid4(), "wave", "k", "sha256:x", {"ok": True})
    (event,) = record.collect_events()
    assert to_payload(event) is None
