"""One unit's score: its components, weighted and summed, less deductions, with the
overrides that apply to it, the roll-up of its sub-units and its sampling interval."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from services.scoring.engine.compute.arith import ZERO, clamp, outward, rounded, text
from services.scoring.engine.compute.components import component_value
from services.scoring.engine.compute.deductions import deduction
from services.scoring.engine.compute.overrides import matched_overrides
from services.scoring.engine.compute.result import ComponentValue
from services.scoring.engine.compute.round_facts import RoundFacts
from services.scoring.engine.scheme import Scheme
from services.scoring.engine.scheme.components import Component, SurveyComponent
from services.scoring.engine.stats import Interval

INSUFFICIENT = "样本不足"


@dataclass
class UnitScore:
    unit_id: str
    components: list[dict[str, Any]]
    values: dict[str, ComponentValue]
    deductions: list[dict[str, Any]]
    overrides: list[dict[str, Any]]
    score: Decimal | None
    interval: Interval | None
    valid_sample: int | None
    flags: list[str] = field(default_factory=list)
    rollup: dict[str, Any] | None = None
    reweighted: bool = False

    @property
    def cancelled(self) -> bool:
        return any(o["effect"] == "cancel" for o in self.overrides)


class Scorer:
    """Scores units on demand, sub-units before the parents that roll them up."""

    def __init__(self, scheme: Scheme, facts: RoundFacts, revision: int) -> None:
        self.scheme = scheme
        self.facts = facts
        self.revision = revision
        self.scores: dict[str, UnitScore] = {}
        self._busy: set[str] = set()

    def score(self, unit_id: str) -> UnitScore:
        if unit_id not in self.scores:
            self._busy.add(unit_id)
            self.scores[unit_id] = self._score(unit_id)
            self._busy.discard(unit_id)
        return self.scores[unit_id]

    def sub_unit_scores(self, unit_id: str) -> list[tuple[str, Decimal, Interval | None]]:
        """Sub-units that count in the roll-up: enrolled, scored, with a sufficient sample
        (a sub-unit of two questionnaires must not sway its parent) and not cancelled."""
        out = []
        for sub_id in self.facts.children.get(unit_id, ()):
            if sub_id in self._busy or not self.facts.units[sub_id]["enrolled"]:
                continue
            s = self.score(sub_id)
            if s.score is not None and INSUFFICIENT not in s.flags:
                out.append((sub_id, s.score, s.interval))
        return out

    def _score(self, unit_id: str) -> UnitScore:
        scheme, facts = self.scheme, self.facts
        comps = _components_for(scheme, facts.is_sub_unit(unit_id))
        values = {
            c.code: component_value(scheme, c, facts, unit_id, self.sub_unit_scores) for c in comps
        }
        deductions = [deduction(r, facts, unit_id, scheme.arithmetic) for r in scheme.deductions]
        overrides = matched_overrides(scheme, facts, unit_id)
        result = _composite(scheme, comps, values, deductions, self.revision)
        result.unit_id, result.overrides = unit_id, overrides
        result.valid_sample = _valid_sample(scheme, values)
        if _insufficient(comps, values):
            result.flags.append(INSUFFICIENT)
        if scheme.vertical is not None and facts.units[unit_id]["vertical_superior"]:
            _vertical(scheme, result, self.sub_unit_scores(unit_id), self.revision)
        if result.cancelled:
            result.score, result.interval = None, None
        return result


def _components_for(scheme: Scheme, sub_unit: bool) -> tuple[Component, ...]:
    if not sub_unit:
        return scheme.components
    codes = scheme.sub_unit_codes()
    return tuple(c for c in scheme.components if c.code in codes)


def _composite(
    scheme: Scheme,
    comps: tuple[Component, ...],
    values: dict[str, ComponentValue],
    deductions: list[dict[str, Any]],
    revision: int,
) -> UnitScore:
    """From revision 2 a weighted part is the component's exact value times its weight,
    rounded once; before, its rounded value's, rounded again."""
    arith = scheme.arithmetic
    used = {c.code for c in comps if values[c.code].value is not None or c.when_missing == "zero"}
    blocked = [
        c.code for c in comps if values[c.code].value is None and c.when_missing == "no_score"
    ]
    total = sum((c.weight for c in comps if c.code in used), ZERO)
    reweighted = total != 1 and total != 0
    rows, weighted, lo, hi, any_interval = [], ZERO, ZERO, ZERO, False
    for c in comps:
        v = values[c.code]
        part = None
        if c.code in used and total:
            value = v.value if v.value is not None else ZERO
            exact = v.exact if revision >= 2 and v.exact is not None else value
            part = rounded(exact * c.weight / total, arith)
            weighted += part
            iv = v.interval or Interval(value, value)
            any_interval = any_interval or v.interval is not None
            lo += iv.lo * c.weight / total
            hi += iv.hi * c.weight / total
        shared_over = total if reweighted and part is not None else None
        rows.append(_row(c, v, part, shared_over, arith, revision))
    lost = sum((Decimal(d["points"]) for d in deductions), ZERO)
    flags = [f"缺少必需成分:{code}" for code in blocked]
    if blocked or not total:
        return UnitScore("", rows, values, deductions, [], None, None, None, flags)
    score = rounded(clamp(weighted - lost, arith.floor, arith.ceiling), arith)
    interval = None
    if any_interval:
        interval = Interval(
            clamp(lo - lost, arith.floor, arith.ceiling),
            clamp(hi - lost, arith.floor, arith.ceiling),
        )
    return UnitScore(
        "", rows, values, deductions, [], score, interval, None, flags, reweighted=reweighted
    )


