"""Published scoring facts: campaign-round results (`scoring.round.scored`).

The first release also published per-wave runs as `scoring.score.computed`. Those runs are
retired (docs/scoring.md): no contract decodes them any more, and consumers pass over such
messages still on a stream or in a log without reading them, as they do any event type they
have no handler for."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from shared.contracts.envelope import IntegrationPayload


class SchemeRef(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    scheme_id: str
    version: int
    scheme_hash: str


class _Part(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ComponentResult(_Part):
    """One component of a unit's round result, with the scheme's words (name, formula)."""

    code: str
    name: str
    source: str
    weight: str
    value: str | None
    """0–100, rounded to the scheme's places; None without data."""
    weighted: str | None
    """What it adds to the score (value × weight, reweighted when a component is missing)."""
    sample: int | None
    interval: tuple[str, str] | None
    inputs: dict[str, Any]
    """The facts and figures behind the value (counts, shares, rate, score, weights …)."""
    formula: str


class DeductionResult(_Part):
    code: str
    name: str
    formula: str
    points: str
    uncapped: str
    cap: str | None
    items: tuple[dict[str, Any], ...]


class OverrideResult(_Part):
    code: str
    name: str
    effect: Literal["cancel", "lowest_grade", "grade"]
    grade: str | None
    ranked: bool
    reason: str
    facts: tuple[dict[str, Any], ...]


class RoundUnitResult(_Part):
    unit_id: UUID
    unit_name: str
    category: str
    jurisdiction_id: UUID
    parent_id: UUID | None
    sub_unit: bool
    status: str
    enrolled: bool
    key_target: bool
    components: tuple[ComponentResult, ...]
    deductions: tuple[DeductionResult, ...]
    overrides: tuple[OverrideResult, ...]
    rollup: dict[str, Any] | None
    """The vertical-management roll-up (垂直管理), when it applied."""
    score: str | None
    interval: tuple[str, str] | None
    valid_sample: int | None
    flags: tuple[str, ...]
    rank: int | None
    rank_range: tuple[int, int] | None
    grade: str | None
    grade_basis: str | None
    lists: tuple[str, ...]
    carried: dict[str, str]
    """Figures carried to the unit's next round (整改落实情况满意率, seed 000)."""
    explanation: str
    result_digest: str


class RoundWindow(_Part):
    starts_on: date
    ends_on: date


class RoundScored(IntegrationPayload):
    """A campaign round's results under one scheme: every unit's components, deductions,
    overrides, score, interval, rank and rank range, grade and lists, as
    the scoring engine's `compute_round` produces them, plus the run's provenance.
    Multi-cycle rules read a unit's earlier rounds back from these messages.

    v2: `engine_revision`, the engine revision the results were computed under (a
    correction of the computation applies from the revision that brings it; replay
    computes a run under its own).

    Added since as optional fields (a reader of v2 without them ignores them; a message
    without them reads their defaults): `list_order`, and the run's `reason` and the final
    it `replaces`."""

    event_type = "scoring.round.scored"
    schema_version = 2
    campaign_id: UUID
    round: int
    pattern: str
    window: RoundWindow
    scheme: SchemeRef
    scheme_title: str
    inputs_digest: str
    grades: tuple[str, ...]
    list_names: dict[str, str]
    units: tuple[RoundUnitResult, ...]
    lists: dict[str, tuple[UUID, ...]]
    results_digest: str
    """Digest of the results document (everything above but itself)."""
    run_id: UUID | None = None
    final: bool = False
    """The round's result as an office declared it (a later final run supersedes it);
    otherwise provisional. Multi-cycle rules read final results only."""
    jurisdiction_id: UUID | None = None
    """The jurisdiction that runs the campaign."""
    upstream_positions: dict[str, int] = Field(default_factory=dict)
    """The position read to in each upstream's log (set by the live service and replay)."""
    engine_revision: int = 1
    """The scoring engine's revision the results were computed under (1: before revisions
    were recorded)."""
    list_order: tuple[str, ...] = ()
    """The scheme's list codes in the order the scheme declares them, as readers show the
    lists (`list_names` and `lists` are objects: their keys travel sorted). Empty in
    messages from before it was carried: their lists are in code order there."""
    reason: str = ""
    """Why the office asked for the run ("" when it gave none); a final that replaced the
    round's earlier final always has one. Empty in messages from before it was carried."""
    replaces: UUID | None = None
    """The final run this final replaced as the round's result (None: a provisional run,
    the round's first final, a run stored before finals recorded it, and every message
    from before it was carried)."""

    @classmethod
    def upcast_from_previous(cls, data: dict[str, Any]) -> dict[str, Any]:
        """A v1 result: computed before engine revisions, that is under the first."""
        return data | {"engine_revision": 1}


class RoundScoredV1(RoundScored):
    """v1: before `engine_revision` (every v1 result was computed under revision 1)."""

    event_type = "scoring.round.scored"
    schema_version = 1
