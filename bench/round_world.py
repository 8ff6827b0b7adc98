"""A province-scale campaign round as the services would have stored it: each origin's
message bodies (`shared.contracts.wire`), in log order, for `bench.round_replay`.

A half-year 民主评议政风行风 round (seed 000's shape, scored by the shipped Luohe scheme): units
in its two categories (53 : 27, as Luohe's 80), one satisfaction wave of four levels with 16
survey points and three respondent groups, `questionnaires` questionnaires rating every
unit, `findings` findings of unannounced visits, and a fixed number of decisions about
questionnaires (corrections, voids, quarantines, releases, rejections and one withdrawn
batch) whatever the number of questionnaires, so that the replay's memory can be compared
across sizes. Everything is deterministic in `seed`.

Bodies are encoded as the services encode them (`encode_body`); the questionnaires' (the
bulk) from the dict the model would dump, proved byte-identical on a sample.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid5

from pydantic import TypeAdapter

from shared.canonical import message_json
from shared.contracts import IntegrationPayload
from shared.contracts.inspection import FindingRecorded, Severity
from shared.contracts.registry import UnitRegistered
from shared.contracts.registry_campaigns import (
    CampaignOpened,
    Cycle,
    Pattern,
    UnitEnrolled,
    Window,
)
from shared.contracts.survey import (
    Answers,
    BatchWithdrawn,
    Flag,
    RespondentGroup,
    ResponseCorrected,
    ResponseQuarantined,
    ResponseRecorded,
    ResponseRejected,
    ResponseReleased,
    ResponseVoided,
    Scale,
    SurveyPoint,
    TemplateSnapshot,
    WaveClosed,
    WaveOpened,
)
from shared.contracts.wire import encode_body

NS = UUID("9d3c1f0e-5b7a-4e21-8c44-2f6a1b0d9e93")
GOV, PUBLIC = "政府部门及其它机构", "公共服务行业"
ACTOR = "office:省纠风办"
OCCURRED = datetime(2026, 7, 2, 1, 0, tzinfo=UTC)
COLLECTED = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
H1 = Window(starts_on=date(2026, 1, 1), ends_on=date(2026, 6, 30))
H2 = Window(starts_on=date(2026, 7, 1), ends_on=date(2026, 12, 31))
LEVELS = ("满意", "基本满意", "不满意", "不了解")
POINTS = 16
GROUPS = ("服务对象", "监督员", "群众")
BATCH_WITHDRAWN = 200
"""Questionnaires of the one batch that is withdrawn (they are among the decided ones)."""
_DATETIME = TypeAdapter(datetime)

Row = tuple[str, bytes]
"""(topic, message body) of one stored event; its notification id is its place + 1."""


def uid(*parts: object) -> UUID:
    return uuid5(NS, ":".join(map(str, parts)))


@dataclass(frozen=True)
class RoundWorld:
    questionnaires: int
    units: int = 80
    findings: int = 10_000
    decisions: int = 2_000
    seed: int = 9

    @property
    def campaign_id(self) -> UUID:
        return uid("campaign")

    @property
    def unit_ids(self) -> list[UUID]:
        return [uid("unit", n) for n in range(self.units)]

    def category(self, n: int) -> str:
        return GOV if n < round(self.units * 53 / 80) else PUBLIC

    def registry(self) -> Iterator[Row]:
        yield _row(
            CampaignOpened(
                campaign_id=self.campaign_id,
                jurisdiction_id=uid("province"),
                name="2026年度全省民主评议政风行风",
                pattern=Pattern(code="democratic_appraisal", label="民主评议政风行风"),
                cycle=Cycle(
                    length="one_year",
                    rounds="half_year",
                    starts_on=H1.starts_on,
                    ends_on=H2.ends_on,
                    round_windows=(H1, H2),
                ),
                phases=(),
                categories=(GOV, PUBLIC),
                actor=ACTOR,
            ),
            "registry",
        )
        for n, unit_id in enumerate(self.unit_ids):
            unit = UnitRegistered(
                unit_id=unit_id,
                jurisdiction_id=uid("city", n % 17),
                name=f"参评单位{n:03d}",
                short_name=None,
                kind="government_department",
                category=self.category(n),
            )
            yield _row(unit, "registry")
            enrolled = UnitEnrolled(
                campaign_id=self.campaign_id,
                unit_id=unit_id,
                category=self.category(n),
                actor=ACTOR,
            )
            yield _row(enrolled, "registry")

    @property
    def wave_id(self) -> UUID:
        return uid("wave")

    def wave(self) -> WaveOpened:
        return WaveOpened(
            wave_id=self.wave_id,
            jurisdiction_id=uid("province"),
            name="2026年上半年全省问卷测评",
            agency_id=uid("agency"),
            unit_ids=tuple(self.unit_ids),
            actor=ACTOR,
            campaign_id=self.campaign_id,
            round=1,
            template=TemplateSnapshot(
                template_id=uid("template"), version=1, name="满意度问卷", scale=Scale.FOUR_LEVEL
            ),
            points=tuple(
                SurveyPoint(
                    code=f"P{p:02d}",
                    name=f"测评点{p:02d}",
                    jurisdiction_id=uid("city", p),
                    target=100 + 10 * p,
                )
                for p in range(POINTS)
            ),
            groups=tuple(
                RespondentGroup(code=g, name=g, target_percent=pct)
                for g, pct in zip(GROUPS, (50, 25, 25), strict=True)
            ),
        )

    def survey(self) -> Iterator[Row]:
        yield _row(self.wave(), "survey")
        rows = self._row_pool()
        for i in range(self.questionnaires):
            yield "Response.Recorded", self.recording_body(i, rows[i % len(rows)])
        for payload in self._decisions():
            yield _row(payload, "survey")
        yield _row(WaveClosed(wave_id=self.wave_id, actor=ACTOR, reason="测评结束"), "survey")

    def inspection(self) -> Iterator[Row]:
        severities: tuple[Severity, ...] = ("一般", "一般", "较重", "严重")
        for n in range(self.findings):
            finding = FindingRecorded(
                finding_id=uid("finding", n),
                unit_id=self.unit_ids[(n * 7) % self.units],
                method="暗访" if n % 3 else "明察",
                summary="窗口工作人员脱岗，群众等候超过半小时",
                found_at=COLLECTED + timedelta(minutes=13 * n),
                actor="inspector:暗访组",
                severity=severities[n % len(severities)],
            )
            yield _row(finding, "inspection")

    def response_id(self, i: int) -> UUID:
        return uid("response", i)

    def recording(self, i: int, row: list[str | None]) -> dict[str, Any]:
        """The payload `ResponseRecorded(...).model_dump(mode="json")` gives, built directly."""
        flagged = i % 997 == 5
        in_batch = i < BATCH_WITHDRAWN * 3 and i % 3 == 0
        return {
            "agency_id": str(uid("agency")),
            "batch_id": str(uid("batch")) if in_batch else None,
            "channel": "survey_point",
            "collected_at": _DATETIME.dump_python(COLLECTED + timedelta(seconds=i), mode="json"),
            "device": None,
            "dimension_ratings": {},
            "district_id": None,
            "flags": [{"code": "burst", "detail": "同一测评点短时集中提交"}] if flagged else [],
            "group": GROUPS[i % 4 % 3],
            "opinions": [],
            "questionnaire_id": f"SN2026-{i:08d}",
            "ratings": {},
            "recommended_key_targets": [],
            "respondent_id": None,
            "response_id": str(self.response_id(i)),
            "row": row,
            "survey_point": f"P{(i * 5) % POINTS:02d}",
            "wave_id": str(self.wave_id),
        }

    def recording_body(self, i: int, row: list[str | None]) -> bytes:
        return message_json(
            {
                "event_type": ResponseRecorded.event_type,
                "occurred_at": _OCCURRED_TEXT,
                "origin": "survey",
                "payload": self.recording(i, row),
                "schema_version": ResponseRecorded.schema_version,
            }
        )

    def check_recordings(self, sample: int = 50) -> None:
        """The directly built bodies are the ones the contract model would encode."""
        rows = self._row_pool()
        for i in range(min(sample, self.questionnaires)):
            model = ResponseRecorded.model_validate(self.recording(i, rows[i % len(rows)]))
            if encode_body("survey", model, OCCURRED) != self.recording_body(
                i, rows[i % len(rows)]
            ):
                raise AssertionError(f"questionnaire {i}: body differs from the contract's")

    def _row_pool(self) -> list[list[str | None]]:
        """4,093 answer rows; each unit has its own leaning, so units rank apart."""
        rng = random.Random(self.seed)
        leanings = []
        for _ in self.unit_ids:
            satisfied, basic = 0.4 + 0.45 * rng.random(), 0.1 + 0.2 * rng.random()
            leanings.append((satisfied, basic, max(0.02, 1 - satisfied - basic), 0.05))
        pool: list[list[str | None]] = []
        for _ in range(4093):
            pool.append(
                [
                    None if rng.random() < 0.02 else rng.choices(LEVELS, weights)[0]
                    for weights in leanings
                ]
            )
        return pool

    def _decisions(self) -> Iterator[IntegrationPayload]:
        """A fixed number of decisions, spread over the questionnaires."""
        n = min(self.decisions, self.questionnaires // 5)
        wave = self.wave_id
        for k in range(n):
            r = self.response_id((k * 7919 + 11) % self.questionnaires)
            kind = k % 5
            if kind == 0:
                answers = Answers(ratings={self.unit_ids[k % self.units]: "不满意"})
                yield ResponseCorrected(
                    wave_id=wave,
                    response_id=r,
                    version=2,
                    answers=answers,
                    reason="录入错误更正",
                    actor=ACTOR,
                )
            elif kind == 1:
                yield ResponseVoided(wave_id=wave, response_id=r, reason="重复录入", actor=ACTOR)
            elif kind == 2:
                flags = (Flag(code="point_departure", detail="测评点分布异常"),)
                yield ResponseQuarantined(wave_id=wave, response_id=r, flags=flags, actor=ACTOR)
            elif kind == 3:
                # released: one recorded with flags (see `recording`)
                flagged = self.response_id((997 * (k // 5) + 5) % self.questionnaires)
                yield ResponseReleased(
                    wave_id=wave, response_id=flagged, reason="复核无误", actor=ACTOR
                )
            else:
                yield ResponseRejected(wave_id=wave, response_id=r, reason="复核不实", actor=ACTOR)
        if self.questionnaires >= BATCH_WITHDRAWN * 3:
            yield BatchWithdrawn(
                wave_id=wave,
                batch_id=uid("batch"),
                agency_id=uid("agency"),
                response_ids=tuple(self.response_id(i) for i in range(0, BATCH_WITHDRAWN * 3, 3)),
                reason="测评机构弄虚作假",
                actor=ACTOR,
            )


_OCCURRED_TEXT = _DATETIME.dump_python(OCCURRED, mode="json")


def _row(payload: IntegrationPayload, origin: str) -> Row:
    return type(payload).__name__, encode_body(origin, payload, OCCURRED)
