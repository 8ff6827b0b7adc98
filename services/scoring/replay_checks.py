"""Replay's checks around the recomputation: that there are stores to verify from, and, when
a run's inputs digest differs, which units' inputs differ and how."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from shared.persistence.message_log import has_store, store_location
from shared.settings import CommonSettings

INPUT_FIELDS = ("unit_name", "category", "counts")
"""The fields of a unit's result copied from its inputs: where they differ, the inputs do."""


def missing_stores(common: CommonSettings, services: Iterable[str]) -> str | None:
    """Why replay cannot start here (stores not where the settings point), or None."""
    missing = [name for name in services if not has_store(common, name)]
    if not missing:
        return None
    where = "; ".join(f"{name}: {store_location(common, name)}" for name in missing)
    hint = (
        f" (is {common.data_dir.resolve()} the data directory? pass --data-dir or set"
        " PINGYI_DATA_DIR)"
        if common.mode == "embedded"
        else " (check PINGYI_DATABASE_URL and the services' schemas)"
    )
    return f"no event store to verify from: {where}{hint}"


def unit_input_differences(
    stored_results: list[Any], recomputed: list[dict[str, Any]], positions: Mapping[str, int]
) -> list[str]:
    """Which units' inputs differ and how: the values each result copied from its inputs
    (answer counts from the survey log, name and category from the registry log), stored
    against replayed, with the log positions the run read up to."""
    fresh = {r["unit_id"]: r for r in recomputed}
    lines = []
    for stored in stored_results:
        if not isinstance(stored, dict) or stored.get("unit_id") not in fresh:
            continue
        replayed = fresh[stored["unit_id"]]
        changes = [
            change
            for name in INPUT_FIELDS
            for change in _changes(name, stored.get(name), replayed.get(name))
        ]
        if changes:
            label = f"{stored.get('unit_name') or ''} ({stored['unit_id']})".strip()
            sources = _sources(changes, positions)
            lines.append(f"inputs of unit {label} differ ({sources}): " + "; ".join(changes))
    return lines


def _changes(name: str, stored: Any, replayed: Any) -> list[str]:
    if isinstance(stored, dict) and isinstance(replayed, dict):
        return [
            f"{name}.{key} stored {stored.get(key)!r}, replay {replayed.get(key)!r}"
            for key in sorted(stored.keys() | replayed.keys())
            if stored.get(key) != replayed.get(key)
        ]
    return [] if stored == replayed else [f"{name} stored {stored!r}, replay {replayed!r}"]


def _sources(changes: list[str], positions: Mapping[str, int]) -> str:
    logs = []
    if any(c.startswith("counts") for c in changes):
        logs.append(f"survey log up to {positions.get('survey')}")
    if any(not c.startswith("counts") for c in changes):
        logs.append(f"registry log up to {positions.get('registry')}")
    return ", ".join(logs)
