"""Rules of the points scale: every component value and every score is out of 100, so a
share typed for points (满意 1 for 100, `min_score: 0.85` for 85) or a threshold above the
highest score the components can give leaves a grade or list to nobody, silently (the
retired satisfaction weighting, 满意 1 / 基本满意 0.8, graded every unit 差). All are rules
added later (`NEW`): a scheme registered before them keeps loading and scoring as it did.

The highest reachable score is an upper bound worked out from the document alone, as
`compute.unit` scores: the composite is the weighted mean of the component values present
(the weights shared over those present when one is missing), less deductions (never
negative), kept within [floor, ceiling]; so no score exceeds the highest value a weighted
component can take, nor the ceiling. A figure the document cannot bound (a value carried
from an earlier round) counts as the ceiling."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from services.scoring.engine.scheme.checks.found import HUNDRED, Found
from services.scoring.engine.scheme.checks.shaped import Shaped
from services.scoring.engine.scheme.components import (
    CarriedComponent,
    Component,
    HotlineComponent,
    SubUnitsComponent,
    SurveyComponent,
    TallyComponent,
)
from services.scoring.engine.scheme.parts import Arithmetic
from services.scoring.engine.scheme.rules import Condition, Grading

ONE = Decimal(1)


def scale(parts: Shaped, found: Found) -> None:
    for i, c in parts.each("components"):
        if isinstance(c, SurveyComponent):
            _survey_points(f"components.{i}", c, found)
    highest = highest_score(parts)
    if highest is None:
        return
    ceiling = parts.sections["arithmetic"].ceiling
    thresholds = list(_thresholds(parts))
    for where, low in thresholds:
        # Above the ceiling itself is refused with the arithmetic's reason (`decisions`).
        if where.endswith(".min_score") and highest < low <= ceiling:
            found.added(
                where,
                f"达不到: 本方案的得分至多为 {highest} (由各成分的权重、等级分值和 arithmetic "
                f"算得), 没有单位能达到 {low} (never holds: no unit can score above {highest}, "
                "from the components' weights and points and the arithmetic)",
            )
    positive = [(where, figure) for where, figure in thresholds if figure > 0]
    if positive and highest > ONE and all(figure < ONE for _, figure in positive):
        for where, figure in positive:
            found.added(
                where,
                f"分数线按百分制计, 如 85 表示 85%: {figure} 像是按比例写的, 请写成 "
                f"{_as_points(figure)} (thresholds are points out of 100, e.g. 85 for 85%; "
                f"{figure} reads as a share)",
            )


def _survey_points(where: str, c: SurveyComponent, found: Found) -> None:
    """Level points on a 0–1 scale: the component's value is the mean points, so it is at
    most 1 of 100 and the unit's score with it."""
    points = c.weights()
    if not points or max(points.values()) > ONE:
        return
    top = max(points.values())
    field = "numeric_factor" if c.numeric_factor is not None and not c.level_weights else None
    found.added(
        f"{where}.{field or 'level_weights'}",
        f"等级分值是百分制的分数, 最好的一档应为 100 而非 1: 最高一档现为 {top}, 按此本项"
        f"至多得 {top} 分 (level weights are points out of 100, e.g. 100 for the best "
        f"level, not 1: the highest level scores {top}, so the component's value is at most "
        f"{top})",
    )


def highest_score(parts: Shaped) -> Decimal | None:
    """The most any unit can score under the document (an upper bound, see above); None
    when the components or the arithmetic are not whole, or the bounds are upside down."""
    arithmetic = parts.sections.get("arithmetic")
    if not parts.whole("components") or not isinstance(arithmetic, Arithmetic):
        return None
    if arithmetic.floor >= arithmetic.ceiling:
        return None
    components: tuple[Component, ...] = parts.sections["components"]
    own = [c for c in components if not isinstance(c, SubUnitsComponent)]
    # A sub-unit is scored with the scheme's own components, its score kept within the bounds.
    sub_unit = _within(_most([_value_bound(c, None) for c in own]), arithmetic)
    weighted = [_value_bound(c, sub_unit) for c in components if c.weight > 0]
    return _within(_most(weighted), arithmetic)


def _value_bound(c: Component, sub_unit: Decimal | None) -> Decimal | None:
    """The highest value the component can take (`compute.components`); None: unbounded
    by the document."""
    if isinstance(c, SurveyComponent):
        if c.measure == "satisfaction_rate":
            return HUNDRED
        return max(c.weights().values(), default=Decimal(0))
    if isinstance(c, HotlineComponent):
        return c.maximum if c.per_appearance > 0 else min(c.base, c.maximum)
    if isinstance(c, TallyComponent):
        return c.base
    if isinstance(c, SubUnitsComponent):
        return sub_unit
    if isinstance(c, CarriedComponent):
        return None
    return HUNDRED  # assessment (score ÷ maximum × 100), tasks, rectification: shares × 100


def _most(bounds: list[Decimal | None]) -> Decimal | None:
    if not bounds or any(b is None for b in bounds):
        return None
    return max(b for b in bounds if b is not None)


def _within(bound: Decimal | None, a: Arithmetic) -> Decimal:
    return a.ceiling if bound is None else min(a.ceiling, max(a.floor, bound))


def _thresholds(parts: Shaped) -> Iterator[tuple[str, Decimal]]:
    """Every score threshold of the grade rules and lists, with its path."""
    grading: Grading | None = parts.sections.get("grading")
    for i, rule in enumerate(grading.rules if grading is not None else ()):
        yield from _of(f"grading.rules.{i}.when", rule.when)
    for i, listed in parts.each("lists"):
        yield from _of(f"lists.{i}.when", listed.when)


def _of(where: str, c: Condition) -> Iterator[tuple[str, Decimal]]:
    if c.min_score is not None:
        yield f"{where}.min_score", c.min_score
    if c.below_score is not None:
        yield f"{where}.below_score", c.below_score
    for j, sub in enumerate(c.any_of):
        yield from _of(f"{where}.any_of.{j}", sub)


def _as_points(share: Decimal) -> str:
    return format((share * HUNDRED).normalize(), "f")
