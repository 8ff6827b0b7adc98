"""Two survey logs that say the same thing: in one, each push comes as `survey.batch.recorded`
parts; in the other, each of its questionnaires comes as its own `survey.response.recorded`
v3 (the form of logs written before parts). A public vote sits between the pushes, and
decisions follow: quarantine, release, rejection, void, correction, a batch withdrawn (also
of questionnaires already rejected), an agency accredited and the close.

A questionnaire published as v2 by an older producer sits there too.

The v3 messages are built from the questionnaires' fields directly, not with
`BatchRecorded.responses()`, so a view that reads parts through that method is compared
with what the contract says a part means, not with itself. View tests apply both logs and
require the same documents (`applied`)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid5

import pytest

from shared.contracts import IntegrationMessage, IntegrationPayload
from shared.contracts.survey import (
    SCALE_LEVELS,
    Answers,
    BatchWithdrawn,
    Channel,
    EnrolledUnit,
    Flag,
    Opinion,
    RespondentGroup,
    ResponseCorrected,
    ResponseQuarantined,
    ResponseRecorded,
    ResponseRecordedV2,
    ResponseRejected,
    ResponseReleased,
    ResponseVoided,
    Scale,
    SurveyPoint,
    TemplateSnapshot,
    WaveAgencyAccredited,
    WaveClosed,
    WaveOpened,
)
from shared.contracts.survey_batch import BatchQuestionnaire, BatchRecorded, row_chars
from shared.views import MemoryViewStore, PostgresViewStore, SQLiteViewStore, ViewStore
from shared.views.model import View

NS = UUID("9d4f5b0e-3c2a-4e8b-a1f6-7b2c0d9e8a41")
ACTOR = "office:漯河市纠风办"
OCCURRED = datetime(2026, 5, 20, 2, 0, tzinfo=UTC)
COLLECTED = datetime(2026, 5, 18, 1, 30, tzinfo=UTC)
UPSTREAM = "survey"


def uid(name: str) -> UUID:
    return uuid5(NS, name)


WAVE = uid("wave")
CITY, COUNTY_A, COUNTY_B = uid("漯河市"), uid("郾城区"), uid("召陵区")
AGENCY, LATE_AGENCY = uid("agency:甲"), uid("agency:乙")
UNITS = [uid(f"unit:{name}") for name in ("公安局", "教育局", "供电公司", "人民医院")]
POINTS = ("郾城区政务服务中心", "召陵区供电营业厅", "未登记的点", None)
CHANNELS = (Channel.SURVEY_POINT, Channel.PAPER, Channel.PHONE, None)
GROUPS = ("服务对象", "群众", "未声明的组", None)
LEVELS = ("满意", "基本满意", "不满意", "不了解", None)
PUSHES = (("batch:1", AGENCY, range(0, 40), 16), ("batch:2", LATE_AGENCY, range(40, 52), 12))
"""(batch, agency, questionnaires, questionnaires per part): the first push in three parts,
each with several questionnaires of one place (point, channel, group, status)."""
VOTE = 52
"""A public vote: a single questionnaire of no agency and no batch."""
OLD = 53
"""A questionnaire as an older producer published it (v2: ratings keyed by unit, no row)."""


def response(i: int) -> UUID:
    return uid(f"response:{i}")


def questionnaire(i: int) -> dict[str, Any]:
    """Questionnaire i as a part carries it: points, channels and groups declared, undeclared
    and missing; a row with unrated units; every fifth flagged at intake."""
    return {
        "response_id": response(i),
        "questionnaire_id": f"LH-{i:04d}",
        "survey_point": POINTS[i % 4],
        "collected_at": COLLECTED + timedelta(minutes=7 * i),
        "row": tuple(LEVELS[(i + j) % 5] for j in range(len(UNITS))),
        "dimension_ratings": {UNITS[0]: {"服务态度": LEVELS[i % 4]}} if i % 2 else {},
        "opinions": (Opinion(unit_id=UNITS[1], text=f"意见{i}"),) if i % 3 == 0 else (),
        "recommended_key_targets": (UNITS[2],) if i % 4 == 1 else (),
        "channel": CHANNELS[i % 4],
        "group": GROUPS[(i // 2) % 4],
        "district_id": COUNTY_B if i % 3 == 2 else None,
        "device": f"评价器-{i}" if i % 5 == 4 else None,
        "respondent_id": uid(f"respondent:{i}") if i % 6 == 5 else None,
        "flags": (Flag(code="burst", detail="短时集中提交"),) if i % 5 == 3 else (),
    }


class Log:
    """Survey's published messages, numbered as its notification log would number them."""

    def __init__(self) -> None:
        self.messages: list[IntegrationMessage] = []

    def __call__(self, payload: IntegrationPayload) -> None:
        previous = self.messages[-1].position if self.messages else None
        position = (previous or 0) + 3  # room for events that publish nothing
        self.messages.append(
            IntegrationMessage(
                event_id=IntegrationMessage.event_id_for(UPSTREAM, position),
                event_type=payload.event_type,
                schema_version=payload.schema_version,
                origin=UPSTREAM,
                position=position,
                previous_position=previous,
                occurred_at=OCCURRED,
                payload=payload.model_dump(mode="json"),
            )
        )


