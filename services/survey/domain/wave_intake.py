"""What each agency brought into a wave at intake: its batches accepted and, of its
questionnaires, how many went to quarantine as they were accepted. Mixed into `Wave`, whose
`BatchAccepted` mutator counts them (every `BatchAccepted` ever stored names its agency, so
folding a wave's events always gives them); kept apart so the aggregate stays small.

They are the wave's `batches` and `quarantined` restricted to one agency, kept so that an
agency reads its own figures (`agency_wave_out`) and never the whole wave's, from which the
whole less its own would give a competitor's. Like the whole wave's, they only grow: a
withdrawn batch, a released or rejected questionnaire is still counted as it came in.

A wave's snapshot taken before they were kept (`Wave` v2) names no agency for its batches.
When at most one agency had pushed by then, every batch and quarantine it counted is that
agency's and the counts are exact; otherwise they are not known (None) until the wave is
folded from its events alone (`WaveCommands.wave_counted_per_agency`)."""

from __future__ import annotations

from typing import Any


class WaveIntake:
    """The counts, on the state `Wave`'s mutators keep."""

    accepted_by_agency: dict[str, int]
    batches_by_agency: dict[str, int] | None
    quarantined_by_agency: dict[str, int] | None

    def _count_intake(self, agency: str, quarantined: int) -> None:
        """One batch of `agency` accepted, `quarantined` of its questionnaires quarantined
        at intake. A mutator's part: it never refuses. Unknown counts (an old snapshot's)
        stay unknown: adding to them would give a figure short of the agency's."""
        if self.batches_by_agency is not None:
            self.batches_by_agency[agency] = self.batches_by_agency.get(agency, 0) + 1
        if self.quarantined_by_agency is not None:
            self.quarantined_by_agency[agency] = (
                self.quarantined_by_agency.get(agency, 0) + quarantined
            )

    @property
    def counted_per_agency(self) -> bool:
        """Whether the per-agency intake counts are known (see the module)."""
        return self.batches_by_agency is not None and self.quarantined_by_agency is not None

    def intake_of(self, agency: str) -> tuple[int, int] | None:
        """The agency's batches accepted and questionnaires quarantined at intake; None when
        not known (a snapshot from before they were kept, several agencies having pushed)."""
        if self.batches_by_agency is None or self.quarantined_by_agency is None:
            return None
        return self.batches_by_agency.get(agency, 0), self.quarantined_by_agency.get(agency, 0)


def upcast_intake(state: dict[str, Any]) -> None:
    """A v2 snapshot's state, given the per-agency intake counts it can tell: every agency
    that pushed has a line in `accepted_by_agency` (a batch adds one even of nothing
    accepted), so with at most one there, the whole wave's counts are its own."""
    pushed = list(state.get("accepted_by_agency", {}))
    if len(pushed) > 1:
        state["batches_by_agency"] = state["quarantined_by_agency"] = None
        return
    batches, quarantined = state.get("batches", 0), state.get("quarantined", 0)
    state["batches_by_agency"] = {agency: batches for agency in pushed}
    state["quarantined_by_agency"] = {agency: quarantined for agency in pushed}
