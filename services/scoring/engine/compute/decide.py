"""Grades and lists: the scheme's conditions evaluated on a unit's score, rank, votes,
overrides, rectification facts and history."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from services.scoring.engine.compute.ranking import Placing
from services.scoring.engine.compute.round_facts import RoundFacts
from services.scoring.engine.compute.unit import UnitScore
from services.scoring.engine.scheme import Scheme
from services.scoring.engine.scheme.rules import Condition, PerCategory, Votes


@dataclass
class Standing:
    """What conditions read about one unit."""

    score: UnitScore
    category: str
    placing: Placing | None
    gradable: bool
    sub_unit: bool
    grade: str | None = None
    grade_basis: str | None = None


def holds(c: Condition, s: Standing, facts: RoundFacts) -> bool:
    checks = (
        _score_ok(c, s),
        _rank_ok(c, s),
        c.votes is None or _votes(c.votes, s),
        _components_ok(c, s),
        not c.grades or s.grade in c.grades,
        c.consecutive is None or _consecutive(c, s, facts),
        not c.previously_listed or _previously(c.previously_listed, s, facts),
        not c.overrides or any(o["code"] in c.overrides for o in s.score.overrides),
        not c.rerating
        or any(o["rerating"] in c.rerating for o in facts.of("rectification", s.score.unit_id)),
        not c.escalation
        or any(
            step in c.escalation
            for o in facts.of("rectification", s.score.unit_id)
            for step in o["escalations"]
        ),
        c.sub_unit is None or c.sub_unit == s.sub_unit,
        not c.any_of or any(holds(sub, s, facts) for sub in c.any_of),
    )
    return all(checks)


def grade(scheme: Scheme, s: Standing, facts: RoundFacts) -> None:
    """Sets s.grade and s.grade_basis: the first rule that holds (or `otherwise`) for a
    gradable unit, then the worst grade any override imposes, whatever the score."""
    g = scheme.grading
    if g is None:
        return
    if s.gradable:
        rule = next((r for r in g.rules if holds(r.when, s, facts)), None)
        if rule is not None:
            s.grade, s.grade_basis = rule.grade, rule.name
        elif g.otherwise is not None:
            s.grade, s.grade_basis = g.otherwise, g.otherwise_name
    imposed = [o for o in s.score.overrides if o["effect"] in ("grade", "lowest_grade")]
    if imposed:
        worst = max(imposed, key=lambda o: g.grades.index(o["grade"]))
        if s.grade is None or g.grades.index(worst["grade"]) >= g.grades.index(s.grade):
            s.grade, s.grade_basis = worst["grade"], f"{worst['name']}：{worst['reason']}"
    if s.score.cancelled:
        s.grade, s.grade_basis = None, None


def lists(
    scheme: Scheme, standings: dict[str, Standing], facts: RoundFacts
) -> dict[str, list[str]]:
    """list code -> unit ids on it (enrolled units only), each list's `limit` applied by
    score, highest first, ties by unit id."""
    out: dict[str, list[str]] = {}
    for rule in scheme.lists:
        members = [
            u
            for u, s in sorted(standings.items())
            if facts.units[u]["enrolled"] and holds(rule.when, s, facts)
        ]
        if rule.limit is not None:
            members = sorted(members, key=lambda u: _by_score(standings[u], u))[: rule.limit]
        out[rule.code] = sorted(members)
    return out


def _by_score(s: Standing, unit_id: str) -> tuple[int, Decimal, str]:
    score = s.score.score
    return (0, -score, unit_id) if score is not None else (1, Decimal(0), unit_id)


def _score_ok(c: Condition, s: Standing) -> bool:
    score = s.score.score
    if c.min_score is not None and (score is None or score < c.min_score):
        return False
    return c.below_score is None or (score is not None and score < c.below_score)


def _rank_ok(c: Condition, s: Standing) -> bool:
    if c.top is None and c.bottom is None:
        return True
    p = s.placing
    if p is None:
        return False
    top = _per_category(c.top, s.category)
    bottom = _per_category(c.bottom, s.category)
    if c.top is not None and (top is None or p.rank > top):
        return False
    return c.bottom is None or (bottom is not None and p.rank > p.group_size - bottom)


def _per_category(value: PerCategory | None, category: str) -> int | None:
    if value is None or isinstance(value, int):
        return value
    return value.get(category, value.get("*"))


def _votes(v: Votes, s: Standing) -> bool:
    cv = s.score.values.get(v.component)
    if cv is None:
        return False
    present = cv.panel if v.present == "panel" else sum(cv.counts.values())
    if present <= 0:
        return False
    return Decimal(sum(cv.counts.get(level, 0) for level in v.levels)) / present > v.more_than


def _components_ok(c: Condition, s: Standing) -> bool:
    for code, floor in c.component_min.items():
        v = s.score.values.get(code)
        if v is None or v.value is None or v.value < floor:
            return False
    for code, ceiling in c.component_below.items():
        v = s.score.values.get(code)
        if v is None or v.value is None or v.value >= ceiling:
            return False
    return True


def _consecutive(c: Condition, s: Standing, facts: RoundFacts) -> bool:
    assert c.consecutive is not None
    earlier: list[Any] = facts.history(s.score.unit_id)[-(c.consecutive - 1) :]
    return len(earlier) == c.consecutive - 1 and all(e["grade"] in c.grades for e in earlier)


def _previously(codes: tuple[str, ...], s: Standing, facts: RoundFacts) -> bool:
    history = facts.history(s.score.unit_id)
    return bool(history) and any(code in history[-1]["lists"] for code in codes)
