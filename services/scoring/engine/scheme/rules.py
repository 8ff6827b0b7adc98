"""What a score leads to: overrides, grades, lists, ranking and roll-up rules.

Grades and lists are decided by the same `Condition`: every field given must hold (and at
least one of `any_of`, when given), so a rule reads as one sentence of the scheme. The rules
that tie one part to another (a grade named, a level on the scale) are in `scheme.checks`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field

from services.scoring.engine.scheme.parts import Code, Dec, Part, Share, Words
from shared.contracts.inspection_complaints import ComplaintChannel, ComplaintOutcome
from shared.contracts.inspection_rectification import EscalationStep
from shared.types import JsonBool, JsonInt

PerCategory = JsonInt | dict[str, Annotated[JsonInt, Field(ge=0)]]
"""A count (at least 1), or a count per category ("*" for every other category)."""


class Votes(Part):
    """A majority of a panel's votes (代表测评): the share of members present whose answer
    is one of `levels` is more than `more_than`."""

    component: Code
    """A survey component (the representative evaluation)."""
    levels: tuple[str, ...] = Field(min_length=1)
    more_than: Share = Decimal("0.5")
    present: Literal["answers", "panel"] = "answers"
    """Members present: `answers` counts the questionnaires received for the unit (every
    level, 不了解 included); `panel` the wave's panel size."""


class Condition(Part):
    min_score: Dec | None = None
    """score ≥ this."""
    below_score: Dec | None = None
    """score < this."""
    top: PerCategory | None = None
    """rank ≤ this within the unit's category (ranked units only)."""
    bottom: PerCategory | None = None
    """among the last this many ranked in the category."""
    votes: Votes | None = None
    component_min: dict[Code, Dec] = Field(default_factory=dict)
    component_below: dict[Code, Dec] = Field(default_factory=dict)
    grades: tuple[Words, ...] = ()
    """The grade is one of these (lists only)."""
    consecutive: JsonInt | None = Field(default=None, ge=2)
    """With `grades`: this round's grade and the previous consecutive-1 rounds' grades
    (the last entries of the unit's history) are all in `grades` (lists only)."""
    previously_listed: tuple[Code, ...] = ()
    """The unit's previous round put it on one of these lists (lists only)."""
    overrides: tuple[Code, ...] = ()
    """One of these overrides applied to the unit."""
    rerating: tuple[Literal["满意", "基本满意", "不满意"], ...] = ()
    """A rectification order of the unit was re-rated with one of these."""
    escalation: tuple[EscalationStep, ...] = ()
    """A rectification order of the unit was escalated by one of these steps."""
    sub_unit: JsonBool | None = None
    """The unit is (true) or is not (false) a sub-unit (基层站所, 窗口, 重点科室)."""
    any_of: tuple[Condition, ...] = ()

    def uses_grade(self) -> bool:
        nested = any(c.uses_grade() for c in self.any_of)
        return bool(self.grades or self.consecutive or self.previously_listed) or nested


class GradeRule(Part):
    grade: Words
    name: Words
    """The rule in words, shown with the grade it gives (综合得分90分以上)."""
    when: Condition


class Grading(Part):
    grades: tuple[Words, ...] = Field(min_length=1)
    """Every grade, best first; the last one is the lowest (一票否决)."""
    rules: tuple[GradeRule, ...] = ()
    """Tried in order; the first that holds gives the grade."""
    otherwise: Words | None = None
    otherwise_name: Words = "不符合以上任何一档"

    @property
    def lowest(self) -> str:
        return self.grades[-1]


class Override(Part):
    """A fact that decides the result whatever the score: a veto in force (一票否决), a
    cancellation (取消评议成绩), a verified complaint (投诉属实, seed 003)."""

    code: Code
    name: Words
    when: Literal["veto", "cancellation", "complaint"]
    outcomes: tuple[ComplaintOutcome, ...] = ("verified",)
    """For `complaint`: the outcomes that trigger it."""
    channels: tuple[ComplaintChannel, ...] = ()
    effect: Literal["cancel", "lowest_grade", "grade"]
    """`cancel`: no score, no rank, no grade; `lowest_grade`: the scheme's lowest grade;
    `grade`: the grade named."""
    grade: Words | None = None
    ranked: JsonBool = True
    """Whether the unit keeps its place in the ranking (a cancelled unit never does)."""
    reason: Words
    """Why, in the scheme's words, shown with the result."""


class ListRule(Part):
    """A list a unit is put on (先进单位, 通报批评, 约谈, 整改通知, 示范点 …)."""

    code: Code
    name: Words
    when: Condition
    limit: JsonInt | None = Field(default=None, ge=1)
    """At most this many units, best score first (ties by unit id), across categories."""


class Ranking(Part):
    """Units are ranked within their category, sub-units apart from units, by score
    (highest first); equal scores are compared on `ties` (component values, in order,
    highest first); still equal, `equal` says whether they share the rank or are ordered
    by unit id."""

    ties: tuple[Code, ...] = ()
    equal: Literal["shared", "unit_id"] = "shared"


class SubUnits(Part):
    """How a sub-unit (parent_id set) is scored: with these components of the scheme only,
    their weights renormalised over them. Sub-units are ranked among sub-units."""

    components: tuple[Code, ...] = ()
    """Empty: the scheme's survey components."""


class Vertical(Part):
    """垂直管理 (seed 002): a vertically managed unit with scored sub-units is rated mainly
    by them: score = w × mean(sub-unit scores) + (1 − w) × own score."""

    sub_unit_weight: Share
    name: Words = "垂直管理单位以其基层服务单位的结果为主"


class CarryForward(Part):
    code: Code
    """The component whose value is carried to the next round."""
    name: Words
