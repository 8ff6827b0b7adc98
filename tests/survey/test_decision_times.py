"""A questionnaire's history and versions say when: each entry carries the time of the event
that made it (`at`, ISO 8601 with its offset), the questionnaire its `recorded_at`, and each
version the time its answers were made. Stored events already carry that time, so
decisions stored before it was shown read with theirs."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

from services.survey.application import SurveyApplication
from services.survey.domain import Batch, Response, Wave
from tests.harness import ADMIN, IN_MEMORY, Cluster
from tests.stored_events import created, following, store
from tests.survey.helpers import World, open_wave, push, questionnaire

FLAG = {"code": "burst", "detail": "同一测评点60秒内出现10份答案完全相同的问卷"}
RECORDED = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)


def _at(minutes: int) -> datetime:
    return RECORDED + timedelta(minutes=minutes)


def _stored_questionnaire(app: SurveyApplication) -> tuple[Wave, Response.Recorded, list[Any]]:
    """A questionnaire and its decisions as stored events, each at its own minute."""
    wave = Wave(uuid4(), "2025年问卷测评", uuid4(), (uuid4(),), "office:x", {})
    app.save(wave)
    unit = str(wave.unit_ids[0])
    recorded = created(
        Response,
        Response.Recorded,
        Response.create_id(wave.id, "Q-1"),
        wave_id=wave.id,
        questionnaire_id="Q-1",
        survey_point=None,
        collected_at=RECORDED,
        ratings={unit: "满意"},
        actor="agency:y",
        details={},
    )
    answers = {
        "ratings": {unit: "不满意"},
        "dimension_ratings": {},
        "opinions": [],
        "recommended_key_targets": [],
    }
    correction = {"answers_version": 2, "answers": answers, "reason": "按纸质问卷更正"}
    decisions: list[tuple[type[Any], dict[str, Any]]] = [
        (Response.Corrected, correction),
        (Response.Quarantined, {"flags": [FLAG]}),
        (Response.Released, {"reason": "核实正常"}),
        (Response.Voided, {"reason": "重复录入"}),
    ]
    events: list[Any] = []
    previous: Any = recorded
    for minute, (event_class, state) in enumerate(decisions, start=1):
        made = following(previous, event_class, wave_id=wave.id, actor="office:z", **state)
        previous = replace(made, timestamp=_at(minute))
        events.append(previous)
    return wave, recorded, events


def test_stored_decisions_read_with_the_time_they_were_made() -> None:
    app = SurveyApplication(IN_MEMORY)
    wave, recorded, decisions = _stored_questionnaire(app)
    store(app, recorded, *decisions)
    response_id = recorded.originator_id

    out = app.questionnaire_out(app.questionnaire(response_id, unit_ids=wave.unit_ids))
    assert out["recorded_at"] == "2025-01-02T03:04:05+00:00"
    assert [(h["event"], h["at"]) for h in out["history"]] == [
        ("corrected", "2025-01-02T03:05:05+00:00"),
        ("quarantined", "2025-01-02T03:06:05+00:00"),
        ("released", "2025-01-02T03:07:05+00:00"),
        ("voided", "2025-01-02T03:08:05+00:00"),
    ]
    versions = app.versions(wave.id, response_id)["versions"]
    assert [(v["version"], v["at"]) for v in versions] == [
        (1, "2025-01-02T03:04:05+00:00"),
        (2, "2025-01-02T03:05:05+00:00"),
    ]
    app.close()


def test_a_stored_batch_withdrawal_reads_with_its_time() -> None:
    app = SurveyApplication(IN_MEMORY)
    wave_id = uuid4()
    brought = created(
        Batch, Batch.Recorded, wave_id=wave_id, agency_id=uuid4(), response_ids=[], actor="a:y"
    )
    withdrawn = following(
        brought,
        Batch.Withdrawn,
        wave_id=wave_id,
        agency_id=brought.agency_id,
        response_ids=[],
        reason="推送错了测评",
        actor="office:z",
    )
    store(app, brought, withdrawn)
    out = app.batch_state(wave_id, brought.originator_id)
    assert (out["recorded_at"], out["withdrawn_at"], out["withdrawn_by"]) == (
        "2025-01-02T03:04:05+00:00",
        "2025-01-02T03:04:06+00:00",
        "office:z",
    )
    app.close()


def _moment(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    assert moment.utcoffset() is not None, text  # an instant, with its offset
    return moment


def test_history_and_versions_say_when_through_the_api(cluster: Cluster, world: World) -> None:
    survey = cluster["survey"]
    wave_id = open_wave(cluster, world)["wave_id"]
    before = datetime.now(UTC)
    pushed = push(cluster, wave_id, [questionnaire("Q-1", world.unit_ids)], world.agency.headers)
    assert pushed.status_code == 200, pushed.text
    cluster.wait_caught_up("survey", "survey")
    (listed,) = survey.get(f"/waves/{wave_id}/questionnaires", headers=ADMIN).json()
    path = f"/waves/{wave_id}/questionnaires/{listed['response_id']}"
    correction = {"ratings": {world.unit_ids[0]: "不满意"}, "reason": "按纸质问卷更正"}
    corrected = survey.post(f"{path}/corrections", json=correction, headers=world.agency.headers)
    assert corrected.status_code == 200, corrected.text
    voided = survey.post(f"{path}/void", json={"reason": "重复录入"}, headers=ADMIN)
    assert voided.status_code == 200, voided.text
    batch_path = f"/waves/{wave_id}/batches/{pushed.json()['batch_id']}"
    withdrawal = {"reason": "该机构代填问卷"}
    withdrawn = survey.post(f"{batch_path}/withdraw", json=withdrawal, headers=ADMIN)
    assert withdrawn.status_code == 200, withdrawn.text
    after = datetime.now(UTC)

    read = survey.get(path, headers=world.county_office.headers).json()
    recorded_at = _moment(read["recorded_at"])
    times = [_moment(h["at"]) for h in read["history"]]
    assert [h["event"] for h in read["history"]] == ["corrected", "voided", "withdrawn"]
    assert before <= recorded_at <= times[0] <= times[1] <= times[2] <= after
    assert read["history"][2]["reason"] == "该机构代填问卷"
    assert voided.json()["history"] == read["history"][:2]  # the decision's answer says it too
    versions = survey.get(f"{path}/versions", headers=world.county_office.headers).json()
    assert [_moment(v["at"]) for v in versions["versions"]] == [recorded_at, times[0]]
    batch = survey.get(batch_path, headers=world.county_office.headers).json()
    assert _moment(batch["withdrawn_at"]) == times[2] and batch["withdrawn_by"]
    assert before <= _moment(batch["recorded_at"]) <= times[0]
