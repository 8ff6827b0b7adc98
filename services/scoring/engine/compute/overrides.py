"""Overrides: facts that decide a unit's result whatever its score."""

from __future__ import annotations

from typing import Any

from services.scoring.engine.compute.round_facts import RoundFacts
from services.scoring.engine.scheme import Scheme
from services.scoring.engine.scheme.rules import Override


def matched_overrides(scheme: Scheme, facts: RoundFacts, unit_id: str) -> list[dict[str, Any]]:
    """{"code","name","effect","grade","ranked","reason","facts"} per override that applies,
    in the scheme's order."""
    out = []
    for o in scheme.overrides:
        matched = _facts(o, facts, unit_id)
        if not matched:
            continue
        grade = o.grade
        if o.effect == "lowest_grade" and scheme.grading is not None:
            grade = scheme.grading.lowest
        out.append(
            {
                "code": o.code,
                "name": o.name,
                "effect": o.effect,
                "grade": grade,
                "ranked": o.ranked and o.effect != "cancel",
                "reason": o.reason,
                "facts": matched,
            }
        )
    return out


def _facts(o: Override, facts: RoundFacts, unit_id: str) -> list[dict[str, Any]]:
    if o.when == "veto":
        return sorted((dict(v) for v in facts.of("vetoes", unit_id)), key=lambda v: v["veto_id"])
    if o.when == "cancellation":
        return sorted(
            (dict(c) for c in facts.of("cancellations", unit_id)),
            key=lambda c: c["cancellation_id"],
        )
    return [
        {"complaint_id": c["complaint_id"], "channel": c["channel"], "outcome": c["outcome"]}
        for c in sorted(facts.of("complaints", unit_id), key=lambda c: c["complaint_id"])
        if c["outcome"] in o.outcomes and (not o.channels or c["channel"] in o.channels)
    ]
