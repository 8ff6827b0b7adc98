"""Rules of what a score leads to: the arithmetic's bounds, the grades, the overrides and
the conditions of grade rules and lists, each judged by the sections it names only when
those are whole (`shaped`)."""

from __future__ import annotations

from services.scoring.engine.scheme.checks.found import (
    HUNDRED,
    MUST_NAME_SURVEY,
    Found,
    levels_text,
    not_a_grade,
    said,
    unknown_component,
)
from services.scoring.engine.scheme.checks.score_ranges import score_ranges
from services.scoring.engine.scheme.checks.shaped import UNKNOWN, Shaped
from services.scoring.engine.scheme.components import SurveyComponent
from services.scoring.engine.scheme.parts import Arithmetic, Statistics
from services.scoring.engine.scheme.rules import Condition, Grading, Votes
from shared.contracts.survey import SCALE_LEVELS


def decisions(parts: Shaped, found: Found) -> None:
    arithmetic = parts.sections.get("arithmetic")
    if arithmetic is not None:
        _arithmetic(arithmetic, found)
    # Bounds upside down are refused above (arithmetic.floor); no threshold is judged by them.
    whole = isinstance(arithmetic, Arithmetic) and arithmetic.floor < arithmetic.ceiling
    bounds = arithmetic if whole else None
    statistics = parts.sections.get("statistics")
    if isinstance(statistics, Statistics):
        problem = statistics.confidence_problem()
        if problem is not None:
            found.added("statistics.confidence", problem)
    grading: Grading | None = parts.sections.get("grading")
    if grading is not None:
        _grading(grading, found)
        score_ranges(grading, found, bounds)
    _overrides(parts, found)
    rules = grading.rules if grading is not None else ()
    # A grade rule's use of grades `_grading` refuses; a list's grades must be the scheme's.
    conditions: list[tuple[str, Condition, frozenset[str] | None]] = [
        (f"grading.rules.{i}.when", r.when, None) for i, r in enumerate(rules)
    ]
    conditions += [(f"lists.{i}.when", x.when, parts.grades) for i, x in parts.each("lists")]
    for where, condition, grades in conditions:
        _condition(parts, where, condition, found, grades, bounds)


def _arithmetic(a: Arithmetic, found: Found) -> None:
    if a.floor >= a.ceiling:
        found.added(
            "arithmetic.floor",
            said(
                f"下限 floor {a.floor} 须低于上限 ceiling {a.ceiling} (否则每个单位得分相同)",
                f"floor {a.floor} must be below ceiling {a.ceiling} "
                "(else every unit scores the same)",
            ),
        )


def _grading(g: Grading, found: Found) -> None:
    seen: set[str] = set()
    for j, grade in enumerate(g.grades):
        if grade in seen:
            found.added(
                f"grading.grades.{j}",
                said(f"等级 {grade} 重复列出", f"grade {grade} is listed twice"),
            )
        seen.add(grade)
    for j, rule in enumerate(g.rules):
        if rule.grade not in g.grades:
            found.add(f"grading.rules.{j}.grade", not_a_grade(rule.grade))
        if rule.when.uses_grade():
            found.add(
                f"grading.rules.{j}.when",
                said(
                    "评定等级的规则不能以等级或名单为条件",
                    "a grade rule cannot depend on a grade or a list",
                ),
            )
    if g.otherwise is not None and g.otherwise not in g.grades:
        found.add("grading.otherwise", not_a_grade(g.otherwise))


def _overrides(parts: Shaped, found: Found) -> None:
    grades = parts.grades
    for i, o in parts.each("overrides"):
        if (o.effect == "grade") != (o.grade is not None):
            found.add(
                f"overrides.{i}.grade",
                said(
                    "effect 为 grade 时须给出 grade, 其他 effect 不可给出",
                    "effect grade needs grade, and only it",
                ),
            )
        if grades is None:
            continue  # the grading section has no shape: what it holds is not known
        if o.effect in ("lowest_grade", "grade") and parts.sections["grading"] is None:
            found.add(f"overrides.{i}.effect", said("须有 grading 部分", "needs a grading section"))
        elif o.grade is not None and o.grade not in grades:
            found.add(f"overrides.{i}.grade", not_a_grade(o.grade))


def _condition(
    parts: Shaped,
    where: str,
    c: Condition,
    found: Found,
    grades: frozenset[str] | None,
    bounds: Arithmetic | None,
) -> None:
    """`grades`: those a list's condition may name (None: not judged here); `bounds`: the
    arithmetic, when it has its shape."""
    _named(parts, where, c, found)
    _reachable(where, c, found, bounds)
    if grades is not None:
        for j, grade in enumerate(c.grades):
            if grade not in grades:
                found.add(f"{where}.grades.{j}", not_a_grade(grade))
    if c.consecutive is not None and not c.grades:
        found.add(
            f"{where}.consecutive", said("consecutive 须与 grades 同用", "consecutive needs grades")
        )
    for field in ("top", "bottom"):
        n = getattr(c, field)
        if isinstance(n, int) and n < 1:
            found.added(
                f"{where}.{field}",
                said(f"至少为 1 (名次 ≤ {n} 永不成立)", f"at least 1 (rank ≤ {n} never holds)"),
            )
        elif isinstance(n, dict) and not n:
            found.added(f"{where}.{field}", said("未列出任何类别", "names no category"))
        elif isinstance(n, dict):
            for category, count in n.items():
                if count < 1:
                    found.added(
                        f"{where}.{field}.{category}",
                        said(
                            f"至少为 1 (名次 ≤ {count} 永不成立)",
                            f"at least 1 (rank ≤ {count} never holds)",
                        ),
                    )
    for j, sub in enumerate(c.any_of):
        _condition(parts, f"{where}.any_of.{j}", sub, found, grades, bounds)


