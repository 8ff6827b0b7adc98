"""What a replay says of a stored run: identical, or which units differ and in what (by
path), and any problem with the logs it read."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from shared.canonical import canonical_json, digest


@dataclass(frozen=True)
class RoundVerdict:
    run_id: str
    campaign_id: str
    round: int
    final: bool
    problems: tuple[str, ...] = ()
    units: tuple[str, ...] = field(default=())
    """Units whose result differs."""
    unit_count: int = 0
    details: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """unit id -> what differs in its result, stored against replayed (`differences`)."""
    survey_ranges: int = 1
    """How many ranges of the survey log were counted side by side (`replay_round`)."""
    unread: bool = False
    """The logs the run was computed from could not be read (a store gone since the check, a
    row stored without its message body): the run was not compared, so it is neither
    identical nor different."""

    @property
    def identical(self) -> bool:
        return not self.problems and not self.units

    def rows(self) -> list[tuple[str, str, str, str]]:
        run = f"{self.run_id} (round)"
        what = f"{self.campaign_id} round {self.round}" + (" final" if self.final else "")
        if self.identical:
            how = f" (survey log in {self.survey_ranges} ranges)" if self.survey_ranges > 1 else ""
            return [(run, what, f"{self.unit_count} units", f"identical{how}")]
        rows = [(run, what, "-", problem) for problem in self.problems]
        for unit in self.units:
            detail = "; ".join(self.details.get(unit, ()))
            rows.append((run, what, unit, f"different: {detail}" if detail else "different"))
        return rows


MAX_DETAILS = 6
"""Differences named per unit; the rest are counted."""


def differences(stored: Any, replayed: Any) -> tuple[str, ...]:
    """The values that differ between a unit's stored and replayed result, by path
    (components and deductions by their code), e.g.
    `components.questionnaire.inputs.counts.满意 stored 3, replay 4`: what an auditor needs
    to see which input moved."""
    found: list[str] = []
    _walk("", stored, replayed, found)
    if len(found) > MAX_DETAILS:
        found = [*found[:MAX_DETAILS], f"and {len(found) - MAX_DETAILS} more"]
    return tuple(found)


def _walk(path: str, old: Any, new: Any, found: list[str]) -> None:
    if isinstance(old, list) and isinstance(new, list) and _coded(old) and _coded(new):
        old, new = _by_code(old), _by_code(new)
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(old.keys() | new.keys(), key=str):
            _walk(f"{path}.{key}" if path else str(key), old.get(key), new.get(key), found)
    elif old != new:
        found.append(f"{path or 'result'} stored {_shown(old)}, replay {_shown(new)}")


def _coded(items: list[Any]) -> bool:
    return all(isinstance(item, dict) and isinstance(item.get("code"), str) for item in items)


def _by_code(items: list[dict[str, Any]]) -> dict[str, Any]:
    return {item["code"]: item for item in items}


def _shown(value: Any) -> str:
    return "—" if value is None else canonical_json(value).decode()


def compare(
    base: dict[str, Any],
    stored: dict[str, Any],
    replayed: dict[str, Any],
    positions: dict[str, int],
) -> RoundVerdict:
    problems: list[str] = []
    ranges = replayed.pop("survey_ranges")
    if replayed.pop("upstream_positions") != positions:
        problems.append("the logs end before the positions the run names")
    if replayed.get("inputs_digest") != stored.get("inputs_digest"):
        problems.append("inputs differ: the logs up to the run's positions are not what it read")
    stored_units = {u["unit_id"]: u for u in stored.get("units", [])}
    replayed_units = {u["unit_id"]: u for u in replayed.get("units", [])}
    differing = sorted(
        unit_id
        for unit_id in stored_units.keys() | replayed_units.keys()
        if digest(stored_units.get(unit_id)) != digest(replayed_units.get(unit_id))
    )
    if not differing and digest(stored) != digest(replayed):
        problems.append("the results differ outside the units (lists, digests)")
    details = {u: differences(stored_units.get(u), replayed_units.get(u)) for u in differing}
    return RoundVerdict(
        **base,
        problems=tuple(problems),
        units=tuple(differing),
        unit_count=len(stored_units),
        details=details,
        survey_ranges=ranges,
    )
