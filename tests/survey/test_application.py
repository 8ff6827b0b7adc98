"""SurveyApplication commands directly, in memory, with a registry view fed by contracts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from uuid import UUID, uuid4

import pytest

from services.survey.application import SurveyApplication
from services.survey.domain import QuestionnaireConflict, UnknownUnitInWave, WaveClosedError
from shared.auth import Principal
from shared.contracts import IntegrationMessage, IntegrationPayload
from shared.contracts.registry import JurisdictionRegistered, PrincipalIssued, UnitRegistered
from shared.views import MemoryViewStore
from tests.harness import IN_MEMORY, feed_registry_copy

CST = timezone(timedelta(hours=8))
OFFICE = Principal(uuid4(), "舞阳县纠风办", "office", None)


def _messages(payloads: list[IntegrationPayload]) -> list[IntegrationMessage]:
    return [
        IntegrationMessage(
            event_id=IntegrationMessage.event_id_for("registry", position),
            event_type=p.event_type,
            schema_version=p.schema_version,
            origin="registry",
            position=position,
            previous_position=position - 1 if position > 1 else None,
            occurred_at=datetime(2024, 11, 1, tzinfo=UTC),
            payload=p.model_dump(mode="json"),
        )
        for position, p in enumerate(payloads, start=1)
    ]


class Setup:
    def __init__(self) -> None:
        self.views = MemoryViewStore()
        self.views.setup()
        self.app = SurveyApplication(IN_MEMORY)
        self.county, self.agency_id = uuid4(), uuid4()
        self.units = [uuid4(), uuid4()]
        self.agency = Principal(self.agency_id, "调查公司", "agency", None)
        registry = [
            JurisdictionRegistered(
                jurisdiction_id=self.county, name="舞阳县", level="county", parent_id=None
            ),
            *[
                UnitRegistered(
                    unit_id=u,
                    jurisdiction_id=self.county,
                    name=f"单位{i}",
                    short_name=None,
                    kind="government_department",
                    category="政府部门及其它机构",
                )
                for i, u in enumerate(self.units)
            ],
            PrincipalIssued(
                principal_id=self.agency_id,
                name="调查公司",
                role="agency",
                jurisdiction_id=None,
                key_hash="h",
            ),
        ]
        feed_registry_copy(self.views, _messages(registry))

    def open_wave(self) -> UUID:
        wave = self.app.open_wave(
            OFFICE, "测评", self.county, self.agency_id, self.units, None, views=self.views
        )
        return UUID(wave["wave_id"])

    def batch(self, n: int, rating: str = "满意", start: int = 0) -> list[dict[str, Any]]:
        return [
            {
                "questionnaire_id": f"Q{i}",
                "survey_point": None,
                "collected_at": datetime(2024, 11, 5, 9, tzinfo=CST),
                "ratings": {str(u): rating for u in self.units},
            }
            for i in range(start, start + n)
        ]


@pytest.fixture
def setup() -> Iterator[Setup]:
    s = Setup()
    yield s
    s.app.close()
    s.views.close()


def _count_reads(app: SurveyApplication, monkeypatch: pytest.MonkeyPatch) -> list[UUID]:
    reads: list[UUID] = []
    original = app.repository.get

    def counting(aggregate_id: UUID, *args: Any, **kwargs: Any) -> Any:
        reads.append(aggregate_id)
        return original(aggregate_id, *args, **kwargs)

    monkeypatch.setattr(app.repository, "get", counting)
    return reads


def test_first_push_reads_the_wave_and_key_only(
    setup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    wave_id = setup.open_wave()
    reads = _count_reads(setup.app, monkeypatch)
    result = setup.app.record_batch(setup.agency, wave_id, setup.batch(200), "k1")
    assert result["accepted"] == 200
    assert len(reads) == 2  # the key record, then the wave


def test_repush_falls_back_to_checking_each_questionnaire(
    setup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    wave_id = setup.open_wave()
    setup.app.record_batch(setup.agency, wave_id, setup.batch(3), None)
    reads = _count_reads(setup.app, monkeypatch)
    result = setup.app.record_batch(setup.agency, wave_id, setup.batch(5), None)
    assert (result["accepted"], result["duplicates"]) == (2, 3)
    assert result["duplicate_questionnaire_ids"] == ["Q0", "Q1", "Q2"]
    assert len(reads) > 5


def test_conflicting_batch_saves_nothing(setup: Setup) -> None:
    wave_id = setup.open_wave()
    setup.app.record_batch(setup.agency, wave_id, setup.batch(2), None)
    before = setup.app.recorder.max_notification_id()
    conflicting = setup.batch(3, start=5) + setup.batch(1, rating="不满意")
    with pytest.raises(QuestionnaireConflict) as caught:
        setup.app.record_batch(setup.agency, wave_id, conflicting, "k2")
    assert caught.value.field == "questionnaires.3.questionnaire_id"
    assert setup.app.recorder.max_notification_id() == before


def test_invalid_questionnaire_anywhere_saves_nothing(setup: Setup) -> None:
    wave_id = setup.open_wave()
    before = setup.app.recorder.max_notification_id()
    batch = setup.batch(3)
    batch[2]["ratings"] = {str(uuid4()): "满意"}
    with pytest.raises(UnknownUnitInWave):
        setup.app.record_batch(setup.agency, wave_id, batch, None)
    assert setup.app.recorder.max_notification_id() == before


def test_closed_wave_refuses_but_a_keyed_retry_still_replays(setup: Setup) -> None:
    wave_id = setup.open_wave()
    first = setup.app.record_batch(setup.agency, wave_id, setup.batch(2), "k3")
    setup.app.close_wave(OFFICE, wave_id, "问卷回收完毕")
    assert setup.app.record_batch(setup.agency, wave_id, setup.batch(2), "k3") == first
    with pytest.raises(WaveClosedError):
        setup.app.record_batch(setup.agency, wave_id, setup.batch(2), None)
