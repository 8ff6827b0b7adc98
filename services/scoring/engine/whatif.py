"""What-if: the same round computed under a draft scheme, compared unit by unit with the
results under the scheme in force. Nothing is published; this only compares two results
documents of `compute_round`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

COMPARED = ("score", "rank", "grade", "status", "lists", "flags")

FlagWords = Mapping[str, Sequence[str]]
"""Per unit with flags, its flags in words in the results' order (`rounds.flag_words`)."""


def compare_results(
    in_force: Mapping[str, Any],
    draft: Mapping[str, Any],
    in_force_words: FlagWords | None = None,
    draft_words: FlagWords | None = None,
) -> list[dict[str, Any]]:
    """One entry per unit whose score, rank, grade, status, lists or flags differ, sorted by
    unit id: {"unit_id", "unit_name", "changed": [fields], "score"/"rank"/"grade"/"status":
    {"in_force", "draft"}, "lists": {"in_force", "draft", "added", "removed"}, "flags": the
    same and "names", each of those four in words}. A unit present in only one of the two
    has None (and no lists or flags) on the other side.

    Flags are the engine's (`样本不足`, `缺少必需成分:<code>`); their words come from each
    side's own scheme version (`in_force_words`, `draft_words`), since a draft may name a
    component differently, so an added flag is said in the draft's words and a removed one
    in the scheme in force's. Without words a flag is said as computed."""
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
        for field in ("score", "rank", "grade", "status"):
            entry[field] = {"in_force": old.get(field), "draft": new.get(field)}
        old_lists, new_lists = _value(old, "lists"), _value(new, "lists")
        entry["lists"] = {
            "in_force": old_lists,
            "draft": new_lists,
            "added": sorted(set(new_lists) - set(old_lists)),
            "removed": sorted(set(old_lists) - set(new_lists)),
        }
        entry["flags"] = _flags(
            _said(old, (in_force_words or {}).get(unit_id)),
            _said(new, (draft_words or {}).get(unit_id)),
        )
        out.append(entry)
    return out


def _said(unit: Mapping[str, Any], words: Sequence[str] | None) -> list[tuple[str, str]]:
    """The unit's flags in the results' order, each with its words."""
    flags = list(unit.get("flags") or ())
    said = list(words) if words is not None and len(words) == len(flags) else flags
    return list(zip(flags, said, strict=True))


def _flags(old: list[tuple[str, str]], new: list[tuple[str, str]]) -> dict[str, Any]:
    old_codes, new_codes = {code for code, _ in old}, {code for code, _ in new}
    added = [pair for pair in new if pair[0] not in old_codes]
    removed = [pair for pair in old if pair[0] not in new_codes]
    sides = {"in_force": old, "draft": new, "added": added, "removed": removed}
    return {side: [code for code, _ in pairs] for side, pairs in sides.items()} | {
        "names": {side: [word for _, word in pairs] for side, pairs in sides.items()}
    }


def _value(unit: Mapping[str, Any], field: str) -> Any:
    if field in ("lists", "flags"):
        # A set each: the same flags in another order are no change for the office.
        return sorted(unit.get(field) or [])
    value = unit.get(field)
    if field == "score" and isinstance(value, str):
        # By value: a draft rounding to other places (85.00 under it, 85 under the draft)
        # changes no unit's score; 85.49 rounded to 85 does, and is shown.
        try:
            return Decimal(value)
        except InvalidOperation:
            return value
    return value
