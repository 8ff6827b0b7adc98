"""What replay concludes about one stored run: per-unit verdicts and run-level problems."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal
from uuid import UUID

from shared.canonical import canonical_json

UnitStatus = Literal["identical", "different", "missing", "unexpected"]


@dataclass(frozen=True)
class UnitVerdict:
    unit_id: str
    unit_name: str
    status: UnitStatus
    fields: tuple[str, ...] = ()
    """Fields whose recorded and recomputed values differ."""


@dataclass(frozen=True)
class VerifyResult:
    run_id: UUID
    wave_id: str
    wave_name: str
    final: bool
    scheme: dict[str, Any]
    upstream_positions: dict[str, int]
    inputs_identical: bool
    units: tuple[UnitVerdict, ...]
    problems: tuple[str, ...]
    """Run-level differences: digests, positions, identity, undecodable records."""

    @property
    def identical(self) -> bool:
        return not self.problems and all(u.status == "identical" for u in self.units)

    @property
    def status(self) -> Literal["identical", "different"]:
        return "identical" if self.identical else "different"

    def rows(self) -> list[tuple[str, str, str, str]]:
        """(score run, wave, unit, result) lines for a report table."""
        run, wave = str(self.run_id), self.wave_name
        if self.identical:
            return [(run, wave, f"{len(self.units)} units", "identical")]
        rows = [(run, wave, "-", problem) for problem in self.problems]
        for unit in self.units:
            if unit.status != "identical":
                detail = f"{unit.status}: {', '.join(unit.fields)}" if unit.fields else unit.status
                rows.append((run, wave, unit.unit_name or unit.unit_id, detail))
        return rows

    def as_dict(self) -> dict[str, Any]:
        return {
            "run_id": str(self.run_id),
            "wave_id": self.wave_id,
            "wave_name": self.wave_name,
            "final": self.final,
            "scheme": self.scheme,
            "upstream_positions": self.upstream_positions,
            "status": self.status,
            "inputs_identical": self.inputs_identical,
            "problems": list(self.problems),
            "units": [
                {
                    "unit_id": u.unit_id,
                    "unit_name": u.unit_name,
                    "status": u.status,
                    "fields": list(u.fields),
                }
                for u in self.units
            ],
        }


def compare_units(
    recorded: list[dict[str, Any]], recomputed: list[dict[str, Any]]
) -> tuple[UnitVerdict, ...]:
    """Identical means the same canonical bytes. `unexpected`: a stored unit replay does not
    score; `missing`: a unit replay scores that the stored run lacks."""
    stored = {str(r.get("unit_id")): r for r in recorded if isinstance(r, dict)}
    fresh = {r["unit_id"]: r for r in recomputed}
    verdicts = []
    for unit_id in sorted(stored.keys() | fresh.keys()):
        old, new = stored.get(unit_id), fresh.get(unit_id)
        name = str((old or new or {}).get("unit_name", ""))
        if new is None:
            verdicts.append(UnitVerdict(unit_id, name, "unexpected"))
        elif old is None:
            verdicts.append(UnitVerdict(unit_id, name, "missing"))
        elif canonical_json(old) == canonical_json(new):
            verdicts.append(UnitVerdict(unit_id, name, "identical"))
        else:
            fields = tuple(sorted(k for k in old.keys() | new.keys() if old.get(k) != new.get(k)))
            verdicts.append(UnitVerdict(unit_id, name, "different", fields))
    return tuple(verdicts)
