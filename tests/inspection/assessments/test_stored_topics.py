"""The assessment aggregates moved from one module into a package (domain/scores.py,
domain/decisions.py). Events stored before that name the old module in their topic and in
the aggregate's `originator_topic`; they must load exactly as events stored today."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from uuid import uuid4

from services.inspection.assessments.domain import AssessmentScore, Veto
from services.inspection.main import InspectionService
from tests.harness import IN_MEMORY

OLD_MODULE = "services.inspection.assessments.domain:"


def _as_before_the_split(app: InspectionService, events: list[object]) -> None:
    stored = []
    for domain_event in events:
        record = app.mapper.to_stored_event(domain_event)
        state = app.mapper.transcoder.decode(record.state)
        for key, value in state.items():
            if isinstance(value, str) and value.startswith("services.inspection.assessments."):
                state[key] = OLD_MODULE + value.split(":", 1)[1]
        topic = OLD_MODULE + record.topic.split(":", 1)[1]
        assert topic != record.topic  # the class really lives elsewhere now
        stored.append(replace(record, topic=topic, state=app.mapper.transcoder.encode(state)))
    app.recorder.insert_events(stored)


def test_events_stored_under_the_old_module_still_load() -> None:
    app = InspectionService(IN_MEMORY)
    unit, place, campaign = uuid4(), uuid4(), uuid4()
    score = AssessmentScore.record(
        unit_id=unit,
        jurisdiction_id=place,
        campaign_id=campaign,
        round=1,
        component_code="daily_work",
        component_name="日常工作",
        score=Decimal("17.5"),
        maximum=Decimal("20"),
        assessor="区评议考核组",
        basis="查阅台账",
        evidence=[],
        reason="集中评议",
        actor="office:a",
    )
    score.correct(
        score=Decimal("16"),
        assessor=None,
        basis=None,
        evidence=None,
        reason="复核",
        actor="office:b",
    )
    veto = Veto.decide(
        unit_id=unit,
        jurisdiction_id=place,
        campaign_id=campaign,
        round=1,
        basis="重大安全责任事故",
        authority="区纪委监委",
        decided_on=date(2026, 11, 20),
        actor="office:a",
        today=date(2026, 11, 30),
    )
    _as_before_the_split(app, [*score.collect_events(), *veto.collect_events()])
    loaded = app.repository.get(score.id)
    assert isinstance(loaded, AssessmentScore)
    assert (loaded.score, loaded.version) == (Decimal("16"), 2)
    again = app.repository.get(veto.id)
    assert isinstance(again, Veto) and again.authority == "区纪委监委"
