"""Round inputs documents built by hand, in the shape the fold produces
(services/scoring/engine/inputs.py): every unit a key of every per-unit table, every level
of a wave's scale a key of every count."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from services.scoring.engine.inputs import RoundInputs, UnitFacts, UnitTally, WaveFacts
from shared.contracts.survey import SCALE_LEVELS, Scale

CAMPAIGN = "c0000000-0000-4000-8000-000000000001"
JURISDICTION = "10000000-0000-4000-8000-000000000001"


def uid(n: int) -> str:
    return f"00000000-0000-4000-8000-{n:012d}"


def unit(
    n: int,
    name: str,
    category: str,
    *,
    parent: int | None = None,
    vertical: bool = False,
    status: str = "active",
    enrolled: bool = True,
) -> UnitFacts:
    return {
        "unit_id": uid(n),
        "name": name,
        "category": category,
        "jurisdiction_id": JURISDICTION,
        "parent_id": uid(parent) if parent is not None else None,
        "vertical_superior": "20000000-0000-4000-8000-000000000001" if vertical else None,
        "status": status,
        "enrolled": enrolled,
        "key_target": False,
    }


def levels(scale: str, counts: Mapping[str, int]) -> dict[str, int]:
    return {level: counts.get(level, 0) for level in SCALE_LEVELS[Scale(scale)]}


def tally(
    scale: str,
    *,
    by_point: Mapping[str, Mapping[str, int]] | None = None,
    by_group: Mapping[str, Mapping[str, int]] | None = None,
    counts: Mapping[str, int] | None = None,
) -> UnitTally:
    """From one of counts / by_point / by_group; the others follow (all in stratum "")."""
    strata = by_point or by_group or {"": counts or {}}
    total = {lv: sum(s.get(lv, 0) for s in strata.values()) for lv in SCALE_LEVELS[Scale(scale)]}
    return {
        "counts": total,
        "by_point": {p: levels(scale, c) for p, c in (by_point or {"": total}).items()},
        "by_group": {g: levels(scale, c) for g, c in (by_group or {"": total}).items()},
    }


def wave(
    n: int,
    kind: str,
    scale: str,
    unit_ids: Iterable[str],
    *,
    panel_size: int = 0,
    groups: Mapping[str, int] | None = None,
    points: Mapping[str, int] | None = None,
) -> WaveFacts:
    return {
        "wave_id": f"30000000-0000-4000-8000-{n:012d}",
        "kind": kind,
        "scale": scale,
        "name": f"第{n}次测评",
        "closed": True,
        "unit_ids": list(unit_ids),
        "panel_size": panel_size,
        "groups": dict(groups or {}),
        "points": dict(points or {}),
    }


def round_inputs(
    units: list[UnitFacts],
    *,
    pattern: str,
    categories: list[str],
    waves: Iterable[tuple[WaveFacts, Mapping[str, UnitTally]]] = (),
    round_no: int = 1,
    window: tuple[str, str] = ("2024-01-01", "2024-12-31"),
    **per_unit: Mapping[str, Any],
) -> RoundInputs:
    """`per_unit`: findings=, complaints=, hotline=, assessments=, vetoes=, cancellations=,
    rectification=, tasks=, history= — each unit id -> its facts; the rest filled empty."""
    waves = list(waves)
    ids = sorted(u["unit_id"] for u in units)
    empty: dict[str, Any] = {"hotline": 0, "assessments": {}}

    def table(key: str) -> dict[str, Any]:
        given = per_unit.get(key, {})
        return {u: given.get(u, empty.get(key, [])) for u in ids}

    doc: dict[str, Any] = {
        "campaign": {
            "campaign_id": CAMPAIGN,
            "name": "测试评议活动",
            "pattern": pattern,
            "jurisdiction_id": JURISDICTION,
            "round": round_no,
            "window": {"starts_on": window[0], "ends_on": window[1]},
            "cycle_starts_on": window[0],
            "categories": categories,
        },
        "units": sorted(units, key=lambda u: u["unit_id"]),
        "waves": sorted((w for w, _ in waves), key=lambda w: w["wave_id"]),
        "survey": {w["wave_id"]: dict(t) for w, t in waves},
    }
    for key in (
        "findings",
        "complaints",
        "hotline",
        "assessments",
        "vetoes",
        "cancellations",
        "rectification",
        "tasks",
        "history",
    ):
        doc[key] = table(key)
    return doc  # type: ignore[return-value]


def finding(
    n: int, severity: str | None, method: str = "暗访", deduction: str | None = None
) -> dict[str, Any]:
    return {
        "finding_id": f"40000000-0000-4000-8000-{n:012d}",
        "method": method,
        "item": None,
        "severity": severity,
        "deduction": deduction,
        "found_on": "2024-05-01",
    }


def complaint(n: int, outcome: str | None, channel: str = "政风行风热线") -> dict[str, Any]:
    return {
        "complaint_id": f"50000000-0000-4000-8000-{n:012d}",
        "channel": channel,
        "kind": "complaint",
        "outcome": outcome,
        "callback": None,
        "received_on": "2024-03-01",
    }


def assessment(name: str, score: str, maximum: str) -> dict[str, str]:
    return {"name": name, "score": score, "maximum": maximum}


def history(
    grade: str | None,
    lists: list[str] = (),
    score: str | None = None,  # type: ignore[assignment]
    carried: Mapping[str, str] | None = None,
    round_no: int = 1,
) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "campaign_id": "c0000000-0000-4000-8000-000000000000",
        "round": round_no,
        "window_ends_on": "2022-12-31",
        "grade": grade,
        "lists": list(lists),
        "score": score,
    }
    if carried is not None:
        entry["carried"] = dict(carried)
    return entry


def by_id(results: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    return {u["unit_id"]: u for u in results["units"]}


def component(unit_result: Mapping[str, Any], code: str) -> dict[str, Any]:
    return next(c for c in unit_result["components"] if c["code"] == code)


def two_units_rated(first: Mapping[str, int], second: Mapping[str, int]) -> RoundInputs:
    """A round of two units of one category (甲类), rated on one four-level wave with these
    counts (level -> questionnaires): the least a grading rule needs to be seen at work."""
    units = [unit(1, "甲", "甲类"), unit(2, "乙", "甲类")]
    w = wave(1, "satisfaction_survey", "four_level", [uid(1), uid(2)])
    tallies = {
        uid(1): tally("four_level", counts=first),
        uid(2): tally("four_level", counts=second),
    }
    return round_inputs(
        units, pattern="democratic_appraisal", categories=["甲类"], waves=[(w, tallies)]
    )
