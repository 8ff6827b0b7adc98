"""An accredited agency's quota changed on a wave (调整测评机构配额): the office's command,
and the fact it records. Mixed into `Wave`, which nests a subclass of `QuotaChanged` (so it
is the aggregate's own event, `Wave.QuotaChanged`); kept apart so the aggregate stays small.

A quota is what integrity screening compares each pushed questionnaire's count with (the
agency's questionnaires that stand: recorded, less those voided, rejected or of a withdrawn
batch). So a quota is never lowered below that count: the wave would then hold more of the
agency's questionnaires than it allowed. Raising a quota, or lifting it (`None`), frees
nothing already quarantined as over quota: those wait for the office's review as before."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from services.survey.domain.errors import InvalidWave, QuotaBelowCollected, blank

NO_QUOTA_CHANGE_AFTER_CLOSE = (
    "测评批次已结束，不能再调整配额 (the wave is closed: no quota is changed after its close)"
)


class QuotaChanged(Aggregate.Event):
    """`agency_id`'s quota is `quota` from now on (None: no quota), `previous` before; why
    and by whom."""

    agency_id: UUID
    quota: int | None
    previous: int | None
    reason: str
    actor: str

    def apply(self, aggregate: Any) -> None:
        aggregate.agencies[str(self.agency_id)] = self.quota


class WaveQuotas:
    """The command, on the state `Wave`'s mutators keep."""

    QuotaChanged: type[QuotaChanged]
    agencies: dict[str, int | None]
    accepted_by_agency: dict[str, int]
    freed_by_agency: dict[str, int]

    if TYPE_CHECKING:  # `Wave`'s and the aggregate's; declared so, never shadowed

        def require_open(self, refused: str) -> None: ...

        def trigger_event(self, event_class: Any, **kwargs: Any) -> None: ...

    def standing(self, agency_id: UUID) -> int:
        """How many of the agency's questionnaires stand in the wave, as its quota screening
        counts them (quarantined ones included: they stand until their review)."""
        agency = str(agency_id)
        return self.accepted_by_agency.get(agency, 0) - self.freed_by_agency.get(agency, 0)

    def change_quota(self, agency_id: UUID, quota: int | None, reason: str, actor: str) -> None:
        self.require_open(NO_QUOTA_CHANGE_AFTER_CLOSE)
        agency = str(agency_id)
        if agency not in self.agencies:
            raise InvalidWave(
                "该测评机构未获本次评议认定 (the agency is not accredited to this wave)",
                field="agency_id",
            )
        if not reason.strip():
            raise InvalidWave(blank("the reason", "调整原因"), field="reason")
        previous = self.agencies[agency]
        if quota == previous:
            raise InvalidWave(_unchanged(previous), field="quota")
        _refuse_below_standing(quota, previous, self.standing(agency_id))
        self.trigger_event(
            self.QuotaChanged,
            agency_id=agency_id,
            quota=quota,
            previous=previous,
            reason=reason,
            actor=actor,
        )


def _unchanged(quota: int | None) -> str:
    if quota is None:
        return "该测评机构本就没有配额, 无需调整 (the agency has no quota already)"
    return f"该测评机构的配额已是 {quota} 份, 无需调整 (the agency's quota is {quota} already)"


def _refuse_below_standing(quota: int | None, previous: int | None, standing: int) -> None:
    """A lowered quota must still hold what stands. A quota raised but still under it (the
    agency was over its quota already, the excess quarantined) leaves things no worse."""
    lowered = quota is not None and (previous is None or quota < previous)
    if lowered and quota is not None and quota < standing:
        raise QuotaBelowCollected(
            f"该测评机构已有 {standing} 份问卷计入配额, 配额不能低于此数 "
            f"(the agency has {standing} questionnaire(s) standing against its quota; "
            f"the quota cannot be lowered below that)",
            field="quota",
            standing=standing,
        )
