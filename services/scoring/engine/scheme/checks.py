"""The rules that tie one part of a scheme to another (a grade named in `grading.grades`, a
level on the component's scale, codes used once, weights that sum to 1 …), checked once the
document has its shape, every problem named by its path in the document
(`components.0.level_weights.非常满意`).

Two sets of rules:

- the language's rules, which every scheme ever registered passed: checked whenever a
  document is read, the registered ones read back from the log included;
- rules added later (`NEW`): checked when a document is registered or tried (what-if) and
  on the shipped files, never on a document read back from the log, so a scheme registered
  before a rule existed keeps loading for replay and audit with the results it gave.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from services.scoring.engine.scheme.components import (
    AssessmentComponent,
    CarriedComponent,
    HotlineComponent,
    SubUnitsComponent,
    SurveyComponent,
    TallyComponent,
)
from services.scoring.engine.scheme.rules import Condition, Grading, Votes
from shared.contracts.survey import SCALE_LEVELS

if TYPE_CHECKING:
    from services.scoring.engine.scheme import Scheme

Problem = tuple[str, str]
"""(path in the document, why)."""

HUNDRED = Decimal(100)

NEW = (
    "level_weights name levels of the component's scale only",
    "level points, a numeric factor × the highest number, a hotline's maximum and base, "
    "and a tally's base are at most 100 (every component value is on 0–100)",
    "numeric_factor on a numeric scale only, and not beside level_weights",
    "arithmetic.floor below arithmetic.ceiling",
    "grading.grades names each grade once",
    "votes.levels are levels of the component's scale",
    "a sub_units component's categories, when given, name at least one category",
    "top and bottom are at least 1 (a mapping names at least one category)",
    "a tally component's rules have codes used once",
)
"""The rules added after schemes were first registered (docs/scoring-schemes.md)."""


class _Found:
    def __init__(self, new: bool) -> None:
        self.new = new
        self.problems: list[Problem] = []

    def add(self, field: str, reason: str) -> None:
        """A problem under the language's rules."""
        if (field, reason) not in self.problems:
            self.problems.append((field, reason))

    def added(self, field: str, reason: str) -> None:
        """A problem under a rule added later (`NEW`): only for a new document."""
        if self.new:
            self.add(field, reason)


def problems(s: Scheme, *, new: bool) -> list[Problem]:
    """Every problem of the validated document `s`; `new`: with the rules added later."""
    found = _Found(new)
    _components(s, found)
    _references(s, found)
    _arithmetic(s, found)
    if s.grading is not None:
        _grading(s.grading, found)
    _overrides(s, found)
    conditions = [(f"grading.rules.{i}.when", r.when) for i, r in enumerate(_grade_rules(s))]
    conditions += [(f"lists.{i}.when", x.when) for i, x in enumerate(s.lists)]
    grades = set(s.grading.grades) if s.grading else set()
    for where, condition in conditions:
        _condition(s, where, condition, found, grades if where.startswith("lists.") else None)
    return found.problems


def _levels(levels: Iterable[str]) -> str:
    return "、".join(levels)


def _components(s: Scheme, found: _Found) -> None:
    for i, c in enumerate(s.components):
        where = f"components.{i}"
        if isinstance(c, SurveyComponent):
            _survey(where, c, found)
        elif isinstance(c, HotlineComponent):
            if c.maximum > HUNDRED:
                found.added(f"{where}.maximum", f"at most 100 (values are on 0–100): {c.maximum}")
            if c.base > c.maximum:
                found.added(f"{where}.base", f"{c.base} is above maximum {c.maximum}")
        elif isinstance(c, TallyComponent):
            if c.base > HUNDRED:
                found.added(f"{where}.base", f"at most 100 (values are on 0–100), not {c.base}")
        elif isinstance(c, SubUnitsComponent):
            if "categories" in c.model_fields_set and not c.categories:
                found.added(
                    f"{where}.categories",
                    "names no category: name the sub-units' categories, or leave the key out "
                    "to count every sub-unit",
                )
        elif isinstance(c, AssessmentComponent) and not c.assessment_code:
            found.add(f"{where}.assessment_code", "required")


