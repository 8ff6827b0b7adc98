"""A province-scale campaign round as the services would have stored it: each origin's
message bodies (`shared.contracts.wire`), in log order, for `bench.round_replay`.

A half-year 民主评议政风行风 round (seed 000's shape, scored by the shipped Luohe scheme): units
in its two categories (53 : 27, as Luohe's 80), one satisfaction wave of four levels with 16
survey points and three respondent groups, `questionnaires` questionnaires rating every
unit, `findings` findings of unannounced visits, and a fixed number of decisions about
questionnaires (corrections, voids, quarantines, releases, rejections and one withdrawn
batch) whatever the number of questionnaires, so that the replay's memory can be compared
across sizes. Everything is deterministic in `seed`.

The questionnaires are stored as the survey records an agency's push since
`survey.batch.recorded`: pushes of `PUSH` questionnaires (the first, the one later
withdrawn, of `BATCH_WITHDRAWN`), each split into parts of at most `PART`, one message a
part (`grain="parts"`); or, as every log before it holds them, one `survey.response.recorded`
v3 message a questionnaire (`grain="single"`). Either way the same questionnaires, decisions
and results.

Bodies are encoded as the services encode them (`encode_body`); the questionnaires' (the
bulk) from the dict the model would dump, proved byte-identical on a sample.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from uuid import UUID

from bench.round_questionnaires import (
    ACTOR,
    BATCH_WITHDRAWN,
    COLLECTED,
    GROUPS,
    NS,
    OCCURRED,
    PART,
    POINTS,
    PUSH,
    Questionnaires,
    Row,
    row_of,
    uid,
)
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
    RespondentGroup,
    Scale,
    SurveyPoint,
    TemplateSnapshot,
    WaveOpened,
)

__all__ = [
    "ACTOR",
    "BATCH_WITHDRAWN",
    "NS",
    "OCCURRED",
    "PART",
    "PUSH",
    "RoundWorld",
    "Row",
    "uid",
]

GOV, PUBLIC = "政府部门及其它机构", "公共服务行业"
H1 = Window(starts_on=date(2026, 1, 1), ends_on=date(2026, 6, 30))
H2 = Window(starts_on=date(2026, 7, 1), ends_on=date(2026, 12, 31))


@dataclass(frozen=True)
class RoundWorld(Questionnaires):
    questionnaires: int
    units: int = 80
    findings: int = 10_000
    decisions: int = 2_000
    seed: int = 9
    grain: str = "parts"
    """"parts": pushes stored as `survey.batch.recorded` parts; "single": one
    `survey.response.recorded` v3 message a questionnaire."""

    @property
    def campaign_id(self) -> UUID:
        return uid("campaign")

    @property
    def unit_ids(self) -> list[UUID]:
        return [uid("unit", n) for n in range(self.units)]

    def category(self, n: int) -> str:
        return GOV if n < round(self.units * 53 / 80) else PUBLIC

    def registry(self) -> Iterator[Row]:
        yield row_of(
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
            yield row_of(unit, "registry")
            enrolled = UnitEnrolled(
                campaign_id=self.campaign_id,
                unit_id=unit_id,
                category=self.category(n),
                actor=ACTOR,
            )
            yield row_of(enrolled, "registry")

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
            yield row_of(finding, "inspection")
