"""The registry's folding rules live once, in its contract module, and the registry itself
and every service's copy of it call them."""

from __future__ import annotations

import ast
from datetime import UTC, date, datetime
from pathlib import Path
from uuid import uuid4

from shared.contracts.registry import (
    UnitDissolved,
    UnitMoved,
    UnitsMerged,
    UnitSplit,
    aliases_after,
    ended_units,
    registered_on,
    successors,
)

ROOT = Path(__file__).resolve().parents[2]
RULES = {"aliases_after", "successors", "ended_units", "registered_on", "unit_status", "china_date"}
CHANGE = {"effective_on": date(2025, 1, 1), "reason": "机构改革", "actor": "office:x"}


def test_the_rules_are_defined_in_the_contract_module_only() -> None:
    defined: dict[str, list[str]] = {}
    for path in [*ROOT.joinpath("shared").rglob("*.py"), *ROOT.joinpath("services").rglob("*.py")]:
        # Module-level functions: RegistryView's methods of the same names delegate to these.
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.FunctionDef) and node.name in RULES:
                defined.setdefault(node.name, []).append(str(path.relative_to(ROOT)))
    assert defined == {rule: ["shared/contracts/registry.py"] for rule in RULES}


def test_aliases_keep_every_earlier_name_except_what_is_current_again() -> None:
    after_first = aliases_after([], ("区发改委", "发改委"), "区发改局", "发改局")
    assert after_first == ["区发改委", "发改委"]
    back = aliases_after(after_first, ("区发改局", "发改局"), "区发改委", None)
    assert back == ["发改委", "区发改局", "发改局"]


def test_lifecycle_facts_end_their_units_with_a_status() -> None:
    a, b, new = uuid4(), uuid4(), uuid4()
    merged = UnitsMerged(new_unit_id=new, source_unit_ids=(a, b), name="合并", **CHANGE)
    assert ended_units(merged) == {a: "merged", b: "merged"}
    assert ended_units(UnitSplit(source_unit_id=a, new_unit_ids=(b, new), **CHANGE)) == {a: "split"}
    assert ended_units(UnitDissolved(unit_id=a, **CHANGE)) == {a: "dissolved"}
    moved = UnitMoved(unit_id=a, from_jurisdiction_id=b, to_jurisdiction_id=new, **CHANGE)
    assert ended_units(moved) == {}


def test_successors_follow_mergers_and_splits_to_active_units() -> None:
    records = {
        "old": {"status": "merged", "merged_into": "mid"},
        "mid": {"status": "split", "split_into": ["left", "right"]},
        "left": {"status": "active"},
        "right": {"status": "dissolved"},
        "legacy": {},  # written before statuses existed: active
    }
    assert successors("old", records.get) == ["left"]
    assert successors("legacy", records.get) == ["legacy"]
    assert successors("unknown", records.get) == []


def test_a_unit_exists_from_its_effective_day_or_the_china_day_it_was_recorded() -> None:
    late_evening_utc = datetime(2025, 3, 1, 17, 0, tzinfo=UTC)  # 01:00 on 2 March in China
    assert registered_on(None, late_evening_utc) == date(2025, 3, 2)
    assert registered_on(date(2024, 1, 1), late_evening_utc) == date(2024, 1, 1)