def _survey(where: str, c: SurveyComponent, found: _Found) -> None:
    scale = SCALE_LEVELS[c.scale]
    on_scale = f"not a level of scale {c.scale.value} ({_levels(scale)})"
    for level, points in c.level_weights.items():
        if level not in scale:
            found.added(f"{where}.level_weights.{level}", on_scale)
        elif points > HUNDRED:
            found.added(
                f"{where}.level_weights.{level}",
                f"points are on 0–100 (a component's value is the mean points), not {points}",
            )
    if c.numeric_factor is not None:
        if not c.numeric():
            found.added(f"{where}.numeric_factor", f"scale {c.scale.value} is not numeric")
        elif c.level_weights:
            found.added(f"{where}.numeric_factor", "give level_weights or numeric_factor, not both")
        elif Decimal(scale[-1]) * c.numeric_factor > HUNDRED:
            found.added(
                f"{where}.numeric_factor",
                f"{scale[-1]} × {c.numeric_factor} is above 100 (values are on 0–100)",
            )
    # The language's rules, as they always were: `weights()` holds the scale's levels only.
    weighted = set(c.weights())
    for field in ("excluded", "satisfied"):
        for j, level in enumerate(getattr(c, field)):
            if level not in scale:
                found.add(f"{where}.{field}.{j}", on_scale)
    for j, level in enumerate(c.excluded):
        if level in weighted:
            found.add(f"{where}.excluded.{j}", f"{level} is both weighted and excluded")
    missing = [lv for lv in scale if lv not in weighted and lv not in c.excluded]
    if missing:
        found.add(
            f"{where}.level_weights",
            f"every level must be weighted or excluded; missing {_levels(missing)}",
        )
    for j, level in enumerate(c.satisfied):
        if level in scale and level not in weighted:
            found.add(f"{where}.satisfied.{j}", f"{level} is not a weighted (valid) level")
    if c.measure == "satisfaction_rate" and not c.satisfied:
        found.add(f"{where}.satisfied", "a satisfaction_rate measure needs satisfied levels")


def _references(s: Scheme, found: _Found) -> None:
    codes = [c.code for c in s.components]
    for section, items in (
        ("components", s.components),
        ("deductions", s.deductions),
        ("overrides", s.overrides),
        ("lists", s.lists),
    ):
        _unique(section, [x.code for x in items], found.add)
    for i, c in enumerate(s.components):
        if isinstance(c, TallyComponent):
            _unique(f"components.{i}.rules", [r.code for r in c.rules], found.added)
    total = sum((c.weight for c in s.components), Decimal(0))
    if total != 1:
        found.add("components", f"the weights must sum to 1, they sum to {total}")
    surveys = {c.code for c in s.survey_components()}
    if s.statistics.sample_component and s.statistics.sample_component not in surveys:
        found.add("statistics.sample_component", "must name a survey component")
    for j, code in enumerate(s.ranking.ties):
        if code not in codes:
            found.add(f"ranking.ties.{j}", f"unknown component {code}")
    for j, code in enumerate(s.sub_units.components):
        if code not in codes:
            found.add(f"sub_units.components.{j}", f"unknown component {code}")
        elif isinstance(s.component(code), SubUnitsComponent):
            found.add(
                f"sub_units.components.{j}",
                f"{code} cannot score a sub-unit (sub-units of sub-units)",
            )
    for j, carried in enumerate(s.carry_forward):
        if carried.code not in codes:
            found.add(f"carry_forward.{j}.code", f"unknown component {carried.code}")
    carried_codes = {c.code for c in s.carry_forward}
    for i, c in enumerate(s.components):
        if isinstance(c, CarriedComponent) and c.carried_code not in carried_codes:
            found.add(f"components.{i}.carried_code", f"{c.carried_code} is not in carry_forward")


