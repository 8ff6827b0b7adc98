"""A unit's results across the cycles of a program: the campaigns **linked** to a campaign
are those the same jurisdiction runs under the same program pattern (the registry's
`pattern`, e.g. 民主评议政风行风), one per cycle, oldest cycle first. Within each, the rounds
shown are chosen by the caller's right to see them: an office's current runs, or the public's
published versions. Every figure is scoring's, as in the dossier."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from services.reporting.rounds.read import INSUFFICIENT_SAMPLE, RoundResults, trend_point
from services.reporting.rounds.views import ROUND_UNITS
from shared.campaign_view import CAMPAIGNS
from shared.views import Document, ViewStore

Chooser = Callable[[str], dict[int, str]]
"""campaign id -> {round: run id} the caller may see."""


def _starts_on(campaign: Document) -> str:
    windows = campaign.get("round_windows") or []
    return str(windows[0]["starts_on"]) if windows else ""


def _ends_on(campaign: Document) -> str:
    windows = campaign.get("round_windows") or []
    return str(windows[-1]["ends_on"]) if windows else ""


def linked_campaigns(views: ViewStore, campaign: Document) -> list[Document]:
    """The campaign and every other one of its jurisdiction and pattern, oldest first."""
    found = [
        doc
        for doc in views.everything(
            CAMPAIGNS, where={"jurisdiction_id": campaign["jurisdiction_id"]}
        )
        if doc.get("pattern") == campaign.get("pattern")
    ]
    if not any(doc["campaign_id"] == campaign["campaign_id"] for doc in found):
        found.append(campaign)
    return sorted(found, key=lambda doc: (_starts_on(doc), doc["name"], doc["campaign_id"]))


def cycle_label(campaign: Document, round_number: int) -> str:
    year = _starts_on(campaign)[:4]
    return f"{year}年第{round_number}轮" if year else f"第{round_number}轮"


def unit_trend(
    views: ViewStore, results: RoundResults, campaign: Document, unit_id: str, choose: Chooser
) -> Document:
    """The unit's points in every linked campaign's visible rounds, oldest first, and per
    cycle its campaign."""
    linked = linked_campaigns(views, campaign)
    chosen = {c["campaign_id"]: choose(c["campaign_id"]) for c in linked}
    run_ids = {run for rounds in chosen.values() for run in rounds.values()}
    found: dict[str, Document] = {}
    if run_ids:
        where = {"unit_id": unit_id, "run_id": run_ids}
        found = {doc["run_id"]: doc["result"] for doc in views.everything(ROUND_UNITS, where=where)}
    cycles, points = [], []
    unit_name = None
    for item in linked:
        rounds = []
        for number, run_id in sorted(chosen[item["campaign_id"]].items()):
            result = found.get(run_id)
            if result is None:
                continue
            unit_name = result["unit_name"]
            point = trend_point(number, result) | {
                "campaign_id": item["campaign_id"],
                "campaign_name": item["name"],
                "label": cycle_label(item, number),
                "run_id": run_id,
                "category": result["category"],
                "insufficient_sample": INSUFFICIENT_SAMPLE in result["flags"],
            }
            rounds.append(point)
            points.append(point)
        cycles.append(
            {
                "campaign_id": item["campaign_id"],
                "campaign_name": item["name"],
                "starts_on": _starts_on(item),
                "ends_on": _ends_on(item),
                "current": item["campaign_id"] == campaign["campaign_id"],
                "rounds": rounds,
            }
        )
    return {
        "unit_id": unit_id,
        "unit_name": unit_name,
        "pattern": campaign.get("pattern"),
        "jurisdiction_id": campaign["jurisdiction_id"],
        "cycles": cycles,
        "points": points,
    }


def office_runs(results: RoundResults) -> Chooser:
    """Every scored round's current run (offices and auditors)."""

    def choose(campaign_id: str) -> dict[int, str]:
        return {head["round"]: head["current_run_id"] for head in results.heads(campaign_id)}

    return choose


def published_runs(results: RoundResults) -> Chooser:
    """Every published round's version in force (the public, units); a withdrawn round
    (撤回) is none of them."""

    def choose(campaign_id: str) -> dict[int, str]:
        return {doc["round"]: doc["run_id"] for doc in results.in_force(campaign_id)}

    return choose


def withdrawn_rounds(results: RoundResults, campaign_id: str) -> list[Document]:
    """The campaign's rounds withdrawn from public view and not published again: when and
    why, which a public dossier or trend names in place of their results."""
    return [
        {
            "round": doc["round"],
            "withdrawn_at": doc["withdrawn"]["withdrawn_at"],
            "reason": doc["withdrawn"]["reason"],
        }
        for doc in results.publications(campaign_id)
        if doc.get("withdrawn")
    ]


def with_withdrawals(results: RoundResults, trend: Document) -> Document:
    """The public trend with each cycle's withdrawn rounds named."""
    cycles = [
        cycle | {"withdrawn": withdrawn_rounds(results, cycle["campaign_id"])}
        for cycle in trend["cycles"]
    ]
    return trend | {"cycles": cycles}


def chart_lines(trend: Document) -> list[dict[str, Any]]:
    """The points as lines of the ranking chart: one bar per round, oldest first."""
    return [
        {
            "unit_name": point["label"],
            "score": point["score"],
            "interval": point["interval"],
            "rank": point["rank"],
            "insufficient_sample": point["insufficient_sample"],
        }
        for point in trend["points"]
    ]
