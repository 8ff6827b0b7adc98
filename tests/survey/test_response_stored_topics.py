"""Questionnaires, batches and vote claims moved from one module into a package
(domain/response/questionnaire.py, batch.py, vote.py). Events stored before that name the
old module in their topic and in the aggregate's `originator_topic`; they must load, and
publish, exactly as events stored today."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

from services.survey.application import SurveyApplication
from services.survey.domain import Batch, Response, VoteClaim
from services.survey.integration import to_payload
from shared.contracts import survey as contract
from tests.harness import IN_MEMORY
from tests.stored_events import store_as_before_the_split

OLD_MODULE = "services.survey.domain.response"
WAVE, UNIT, AGENCY = uuid4(), uuid4(), uuid4()
FLAG = {"code": "burst", "detail": "同一测评点60秒内出现10份答案完全相同的问卷"}


def _questionnaire(qid: str, flags: list[dict[str, str]]) -> Response:
    return Response.record(
        Response.create_id(WAVE, qid),
        wave_id=WAVE,
        questionnaire_id=qid,
        survey_point="郾城区政务服务中心",
        collected_at=datetime(2026, 5, 12, 9, 30, tzinfo=UTC),
        ratings={str(UNIT): "满意"},
        actor="agency:y",
        details={"agency_id": str(AGENCY), "flags": flags},
    )


def _every_decision() -> list[Any]:
    counted = _questionnaire("Q-0001", [])
    counted.correct(counted.answers | {"ratings": {str(UNIT): "基本满意"}}, "录入错误", "agency:y")
    counted.quarantine([FLAG], "office:z")
    counted.release("核实无误", "office:z")
    counted.void("重复录入", "office:z")
    flagged = _questionnaire("Q-0002", [FLAG])
    flagged.reject("确认为刷票", "office:z")
    batch = Batch.bring(
        uuid4(), wave_id=WAVE, agency_id=AGENCY, response_ids=[str(counted.id)], actor="agency:y"
    )
    batch.withdraw("推送错了测评", "agency:y")
    vote = VoteClaim.claim("round-1", "hash-of-voter", str(UNIT), wave_id=WAVE, response_id=uuid4())
    return [counted, flagged, batch, vote]


def test_events_stored_under_the_old_module_load_as_before() -> None:
    app = SurveyApplication(IN_MEMORY)
    aggregates = _every_decision()
    expected = [vars(a).copy() for a in aggregates]
    store_as_before_the_split(app, OLD_MODULE, *[e for a in aggregates for e in a.collect_events()])
    for aggregate, state in zip(aggregates, expected, strict=True):
        loaded = app.repository.get(aggregate.id)
        assert type(loaded) is type(aggregate)
        assert vars(loaded) == state
    counted, flagged = app.repository.get(aggregates[0].id), app.repository.get(aggregates[1].id)
    assert (counted.status, counted.answers_version, flagged.status) == ("voided", 2, "rejected")


def test_events_stored_under_the_old_module_publish_their_contracts() -> None:
    app = SurveyApplication(IN_MEMORY)
    events = [e for a in _every_decision() for e in a.collect_events()]
    store_as_before_the_split(app, OLD_MODULE, *events)
    stored = app.recorder.select_notifications(start=1, limit=20)
    assert all(n.topic.startswith(f"{OLD_MODULE}:") for n in stored)
    published = [to_payload(app.mapper.to_domain_event(n)) for n in stored]
    assert [type(p) for p in published] == [
        contract.ResponseRecorded,
        contract.ResponseCorrected,
        contract.ResponseQuarantined,
        contract.ResponseReleased,
        contract.ResponseVoided,
        contract.ResponseRecorded,
        contract.ResponseRejected,
        type(None),  # a batch's arrival is told by its questionnaires
        contract.BatchWithdrawn,
        type(None),  # a vote claim stays internal
    ]
