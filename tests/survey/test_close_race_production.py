"""The close and the batches race against real PostgreSQL: agencies push from threads while
the office closes, and the log never holds a questionnaire of the wave after its close."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any
from uuid import uuid4

import pytest

from services.survey.application import SurveyApplication
from services.survey.domain import Wave, WaveClosedError
from shared.principals import Principal
from shared.settings import CommonSettings, eventsourcing_env
from shared.views import PostgresViewStore as Views
from tests.survey.test_application import IN_ROUND_1

pytestmark = pytest.mark.infra

OFFICE = Principal(uuid4(), "舞阳县纠风办", "office", None)


def _questionnaires(first: int, n: int, units: list[str]) -> list[tuple[int, dict[str, Any]]]:
    return [
        (
            index,
            {
                "questionnaire_id": f"R-{i:06d}",
                "survey_point": None,
                "collected_at": IN_ROUND_1 + timedelta(seconds=i),
                "channel": None,
                "group": None,
                "district_id": None,
                "device": None,
                "respondent_id": None,
                "ratings": {unit: ("满意", "基本满意", "不满意")[i % 3] for unit in units},
                "dimension_ratings": {},
                "opinions": [],
                "recommended_key_targets": [],
            },
        )
        for index, i in enumerate(range(first, first + n))
    ]


def test_no_questionnaire_is_recorded_after_the_close(database_url: str) -> None:
    common = CommonSettings(mode="production", database_url=database_url)
    views = Views(database_url, "survey")
    views.setup()
    views.close()
    app = SurveyApplication(eventsourcing_env(common, "survey", None))
    try:
        agencies = [Principal(uuid4(), f"调查公司{n}", "agency", None) for n in range(3)]
        units = [uuid4() for _ in range(20)]
        setup = {"agencies": [{"agency_id": str(a.principal_id), "quota": None} for a in agencies]}
        wave = Wave(uuid4(), "竞争测试", agencies[0].principal_id, tuple(units), "office:x", setup)
        app.save(wave)
        unit_ids = [str(u) for u in units]
        accepted: list[int] = []
        refused: list[int] = []
        start = threading.Barrier(len(agencies) + 1)

        def push(n: int, agency: Principal) -> None:
            start.wait()
            for batch in range(30):
                rows = _questionnaires(100_000 * n + 50 * batch, 50, unit_ids)
                try:
                    accepted.append(app.record_batch(agency, wave.id, rows, [], None)["accepted"])
                except WaveClosedError:
                    refused.append(batch)

        threads = [threading.Thread(target=push, args=(n, a)) for n, a in enumerate(agencies)]
        for thread in threads:
            thread.start()
        start.wait()
        app.close_wave(OFFICE, wave.id, "问卷回收完毕")
        for thread in threads:
            thread.join()

        log = [n.topic for n in app.recorder.select_notifications(1, 10**7)]
        closed_at = next(i for i, topic in enumerate(log) if topic.endswith("Wave.Closed"))
        assert [t for t in log[closed_at:] if t.endswith("Response.Recorded")] == []
        recorded = sum(1 for t in log if t.endswith("Response.Recorded"))
        stored = app.wave(wave.id)
        assert recorded == sum(accepted) == stored.questionnaires
        assert len(accepted) + len(refused) == 90
    finally:
        app.close()
