"""The methodology of a round's results in the scheme's own words, gathered from what scoring
published: every component (name, weight, formula), deduction (name, formula, cap),
override, the basis of each grade and the lists — enough, with the scheme's id, version and
hash, for anyone to reproduce a score."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from services.reporting.rounds.read import INSUFFICIENT_SAMPLE, scheme_lists
from shared.views import Document

FLAG_NAMES = {"indistinguishable_from_neighbours": "与相邻名次差异不显著"}
"""Scoring's flags that are codes rather than words, as readers of a report read them."""


MISSING_COMPONENT = "缺少必需成分:"
"""Scoring's flag for a component a unit has no value for, followed by the component's code."""


def flag_names(flags: Iterable[str], components: Mapping[str, str] | None = None) -> list[str]:
    """The flags as a reader reads them: codes in words, a component by its name
    (`components`: code -> name, from the unit's result)."""
    names = components or {}
    return [_flag_name(flag, names) for flag in flags]


def other_flags(line: Mapping[str, Any]) -> str:
    """A ranking line's 标记 column: its flags in words but 样本不足, which the score column
    says in place of the score (the page, the PDF and the sheets alike)."""
    names = flag_names(line["flags"], line.get("component_names"))
    return "、".join(name for name in names if name != INSUFFICIENT_SAMPLE)


def _flag_name(flag: str, components: Mapping[str, str]) -> str:
    if flag.startswith(MISSING_COMPONENT):
        code = flag.removeprefix(MISSING_COMPONENT)
        return f"缺少必需成分：{components.get(code, code)}"
    return FLAG_NAMES.get(flag, flag)


def methodology(run: Document, units: Iterable[Document]) -> Document:
    payload = run["payload"]
    components: dict[str, Document] = {}
    deductions: dict[str, Document] = {}
    overrides: dict[str, str] = {}
    bases: dict[str, list[str]] = {grade: [] for grade in payload["grades"]}
    for unit in units:
        for part in unit["components"]:
            components.setdefault(part["code"], _component(part))
        for part in unit["deductions"]:
            deductions.setdefault(part["code"], _deduction(part))
        for part in unit["overrides"]:
            overrides.setdefault(part["code"], part["name"])
        if unit["grade"] is not None and unit["grade_basis"]:
            found = bases.setdefault(unit["grade"], [])
            if unit["grade_basis"] not in found:
                found.append(unit["grade_basis"])
    return {
        "scheme": payload["scheme"],
        "scheme_title": payload["scheme_title"],
        "components": list(components.values()),
        "deductions": list(deductions.values()),
        "overrides": list(overrides.values()),
        "grades": [{"grade": g, "bases": b} for g, b in bases.items()],
        "lists": [{"code": c, "name": n} for c, n in scheme_lists(payload).items()],
        "inputs_digest": payload["inputs_digest"],
        "results_digest": run["results_digest"],
    }


def _component(part: dict[str, Any]) -> Document:
    return {key: part[key] for key in ("code", "name", "source", "weight", "formula")}


def _deduction(part: dict[str, Any]) -> Document:
    return {key: part[key] for key in ("code", "name", "formula", "cap")}