def opened() -> WaveOpened:
    return WaveOpened(
        wave_id=WAVE,
        jurisdiction_id=CITY,
        name="2026年上半年民主评议问卷测评",
        agency_id=AGENCY,
        unit_ids=tuple(UNITS),
        actor=ACTOR,
        campaign_id=uid("campaign"),
        round=1,
        template=TemplateSnapshot(
            template_id=uid("template"), version=1, name="测评表", scale=Scale.FOUR_LEVEL
        ),
        units=tuple(EnrolledUnit(unit_id=u, name=str(u)[:8], category="政府部门") for u in UNITS),
        channels=(Channel.SURVEY_POINT, Channel.PAPER),
        points=(
            SurveyPoint(code=POINTS[0], name=POINTS[0], jurisdiction_id=COUNTY_A, target=6),
            SurveyPoint(code=POINTS[1], name=POINTS[1], jurisdiction_id=COUNTY_B, target=4),
        ),
        groups=(
            RespondentGroup(code="服务对象", name="服务对象", target_percent=60),
            RespondentGroup(code="群众", name="群众", target_percent=40),
        ),
    )


LEVEL_ORDERS: dict[str, tuple[str, ...] | None] = {
    "first_seen": None,
    "scale": SCALE_LEVELS[Scale.FOUR_LEVEL],
    "long": tuple(str(n) for n in range(101)) + SCALE_LEVELS[Scale.FOUR_LEVEL],
}
"""What a part's codes stand for: its answers in order of first appearance (a v1 part
upcast), the wave's scale (today's producer), or a long list where the answers' codes are
Latin-1 letters past a hundred levels never answered."""


def recoded(part: BatchRecorded, levels: Sequence[str]) -> BatchRecorded:
    """The same part with its rows' codes standing for `levels` (every answer among them)."""
    chars = row_chars(levels)
    rows = ["".join(chars[a] for a in part.row_answers(i)) for i in range(len(part.rows))]
    return BatchRecorded.model_validate(
        part.model_dump() | {"levels": tuple(levels), "rows": tuple(rows)}
    )


def _parts(
    batch: str, agency: UUID, items: Sequence[int], size: int, levels: Sequence[str] | None
) -> list[BatchRecorded]:
    chunks = [items[start : start + size] for start in range(0, len(items), size)]
    parts = [
        BatchRecorded.of_questionnaires(
            wave_id=WAVE,
            batch_id=uid(batch),
            agency_id=agency,
            part=number,
            parts=len(chunks),
            questionnaires=tuple(BatchQuestionnaire(**questionnaire(i)) for i in chunk),
        )
        for number, chunk in enumerate(chunks, start=1)
    ]
    return parts if levels is None else [recoded(part, levels) for part in parts]


def _singles(batch: str, agency: UUID, items: Sequence[int]) -> list[ResponseRecorded]:
    shared: dict[str, Any] = {"wave_id": WAVE, "batch_id": uid(batch), "agency_id": agency}
    return [ResponseRecorded(**questionnaire(i), **shared) for i in items]