def _reachable(where: str, c: Condition, found: Found, bounds: Arithmetic | None) -> None:
    """A score or component threshold no value can meet (a slip such as `min_score: 850`
    for 85.0, or a range given upside down) would leave its grade or list to nobody,
    silently. Scores lie within [floor, ceiling] (when the arithmetic has its shape);
    component values within [0, 100]."""
    low, below = c.min_score, c.below_score
    if low is not None and below is not None and low >= below:
        found.added(
            f"{where}.below_score",
            said(
                f"永不成立: 没有分数既不低于 {low} (min_score) 又低于 {below}",
                f"never holds: no score is at least {low} (min_score) and below {below}",
            ),
        )
    if bounds is not None and low is not None and low > bounds.ceiling:
        found.added(
            f"{where}.min_score",
            said(
                f"永不成立: 没有分数高于 {bounds.ceiling} (arithmetic.ceiling)",
                f"never holds: no score is above {bounds.ceiling} (arithmetic.ceiling)",
            ),
        )
    if bounds is not None and below is not None and below > bounds.ceiling:
        # Every score is below it: a slip (600 for 60.0) that grades or lists every unit.
        found.added(
            f"{where}.below_score",
            said(
                f"总是成立: 分数至多为 {bounds.ceiling} (arithmetic.ceiling), 都低于 {below}",
                f"always holds: scores are at most {bounds.ceiling} (arithmetic.ceiling), "
                f"all below {below}",
            ),
        )
    if bounds is not None and below is not None and below <= bounds.floor:
        found.added(
            f"{where}.below_score",
            said(
                f"永不成立: 没有分数低于 {bounds.floor} (arithmetic.floor)",
                f"never holds: no score is below {bounds.floor} (arithmetic.floor)",
            ),
        )
    for code, figure in c.component_min.items():
        if figure > HUNDRED:
            found.added(
                f"{where}.component_min.{code}",
                said(
                    f"永不成立: 成分的值至多为 {HUNDRED}",
                    f"never holds: a component's value is at most {HUNDRED}",
                ),
            )
    for code, figure in c.component_below.items():
        if figure <= 0:
            found.added(
                f"{where}.component_below.{code}",
                said(
                    "永不成立: 成分的值不会低于 0",
                    "never holds: a component's value is never below 0",
                ),
            )
    for code in sorted(set(c.component_min) & set(c.component_below)):
        if c.component_min[code] >= c.component_below[code]:
            found.added(
                f"{where}.component_below.{code}",
                said(
                    f"永不成立: {code} 的值不会既不低于 {c.component_min[code]} (component_min) "
                    f"又低于 {c.component_below[code]}",
                    f"never holds: no value of {code} is at least {c.component_min[code]} "
                    f"(component_min) and below {c.component_below[code]}",
                ),
            )


def _named(parts: Shaped, where: str, c: Condition, found: Found) -> None:
    """The components, votes, overrides and lists a condition names exist."""
    for field in ("component_min", "component_below"):
        for code in getattr(c, field):
            if parts.has("components", code) is False:
                found.add(f"{where}.{field}.{code}", unknown_component(code))
    if c.votes is not None:
        _votes(parts, f"{where}.votes", c.votes, found)
    for j, code in enumerate(c.overrides):
        if parts.has("overrides", code) is False:
            found.add(
                f"{where}.overrides.{j}",
                said(f"没有代码为 {code} 的特别规定", f"unknown override {code}"),
            )
    for j, code in enumerate(c.previously_listed):
        if parts.has("lists", code) is False:
            found.add(
                f"{where}.previously_listed.{j}",
                said(f"没有代码为 {code} 的名单", f"unknown list {code}"),
            )


def _votes(parts: Shaped, where: str, v: Votes, found: Found) -> None:
    component = parts.first(
        "components", lambda c: isinstance(c, SurveyComponent) and c.code == v.component
    )
    if component is None:
        found.add(f"{where}.component", MUST_NAME_SURVEY)
        return
    if component is UNKNOWN:
        return
    if v.more_than >= 1:
        found.added(
            f"{where}.more_than",
            said("永不成立: 比例不会超过 1", "never holds: a share is never more than 1"),
        )
    scale = SCALE_LEVELS[component.scale]
    for j, level in enumerate(v.levels):
        if level not in scale:
            found.added(
                f"{where}.levels.{j}",
                said(
                    f"不是 {component.code} 的量表 {component.scale.value} 的等级 "
                    f"({levels_text(scale)})",
                    f"not a level of {component.code}'s scale {component.scale.value} "
                    f"({levels_text(scale)})",
                ),
            )
