"""What-if: the same round computed under a draft scheme, compared unit by unit with the
results under the scheme in force. Nothing is published; this only compares two results
documents of `compute_round`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

COMPARED = ("score", "rank", "grade", "lists")


def compare_results(in_force: Mapping[str, Any], draft: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One entry per unit whose score, rank, grade or lists differ, sorted by unit id:
    {"unit_id", "unit_name", "changed": [fields], "score"/"rank"/"grade": {"in_force",
    "draft"}, "lists": {"in_force", "draft", "added", "removed"}}. A unit present in only
    one of the two has None (and no lists) on the other side."""
    before = {u["unit_id"]: u for u in in_force["units"]}
    after = {u["unit_id"]: u for u in draft["units"]}
    out = []
    for unit_id in sorted(before.keys() | after.keys()):
        old, new = before.get(unit_id, {}), after.get(unit_id, {})
        changed = [f for f in COMPARED if _value(old, f) != _value(new, f)]
        if not changed:
            continue
        entry: dict[str, Any] = {
            "unit_id": unit_id,
            "unit_name": (new or old)["unit_name"],
            "changed": changed,
        }
        for field in ("score", "rank", "grade"):
            entry[field] = {"in_force": old.get(field), "draft": new.get(field)}
        old_lists, new_lists = _value(old, "lists"), _value(new, "lists")
        entry["lists"] = {
            "in_force": old_lists,
            "draft": new_lists,
            "added": sorted(set(new_lists) - set(old_lists)),
            "removed": sorted(set(old_lists) - set(new_lists)),
        }
        out.append(entry)
    return out


def _value(unit: Mapping[str, Any], field: str) -> Any:
    if field == "lists":
        return sorted(unit.get("lists", []))
    return unit.get(field)
