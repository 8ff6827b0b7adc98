"""With two agencies on one wave, what each reads of reporting's progress is its own
questionnaires only: nothing in A's answer moves with B's work (the whole wave's total less
A's line would give B's counts and statuses), B reads its own alone, and the office reads
both. On PostgreSQL, the view fed survey's messages as its consumer applies them; through
the real registry, survey and reporting services, the API's JSON."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid5

import pytest

from services.reporting.progress.agency import agency_part
from services.reporting.progress.read import progress
from services.reporting.progress.views import WAVE_PROGRESS_VIEW, WAVES
from shared.contracts import IntegrationMessage, IntegrationPayload
from shared.contracts.survey import (
    AgencyQuota,
    Channel,
    Flag,
    ResponseRecorded,
    ResponseRejected,
    ResponseVoided,
    SurveyPoint,
    WaveAgencyAccredited,
    WaveOpened,
)
from shared.registry_view import SECURITY_VIEW, RegistryView
from shared.views import ViewStore
from shared.views.postgres import PostgresViewStore
from tests.conftest import in_memory
from tests.harness import Cluster
from tests.reporting.progress.story import wave_story
from tests.reporting.progress.test_agencies_api import _more

NS = UUID("5b1f0e7a-2c44-4e0b-9a61-7d3c8e2f4a19")
AT = datetime(2026, 3, 5, 2, 0, tzinfo=UTC)
WAVE, CITY, UNIT = uuid5(NS, "wave"), uuid5(NS, "city"), uuid5(NS, "unit")
WY, LY = uuid5(NS, "舞阳县"), uuid5(NS, "临颍县")
A, B = uuid5(NS, "agency A"), uuid5(NS, "agency B")
ACTOR = "office:漯河市纠风办"


def _recorded(name: str, agency: UUID, point: str, channel: Channel, **more: Any) -> Any:
    return ResponseRecorded(
        wave_id=WAVE,
        response_id=uuid5(NS, name),
        questionnaire_id=name,
        survey_point=point,
        collected_at=AT,
        row=("满意" if agency == A else "不满意",),
        channel=channel,
        group="public",
        agency_id=agency,
        **more,
    )


OPENING: list[IntegrationPayload] = [
    WaveOpened(
        wave_id=WAVE,
        jurisdiction_id=CITY,
        name="漯河市2026年上半年问卷测评",
        agency_id=A,
        unit_ids=(UNIT,),
        actor=ACTOR,
        channels=(Channel.SURVEY_POINT, Channel.ONLINE),
        points=(
            SurveyPoint(code="WY-01", name="舞阳县政务服务中心", jurisdiction_id=WY, target=4),
            SurveyPoint(code="LY-01", name="临颍县政务服务中心", jurisdiction_id=LY, target=2),
        ),
        agencies=(AgencyQuota(agency_id=A, quota=10),),
    ),
    WaveAgencyAccredited(wave_id=WAVE, agency_id=B, quota=3, actor=ACTOR),
    _recorded("A1", A, "WY-01", Channel.SURVEY_POINT),
    _recorded("A2", A, "LY-01", Channel.ONLINE),
]
B_WORK: list[IntegrationPayload] = [
    _recorded("B1", B, "LY-01", Channel.ONLINE),
    _recorded("B2", B, "LY-01", Channel.ONLINE),
    _recorded("B3", B, "X-09", Channel.PAPER, flags=(Flag(code="over_quota", detail="超配额"),)),
    ResponseVoided(wave_id=WAVE, response_id=uuid5(NS, "B1"), reason="重复录入", actor=ACTOR),
    ResponseRejected(wave_id=WAVE, response_id=uuid5(NS, "B3"), reason="复核", actor=ACTOR),
]


def _messages(payloads: list[IntegrationPayload], after: int) -> list[IntegrationMessage]:
    return [
        IntegrationMessage(
            event_id=IntegrationMessage.event_id_for("survey", after + n + 1),
            event_type=payload.event_type,
            schema_version=payload.schema_version,
            origin="survey",
            position=after + n + 1,
            previous_position=(after + n) or None,
            occurred_at=AT,
            payload=payload.model_dump(mode="json"),
        )
        for n, payload in enumerate(payloads)
    ]


@pytest.fixture
def store(database_url: str) -> Iterator[ViewStore]:
    views = PostgresViewStore(database_url, "reporting_views")
    views.declare([*WAVE_PROGRESS_VIEW.collections, *SECURITY_VIEW.collections])
    views.setup()
    try:
        yield views
    finally:
        views.close()


def _read(store: ViewStore, agency: UUID | None) -> dict[str, Any]:
    wave = store.get(WAVES, str(WAVE))
    assert wave is not None
    return progress(wave if agency is None else agency_part(wave, str(agency)), RegistryView(store))


def _counts(body: dict[str, Any], table: str) -> dict[str, tuple[int, int]]:
    return {row["key"]: (row["received"], row["counted"]) for row in body[table]}


def test_an_agency_reads_its_own_questionnaires_only(store: ViewStore) -> None:
    inbox = WAVE_PROGRESS_VIEW.inbox(store, "survey")
    inbox.apply("survey", _messages(OPENING, 0))
    a_before = _read(store, A)
    inbox.apply("survey", _messages(B_WORK, len(OPENING)))
    assert _read(store, A) == a_before
    assert a_before["total"]["received"] == 2 and a_before["total"]["target"] == 6
    assert [row["key"] for row in a_before["by_agency"]] == [str(A)]
    b = _read(store, B)
    assert (b["total"]["received"], b["total"]["counted"], b["total"]["target"]) == (3, 1, 6)
    assert {row["key"]: row["count"] for row in b["by_status"]} == {
        "counted": 1,
        "quarantined": 0,
        "rejected": 1,
        "voided": 1,
        "withdrawn": 0,
    }
    # The wave's points and channels stay listed at 0; A's own places carry none of B's.
    assert _counts(b, "by_point") == {"WY-01": (0, 0), "LY-01": (2, 1), "X-09": (1, 0)}
    assert _counts(b, "by_channel") == {"survey_point": (0, 0), "online": (2, 1), "paper": (1, 0)}
    assert [(row["key"], row["quota"]) for row in b["by_agency"]] == [(str(B), 3)]
    assert b["satisfaction"]["total"]["counts"]["不满意"] == 1
    assert b["satisfaction"]["total"]["counts"]["满意"] == 0
    whole = _read(store, None)
    assert (whole["total"]["received"], whole["total"]["counted"]) == (5, 3)
    assert _counts(whole, "by_agency") == {str(A): (2, 2), str(B): (3, 1)}
    assert _counts(whole, "by_point")["LY-01"] == (3, 2)


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    with Cluster(in_memory(), ["registry", "survey", "reporting"]) as running:
        yield running


def test_the_api_answers_each_agency_its_own(cluster: Cluster) -> None:
    """The story's agency (A1–A5) and 另一调查公司 (B1–B5, test_agencies_api's `_more`)."""
    told = wave_story(cluster)
    world, path = told.world, f"/waves/{told.wave_id}/progress"

    def read(headers: Any) -> dict[str, Any]:
        response = cluster["reporting"].get(path, headers=headers)
        assert response.status_code == 200, response.text
        return dict(response.json())

    a_before = read(world.agency.headers)
    _more(cluster, told)
    assert read(world.agency.headers) == a_before
    b = read(world.other_agency.headers)
    assert (b["total"]["received"], b["total"]["collected"], b["total"]["counted"]) == (5, 2, 1)
    assert [row["key"] for row in b["by_agency"]] == [world.other_agency.principal_id]
    assert {row["key"]: row["received"] for row in b["by_point"]} == {"WY-01": 0, "LY-01": 5}
    office = read(world.city_office.headers)
    assert (office["total"]["received"], office["total"]["collected"]) == (10, 6)
    assert len(office["by_agency"]) == 2
