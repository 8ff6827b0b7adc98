"""The round inputs document: everything a campaign round's scores depend on besides the
scheme, folded from the upstream contract messages (`engine.fold`) and read by the
computation (`engine.compute`).

It is plain JSON (ids, dates and decimals as text), canonical: every list is sorted by its
id and every mapping is keyed by text, so the document, and its digest, depend only on
what each upstream published, in each upstream's own order, never on how the upstreams'
messages were interleaved on their way to scoring. The fold fills in every unit and every
level with zeros where nothing was said, so the computation never guesses a default.
"""

from __future__ import annotations

from typing import NotRequired, TypedDict

LevelCounts = dict[str, int]
"""answer text -> counted questionnaires giving it; every level of the wave's scale is a key
(zeros included), in the scale's order (`shared.contracts.survey.SCALE_LEVELS`)."""


class Window(TypedDict):
    starts_on: str
    ends_on: str


class CampaignFacts(TypedDict):
    campaign_id: str
    name: str
    pattern: str
    """The program pattern's code (`registry.campaign.opened` pattern.code)."""
    jurisdiction_id: str
    round: int
    """1-based: the index into the cycle's round windows."""
    window: Window
    """This round's window (the cycle's `round_windows[round - 1]`)."""
    cycle_starts_on: str
    categories: list[str]


class UnitFacts(TypedDict):
    unit_id: str
    name: str
    """As renamed up to the registry position read."""
    category: str
    """The campaign enrolment's category (not the registration's)."""
    jurisdiction_id: str
    parent_id: str | None
    """Set for sub-units (重点科室/岗位, 基层站所, 窗口): rolled up into the parent."""
    vertical_superior: str | None
    """Set for vertically managed units (垂直管理, seed 002)."""
    status: str
    """active, merged, split or dissolved."""
    enrolled: bool
    """False once withdrawn from the campaign: kept so its facts stay visible, never ranked."""
    key_target: bool


class WaveFacts(TypedDict):
    wave_id: str
    kind: str
    """`shared.contracts.survey.WaveKind` value."""
    scale: str
    """`shared.contracts.survey.Scale` value; four_level for waves opened without a template."""
    name: str
    closed: bool
    unit_ids: list[str]
    """In the wave's own order (the order of a questionnaire's compact row)."""
    panel_size: int
    """Members of a representative panel (0 for other kinds)."""
    groups: dict[str, int]
    """respondent group code -> target percent."""
    points: dict[str, int]
    """survey point code -> target sample."""


class UnitTally(TypedDict):
    """One unit's answers in one wave, from counted questionnaires only."""

    counts: LevelCounts
    by_group: dict[str, LevelCounts]
    """respondent group code ("" when the questionnaire named none) -> counts."""
    by_point: dict[str, LevelCounts]
    """survey point code ("" when none) -> counts."""


class FindingFact(TypedDict):
    finding_id: str
    method: str
    item: str | None
    severity: str | None
    deduction: str | None
    found_on: str
    """The China-time day it was found on (what places it in a round window)."""


class ComplaintFact(TypedDict):
    complaint_id: str
    channel: str
    kind: str
    outcome: str | None
    """verified, partly_verified, unfounded, malicious; None while not concluded."""
    callback: str | None
    received_on: str


class AssessmentFact(TypedDict):
    name: str
    score: str
    maximum: str


class VetoFact(TypedDict):
    veto_id: str
    basis: str
    authority: str


class CancellationFact(TypedDict):
    cancellation_id: str
    reason: str
    decided_by: str


class RectificationFact(TypedDict):
    order_id: str
    status: str
    """The order's status after its last message (`inspection_rectification` status)."""
    escalations: list[str]
    """Escalation steps taken, in order (催办, 通报, 约谈 …)."""
    second_handling: bool
    rerating: str | None
    """满意/基本满意/不满意 from the complainant's or raters' re-rating, if any."""


class TaskFact(TypedDict):
    task_id: str
    kind: str
    completed: bool
    accountability: int
    """Accountability measures recorded against the task."""


class HistoryEntry(TypedDict):
    """An earlier round's published result for the unit (`scoring.round.scored`), oldest
    first: what multi-cycle rules read."""

    campaign_id: str
    round: int
    window_ends_on: str
    grade: str | None
    lists: list[str]
    score: str | None
    carried: NotRequired[dict[str, str]]
    """Added by the computation (s9-compute): the unit result's `carried` of that round
    (component code -> value), figures a scheme carries into the next round (整改落实情况
    满意率 counted in the next cycle, seed 000). The fold copies it from the
    `scoring.round.scored` unit; absent in entries folded before it existed."""


class RoundInputs(TypedDict):
    campaign: CampaignFacts
    units: list[UnitFacts]
    """Every unit ever enrolled in the campaign, sorted by unit_id."""
    waves: list[WaveFacts]
    """Every wave opened for this campaign round, sorted by wave_id."""
    survey: dict[str, dict[str, UnitTally]]
    """wave_id -> unit_id -> tally, for every wave in `waves` and every unit in its
    `unit_ids`."""
    findings: dict[str, list[FindingFact]]
    """unit_id -> findings (withdrawn ones left out, corrected ones as corrected) found
    within the round's window; every unit in `units` is a key."""
    complaints: dict[str, list[ComplaintFact]]
    hotline: dict[str, int]
    """unit_id -> hotline appearances (上线 of the 政风行风热线) within the window."""
    assessments: dict[str, dict[str, AssessmentFact]]
    """unit_id -> component code -> the assessment team's score for this round."""
    vetoes: dict[str, list[VetoFact]]
    """In force (revoked ones left out)."""
    cancellations: dict[str, list[CancellationFact]]
    rectification: dict[str, list[RectificationFact]]
    tasks: dict[str, list[TaskFact]]
    history: dict[str, list[HistoryEntry]]
