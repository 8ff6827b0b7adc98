"""What a jurisdiction summary counts of a run, kept per run and per jurisdiction where its
units were placed (`round_tallies`), so a summary sums one tally per jurisdiction of its
subtree instead of reading every unit result of the run (a province's round has thousands).

A run never changes once scored, so its tallies are worked out once, from the scored
message, in the same transaction as its units: a summary never sees a run without them.
Ranks, grades and lists are scoring's, read as the run carries them; nothing is ranked here.

Each tally holds, per category, a *part*: the counts a summary shows, the exact sum of the
scores it averages, and what it needs to list things in the run's reading order (each
grade's and each list entry's place in that order), since parts are added up in any order."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from shared.views import Document

INSUFFICIENT_SAMPLE = "样本不足"


def empty_part() -> Document:
    return {
        "units": 0,
        "sub_units": 0,
        "ranked": 0,
        "insufficient_sample": 0,
        "scored": 0,
        "score_sum": "0",
        "grades": {},
        "lists": {},
    }


def _count(part: Document, order: int, result: Document) -> None:
    """One unit result (the `order`-th of the run's reading order) into `part`. Sub-units
    are counted as such and only on lists, as the summary has always counted them."""
    for position, code in enumerate(result["lists"]):
        part["lists"].setdefault(code, []).append([order, position, result["unit_name"]])
    if result["sub_unit"]:
        part["sub_units"] += 1
        return
    part["units"] += 1
    part["ranked"] += result["rank"] is not None
    insufficient = INSUFFICIENT_SAMPLE in result["flags"]
    part["insufficient_sample"] += insufficient
    if result["score"] is not None and not insufficient:
        part["scored"] += 1
        part["score_sum"] = str(Decimal(part["score_sum"]) + Decimal(result["score"]))
    grade = result["grade"]
    if grade is not None:
        found = part["grades"].setdefault(grade, {"count": 0, "first": order})
        found["count"] += 1


def run_tallies(run_id: str, results: list[Document]) -> dict[str, Document]:
    """The run's tallies by key (`run_id/jurisdiction_id`), from its unit results in the
    run's reading order."""
    tallies: dict[str, Document] = {}
    for order, result in enumerate(results):
        place = str(result["jurisdiction_id"])
        tally = tallies.setdefault(
            f"{run_id}/{place}",
            {"run_id": run_id, "jurisdiction_id": place, "categories": {}},
        )
        categories = tally["categories"]
        if result["category"] not in categories:
            categories[result["category"]] = empty_part() | {"first": order}
        _count(categories[result["category"]], order, result)
    return tallies


def add(total: Document, part: Document) -> Document:
    """`total` and `part` added up (neither is changed): counts summed, scores summed
    exactly, each grade's and category's first place the earlier one, list entries
    together."""
    found: Document = {
        key: total[key] + part[key]
        for key in ("units", "sub_units", "ranked", "insufficient_sample", "scored")
    }
    found["score_sum"] = str(Decimal(total["score_sum"]) + Decimal(part["score_sum"]))
    grades: dict[str, Any] = {g: dict(v) for g, v in total["grades"].items()}
    for grade, counted in part["grades"].items():
        if grade in grades:
            grades[grade] = {
                "count": grades[grade]["count"] + counted["count"],
                "first": min(grades[grade]["first"], counted["first"]),
            }
        else:
            grades[grade] = dict(counted)
    lists: dict[str, list[Any]] = {code: list(v) for code, v in total["lists"].items()}
    for code, entries in part["lists"].items():
        lists.setdefault(code, []).extend(entries)
    firsts = [p["first"] for p in (total, part) if "first" in p]
    return found | {"grades": grades, "lists": lists} | ({"first": min(firsts)} if firsts else {})
