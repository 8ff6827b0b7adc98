"""Request and response models of round results and their publication."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from shared.contracts.scoring import SchemeRef
from shared.types import Line, Prose


class PublishIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    run_id: UUID = Field(description="The round's final run (scoring's `run_id`)")
    results_digest: Line | None = Field(
        None,
        max_length=100,
        description="When given, must equal the run's results_digest: what the office "
        "checked is what gets published",
    )
    reason: Prose | None = Field(
        None,
        max_length=2000,
        description="Why; required for a correction (a version after the first)",
        examples=["第3名单位得分录入更正"],
    )


class WithdrawIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    reason: Prose = Field(
        min_length=1,
        max_length=2000,
        description="Why the publication is withdrawn (撤回原因); shown to the public",
        examples=["误将第2轮结果作为第1轮发布"],
    )


class WithdrawalOut(BaseModel):
    version: int = Field(description="The version that was in force")
    run_id: UUID
    reason: str
    withdrawn_by: str
    withdrawn_at: str


class WithdrawnOut(WithdrawalOut):
    campaign_id: UUID
    round: int
    status: str = Field("withdrawn", description="withdrawn (已撤回)")


class VersionOut(BaseModel):
    version: int
    run_id: UUID
    results_digest: str
    snapshot_digest: str = Field(description="sha256 of the canonical JSON of the snapshot")
    scheme: SchemeRef
    supersedes: int | None
    reason: str | None
    published_by: str
    published_at: str | None = None
    status: str | None = Field(
        None, description="current (在用), superseded (已更正) or withdrawn (已撤回)"
    )
    withdrawn: WithdrawalOut | None = Field(
        None, description="The withdrawal that took this version out of public view"
    )


class PublishedOut(VersionOut):
    campaign_id: UUID
    round: int


class PublicationOut(BaseModel):
    campaign_id: UUID
    round: int
    jurisdiction_id: UUID
    campaign_name: str | None = None
    version: int | None = Field(
        description="The latest version (in force unless withdrawn); null while nothing of "
        "the round has been published (`versions` is then empty)"
    )
    run_id: UUID | None = Field(description="The latest version's run; null as `version`")
    published_at: str | None = Field(description="The latest version's time; null as `version`")
    versions: list[VersionOut]
    withdrawn: WithdrawalOut | None = Field(
        None, description="The withdrawal in force: nothing of the round is public"
    )
    withdrawals: list[WithdrawalOut] = Field(default_factory=list)


class ShareOut(BaseModel):
    code: str
    name: str
    counts: dict[str, int]
    valid: int
    shares: dict[str, str] | None = Field(
        description="per level in the scale's order, %, rounded as the scheme says; weighted "
        "when `weighting` is not none, and then not count ÷ valid"
    )
    satisfaction_rate: str | None
    weighted_score: str | None
    weighting: str = Field(
        "none",
        description="none, or how the scheme post-stratified the shares: by_point (按测评点) "
        "or by_group (按调查对象); the weights are in the unit's dossier (stratum_weights)",
    )


class EntryOut(BaseModel):
    rank: int | None
    rank_range: tuple[int, int] | None
    unit_id: UUID
    unit_name: str
    category: str
    sub_unit: bool
    status: str
    score: str | None
    interval: tuple[str, str] | None
    grade: str | None
    grade_basis: str | None
    valid_sample: int | None
    flags: list[str]
    lists: list[str]
    insufficient_sample: bool = Field(description="样本不足: shown, but not ranked or graded")
    shares: list[ShareOut]
    result_digest: str


class CategoryOut(BaseModel):
    category: str
    entries: list[EntryOut]


class ListedUnit(BaseModel):
    unit_id: UUID
    unit_name: str
    category: str
    score: str | None
    rank: int | None
    grade: str | None


class NamedList(BaseModel):
    code: str
    name: str = Field(examples=["政风行风建设先进单位"])
    units: list[ListedUnit]


class ResultsOut(BaseModel):
    campaign_id: UUID
    campaign_name: str | None
    round: int
    run_id: UUID
    final: bool
    reason: str = Field("", description='Why the office asked for the run ("" when it gave none)')
    replaces: UUID | None = Field(
        None, description="The final run this final replaced as the round's result"
    )
    jurisdiction_id: UUID | None
    pattern: str
    window: dict[str, str]
    scheme: SchemeRef
    scheme_title: str
    grades: list[str]
    list_names: dict[str, str]
    inputs_digest: str
    results_digest: str
    upstream_positions: dict[str, int]
    computed_at: str
    position: int = Field(description="Position of the run's message in scoring's log")
    categories: list[CategoryOut]
    lists: list[NamedList]
    grade_counts: dict[str, int]
    publication: PublicationOut | None = Field(
        None, description="The round's publication, when it has been published"
    )


class PublishedResultsOut(ResultsOut):
    published: VersionOut = Field(description="The published version shown")


class RunSummary(BaseModel):
    run_id: UUID
    final: bool
    reason: str = Field("", description="Why the office asked for the run")
    replaces: UUID | None = Field(None, description="The final run this final replaced")
    position: int
    computed_at: str
    results_digest: str
    scheme: SchemeRef


class RoundOut(BaseModel):
    campaign_id: UUID
    round: int
    jurisdiction_id: UUID | None
    current_run_id: UUID
    final_run_id: UUID | None
    runs: list[RunSummary]
    published_version: int | None = Field(description="In force; null when withdrawn")
    published_run_id: UUID | None
    withdrawn: WithdrawalOut | None = None


class DossierRound(BaseModel):
    round: int
    run_id: UUID
    result: dict[str, Any] = Field(
        description="Everything scoring computed for the unit: components with their inputs, "
        "deductions, overrides, roll-up, interval, flags, rank, grade, lists, explanation"
    )


class TrendPoint(BaseModel):
    round: int
    score: str | None
    interval: tuple[str, str] | None
    rank: int | None
    rank_range: tuple[int, int] | None
    grade: str | None
    lists: list[str]
    flags: list[str]


class CyclePoint(TrendPoint):
    campaign_id: UUID
    campaign_name: str
    label: str = Field(examples=["2026年第1轮"])
    run_id: UUID
    category: str
    insufficient_sample: bool


class WithdrawnRound(BaseModel):
    """A round of the campaign withdrawn from public view (撤回): when and why."""

    round: int
    withdrawn_at: str
    reason: str


class Cycle(BaseModel):
    """One campaign of the program (a cycle) and the unit's results in its rounds."""

    campaign_id: UUID
    campaign_name: str
    starts_on: str
    ends_on: str
    current: bool = Field(description="The campaign this dossier is of")
    rounds: list[CyclePoint]
    withdrawn: list[WithdrawnRound] = Field(
        default_factory=list,
        description="Published rounds since withdrawn (撤回), on the public routes: not shown",
    )


class DossierOut(BaseModel):
    campaign_id: UUID
    campaign_name: str | None
    unit_id: UUID
    unit_name: str
    category: str
    rounds: list[DossierRound]
    trend: list[TrendPoint]
    cycles: list[Cycle] = Field(
        default_factory=list,
        description="历次评议: the campaigns of the same program (same jurisdiction and "
        "pattern), oldest first, with the unit's results in the rounds the caller may see",
    )
    withdrawn: list[WithdrawnRound] = Field(
        default_factory=list,
        description="The campaign's published rounds since withdrawn (撤回), on the public "
        "routes: their results are not among `rounds`",
    )


class PublishedRoundOut(BaseModel):
    campaign_id: UUID
    campaign_name: str | None
    round: int
    jurisdiction_id: UUID
    version: int
    run_id: UUID
    published_at: str
    status: str = Field("current", description="current (在用) or withdrawn (已撤回)")
    withdrawn: WithdrawalOut | None = None
