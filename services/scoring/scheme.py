"""Scoring schemes as data, and the pure functions that turn counts into scores.

A scheme is identified by id and version and pinned by the digest of its definition; a run
records all three, so changing a definition without a new version is caught by replay.
All arithmetic is Decimal with an explicit context: results never depend on floats or on
whatever decimal context the calling thread happens to have.
"""

from __future__ import annotations

import copy
import decimal
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from services.scoring.counting import RATINGS, Counts, EntryFact, RosterEntry, missing_units
from shared.canonical import digest

ROUNDING_MODES = {
    "ROUND_HALF_UP": decimal.ROUND_HALF_UP,
    "ROUND_HALF_EVEN": decimal.ROUND_HALF_EVEN,
}
# Every operation goes through this context, never the thread's: wide enough that products
# and sums are exact and the division is exact far beyond the quantum before its one rounding.
_EXACT = decimal.Context(
    prec=60, rounding=decimal.ROUND_HALF_EVEN, traps=[decimal.InvalidOperation]
)


class SchemeError(ValueError):
    pass


@dataclass(frozen=True, eq=False)
class Scheme:
    definition: Mapping[str, Any]
    scheme_hash: str = field(init=False)

    def __post_init__(self) -> None:
        # A private copy: the hash must keep describing exactly what compute() reads.
        definition = copy.deepcopy(dict(self.definition))
        _check(definition)
        object.__setattr__(self, "definition", definition)
        object.__setattr__(self, "scheme_hash", digest(definition))

    @property
    def scheme_id(self) -> str:
        return str(self.definition["scheme_id"])

    @property
    def version(self) -> int:
        return int(self.definition["version"])

    @property
    def key(self) -> tuple[str, int]:
        return (self.scheme_id, self.version)

    def ref(self) -> dict[str, Any]:
        return {
            "scheme_id": self.scheme_id,
            "version": self.version,
            "scheme_hash": self.scheme_hash,
        }

    def weights(self) -> dict[str, Decimal]:
        return {rating: Decimal(w) for rating, w in self.definition["weights"].items()}


def _check(definition: Mapping[str, Any]) -> None:
    weighted = set(definition["weights"])
    excluded = set(definition["excluded"])
    if weighted & excluded or weighted | excluded != set(RATINGS):
        raise SchemeError("every rating must be either weighted or excluded, not both")
    if not set(definition["satisfied"]) <= weighted:
        raise SchemeError("satisfied ratings must be weighted ratings")
    if definition["rounding"] not in ROUNDING_MODES:
        raise SchemeError(f"unknown rounding {definition['rounding']}")


SATISFACTION_V1 = Scheme(
    {
        "scheme_id": "satisfaction",
        "version": 1,
        "title": "问卷测评满意度: 满意 1, 基本满意 0.8, 不满意 0, 不了解不计入有效问卷",
        "weights": {"满意": "1", "基本满意": "0.8", "不满意": "0"},
        "excluded": ["不了解"],
        "satisfied": ["满意", "基本满意"],
        "scale": "100",
        "places": 2,
        "rounding": "ROUND_HALF_UP",
    }
)

SCHEMES: dict[tuple[str, int], Scheme] = {SATISFACTION_V1.key: SATISFACTION_V1}
DEFAULT_SCHEME = SATISFACTION_V1


UNIT_FACTS_V1: tuple[EntryFact, ...] = ("name", "category")
UNIT_FACTS: tuple[EntryFact, ...] = (
    "name",
    "category",
    "jurisdiction_id",
    "status",
)


def unit_facts(lifecycle_after: int | None) -> tuple[EntryFact, ...]:
    """The roster facts a run's inputs carry per unit: runs whose roster followed lifecycle
    facts also carry the unit's jurisdiction and status; earlier runs name and category."""
    return UNIT_FACTS_V1 if lifecycle_after is None else UNIT_FACTS


def build_inputs(
    wave: Mapping[str, Any],
    roster: Mapping[str, RosterEntry],
    counts: Counts,
    responses: int,
    facts: tuple[EntryFact, ...] = UNIT_FACTS,
) -> dict[str, Any]:
    """Everything a score depends on besides the scheme, in one canonical document.

    `wave` holds wave_id, jurisdiction_id, name and unit_ids; `facts` are the roster facts
    recorded per unit (see `unit_facts`). Units are sorted by id so the document (and its
    digest) does not depend on the order anything arrived in.
    """
    absent = missing_units(roster, wave["unit_ids"])
    if absent:
        raise SchemeError(f"units not on the roster: {', '.join(absent)}")
    units = [
        {"unit_id": unit_id}
        | {fact: roster[unit_id][fact] for fact in facts}
        | {"counts": {rating: counts[unit_id].get(rating, 0) for rating in RATINGS}}
        for unit_id in sorted(set(wave["unit_ids"]))
    ]
    return {
        "wave_id": str(wave["wave_id"]),
        "jurisdiction_id": str(wave["jurisdiction_id"]),
        "wave_name": wave["name"],
        "responses": responses,
        "units": units,
    }


def _percent(numerator: Decimal, valid: int, scheme: Scheme) -> str | None:
    if valid == 0:
        return None
    definition = scheme.definition
    scaled = _EXACT.multiply(numerator, Decimal(definition["scale"]))
    exact = _EXACT.divide(scaled, Decimal(valid))
    quantum = Decimal(1).scaleb(-int(definition["places"]), context=_EXACT)
    rounding = ROUNDING_MODES[definition["rounding"]]
    rounded = exact.quantize(quantum, rounding=rounding, context=_EXACT)
    return format(rounded, "f")


def score_unit(scheme: Scheme, unit: Mapping[str, Any]) -> dict[str, Any]:
    counts: dict[str, int] = {rating: int(unit["counts"].get(rating, 0)) for rating in RATINGS}
    weights = scheme.weights()
    valid = sum(counts[rating] for rating in weights)
    satisfied = sum(counts[rating] for rating in scheme.definition["satisfied"])
    weighted = Decimal(0)
    for rating, weight in weights.items():
        weighted = _EXACT.add(weighted, _EXACT.multiply(weight, Decimal(counts[rating])))
    result: dict[str, Any] = {
        "unit_id": unit["unit_id"],
        "unit_name": unit["name"],
        "category": unit["category"],
        "counts": counts,
        "valid_count": valid,
        "satisfaction_rate": _percent(Decimal(satisfied), valid, scheme),
        "score": _percent(weighted, valid, scheme),
    }
    result["result_digest"] = digest(result)
    return result


def compute(scheme: Scheme, inputs: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One UnitScore-shaped dict per unit, in the inputs' (unit id) order."""
    return [score_unit(scheme, unit) for unit in inputs["units"]]


def results_digest(results: list[dict[str, Any]]) -> str:
    return digest(results)
