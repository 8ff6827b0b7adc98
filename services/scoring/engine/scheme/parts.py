"""The building blocks of a scheme document: arithmetic, statistics, and the rules that
deduct points (shared by components that start from a base and by the composite).

Every model is frozen and forbids unknown keys, so a misspelt key is an error naming it
rather than a rule silently not applied. Decimals are written as text or numbers and kept
as Decimal; floats never enter the arithmetic. Counts and flags are the kernel's strict
`JsonInt` and `JsonBool`, as in any request body: `true` or `"2"` is refused, not read as 1
or 2 (every stored document is the model's own dump, so it holds numbers there).
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from shared.contracts.inspection import InspectionMethod, Severity
from shared.contracts.inspection_complaints import ComplaintChannel, ComplaintOutcome
from shared.contracts.inspection_rectification import EscalationStep, RectificationStatus
from shared.types import JsonBool, JsonInt, Prose

Dec = Annotated[Decimal, Field(allow_inf_nan=False)]
Points = Annotated[Decimal, Field(ge=0, allow_inf_nan=False)]
Share = Annotated[Decimal, Field(ge=0, le=1, allow_inf_nan=False)]
Code = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_\-\u4e00-\u9fff]{1,64}$")]
"""A component, list, override or rule code: letters, digits, _ and -, or Chinese."""
Words = Annotated[Prose, StringConstraints(min_length=1, max_length=400)]
"""Chinese words shown with every result: names, formulas, reasons. The kernel's text type:
they are published with every result, so NUL and other control characters are refused."""

Rounding = Literal["ROUND_HALF_UP", "ROUND_HALF_EVEN", "ROUND_DOWN"]


class Part(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Arithmetic(Part):
    """How every published figure is rounded. Every figure shown (component value, weighted
    part, deduction, score) is rounded once to `places` with `rounding`, and the score is
    the sum of the figures shown, so a unit can add up its own result."""

    places: JsonInt = Field(default=2, ge=0, le=6)
    rounding: Rounding = "ROUND_HALF_UP"
    share_places: JsonInt = Field(default=2, ge=0, le=6)
    """Places of the per-level shares (百分比) shown with survey components."""
    floor: Dec = Decimal(0)
    """The score never goes below this after deductions."""
    ceiling: Dec = Decimal(100)
    """Nor above this; `floor` < `ceiling` (checked when a document is registered)."""


class Statistics(Part):
    z: Annotated[Decimal, Field(gt=0, le=5, allow_inf_nan=False)] = Decimal("1.96")
    """Normal quantile of the intervals (1.96: 95%)."""
    confidence: Words = "95%"
    sample_component: Code | None = None
    """Which survey component's valid questionnaires are the unit's `valid_sample`;
    default: the first survey component."""
    score_interval: Literal["normal", "bounded"] = "normal"
    """How a weighted score's interval is worked out (`stats.SCORE_INTERVALS`): `normal`,
    m ± z·sqrt(variance / n), a point when every answer is at one level, whatever n; or
    `bounded`, the Wilson interval of the mean scaled to [0, 1] by the level weights' range,
    never a point. `normal` is the default because every scheme written before the choice
    existed was computed with it, and must replay to the same bytes and hash."""

    def confidence_problem(self) -> str | None:
        """Why `confidence` cannot be what `z` gives (every interval is published under its
        words: z 1.0 with 95% would call a 68% interval a 95% one), or None.

        A rule for new documents only: a scheme registered before it must still load for
        replay, so it belongs with the checks added later (`checks.NEW`), not in a validator
        that every read of a stored scheme runs."""
        stated = PERCENT.fullmatch(self.confidence.strip())
        if stated is None or not 0 < Decimal(stated[1]) < 100:
            return (
                f"置信水平须为百分数, 如 95% (confidence must be a percentage such as 95%, "
                f"not {self.confidence!r})"
            )
        # A float is fine here: the coverage is compared, never published or computed with.
        covered = 100 * math.erf(float(self.z) / math.sqrt(2))
        if abs(float(stated[1]) - covered) <= COVERAGE_SLACK:
            return None
        return (
            f"置信水平 {self.confidence} 与 z {self.z} 不符: z {self.z} 的双侧正态覆盖率为 "
            f"{covered:.2f}% (confidence {self.confidence} disagrees with z {self.z}, whose "
            f"two-sided normal coverage 2Φ(z)−1 is {covered:.2f}%)"
        )


PERCENT = re.compile(r"(\d{1,3}(?:\.\d{1,6})?)\s*[%％]")
"""A confidence as written: 95%, 99.5%, or 95％ as a Chinese input method types it."""
COVERAGE_SLACK = 0.5
"""Percentage points a stated confidence may differ from z's coverage (1.96: 95.00%,
1.645: 90.00%, 2.576: 99.00%; 2 said as 95% is 95.45%)."""


class _Rule(Part):
    code: Code
    name: Words
    formula: Words
    """The rule in plain Chinese, shown with every deduction it makes."""
    cap: Points | None = None
    """The most this rule deducts from one unit in one round."""


class FindingsRule(_Rule):
    """Points per finding by severity (一般/较重/严重), from inspections within the window."""

    source: Literal["findings"]
    per_severity: dict[Severity, Points] = Field(default_factory=dict)
    unrated: Points = Decimal(0)
    """Points for a finding recorded without a severity."""
    use_recorded: JsonBool = True
    """Use the deduction recorded with the finding (问题清单的扣分) when there is one."""
    methods: tuple[InspectionMethod, ...] = ()
    """Only findings made by these methods (empty: every method)."""


class ComplaintsRule(_Rule):
    """Points per concluded complaint by outcome (属实/部分属实/…)."""

    source: Literal["complaints"]
    per_outcome: dict[ComplaintOutcome, Points]
    channels: tuple[ComplaintChannel, ...] = ()
    """Only complaints taken in on these channels (empty: every channel)."""


class RectificationRule(_Rule):
    """Points per rectification order by its state, per escalation step taken, and per
    re-rating of the fix."""

    source: Literal["rectification"]
    per_status: dict[RectificationStatus, Points] = Field(default_factory=dict)
    per_escalation: dict[EscalationStep, Points] = Field(default_factory=dict)
    per_rerating: dict[Literal["满意", "基本满意", "不满意"], Points] = Field(default_factory=dict)


class TasksRule(_Rule):
    """Points per supervised task not completed and per accountability measure."""

    source: Literal["tasks"]
    per_incomplete: Points = Decimal(0)
    per_accountability: Points = Decimal(0)


DeductionRule = Annotated[
    FindingsRule | ComplaintsRule | RectificationRule | TasksRule,
    Field(discriminator="source"),
]
