"""A jurisdiction's summary of one campaign round: of the units located in the jurisdiction
or below it (where scoring placed them in the round's results), how many there are, how
they are graded, their mean score, how many are on each list, per category and per
jurisdiction directly below; and, for offices, the round's rectification orders and
complaints by status.

Every figure is counted from scoring's unit results as published (or, for an office that
runs the campaign, from the round's current run); the mean is the only figure worked out
here: the plain mean of the scores shown, units under the minimum sample (样本不足) and
sub-units left out, to two places rounded half up."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Context, Decimal

from services.reporting.rounds.read import INSUFFICIENT_SAMPLE, RoundResults, scheme_lists
from services.reporting.summaries.views import TALLIES
from shared.contracts.inspection_complaints import COMPLAINT_OUTCOME_LABELS
from shared.contracts.inspection_rectification import (
    ESCALATION_STEPS,
    RECTIFICATION_STATUSES,
    RERATINGS,
)
from shared.registry_view import RegistryView
from shared.text_order import pinyin_key
from shared.views import Document, ViewStore

_CTX = Context(prec=28, rounding=ROUND_HALF_UP)
_HUNDREDTH = Decimal("0.01")
OWN_LEVEL = "本级"
COMPLAINT_STEPS = ("received", "dispatched", "replied", "concluded")


def mean(scores: Iterable[str]) -> str | None:
    values = [Decimal(s) for s in scores]
    if not values:
        return None
    total = sum(values, Decimal(0))
    return str(_CTX.divide(total, Decimal(len(values))).quantize(_HUNDREDTH, context=_CTX))


def _figures(results: list[Document], grades: list[str], list_names: dict[str, str]) -> Document:
    units = [r for r in results if not r["sub_unit"]]
    shown = [
        r["score"]
        for r in units
        if r["score"] is not None and INSUFFICIENT_SAMPLE not in r["flags"]
    ]
    graded = Counter(r["grade"] for r in units if r["grade"] is not None)
    listed: dict[str, list[str]] = {code: [] for code in list_names}
    for result in results:
        for code in result["lists"]:
            listed.setdefault(code, []).append(result["unit_name"])
    return {
        "units": len(units),
        "sub_units": len(results) - len(units),
        "ranked": sum(r["rank"] is not None for r in units),
        "insufficient_sample": sum(INSUFFICIENT_SAMPLE in r["flags"] for r in units),
        "grade_counts": {grade: graded.get(grade, 0) for grade in grades}
        | {g: n for g, n in graded.items() if g not in grades},
        "mean_score": mean(shown),
        "lists": [
            {"code": code, "name": list_names.get(code, code), "count": len(names), "units": names}
            for code, names in listed.items()
        ],
    }


def summarize(
    results: RoundResults, registry: RegistryView, run: Document, jurisdiction_id: str
) -> Document:
    """The figures of the run's units located in the jurisdiction or below it."""
    payload = run["payload"]
    within = registry.subtree(jurisdiction_id)
    inside: list[tuple[str, Document]] = []
    for result in results.units(run["run_id"]):
        # Where scoring placed the unit when it scored the round: a unit that moved since
        # stays counted where its result was published.
        place = str(result["jurisdiction_id"])
        if place in within:
            inside.append((_below(registry, place, jurisdiction_id), result))
    grades, names = payload["grades"], scheme_lists(payload)
    categories: dict[str, list[Document]] = {c: [] for c in run["categories"]}
    children: dict[str, list[Document]] = {}
    for child, result in inside:
        categories.setdefault(result["category"], []).append(result)
        children.setdefault(child, []).append(result)
    found = registry.jurisdiction(jurisdiction_id) or {}
    return {
        "jurisdiction_id": jurisdiction_id,
        "jurisdiction_name": found.get("name"),
        "campaign_id": run["campaign_id"],
        "campaign_name": results.campaign_name(run["campaign_id"]),
        "round": run["round"],
        "run_id": run["run_id"],
        "final": run["final"],
        "scheme": run["scheme"],
        "results_digest": run["results_digest"],
        **_figures([r for _, r in inside], grades, names),
        "by_category": [
            {"category": name, **_figures(rows, grades, names)}
            for name, rows in categories.items()
            if rows
        ],
        "by_jurisdiction": jurisdiction_order(
            [
                {
                    "jurisdiction_id": child,
                    "jurisdiction_name": _name(registry, child, jurisdiction_id),
                    **_figures(rows, grades, names),
                }
                for child, rows in children.items()
            ],
            jurisdiction_id,
        ),
    }


def jurisdiction_order(rows: list[Document], top: str) -> list[Document]:
    """本级 (`top` itself) first, then the jurisdictions below by name in dictionary (pinyin)
    order, as every list of names reads (临颍县, 舞阳县, 源汇区; not by code point, which
    puts 源汇区 before 舞阳县), then by id."""
    return sorted(
        rows,
        key=lambda row: (
            row["jurisdiction_id"] != top,
            pinyin_key(row["jurisdiction_name"]),
            row["jurisdiction_id"],
        ),
    )


def _below(registry: RegistryView, place: str, top: str) -> str:
    """The jurisdiction directly below `top` on the way to `place` (`place` itself when it
    is `top`)."""
    chain = registry.lineage(place)
    index = chain.index(top)
    return top if index == 0 else chain[index - 1]


def _name(registry: RegistryView, child: str, top: str) -> str:
    if child == top:
        return OWN_LEVEL
    found = registry.jurisdiction(child)
    return child if found is None else str(found["name"])


def casework(
    views: ViewStore, registry: RegistryView, jurisdiction_id: str, campaign_id: str, round_: int
) -> Document:
    """The round's rectification orders and complaints taken in the jurisdiction or below,
    by status (整改: issued, reported, returned, second handling, accepted; escalations by
    step; re-ratings, in the vocabulary's order; `withdrawn`: orders withdrawn as issued in
    error, counted nowhere else), (投诉: received, dispatched, replied, concluded; outcomes).

    Summed from the view's tallies (one per jurisdiction of the subtree that has any
    casework in the round, in one indexed query per page), never from the orders
    themselves: a province's round has tens of thousands."""
    where = {
        "jurisdiction_id": registry.subtree(jurisdiction_id),
        "campaign_id": campaign_id,
        "round": str(round_),
    }
    counts: Counter[str] = Counter()
    for page in views.pages(TALLIES, where=where):
        for tally in page:
            counts.update(tally["counts"])
    ratings = [r for r in RERATINGS if counts[f"orders.rating.{r}"]]
    return {
        "rectification": {
            "orders": counts["orders"],
            "by_status": {s: counts[f"orders.status.{s}"] for s in RECTIFICATION_STATUSES},
            "escalated": counts["orders.escalated"],
            "escalations": {s: counts[f"orders.step.{s}"] for s in ESCALATION_STEPS},
            "reratings": {r: counts[f"orders.rating.{r}"] for r in ratings},
            "withdrawn": counts["orders.withdrawn"],
        },
        "complaints": {
            "complaints": counts["complaints"],
            "by_status": {s: counts[f"complaints.status.{s}"] for s in COMPLAINT_STEPS},
            "by_outcome": {
                label: counts[f"complaints.outcome.{code}"]
                for code, label in COMPLAINT_OUTCOME_LABELS.items()
            },
        },
    }
