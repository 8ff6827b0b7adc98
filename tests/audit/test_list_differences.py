"""A difference in a round's lists (先进单位, 通报批评 …) is said per list, as the units the
recomputation adds and takes off it, by name: the two whole documents cut at the same
length used to read alike, leaving the auditor to diff them by hand."""

from __future__ import annotations

from typing import Any

from pingyi.audit_verdict import Verdict, top_level

UNITS = [f"00000000-0000-4000-8000-{n:012d}" for n in range(40)]
NAMES = {u: f"第{n}单位" for n, u in enumerate(UNITS)}


def _results(advanced: list[str], criticised: list[str]) -> dict[str, Any]:
    return {
        "units": [{"unit_id": u, "name": NAMES[u]} for u in UNITS],
        "list_names": {"advanced": "先进单位", "criticised": "通报批评"},
        "lists": {"advanced": advanced, "criticised": criticised},
    }


def test_each_list_that_differs_names_the_units_added_and_taken_off() -> None:
    stored = _results(UNITS[:30], UNITS[38:])
    recomputed = _results([*UNITS[:29], UNITS[31]], UNITS[38:])
    said = top_level(stored, recomputed, skip=set())
    [line] = said
    assert line.startswith("lists.advanced (先进单位): 重算加入 第31单位; 重算移出 第29单位 ("), (
        line
    )
    assert "the recomputation adds 第31单位; the recomputation takes off 第29单位)" in line, line
    assert "criticised" not in line
    shown = Verdict(False, said, []).lines()
    assert shown == [f"不一致 different: {line}"]


def test_other_fields_are_said_as_before() -> None:
    stored = _results(UNITS[:2], []) | {"results_digest": "a" * 64}
    recomputed = _results(UNITS[:2], []) | {"results_digest": "b" * 64}
    [line] = top_level(stored, recomputed, skip=set())
    assert line.startswith(f'results_digest: 审计包中为 "{"a" * 64}", 重算为 "{"b" * 64}"')
