"""Survey aggregates, stored-event upcasters, old topics, and the published contract mapping."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from uuid import uuid4

import pytest
from eventsourcing.persistence import StoredEvent

from services.survey.application import SurveyApplication
from services.survey.domain import (
    BUILTIN_TEMPLATE,
    Batch,
    Checker,
    DecisionConflict,
    InvalidTemplate,
    InvalidWave,
    Response,
    Template,
    Wave,
    WaveClosedError,
    template_content,
)
from services.survey.integration import to_payload
from shared.contracts import IntegrationMessage, parse_payload
from shared.contracts import survey as contract
from shared.contracts.survey import Scale, WaveKind
from shared.errors import ConflictError
from shared.idempotency import IdempotencyRecord
from tests.harness import IN_MEMORY
from tests.stored_events import created, following, store

CST = timezone(timedelta(hours=8))
COLLECTED = datetime(2026, 5, 5, 10, 30, tzinfo=CST)


def _wave(units: int = 2, **setup: Any) -> Wave:
    unit_ids = tuple(uuid4() for _ in range(units))
    agency = uuid4()
    base = {
        "agencies": [{"agency_id": str(agency), "quota": None}],
        "units": [
            {"unit_id": str(u), "name": f"单位{i}", "category": "政府部门"}
            for i, u in enumerate(unit_ids)
        ],
    }
    return Wave(uuid4(), "2026年问卷测评", agency, unit_ids, "office:x", base | setup)


def _questionnaire(wave: Wave, **changes: Any) -> dict[str, Any]:
    q: dict[str, Any] = {
        "questionnaire_id": "Q-0001",
        "collected_at": COLLECTED,
        "survey_point": None,
        "channel": None,
        "group": None,
        "district_id": None,
        "device": None,
        "respondent_id": None,
        "ratings": {str(wave.unit_ids[0]): "满意"},
        "dimension_ratings": {},
        "opinions": [],
        "recommended_key_targets": [],
    }
    return q | changes


def _response(wave: Wave, qid: str = "Q-0001", rating: str = "满意") -> Response:
    return Response.record(
        Response.create_id(wave.id, qid),
        wave_id=wave.id,
        questionnaire_id=qid,
        survey_point="郾城区政务服务中心",
        collected_at=COLLECTED,
        ratings={str(wave.unit_ids[0]): rating},
        actor="agency:y",
        details={"agency_id": str(wave.agency_id)},
    )


def _app() -> SurveyApplication:
    return SurveyApplication(IN_MEMORY)


def _codes(wave: Wave, q: dict[str, Any], now: datetime = COLLECTED) -> list[tuple[str, str]]:
    return [(p.field, p.code) for p in Checker(wave, now).problems(q)]


# --- Wave ----------------------------------------------------------------------------------


def test_a_wave_without_setup_is_a_four_level_survey_for_its_one_agency() -> None:
    wave = Wave(uuid4(), "测评", uuid4(), (uuid4(),), "office:x", {})
    assert wave.template == BUILTIN_TEMPLATE and wave.kind == WaveKind.SATISFACTION_SURVEY
    assert wave.agencies == {str(wave.agency_id): None}
    assert (wave.campaign_id, wave.round, wave.opens_at, wave.public) == (None, None, None, False)


def test_closing_records_what_it_covers_and_twice_is_a_conflict() -> None:
    wave = _wave()
    wave.accept_batch(uuid4(), wave.agency_id, 3, 1, {"P1": 3}, {})
    wave.close("问卷回收完毕", "office:z")
    events = wave.collect_events()
    closed = events[-1]
    assert isinstance(closed, Wave.Closed)
    assert (closed.questionnaires, closed.batches, closed.reason) == (3, 1, "问卷回收完毕")
    with pytest.raises(WaveClosedError) as caught:
        wave.close("again", "office:z")
    assert isinstance(caught.value, ConflictError) and caught.value.code == "wave_closed"
    with pytest.raises(WaveClosedError):
        wave.accept_batch(uuid4(), wave.agency_id, 1, 0, {}, {})


def test_blank_close_reason_is_refused() -> None:
    with pytest.raises(InvalidWave) as caught:
        _wave().close(" ", "office:x")
    assert caught.value.field == "reason"


def test_a_v1_wave_and_its_v1_close_still_load_under_the_old_topic() -> None:
    """Waves stored before campaigns existed (and under the module path the domain had then)
    load with the defaults of the time: no setup, no counts in the close."""
    app = _app()
    wave_id, agency, unit = uuid4(), uuid4(), uuid4()
    opened = {
        "timestamp": {"_type_": "datetime_iso", "_data_": "2024-11-01T02:00:00+00:00"},
        "originator_topic": "services.survey.domain:Wave",
        "jurisdiction_id": {"_type_": "uuid_hex", "_data_": uuid4().hex},
        "name": "2024年度问卷测评",
        "agency_id": {"_type_": "uuid_hex", "_data_": agency.hex},
        "unit_ids": [{"_type_": "uuid_hex", "_data_": unit.hex}],
        "actor": "office:old",
    }
    closed = {
        "timestamp": {"_type_": "datetime_iso", "_data_": "2024-11-09T02:00:00+00:00"},
        "actor": "office:old",
        "reason": "问卷回收完毕",
    }
    app.recorder.insert_events(
        [
            StoredEvent(wave_id, 1, "services.survey.domain:Wave.Opened", _state(opened)),
            StoredEvent(wave_id, 2, "services.survey.domain:Wave.Closed", _state(closed)),
        ]
    )
    wave = app.wave(wave_id)
    assert (wave.unit_ids, wave.status, wave.agencies) == ((unit,), "closed", {str(agency): None})
    assert wave.template.scale == Scale.FOUR_LEVEL
    (stored_closed,) = app.recorder.select_events(wave_id, gt=1)
    event = app.mapper.to_domain_event(stored_closed)
    payload = to_payload(event)
    assert isinstance(payload, contract.WaveClosed)
    assert (payload.questionnaires, payload.batches) == (None, None)
    app.close()


def _state(state: dict[str, Any]) -> bytes:
    return json.dumps(state, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


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
        setup={"channels": ["carrier_pigeon"], "points": []},
    )
    closed = following(
        opened, Wave.Closed, actor="office:old", reason="", questionnaires=None, batches=None
    )
    store(app, opened, closed)
    wave = app.repository.get(opened.originator_id)
    assert isinstance(wave, Wave)
    assert (wave.name, wave.unit_ids, wave.status) == ("", (unit, unit), "closed")
    app.close()


# --- what a questionnaire must satisfy --------------------------------------------------------


def test_a_clean_questionnaire_has_no_problems() -> None:
    wave = _wave()
    assert _codes(wave, _questionnaire(wave)) == []


def test_every_problem_is_reported_not_just_the_first() -> None:
    wave = _wave(
        opens_at="2026-05-01T00:00:00+08:00",
        closes_at="2026-05-31T23:59:59+08:00",
        points=[
            {
                "code": "P1",
                "name": "点1",
                "jurisdiction_id": str(uuid4()),
                "target": 5,
                "quota": None,
            }
        ],
        channels=["survey_point", "paper"],
    )
    stranger = str(uuid4())
    q = _questionnaire(
        wave,
        collected_at=datetime(2026, 6, 2, 9, tzinfo=CST),
        survey_point="P9",
        channel="phone",
        ratings={str(wave.unit_ids[0]): "非常满意", stranger: "满意"},
    )
    assert sorted(_codes(wave, q, now=datetime(2026, 6, 3, tzinfo=CST))) == sorted(
        [
            ("collected_at", "outside_window"),
            ("survey_point", "unknown_point"),
            ("channel", "channel"),
            (f"ratings.{wave.unit_ids[0]}", "scale"),
            (f"ratings.{stranger}", "unknown_unit_in_wave"),
        ]
    )


def test_a_wave_without_a_window_refuses_questionnaires_from_the_future() -> None:
    wave = _wave()
    q = _questionnaire(wave, collected_at=datetime(2099, 1, 1, tzinfo=UTC))
    assert _codes(wave, q, now=COLLECTED) == [("collected_at", "in_future")]


@pytest.mark.parametrize(
    ("scale", "good", "bad"),
    [
        (Scale.THREE_LEVEL, "基本满意", "不了解"),
        (Scale.FOUR_LEVEL, "不了解", "非常满意"),
        (Scale.FIVE_LEVEL, "非常满意", "基本满意"),
        (Scale.NUMERIC_10, "10", "11"),
        (Scale.PERCENT, "95", "100.5"),
    ],
)
def test_answers_follow_the_templates_scale(scale: Scale, good: str, bad: str) -> None:
    template = BUILTIN_TEMPLATE.model_copy(update={"scale": scale})
    wave = _wave(template=template.model_dump(mode="json"))
    unit = str(wave.unit_ids[0])
    assert _codes(wave, _questionnaire(wave, ratings={unit: good})) == []
    assert _codes(wave, _questionnaire(wave, ratings={unit: bad})) == [(f"ratings.{unit}", "scale")]


def test_dimensions_opinions_and_recommendations_only_where_the_template_asks() -> None:
    plain = _wave()
    unit = str(plain.unit_ids[0])
    extras = {
        "dimension_ratings": {unit: {"attitude": "满意"}},
        "opinions": [{"unit_id": unit, "text": "窗口服务需改进"}],
        "recommended_key_targets": [unit],
    }
    assert {code for _, code in _codes(plain, _questionnaire(plain, **extras))} == {
        "dimension",
        "opinions",
        "recommendations",
    }
    rich = BUILTIN_TEMPLATE.model_copy(
        update={
            "dimensions": (contract.Dimension(code="attitude", name="服务态度"),),
            "opinions": True,
            "recommendations": True,
        }
    )
    wave = _wave(template=rich.model_dump(mode="json"))
    unit = str(wave.unit_ids[0])
    extras = {
        "dimension_ratings": {unit: {"attitude": "满意"}},
        "opinions": [
            {"unit_id": unit, "text": "窗口服务需改进"},
            {"unit_id": None, "text": "总体不错"},
        ],
        "recommended_key_targets": [unit],
    }
    assert _codes(wave, _questionnaire(wave, **extras)) == []
    wrong = {"dimension_ratings": {unit: {"speed": "满意", "attitude": "很好"}}}
    assert sorted(_codes(wave, _questionnaire(wave, **wrong))) == [
        (f"dimension_ratings.{unit}.attitude", "scale"),
        (f"dimension_ratings.{unit}.speed", "dimension"),
    ]


def test_a_representative_evaluation_takes_panel_members_only() -> None:
    member = uuid4()
    wave = _wave(kind="representative_evaluation", panel=[str(member)])
    assert _codes(wave, _questionnaire(wave, respondent_id=member)) == []
    assert _codes(wave, _questionnaire(wave, respondent_id=uuid4())) == [("respondent_id", "panel")]
    assert _codes(wave, _questionnaire(wave)) == [("respondent_id", "panel")]


def test_groups_named_by_the_wave_and_asked_by_the_template() -> None:
    asking = BUILTIN_TEMPLATE.model_copy(update={"asks_group": True})
    wave = _wave(
        template=asking.model_dump(mode="json"),
        groups=[{"code": "user", "name": "服务对象", "target_percent": 100}],
    )
    assert _codes(wave, _questionnaire(wave, group="user")) == []
    assert _codes(wave, _questionnaire(wave, group="boss")) == [("group", "group")]
    assert _codes(wave, _questionnaire(wave)) == [("group", "group")]


# --- Response ------------------------------------------------------------------------------


def test_response_ids_derive_from_the_wave_and_the_questionnaire_or_the_member() -> None:
    wave, other = _wave(), _wave()
    response = _response(wave)
    assert response.id == Response.create_id(wave.id, "Q-0001")
    assert response.id != Response.create_id(other.id, "Q-0001")
    member = uuid4()
    assert Response.panel_id(wave.id, member) != Response.panel_id(other.id, member)


def test_corrections_keep_every_version_and_decisions_follow_the_states() -> None:
    wave = _wave()
    response = _response(wave)
    first = dict(response.answers)
    changed = first | {"ratings": {str(wave.unit_ids[0]): "不满意"}}
    response.correct(changed, "按纸质问卷更正", "agency:y")
    assert response.answers_version == 2 and response.answer_versions[0] == first
    with pytest.raises(DecisionConflict):
        response.correct(changed, "again", "agency:y")  # changes nothing
    with pytest.raises(DecisionConflict):
        response.release("not quarantined", "office:z")
    response.quarantine([{"code": "burst", "detail": "x"}], "office:z")
    assert response.status == "quarantined"
    response.release("经核实为正常", "office:z")
    assert response.status == "counted"
    response.void("重复录入", "office:z")
    assert response.status == "voided"
    with pytest.raises(DecisionConflict):
        response.correct(first, "too late", "agency:y")
    names = [type(e).__name__ for e in response.collect_events()]
    assert names == ["Recorded", "Corrected", "Quarantined", "Released", "Voided"]


def test_a_flagged_questionnaire_starts_in_quarantine_and_can_be_rejected() -> None:
    wave = _wave()
    response = Response.record(
        uuid4(),
        wave_id=wave.id,
        questionnaire_id="Q-9",
        survey_point=None,
        collected_at=COLLECTED,
        ratings={str(wave.unit_ids[0]): "满意"},
        actor="agency:y",
        details={
            "flags": [{"code": "burst", "detail": "同一测评点60秒内出现10份答案完全相同的问卷"}]
        },
    )
    assert response.status == "quarantined"
    response.reject("确认为刷票", "office:z")
    assert response.status == "rejected"
    with pytest.raises(DecisionConflict):
        response.release("changed my mind", "office:z")


def test_v2_recorded_event_upcasts_to_v3_under_the_old_topic() -> None:
    app = _app()
    wave_id, unit_id = uuid4(), uuid4()
    response_id = Response.create_id(wave_id, "Q-2024-0001")
    state = {
        "timestamp": {"_type_": "datetime_iso", "_data_": "2024-11-20T02:00:00+00:00"},
        "originator_topic": "services.survey.domain:Response",
        "class_version": 2,
        "wave_id": {"_type_": "uuid_hex", "_data_": wave_id.hex},
        "questionnaire_id": "Q-2024-0001",
        "survey_point": "舞阳县政务服务中心",
        "collected_at": {"_type_": "datetime_iso", "_data_": "2024-11-19T09:15:00+08:00"},
        "ratings": {str(unit_id): "基本满意"},
        "actor": "agency:legacy",
    }
    stored = StoredEvent(response_id, 1, "services.survey.domain:Response.Recorded", _state(state))
    app.recorder.insert_events([stored])
    response = app.questionnaire(response_id)
    assert (response.details, response.status, response.answers_version) == ({}, "counted", 1)
    payload = to_payload(app.mapper.to_domain_event(stored))
    assert isinstance(payload, contract.ResponseRecorded)
    assert (payload.flags, payload.channel, payload.ratings) == ((), None, {unit_id: "基本满意"})
    app.close()


def test_batch_withdrawal_names_every_questionnaire_once() -> None:
    batch = Batch.bring(uuid4(), wave_id=uuid4(), agency_id=uuid4(), response_ids=["a"], actor="x")
    batch.withdraw("该机构代填问卷", "office:z")
    with pytest.raises(DecisionConflict):
        batch.withdraw("again", "office:z")


# --- templates -----------------------------------------------------------------------------


def test_template_versions_are_immutable_and_numbered() -> None:
    content = template_content(
        "问卷", Scale.FIVE_LEVEL, [{"code": "a", "name": "服务态度"}], True, False, False, False
    )
    template = Template(uuid4(), content, "office:x")
    template.revise(content | {"name": "问卷（修订）"}, "增加说明", "office:x")
    assert template.latest_version == 2
    assert template.snapshot(1).name == "问卷" and template.snapshot().name == "问卷（修订）"
    with pytest.raises(InvalidTemplate):
        template_content(
            "问卷",
            Scale.FIVE_LEVEL,
            [{"code": "a", "name": "x"}, {"code": "a", "name": "y"}],
            False,
            False,
            False,
            False,
        )


# --- contract mapping ------------------------------------------------------------------------


def _published(payload: Any) -> Any:
    """Through the wire and back, as a consumer reads it."""
    message = IntegrationMessage(
        event_id=uuid4(),
        event_type=payload.event_type,
        schema_version=payload.schema_version,
        origin="survey",
        position=1,
        previous_position=None,
        occurred_at=COLLECTED,
        payload=payload.model_dump(mode="json"),
    )
    return parse_payload(IntegrationMessage.decode(message.encode()))


def test_every_decision_is_published_with_its_wave_actor_and_reason() -> None:
    wave = _wave()
    response = _response(wave)
    response.correct(response.answers | {"ratings": {str(wave.unit_ids[0]): "不满意"}}, "更正", "a")
    response.void("作废", "b")
    batch = Batch.bring(
        uuid4(),
        wave_id=wave.id,
        agency_id=wave.agency_id,
        response_ids=[str(response.id)],
        actor="c",
    )
    batch.withdraw("撤回", "d")
    wave.close("结束", "e")
    payloads = [
        to_payload(e)
        for e in [*wave.collect_events(), *response.collect_events(), *batch.collect_events()]
    ]
    kinds = [type(p).__name__ for p in payloads if p is not None]
    assert kinds == [
        "WaveOpened",
        "WaveClosed",
        "ResponseRecorded",
        "ResponseCorrected",
        "ResponseVoided",
        "BatchWithdrawn",
    ]
    corrected = next(p for p in payloads if isinstance(p, contract.ResponseCorrected))
    assert (corrected.version, corrected.reason, corrected.wave_id) == (2, "更正", wave.id)
    withdrawn = next(p for p in payloads if isinstance(p, contract.BatchWithdrawn))
    assert withdrawn.response_ids == (response.id,)
    for payload in payloads:
        if payload is not None:
            assert _published(payload) == payload


def test_v1_contract_messages_still_decode_as_the_newest_models() -> None:
    unit, wave_id = uuid4(), uuid4()
    old_opened = contract.WaveOpenedV1(
        wave_id=wave_id,
        jurisdiction_id=uuid4(),
        name="测评",
        agency_id=uuid4(),
        unit_ids=(unit,),
        actor="x",
    )
    opened = _published(old_opened)
    assert isinstance(opened, contract.WaveOpened)
    assert opened.agencies == (contract.AgencyQuota(agency_id=old_opened.agency_id, quota=None),)
    assert opened.template is None and opened.kind == WaveKind.SATISFACTION_SURVEY
    old = contract.ResponseRecordedV1(
        wave_id=wave_id,
        response_id=uuid4(),
        questionnaire_id="Q",
        survey_point=None,
        collected_at=COLLECTED,
        ratings={unit: contract.Rating.SATISFIED},
    )
    recorded = _published(old)
    assert isinstance(recorded, contract.ResponseRecorded) and recorded.ratings == {unit: "满意"}
    closed = _published(contract.WaveClosedV1(wave_id=wave_id, actor="x"))
    assert isinstance(closed, contract.WaveClosed) and closed.questionnaires is None


def test_bookkeeping_stays_internal() -> None:
    record = IdempotencyRecord(uuid4(), "wave", "k", "sha256:x", {"ok": True})
    wave = _wave()
    wave.accept_batch(uuid4(), wave.agency_id, 1, 0, {}, {})
    batch = Batch.bring(
        uuid4(), wave_id=wave.id, agency_id=wave.agency_id, response_ids=[], actor="c"
    )
    events = [*record.collect_events(), wave.collect_events()[-1], *batch.collect_events()]
    assert [to_payload(e) for e in events] == [None, None, None]


def test_the_compact_row_reads_against_the_waves_units() -> None:
    units = [uuid4(), uuid4(), uuid4()]
    wave_id = uuid4()
    v3 = contract.ResponseRecorded(
        wave_id=wave_id,
        response_id=uuid4(),
        questionnaire_id="Q",
        survey_point=None,
        collected_at=COLLECTED,
        row=("满意", None, "一般"),
    )
    assert v3.ratings_in(units) == {str(units[0]): "满意", str(units[2]): "一般"}
    with pytest.raises(ValueError, match="a row of 3 answers for a wave of 2 units"):
        v3.ratings_in(units[:2])
    old = contract.ResponseRecordedV2(
        wave_id=wave_id,
        response_id=uuid4(),
        questionnaire_id="Q2",
        survey_point=None,
        collected_at=COLLECTED,
        ratings={units[1]: "不满意"},
    )
    upcast = _published(old)
    assert isinstance(upcast, contract.ResponseRecorded) and upcast.row is None
    assert upcast.ratings_in(units) == {str(units[1]): "不满意"}
