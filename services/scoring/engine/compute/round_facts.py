"""The round inputs document, indexed for the computation: units by id, their sub-units,
the waves of each kind, and each unit's facts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from services.scoring.engine.inputs import RoundInputs, UnitFacts, WaveFacts


@dataclass(frozen=True)
class RoundFacts:
    inputs: RoundInputs
    units: Mapping[str, UnitFacts] = field(init=False)
    children: Mapping[str, tuple[str, ...]] = field(init=False)
    waves_by_kind: Mapping[str, tuple[WaveFacts, ...]] = field(init=False)

    def __post_init__(self) -> None:
        units = {u["unit_id"]: u for u in self.inputs["units"]}
        children: dict[str, list[str]] = {}
        for unit_id in sorted(units):
            parent = units[unit_id]["parent_id"]
            if parent is not None and parent in units:
                children.setdefault(parent, []).append(unit_id)
        waves: dict[str, list[WaveFacts]] = {}
        for wave in sorted(self.inputs["waves"], key=lambda w: w["wave_id"]):
            waves.setdefault(wave["kind"], []).append(wave)
        object.__setattr__(self, "units", units)
        object.__setattr__(self, "children", {k: tuple(v) for k, v in children.items()})
        object.__setattr__(self, "waves_by_kind", {k: tuple(v) for k, v in waves.items()})

    def is_sub_unit(self, unit_id: str) -> bool:
        parent = self.units[unit_id]["parent_id"]
        return parent is not None and parent in self.units

    def of(self, key: str, unit_id: str) -> Any:
        """The unit's facts under one key of the document (findings, complaints …), empty
        when the fold left it out."""
        table: Mapping[str, Any] = self.inputs.get(key, {})  # type: ignore[assignment]
        default: Any = 0 if key == "hotline" else ([] if key != "assessments" else {})
        return table.get(unit_id, default)

    def history(self, unit_id: str) -> list[Any]:
        return list(self.inputs.get("history", {}).get(unit_id, []))
