"""The story of `test_agencies_and_statuses` and `test_status_redelivery`: survey's contract
messages of one wave, step by step, applied to the `wave_progress` view as its consumer
applies them and read as the API reads them (`read.progress`).

The story: a wave with points P-A (county A) and P-B (county B), opened with agencies 甲
(quota 5, named by the registry) and AG2 (no quota, unknown to reporting's registry copy),
then 丙 accredited with quota 3. 甲 pushes q1–q4 (q3 flagged at intake), AG2 records q5, a
public vote q6 names no agency, 丙 pushes q7–q8. Then: q1 quarantined and released, q3
rejected, q5 voided, 丙's batch withdrawn (and q7 released after, which changes nothing),
q2 quarantined.

  q1 甲 P-A  counted     q5 AG2 P-B voided
  q2 甲 P-A  quarantined q6 —   P-A counted (public vote)
  q3 甲 P-A  rejected    q7 丙  P-B withdrawn
  q4 甲 P-B  counted     q8 丙  P-A withdrawn"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid5

from services.reporting.progress.read import progress
from services.reporting.progress.views import STATUSES, WAVE_PROGRESS_VIEW, WAVES
from shared.contracts import IntegrationMessage, IntegrationPayload
from shared.contracts.registry import PrincipalIssued
from shared.contracts.survey import (
    AgencyQuota,
    BatchWithdrawn,
    Flag,
    ResponseQuarantined,
    ResponseRecorded,
    ResponseRejected,
    ResponseReleased,
    ResponseVoided,
    SurveyPoint,
    WaveAgencyAccredited,
    WaveOpened,
)
from shared.contracts.survey_batch import BatchQuestionnaire, BatchRecorded
from shared.registry_view import SECURITY_VIEW, RegistryView
from shared.views import MemoryViewStore

NS = UUID("5b0f3c1e-8a4d-4f2b-9c6e-1d7a2e3f4b50")
ACTOR = "office:漯河市纠风办"
AT = datetime(2026, 5, 18, 1, 30, tzinfo=UTC)


def uid(name: str) -> UUID:
    return uuid5(NS, name)


WAVE, CITY, COUNTY_A, COUNTY_B = uid("wave"), uid("city"), uid("county A"), uid("county B")
AG1, AG2, AG3 = uid("agency 甲"), uid("agency 2"), uid("agency 丙")
UNITS = (uid("unit 1"), uid("unit 2"))
BATCH_1, BATCH_3 = uid("batch 甲"), uid("batch 丙")


def q(i: int) -> UUID:
    return uid(f"q{i}")


def numbered(origin: str, payloads: Sequence[IntegrationPayload]) -> list[IntegrationMessage]:
    messages: list[IntegrationMessage] = []
    for n, payload in enumerate(payloads):
        position = 2 * n + 1
        messages.append(
            IntegrationMessage(
                event_id=IntegrationMessage.event_id_for(origin, position),
                event_type=payload.event_type,
                schema_version=payload.schema_version,
                origin=origin,
                position=position,
                previous_position=None if n == 0 else position - 2,
                occurred_at=AT,
                payload=payload.model_dump(mode="json"),
            )
        )
    return messages


def _opened() -> WaveOpened:
    return WaveOpened(
        wave_id=WAVE,
        jurisdiction_id=CITY,
        name="测评",
        agency_id=AG1,
        unit_ids=UNITS,
        actor=ACTOR,
        points=(
            SurveyPoint(code="P-A", name="甲点", jurisdiction_id=COUNTY_A, target=4),
            SurveyPoint(code="P-B", name="乙点", jurisdiction_id=COUNTY_B, target=2),
        ),
        agencies=(AgencyQuota(agency_id=AG1, quota=5), AgencyQuota(agency_id=AG2)),
    )


def _questionnaire(i: int, point: str, flagged: bool = False) -> BatchQuestionnaire:
    return BatchQuestionnaire(
        response_id=q(i),
        questionnaire_id=f"Q{i}",
        survey_point=point,
        collected_at=AT + timedelta(minutes=7 * i),
        row=("满意", "不满意"),
        flags=(Flag(code="burst", detail="短时集中提交"),) if flagged else (),
    )


def _pushed(batch: UUID, agency: UUID, questionnaires: list[BatchQuestionnaire]) -> BatchRecorded:
    return BatchRecorded.of_questionnaires(
        wave_id=WAVE,
        batch_id=batch,
        agency_id=agency,
        part=1,
        parts=1,
        questionnaires=tuple(questionnaires),
    )


def _single(i: int, point: str, agency: UUID | None) -> ResponseRecorded:
    return ResponseRecorded(
        wave_id=WAVE,
        response_id=q(i),
        questionnaire_id=f"Q{i}",
        survey_point=point,
        collected_at=AT,
        row=("基本满意", None),
        agency_id=agency,
    )


def about(i: int) -> dict[str, Any]:
    return {"wave_id": WAVE, "response_id": q(i), "actor": ACTOR}


QUARANTINE = (Flag(code="point_departure", detail="偏离"),)
WITHDRAWN = BatchWithdrawn(
    wave_id=WAVE,
    batch_id=BATCH_3,
    agency_id=AG3,
    response_ids=(q(7), q(8)),
    reason="测评机构弄虚作假",
    actor=ACTOR,
)
ACCREDITED = WaveAgencyAccredited(wave_id=WAVE, agency_id=AG3, quota=3, actor=ACTOR)

STEPS: list[tuple[str, list[IntegrationPayload], tuple[int, ...]]] = [
    (
        "recorded",
        [
            _opened(),
            ACCREDITED,
            _pushed(
                BATCH_1,
                AG1,
                [
                    _questionnaire(1, "P-A"),
                    _questionnaire(2, "P-A"),
                    _questionnaire(3, "P-A", flagged=True),
                    _questionnaire(4, "P-B"),
                ],
            ),
            _single(5, "P-B", AG2),
            _single(6, "P-A", None),
            _pushed(BATCH_3, AG3, [_questionnaire(7, "P-B"), _questionnaire(8, "P-A")]),
        ],
        (7, 1, 0, 0, 0),
    ),
    ("q1 quarantined", [ResponseQuarantined(**about(1), flags=QUARANTINE)], (6, 2, 0, 0, 0)),
    ("q1 released", [ResponseReleased(**about(1), reason="复核无误")], (7, 1, 0, 0, 0)),
    ("q3 rejected", [ResponseRejected(**about(3), reason="复核属实")], (7, 0, 1, 0, 0)),
    ("q5 voided", [ResponseVoided(**about(5), reason="重复录入")], (6, 0, 1, 1, 0)),
    ("丙 withdrawn", [WITHDRAWN], (4, 0, 1, 1, 2)),
    ("q7 released", [ResponseReleased(**about(7), reason="撤回之后")], (4, 0, 1, 1, 2)),
    ("q2 quarantined", [ResponseQuarantined(**about(2), flags=QUARANTINE)], (3, 1, 1, 1, 2)),
]
"""Each step's messages and the wave's questionnaires per status after it, in `STATUSES`'
order (counted, quarantined, rejected, voided, withdrawn)."""
PAYLOADS = [payload for _, payloads, _ in STEPS for payload in payloads]
SURVEY_LOG = numbered("survey", PAYLOADS)
REGISTRY_LOG = numbered(
    "registry",
    [
        PrincipalIssued(
            principal_id=AG1, name="甲调查公司", role="agency", jurisdiction_id=None, key_hash="k1"
        ),
        PrincipalIssued(
            principal_id=AG3, name="丙调查公司", role="agency", jurisdiction_id=None, key_hash="k3"
        ),
    ],
)


def fresh_store() -> MemoryViewStore:
    store = MemoryViewStore()
    store.declare([*WAVE_PROGRESS_VIEW.collections, *SECURITY_VIEW.collections])
    store.setup()
    SECURITY_VIEW.inbox(store, "registry").apply("registry", REGISTRY_LOG)
    return store


def apply(store: MemoryViewStore, messages: Sequence[IntegrationMessage]) -> None:
    WAVE_PROGRESS_VIEW.inbox(store, "survey").apply("survey", messages)


def read(store: MemoryViewStore, counties: set[str] | None = None) -> dict[str, Any]:
    wave = store.get(WAVES, str(WAVE))
    assert wave is not None
    return progress(wave, RegistryView(store), counties)


def statuses(document: dict[str, Any]) -> tuple[int, ...]:
    assert [row["key"] for row in document["by_status"]] == list(STATUSES)
    return tuple(row["count"] for row in document["by_status"])


KEYS = ("received", "collected", "counted", "quarantined", "excluded", "quota")


def agencies(document: dict[str, Any]) -> dict[str, tuple[Any, ...]]:
    return {row["name"]: tuple(row[key] for key in KEYS) for row in document["by_agency"]}
