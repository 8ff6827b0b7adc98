"""The components of a composite score: one per source the scheme names, each giving a
value on 0–100 that is weighted into the unit's score."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field

from services.scoring.engine.scheme.parts import (
    Code,
    DeductionRule,
    Part,
    Points,
    Share,
    Words,
)
from shared.contracts.survey import SCALE_LEVELS, Scale, WaveKind
from shared.types import JsonInt

WhenMissing = Literal["exclude", "zero", "no_score"]


class _Component(Part):
    code: Code
    name: Words
    weight: Share
    """Share of the composite (all weights sum to 1; 0 for a figure measured and shown, or
    carried forward, but not counted this round)."""
    formula: Words
    """How the value is worked out, in plain Chinese."""
    when_missing: WhenMissing = "exclude"
    """Without data: `exclude` drops the component and reweights the rest over what is
    there (shown with the result); `zero` counts it as 0; `no_score` leaves the unit
    without a score."""


class SurveyComponent(_Component):
    """Questionnaires of one wave kind on one scale. Two figures are always worked out and
    shown, kept apart: the satisfaction rate (the share of `satisfied` levels among valid
    answers, `excluded` levels such as 不了解 not valid) and the weighted score (mean level
    weight); `measure` says which one is the component's value."""

    source: Literal["survey"]
    wave_kind: WaveKind
    scale: Scale
    level_weights: dict[str, Points] = Field(default_factory=dict)
    """Points (0–100) per level of the scale; for numeric scales leave empty and set
    numeric_factor. Which levels and what bounds: `scheme.checks`."""
    numeric_factor: Points | None = None
    """Numeric scales (0–10, 百分制): a level's points are its number times this."""
    excluded: tuple[str, ...] = ()
    satisfied: tuple[str, ...] = ()
    measure: Literal["weighted_score", "satisfaction_rate"] = "weighted_score"
    min_sample: JsonInt = Field(default=0, ge=0)
    """Below this many valid questionnaires the unit is flagged 样本不足 and not ranked or
    graded as if comparable."""
    weighting: Literal["none", "by_group", "by_point"] = "none"
    """Post-stratification to the wave's target shares of respondent groups or survey
    points (proportional sampling)."""

    def weights(self) -> dict[str, Decimal]:
        """Points per valid level, in the scale's order."""
        if self.numeric_factor is not None and not self.level_weights and self.numeric():
            return {
                level: Decimal(level) * self.numeric_factor
                for level in SCALE_LEVELS[self.scale]
                if level not in self.excluded
            }
        return {
            lv: self.level_weights[lv]
            for lv in SCALE_LEVELS[self.scale]
            if lv in self.level_weights
        }

    def numeric(self) -> bool:
        """Whether the scale's levels are numbers (0–10, 百分制)."""
        return all(level.isdigit() for level in SCALE_LEVELS[self.scale])


class AssessmentComponent(_Component):
    """The assessment team's score (考核组评分) for `assessment_code`, as score/maximum×100."""

    source: Literal["assessment"]
    assessment_code: Code


class HotlineComponent(_Component):
    """Appearances on the conduct hotline (政风行风热线上线): base + points per appearance,
    at most `maximum`."""

    source: Literal["hotline"]
    base: Points = Decimal(0)
    per_appearance: Points
    maximum: Points = Decimal(100)


class TallyComponent(_Component):
    """Starts from `base` and loses what its rules deduct (明察暗访, 日常工作): never below 0."""

    source: Literal["tally"]
    base: Points = Decimal(100)
    rules: tuple[DeductionRule, ...] = Field(min_length=1)


class TasksComponent(_Component):
    """Share of supervised tasks completed (督办任务完成率) ×100; no tasks: missing."""

    source: Literal["tasks"]


class RectificationComponent(_Component):
    """Share of re-rated rectification orders judged `satisfied` ×100; none re-rated:
    missing."""

    source: Literal["rectification"]
    satisfied: tuple[Literal["满意", "基本满意", "不满意"], ...] = ("满意", "基本满意")


class SubUnitsComponent(_Component):
    """Mean score of the unit's scored sub-units (parent_id = this unit) in `categories`
    (empty: every sub-unit): 重点科室和重点岗位, 基层站所和窗口单位 (seed 000)."""

    source: Literal["sub_units"]
    categories: tuple[Words, ...] = ()


class CarriedComponent(_Component):
    """A figure the unit's previous round carried forward (its last history entry's
    `carried[carried_code]`): 整改落实情况满意率 counted in the next cycle (seed 000)."""

    source: Literal["carried"]
    carried_code: Code


Component = Annotated[
    SurveyComponent
    | AssessmentComponent
    | HotlineComponent
    | TallyComponent
    | TasksComponent
    | RectificationComponent
    | SubUnitsComponent
    | CarriedComponent,
    Field(discriminator="source"),
]
