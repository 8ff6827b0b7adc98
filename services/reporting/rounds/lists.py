"""A round's lists as documents show them: the scheme's names and order, each list's units
by category, rank and pinyin, and the grade counts."""

from __future__ import annotations

from typing import Any

from shared.text_order import pinyin_key
from shared.views import Document


def scheme_lists(payload: Document) -> dict[str, str]:
    """The scheme's lists, code -> name, in the order the scheme declares them (先进, 一般,
    差 …: `list_order`), as every document shows them. `list_names` alone cannot say it:
    its keys travel sorted. Results published before the order was carried (no
    `list_order`) keep their lists in code order."""
    names: dict[str, str] = payload["list_names"]
    declared = [code for code in payload.get("list_order") or () if code in names]
    return {code: names[code] for code in dict.fromkeys([*declared, *names])}


def named_lists(
    payload: Document, by_unit: dict[str, Document], categories: list[str]
) -> list[Document]:
    """Every list the results carry, under the scheme's name (先进单位, 通报批评, 约谈 …) and
    in the scheme's order (`scheme_lists`), its units as a published list reads: by
    category in the campaign's order (the run's), then by rank, then by name in pinyin
    order (ties, and the unranked last); the results carry them by id, which means nothing
    to a reader."""
    names = scheme_lists(payload)
    lists: dict[str, list[str]] = payload["lists"]
    codes = list(dict.fromkeys([*names, *lists]))
    keys = ("unit_id", "unit_name", "category", "score", "rank", "grade")
    return [
        {
            "code": code,
            "name": names.get(code, code),
            "units": [
                {key: line[key] for key in keys}
                for line in listed_order(
                    [by_unit[u] for u in lists.get(code, []) if u in by_unit], categories
                )
            ],
        }
        for code in codes
    ]


def listed_order(lines: list[Document], categories: list[str]) -> list[Document]:
    order = {name: index for index, name in enumerate(categories)}

    def key(line: Document) -> tuple[Any, ...]:
        rank = line["rank"]
        return (
            order.get(line["category"], len(order)),
            line["category"],
            bool(line["sub_unit"]),
            rank is None,
            rank or 0,
            pinyin_key(line["unit_name"] or ""),
            line["unit_id"],
        )

    return sorted(lines, key=key)


def grade_counts(grades: list[str], lines: Any) -> dict[str, int]:
    counts = dict.fromkeys(grades, 0)
    for line in lines:
        if line["grade"] is not None and not line["sub_unit"]:
            counts[line["grade"]] = counts.get(line["grade"], 0) + 1
    return counts
