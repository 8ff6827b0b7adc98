"""A jurisdiction's summary of one campaign round: of the units located in the jurisdiction
or below it (where scoring placed them in the round's results), how many there are, how
they are graded, their mean score, how many are on each list, per category and per
jurisdiction directly below; and, for offices, the round's rectification orders and
complaints by status.

Every figure is counted from scoring's unit results as published (or, for an office that
runs the campaign, from the round's current run), as the `round_results` view tallied them
per jurisdiction when the run was scored (`rounds.tallies`); the mean is the only figure
worked out here: the plain mean of the scores shown, units under the minimum sample (样本不足)
and sub-units left out, to two places rounded half up."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Context, Decimal

from services.reporting.rounds.read import RoundResults, scheme_lists
from services.reporting.rounds.tallies import add, empty_part
from services.reporting.rounds.views import ROUND_TALLIES
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


def mean(total: Decimal, count: int) -> str | None:
    if not count:
        return None
    return str(_CTX.divide(total, Decimal(count)).quantize(_HUNDREDTH, context=_CTX))


def _figures(part: Document, grades: list[str], list_names: dict[str, str]) -> Document:
    """A tally's part as the summary shows it: grades in the scheme's order, then any other
    in the order the run first gives it; lists in the scheme's order, then any other, each
    with its units in the run's reading order."""
    graded = part["grades"]
    others = sorted((g for g in graded if g not in grades), key=lambda g: graded[g]["first"])
    entries = part["lists"]
    extra = sorted((c for c in entries if c not in list_names), key=lambda c: min(entries[c]))
    listed = {code: [name for *_, name in sorted(entries.get(code, []))] for code in list_names}
    listed |= {code: [name for *_, name in sorted(entries[code])] for code in extra}
    return {
        "units": part["units"],
        "sub_units": part["sub_units"],
        "ranked": part["ranked"],
        "insufficient_sample": part["insufficient_sample"],
        "grade_counts": {g: graded[g]["count"] if g in graded else 0 for g in grades}
        | {g: graded[g]["count"] for g in others},
        "mean_score": mean(Decimal(part["score_sum"]), part["scored"]),
        "lists": [
            {"code": code, "name": list_names.get(code, code), "count": len(names), "units": names}
            for code, names in listed.items()
        ],
    }


def _sum(parts: Iterable[Document]) -> Document:
    total = empty_part()
    for part in parts:
        total = add(total, part)
    return total


def summarize(
    views: ViewStore, registry: RegistryView, run: Document, jurisdiction_id: str
) -> Document:
    """The figures of the run's units located in the jurisdiction or below it: the run's
    tallies of the subtree's jurisdictions added up (one indexed query per page), never its
    unit results, and each tallied jurisdiction's way up the tree read once."""
    payload = run["payload"]
    within = registry.subtree(jurisdiction_id)
    where = {"run_id": run["run_id"], "jurisdiction_id": within}
    categories: dict[str, list[Document]] = {}
    children: dict[str, list[Document]] = {}
    for tally in views.everything(ROUND_TALLIES, where=where):
        # Where scoring placed the units when it scored the round: a unit that moved
        # since stays counted where its result was published.
        child = _below(registry, tally["jurisdiction_id"], jurisdiction_id)
        for category, part in tally["categories"].items():
            categories.setdefault(category, []).append(part)
            children.setdefault(child, []).append(part)
    grades, names = payload["grades"], scheme_lists(payload)
    by_category = {name: _sum(parts) for name, parts in categories.items()}
    declared = [c for c in run["categories"] if c in by_category]
    others = sorted(set(by_category) - set(declared), key=lambda c: by_category[c]["first"])
    found = registry.jurisdiction(jurisdiction_id) or {}
    rounds = RoundResults(views)
    return {
        "jurisdiction_id": jurisdiction_id,
        "jurisdiction_name": found.get("name"),
        "campaign_id": run["campaign_id"],
        "campaign_name": rounds.campaign_name(run["campaign_id"]),
        "campaign_reaches": campaign_reaches(
            registry, rounds.campaign_jurisdiction(run["campaign_id"]), jurisdiction_id
        ),
        "round": run["round"],
        "run_id": run["run_id"],
        "final": run["final"],
        "scheme": run["scheme"],
        "results_digest": run["results_digest"],
        **_figures(_sum(by_category.values()), grades, names),
        "by_category": [
            {"category": name, **_figures(by_category[name], grades, names)}
            for name in [*declared, *others]
        ],
        "by_jurisdiction": jurisdiction_order(
            [
                {
                    "jurisdiction_id": child,
                    "jurisdiction_name": _name(registry, child, jurisdiction_id),
                    **_figures(_sum(parts), grades, names),
                }
                for child, parts in children.items()
            ],
            jurisdiction_id,
        ),
    }


def campaign_reaches(
    registry: RegistryView, campaign_jurisdiction: str | None, jurisdiction_id: str
) -> bool | None:
    """Whether the campaign evaluates units in the jurisdiction: it runs in the jurisdiction,
    above it or below it. False for a jurisdiction beside it, whose summary counts none of
    the round's units (only casework that inspection tagged with the campaign there); None
    where reporting has not heard of the campaign."""
    if campaign_jurisdiction is None:
        return None
    return campaign_jurisdiction in registry.lineage(
        jurisdiction_id
    ) or jurisdiction_id in registry.lineage(campaign_jurisdiction)


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
    for tally in views.everything(TALLIES, where=where):
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