def _row(
    c: Component,
    v: ComponentValue,
    part: Decimal | None,
    total: Decimal | None,
    arith: Any,
    revision: int,
) -> dict[str, Any]:
    interval = None
    if v.interval is not None:
        lo, hi = v.interval
        if revision >= 2:  # outwards, so the published interval contains the exact one
            lo, hi = outward(lo, hi, arith.places)
        else:
            lo, hi = rounded(lo, arith), rounded(hi, arith)
        interval = [text(lo), text(hi)]
    inputs = dict(v.inputs)
    if total is not None:
        # Some component had no data and was dropped: the rest share its weight.
        inputs["reweighted_over"] = text(total)
    return {
        "code": c.code,
        "name": c.name,
        "source": c.source,
        "weight": text(c.weight),
        "value": text(v.value),
        "weighted": text(part),
        "sample": v.sample,
        "interval": interval,
        "inputs": inputs,
        "formula": c.formula,
    }


def _valid_sample(scheme: Scheme, values: dict[str, ComponentValue]) -> int | None:
    chosen = scheme.sample_component()
    if chosen is None or chosen.code not in values:
        return None
    return values[chosen.code].sample


def _insufficient(comps: tuple[Component, ...], values: dict[str, ComponentValue]) -> bool:
    return any(
        isinstance(c, SurveyComponent) and c.min_sample > (values[c.code].sample or 0)
        for c in comps
    )


def _vertical(
    scheme: Scheme,
    result: UnitScore,
    subs: list[tuple[str, Decimal, Interval | None]],
    revision: int,
) -> None:
    """From revision 3 the score is weighted from the sub-units' exact mean, rounded once;
    before, from the mean rounded (a score 0.01 off w × mean + (1 − w) × own)."""
    assert scheme.vertical is not None
    if not subs:
        return
    arith, w = scheme.arithmetic, scheme.vertical.sub_unit_weight
    exact = sum((s for _, s, _ in subs), ZERO) / len(subs)
    mean = rounded(exact, arith)
    basis = exact if revision >= 3 else mean
    own = result.score
    score = mean if own is None else rounded(w * basis + (1 - w) * own, arith)
    result.rollup = {
        "rule": "vertical",
        "name": scheme.vertical.name,
        "sub_unit_weight": text(w),
        "sub_units": [{"unit_id": u, "score": text(s)} for u, s, _ in subs],
        "sub_units_mean": text(mean),
        "own_score": text(own),
    }
    result.score = score
    if own is None or result.interval is None:
        result.interval = None
        return
    n = len(subs)
    sub_lo = sum(((i.lo if i else s) for _, s, i in subs), ZERO) / n
    sub_hi = sum(((i.hi if i else s) for _, s, i in subs), ZERO) / n
    result.interval = Interval(
        w * sub_lo + (1 - w) * result.interval.lo, w * sub_hi + (1 - w) * result.interval.hi
    )
