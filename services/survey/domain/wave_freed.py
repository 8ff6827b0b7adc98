"""What stopped standing in a wave: questionnaires voided or rejected one by one, or every
one of a withdrawn batch, free their agency's and their points' quotas (`QuotaFreed`), so
integrity screening counts them no more (docs/survey-integrity.md). The command, the fact it
records and what the wave keeps of it. Mixed into `Wave`, which nests a subclass of
`QuotaFreed` (so it is the aggregate's own event, stored as `Wave.QuotaFreed` as before);
kept apart so the aggregate stays small.

The wave keeps counts, per agency, per point and per batch until the batch's withdrawal,
never an id per questionnaire, except the questionnaires that v1 events voided
(`voided_one_by_one`): a later withdrawal of their batch must not free them a second time."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.domain import Aggregate


class QuotaFreed(Aggregate.Event):
    """`count` questionnaires of `agency_id` stopped standing — voided or rejected one
    by one (`batch_id`: the batch each came in, None for one recorded on its own), or
    every one of a withdrawn batch that still stood (`batch_id`: that batch) — so they
    use up their agency's and their points' quotas no more (docs/survey-integrity.md).

    v2 names counts and the batch, not each questionnaire: the wave keeps what it freed
    per batch until the batch's withdrawal, never an id per questionnaire. v1 named
    every questionnaire freed (`response_ids`) and no batch; a v1 void's questionnaire
    is kept in `voided_ids` (a v2 event's is empty), so a later withdrawal of its batch
    still frees it no second time."""

    class_version = 2
    agency_id: UUID
    by_point: dict[str, int]
    count: int
    batch_id: UUID | None
    why: str
    voided_ids: list[str]

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        ids = list(state.pop("response_ids"))
        state["count"] = len(ids)
        state["batch_id"] = None
        state["voided_ids"] = ids if state["why"] == "voided" else []

    def apply(self, aggregate: Any) -> None:
        aggregate._count_freed(
            str(self.agency_id), self.by_point, self.count, self.batch_id, self.why
        )
        aggregate.voided_one_by_one.update(dict.fromkeys(self.voided_ids, "voided"))


class WaveFreed:
    """The command and the counts, on the state `Wave`'s mutators keep."""

    QuotaFreed: type[QuotaFreed]
    freed_by_agency: dict[str, int]
    freed_by_point: dict[str, int]
    freed_in_batch: dict[str, dict[str, Any]]
    voided_one_by_one: dict[str, str]

    if TYPE_CHECKING:  # the aggregate's; declared so, never shadowed

        def trigger_event(self, event_class: Any, **kwargs: Any) -> None: ...

    def free_quota(
        self,
        agency_id: UUID,
        by_point: dict[str, int],
        count: int,
        batch_id: UUID | None,
        why: str,
    ) -> None:
        """`count` questionnaires of `agency_id` (`by_point`: how many at each point) stopped
        standing (`why`: voided, rejected, withdrawn), of batch `batch_id` (None: recorded on
        its own). A withdrawal names only its batch's questionnaires that still stood
        (`freed_before_withdrawal`). Taken after the close too: the decision is about the
        questionnaires."""
        # A withdrawal that frees nothing more still ends what its batch freed one by one.
        if count or (why == "withdrawn" and str(batch_id) in self.freed_in_batch):
            self.trigger_event(
                self.QuotaFreed,
                agency_id=agency_id,
                by_point=by_point,
                count=count,
                batch_id=batch_id,
                why=why,
                voided_ids=[],
            )

    def _count_freed(
        self, agency: str, by_point: dict[str, int], count: int, batch_id: UUID | None, why: str
    ) -> None:
        """`QuotaFreed`'s mutator's part: it never refuses."""
        self.freed_by_agency[agency] = self.freed_by_agency.get(agency, 0) + count
        for point, n in by_point.items():
            self.freed_by_point[point] = self.freed_by_point.get(point, 0) + n
        if batch_id is not None and why == "withdrawn":
            # Nothing of a withdrawn batch is freed again: what it freed one by one is done.
            self.freed_in_batch.pop(str(batch_id), None)
        elif batch_id is not None:
            freed = self.freed_in_batch.setdefault(str(batch_id), {"count": 0, "by_point": {}})
            freed["count"] += count
            for point, n in by_point.items():
                freed["by_point"][point] = freed["by_point"].get(point, 0) + n

    def freed(self) -> tuple[dict[str, int], dict[str, int]]:
        """How many questionnaires stopped standing so far, per agency and per point."""
        return self.freed_by_agency, self.freed_by_point

    def freed_before_withdrawal(self, batch_id: UUID) -> tuple[int, dict[str, int]]:
        """How many of the batch's questionnaires were freed one by one (voided, rejected)
        by v2 events, and at which points: its withdrawal frees the rest."""
        freed = self.freed_in_batch.get(str(batch_id), {"count": 0, "by_point": {}})
        return int(freed["count"]), dict(freed["by_point"])
