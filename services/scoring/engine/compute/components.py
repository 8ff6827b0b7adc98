"""The value of each kind of component for one unit (survey components: `survey`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from services.scoring.engine.compute.arith import HUNDRED, ZERO, clamp, rounded, text
from services.scoring.engine.compute.deductions import deduction
from services.scoring.engine.compute.result import ComponentValue
from services.scoring.engine.compute.round_facts import RoundFacts
from services.scoring.engine.compute.survey import survey_value
from services.scoring.engine.scheme import Scheme
from services.scoring.engine.scheme.components import (
    AssessmentComponent,
    CarriedComponent,
    Component,
    HotlineComponent,
    RectificationComponent,
    SubUnitsComponent,
    SurveyComponent,
    TallyComponent,
    TasksComponent,
)
from services.scoring.engine.stats import Interval

SubUnitScores = Callable[[str], list[tuple[str, Decimal, Interval | None]]]
"""unit id -> (sub-unit id, score, exact interval) of its scored sub-units."""


def component_value(
    scheme: Scheme, c: Component, facts: RoundFacts, unit_id: str, sub_units: SubUnitScores
) -> ComponentValue:
    if isinstance(c, SurveyComponent):
        return survey_value(scheme, c, facts, unit_id)
    if isinstance(c, SubUnitsComponent):
        return _sub_units(scheme, c, facts, unit_id, sub_units)
    if isinstance(c, AssessmentComponent):
        return _assessment(scheme, c, facts.of("assessments", unit_id))
    if isinstance(c, HotlineComponent):
        return _hotline(scheme, c, facts.of("hotline", unit_id))
    if isinstance(c, TallyComponent):
        return _tally(scheme, c, facts, unit_id)
    if isinstance(c, TasksComponent):
        return _tasks(scheme, facts.of("tasks", unit_id))
    if isinstance(c, RectificationComponent):
        return _rectification(scheme, c, facts.of("rectification", unit_id))
    return _carried(scheme, c, facts.history(unit_id))


def _assessment(
    scheme: Scheme, c: AssessmentComponent, assessments: Mapping[str, Any]
) -> ComponentValue:
    a = assessments.get(c.assessment_code)
    if a is None or Decimal(a["maximum"]) <= 0:
        return ComponentValue(None, {"assessment_code": c.assessment_code, "score": None})
    value = Decimal(a["score"]) / Decimal(a["maximum"]) * HUNDRED
    inputs = {
        "assessment_code": c.assessment_code,
        "name": a["name"],
        "score": a["score"],
        "maximum": a["maximum"],
    }
    return ComponentValue(rounded(value, scheme.arithmetic), inputs, exact=value)


def _hotline(scheme: Scheme, c: HotlineComponent, appearances: int) -> ComponentValue:
    value = min(c.maximum, c.base + c.per_appearance * appearances)
    return ComponentValue(
        rounded(value, scheme.arithmetic), {"appearances": appearances}, exact=value
    )


def _tally(scheme: Scheme, c: TallyComponent, facts: RoundFacts, unit_id: str) -> ComponentValue:
    rules = [deduction(rule, facts, unit_id, scheme.arithmetic) for rule in c.rules]
    lost = sum((Decimal(r["points"]) for r in rules), ZERO)
    value = clamp(c.base - lost, ZERO, c.base)
    return ComponentValue(
        rounded(value, scheme.arithmetic),
        {"base": text(c.base), "deductions": rules},
        exact=value,
    )


def _tasks(scheme: Scheme, tasks: list[Any]) -> ComponentValue:
    done = sum(1 for t in tasks if t["completed"])
    inputs = {"tasks": len(tasks), "completed": done}
    if not tasks:
        return ComponentValue(None, inputs)
    value = Decimal(done) / len(tasks) * HUNDRED
    return ComponentValue(rounded(value, scheme.arithmetic), inputs, exact=value)


def _rectification(scheme: Scheme, c: RectificationComponent, orders: list[Any]) -> ComponentValue:
    rated = [o["rerating"] for o in orders if o["rerating"] is not None]
    satisfied = sum(1 for r in rated if r in c.satisfied)
    inputs = {"orders": len(orders), "rerated": len(rated), "satisfied": satisfied}
    if not rated:
        return ComponentValue(None, inputs)
    value = Decimal(satisfied) / len(rated) * HUNDRED
    return ComponentValue(rounded(value, scheme.arithmetic), inputs, exact=value)


def _sub_units(
    scheme: Scheme, c: SubUnitsComponent, facts: RoundFacts, unit_id: str, scores: SubUnitScores
) -> ComponentValue:
    chosen = [
        (sub_id, score, interval)
        for sub_id, score, interval in scores(unit_id)
        if not c.categories or facts.units[sub_id]["category"] in c.categories
    ]
    inputs: dict[str, Any] = {
        "categories": list(c.categories),
        "sub_units": [{"unit_id": s, "score": text(v)} for s, v, _ in chosen],
    }
    if not chosen:
        return ComponentValue(None, inputs)
    n = len(chosen)
    mean = sum((v for _, v, _ in chosen), ZERO) / n
    interval = None
    if all(i is not None for _, _, i in chosen):
        lo = sum((i.lo for _, _, i in chosen if i is not None), ZERO) / n
        hi = sum((i.hi for _, _, i in chosen if i is not None), ZERO) / n
        interval = Interval(lo, hi)
    return ComponentValue(rounded(mean, scheme.arithmetic), inputs, interval, exact=mean)


def _carried(scheme: Scheme, c: CarriedComponent, history: list[Any]) -> ComponentValue:
    last = history[-1] if history else None
    carried = (last or {}).get("carried") or {}
    value = carried.get(c.carried_code)
    inputs = {
        "carried_code": c.carried_code,
        "from": None
        if last is None
        else {"campaign_id": last["campaign_id"], "round": last["round"]},
        "value": value,
    }
    if value is None:
        return ComponentValue(None, inputs)
    return ComponentValue(rounded(Decimal(value), scheme.arithmetic), inputs)