def _decisions() -> list[IntegrationPayload]:
    def about(i: int) -> dict[str, Any]:
        return {"wave_id": WAVE, "response_id": response(i), "actor": ACTOR}

    corrected = Answers(ratings={UNITS[0]: "不满意", UNITS[3]: "满意"})
    withdrawn = [response(i) for i in PUSHES[1][2]]
    return [
        ResponseQuarantined(**about(0), flags=(Flag(code="point_departure", detail="偏离"),)),
        ResponseReleased(**about(3), reason="复核无误"),
        ResponseRejected(**about(8), reason="复核属实"),
        ResponseVoided(**about(1), reason="重复录入"),
        ResponseCorrected(**about(2), version=2, answers=corrected, reason="录入错误更正"),
        ResponseCorrected(**about(0), version=2, answers=corrected, reason="录入错误更正"),
        BatchWithdrawn(
            wave_id=WAVE,
            batch_id=uid(PUSHES[1][0]),
            agency_id=LATE_AGENCY,
            response_ids=tuple(withdrawn),
            reason="测评机构弄虚作假",
            actor=ACTOR,
        ),
        ResponseReleased(**about(43), reason="撤回之后的复核不改变结果"),
        WaveClosed(wave_id=WAVE, actor=ACTOR, reason="回收结束", questionnaires=54, batches=2),
    ]


def _push(
    batch: str,
    agency: UUID,
    items: Sequence[int],
    size: int,
    parts: bool,
    levels: Sequence[str] | None = None,
) -> list[Any]:
    if parts:
        return _parts(batch, agency, items, size, levels)
    return _singles(batch, agency, items)


def pushed(*, parts: bool, levels: Sequence[str] | None = None) -> list[IntegrationPayload]:
    """Every push, as batch parts (`parts`, their codes standing for `levels` where given)
    or as one v3 message per questionnaire."""
    return [payload for push in PUSHES for payload in _push(*push, parts, levels)]


def numbered(payloads: Sequence[IntegrationPayload]) -> list[IntegrationMessage]:
    log = Log()
    for payload in payloads:
        log(payload)
    return log.messages


def survey_log(*, parts: bool, levels: Sequence[str] | None = None) -> list[IntegrationMessage]:
    """The story with each push as batch parts (`parts`, their codes standing for `levels`
    where given) or one v3 message per questionnaire: the wave opened, an agency accredited,
    the pushes with a public vote between them, then the decisions."""
    first, second = (_push(*push, parts, levels) for push in PUSHES)
    vote = ResponseRecorded(**questionnaire(VOTE), wave_id=WAVE)
    old = questionnaire(OLD)
    ratings = {unit: answer for unit, answer in zip(UNITS, old.pop("row"), strict=True) if answer}
    older = ResponseRecordedV2(**old, wave_id=WAVE, ratings=ratings)
    accredited = WaveAgencyAccredited(wave_id=WAVE, agency_id=LATE_AGENCY, quota=None, actor=ACTOR)
    return numbered([opened(), accredited, *first, vote, older, *second, *_decisions()])


def applied(
    store: ViewStore, view: View, messages: Sequence[IntegrationMessage], chunk: int = 200
) -> list[tuple[str, str, str]]:
    """Apply `messages` to `view` in `store` as its consumer would (`chunk` messages a
    transaction); every document of the view, as stored."""
    store.declare(view.collections)
    store.setup()
    inbox = view.inbox(store, UPSTREAM)
    for start in range(0, len(messages), chunk):
        inbox.apply(UPSTREAM, messages[start : start + chunk])
    assert store.last_position(view.name, UPSTREAM) == messages[-1].position
    return list(store.dump(view.collection_names))


STORES = ["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.infra)]
"""The kinds of view store to compare the two logs on."""


@contextmanager
def store_pair(
    request: pytest.FixtureRequest, kind: str, tmp_path: Path
) -> Iterator[list[ViewStore]]:
    """Two empty view stores of `kind` (one of STORES): one per log."""
    if kind == "memory":
        made: list[ViewStore] = [MemoryViewStore(), MemoryViewStore()]
    elif kind == "sqlite":
        made = [SQLiteViewStore(tmp_path / f"views{n}.sqlite") for n in range(2)]
    else:
        url = request.getfixturevalue("database_url")
        made = [PostgresViewStore(url, f"views{n}") for n in range(2)]
    try:
        yield made
    finally:
        for store in made:
            store.close()
