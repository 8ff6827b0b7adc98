"""What a wave's opening fixed, as read from its `setup`: its campaign round, kind,
template and scale, units, window, channels, points, groups, panel, publicity and integrity
rules. No event after the opening changes any of it (`Wave.OPENING_FACTS`). Also its
agencies' quotas, which are no opening fact: an accreditation adds one, a quota change
(`wave_quotas`) changes one. Mixed into `Wave`; kept apart so the aggregate reads as its
events."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from services.survey.domain.canonical import CANONICAL_IDS
from services.survey.domain.templates import BUILTIN_TEMPLATE
from shared.contracts.survey import (
    SCALE_LEVELS,
    AgencyQuota,
    Channel,
    EnrolledUnit,
    IntegrityRules,
    RespondentGroup,
    SurveyPoint,
    TemplateSnapshot,
    WaveKind,
)


class WaveSetup:
    """Reading `setup` (and `agencies`), which `Wave`'s mutators set."""

    setup: dict[str, Any]
    agencies: dict[str, int | None]

    @property
    def campaign_id(self) -> UUID | None:
        value = self.setup.get("campaign_id")
        return None if value is None else UUID(str(value))

    @property
    def round(self) -> int | None:
        value: int | None = self.setup.get("round")
        return value

    @property
    def kind(self) -> WaveKind:
        return WaveKind(self.setup.get("kind", WaveKind.SATISFACTION_SURVEY.value))

    @property
    def template(self) -> TemplateSnapshot:
        raw = self.setup.get("template")
        return BUILTIN_TEMPLATE if raw is None else TemplateSnapshot.model_validate(raw)

    @property
    def levels(self) -> frozenset[str]:
        return frozenset(SCALE_LEVELS[self.template.scale])

    @property
    def units(self) -> tuple[EnrolledUnit, ...]:
        return tuple(EnrolledUnit.model_validate(u) for u in self.setup.get("units", ()))

    @property
    def opens_at(self) -> datetime | None:
        return _moment(self.setup.get("opens_at"))

    @property
    def closes_at(self) -> datetime | None:
        return _moment(self.setup.get("closes_at"))

    @property
    def channels(self) -> tuple[Channel, ...]:
        return tuple(Channel(c) for c in self.setup.get("channels", ()))

    @property
    def points(self) -> tuple[SurveyPoint, ...]:
        return tuple(SurveyPoint.model_validate(p) for p in self.setup.get("points", ()))

    @property
    def groups(self) -> tuple[RespondentGroup, ...]:
        return tuple(RespondentGroup.model_validate(g) for g in self.setup.get("groups", ()))

    @property
    def panel(self) -> frozenset[str]:
        return frozenset(str(p) for p in self.setup.get("panel", ()))

    @property
    def public(self) -> bool:
        return bool(self.setup.get("public", False))

    @property
    def voter_check(self) -> str | None:
        """What a public vote must carry besides the number (`VoterCheck`): as the wave was
        opened, `none` for a public wave opened before waves chose (their votes were never
        verified); None for a private wave."""
        if not self.public:
            return None
        return str(self.setup.get("voter_check", "none"))

    @property
    def canonical_ids(self) -> bool:
        """Whether every questionnaire id stored in the wave is canonical (`canonical_id`):
        true of waves opened since ids are made so; an older wave may hold ids as typed."""
        return self.setup.get("questionnaire_ids") == CANONICAL_IDS

    @property
    def integrity(self) -> IntegrityRules:
        raw = self.setup.get("integrity")
        return IntegrityRules() if raw is None else IntegrityRules.model_validate(raw)

    def agency_quotas(self) -> tuple[AgencyQuota, ...]:
        return tuple(
            AgencyQuota(agency_id=UUID(agency), quota=quota)
            for agency, quota in self.agencies.items()
        )


def _moment(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))