def _unique(section: str, codes: list[str], add: Callable[[str, str], None]) -> None:
    seen: set[str] = set()
    for i, code in enumerate(codes):
        if code in seen:
            add(f"{section}.{i}.code", f"code {code} used twice")
        seen.add(code)


def _arithmetic(s: Scheme, found: _Found) -> None:
    a = s.arithmetic
    if a.floor >= a.ceiling:
        found.added(
            "arithmetic.floor",
            f"floor {a.floor} must be below ceiling {a.ceiling} (else every unit scores the same)",
        )


def _grade_rules(s: Scheme) -> tuple[Any, ...]:
    return s.grading.rules if s.grading else ()


def _grading(g: Grading, found: _Found) -> None:
    seen: set[str] = set()
    for j, grade in enumerate(g.grades):
        if grade in seen:
            found.added(f"grading.grades.{j}", f"grade {grade} is listed twice")
        seen.add(grade)
    for j, rule in enumerate(g.rules):
        if rule.grade not in g.grades:
            found.add(f"grading.rules.{j}.grade", f"{rule.grade} is not one of grading.grades")
        if rule.when.uses_grade():
            found.add(f"grading.rules.{j}.when", "a grade rule cannot depend on a grade or a list")
    if g.otherwise is not None and g.otherwise not in g.grades:
        found.add("grading.otherwise", f"{g.otherwise} is not one of grading.grades")


def _overrides(s: Scheme, found: _Found) -> None:
    grades = set(s.grading.grades) if s.grading else set()
    for i, o in enumerate(s.overrides):
        if (o.effect == "grade") != (o.grade is not None):
            found.add(f"overrides.{i}.grade", "effect grade needs grade, and only it")
        if o.effect in ("lowest_grade", "grade") and s.grading is None:
            found.add(f"overrides.{i}.effect", "needs a grading section")
        elif o.grade is not None and o.grade not in grades:
            found.add(f"overrides.{i}.grade", f"{o.grade} is not one of grading.grades")


def _condition(s: Scheme, where: str, c: Condition, found: _Found, grades: set[str] | None) -> None:
    """`grades`: the scheme's grades for a list's condition (None for a grade rule's, whose
    use of grades `_grading` refuses)."""
    codes = {x.code for x in s.components}
    for field in ("component_min", "component_below"):
        for code in getattr(c, field):
            if code not in codes:
                found.add(f"{where}.{field}.{code}", f"unknown component {code}")
    if c.votes is not None:
        _votes(s, f"{where}.votes", c.votes, found)
    overrides = {o.code for o in s.overrides}
    for j, code in enumerate(c.overrides):
        if code not in overrides:
            found.add(f"{where}.overrides.{j}", f"unknown override {code}")
    lists = {x.code for x in s.lists}
    for j, code in enumerate(c.previously_listed):
        if code not in lists:
            found.add(f"{where}.previously_listed.{j}", f"unknown list {code}")
    if grades is not None:
        for j, grade in enumerate(c.grades):
            if grade not in grades:
                found.add(f"{where}.grades.{j}", f"{grade} is not one of grading.grades")
    if c.consecutive is not None and not c.grades:
        found.add(f"{where}.consecutive", "consecutive needs grades")
    for field in ("top", "bottom"):
        n = getattr(c, field)
        if isinstance(n, int) and n < 1:
            found.added(f"{where}.{field}", f"at least 1 (rank ≤ {n} never holds)")
        elif isinstance(n, dict) and not n:
            found.added(f"{where}.{field}", "names no category")
    for j, sub in enumerate(c.any_of):
        _condition(s, f"{where}.any_of.{j}", sub, found, grades)


def _votes(s: Scheme, where: str, v: Votes, found: _Found) -> None:
    component = next((c for c in s.survey_components() if c.code == v.component), None)
    if component is None:
        found.add(f"{where}.component", "must name a survey component")
        return
    scale = SCALE_LEVELS[component.scale]
    for j, level in enumerate(v.levels):
        if level not in scale:
            found.added(
                f"{where}.levels.{j}",
                f"not a level of {component.code}'s scale {component.scale.value} "
                f"({_levels(scale)})",
            )
