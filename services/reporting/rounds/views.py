"""Read models of campaign-round results and of their publication.

`round_results` follows scoring: every run of every round is kept under its run id (a run
never overwrites another, so a superseded or provisional result can still be shown to an
office), one document per unit result in the engine's order, a head per round naming
its runs and which one is current (the latest final run, else the latest run), and the
run's figures per jurisdiction that summaries add up (`tallies`).

`publications` follows reporting's own log: which run of a round is published, in which
versions, and whether it was withdrawn (撤回): a withdrawal marks every version published
before it, and `withdrawn` names the one in force until the round is published again.

The two views never read each other's rows in a handler: the read side joins a publication
to its run by run id, so either may be rebuilt, or catch up, first.
"""

from __future__ import annotations

from typing import Any

from services.reporting.rounds.tallies import run_tallies
from shared.contracts import IntegrationMessage
from shared.contracts.reporting import ResultsPublished, ResultsWithdrawn
from shared.contracts.scoring import RoundScored
from shared.messaging.inbox import as_carried
from shared.text_order import pinyin_key
from shared.views import Collection, Document, ViewTransaction
from shared.views.model import View

ROUND_HEADS = "round_heads"
ROUND_RUNS = "round_runs"
ROUND_UNITS = "round_units"
ROUND_TALLIES = "round_tallies"
PUBLICATIONS = "publications"


def round_key(campaign_id: str, round_number: int) -> str:
    return f"{campaign_id}/{round_number:04d}"


def unit_key(run_id: str, unit_id: str) -> str:
    return f"{run_id}/{unit_id}"


def _run_id(p: RoundScored, m: IntegrationMessage) -> str:
    # Runs of the live service and of replay always carry their id; a bare engine result
    # (none) is still told apart by the message that carried it.
    return str(p.run_id) if p.run_id is not None else str(m.event_id)


def _summary(run: Document) -> Document:
    keys = ("run_id", "final", "position", "computed_at", "results_digest", "scheme")
    return {key: run[key] for key in keys} | {"reason": run["reason"], "replaces": run["replaces"]}


def on_round_scored(tx: ViewTransaction, p: RoundScored, m: IntegrationMessage) -> None:
    # As the message carried it: the publication's snapshot is digested from this, so a
    # rebuild under a newer contract must store the same bytes (a message without `reason`
    # stays without it) and the snapshot still hash to the digest published.
    payload = as_carried(p, m)
    units = payload.pop("units")
    run_id = _run_id(p, m)
    campaign_id = str(p.campaign_id)
    run = {
        "run_id": run_id,
        "campaign_id": campaign_id,
        "round": p.round,
        "jurisdiction_id": None if p.jurisdiction_id is None else str(p.jurisdiction_id),
        "final": p.final,
        # Why the office asked for the run, and the final it replaced as the round's result.
        "reason": p.reason,
        "replaces": None if p.replaces is None else str(p.replaces),
        "scheme": p.scheme.model_dump(mode="json"),
        "results_digest": p.results_digest,
        "position": m.position,
        "computed_at": m.occurred_at.isoformat(),
        "order": f"{m.position:015d}",
        "categories": list(dict.fromkeys(u["category"] for u in units)),
        "payload": payload,
    }
    tx.put(ROUND_RUNS, run_id, run)
    ordered = in_reading_order(units)
    for index, result in enumerate(ordered):
        tx.put(
            ROUND_UNITS,
            unit_key(run_id, result["unit_id"]),
            {
                "run_id": run_id,
                "campaign_id": campaign_id,
                "round": p.round,
                "unit_id": result["unit_id"],
                "category": result["category"],
                "order": f"{index:06d}",
                "result": result,
            },
        )
    for key, tally in run_tallies(run_id, ordered).items():
        tx.put(ROUND_TALLIES, key, tally)
    _advance_head(tx, run)


def in_reading_order(units: list[Document]) -> list[Document]:
    """The engine's order (category, sub-unit, rank), except that units it ranks alike (a
    tie) and those it does not rank (last in their group) — both by id in the result — are
    listed by name in dictionary (pinyin) order, as a reader looks a name up and as the
    lists on the same page read (`read.listed_order`)."""
    keys: list[tuple[Any, ...]] = []
    start: int | None = None
    previous: tuple[Any, Any, Any] | None = None
    for index, unit in enumerate(units):
        # Units that read alike: one group, one category, one rank (None: unranked).
        alike = (unit["category"], unit.get("sub_unit"), unit["rank"])
        if start is None or alike != previous:
            start = index
        keys.append((start, pinyin_key(unit.get("unit_name") or ""), unit["unit_id"]))
        previous = alike
    return [units[i] for i in sorted(range(len(units)), key=keys.__getitem__)]


def _advance_head(tx: ViewTransaction, run: Document) -> None:
    key = round_key(run["campaign_id"], run["round"])
    head = tx.get(ROUND_HEADS, key) or {
        "campaign_id": run["campaign_id"],
        "round": run["round"],
        "sort": key,
        "runs": [],
        "final_run_id": None,
    }
    if run["final"]:
        head["final_run_id"] = run["run_id"]
    current = head["final_run_id"] or run["run_id"]
    tx.put(
        ROUND_HEADS,
        key,
        head
        | {
            "jurisdiction_id": run["jurisdiction_id"] or head.get("jurisdiction_id"),
            "runs": [*head["runs"], _summary(run)],
            "current_run_id": current,
        },
    )


ROUND_RESULTS_VIEW = View(
    "round_results",
    # 4: each run's summary figures per jurisdiction (`round_tallies`); 5: a run's reason
    # and the final it replaces, and its payload only what its message carried
    5,
    (
        Collection(ROUND_HEADS, index=("jurisdiction_id", "campaign_id"), sort="sort"),
        Collection(ROUND_RUNS, index=("campaign_id", "round"), sort="order"),
        Collection(
            ROUND_UNITS, index=("run_id", "unit_id", "campaign_id", "category"), sort="order"
        ),
        Collection(ROUND_TALLIES, index=("run_id", "jurisdiction_id")),
    ),
    {"scoring": {RoundScored: on_round_scored}},
    "Every run of every campaign round (units in the engine's order, tied and unranked ones "
    "by name), each round's runs, and each run's summary figures per jurisdiction.",
)


def on_published(tx: ViewTransaction, p: ResultsPublished, m: IntegrationMessage) -> None:
    key = round_key(str(p.campaign_id), p.round)
    doc: dict[str, Any] = tx.get(PUBLICATIONS, key) or {
        "campaign_id": str(p.campaign_id),
        "round": p.round,
        "sort": key,
        "versions": [],
    }
    version = {
        "version": p.version,
        "run_id": str(p.run_id),
        "results_digest": p.results_digest,
        "snapshot_digest": p.snapshot_digest,
        "scheme": p.scheme.model_dump(mode="json"),
        "supersedes": p.supersedes,
        "reason": p.reason,
        "published_by": p.published_by,
        "published_at": m.occurred_at.isoformat(),
        "position": m.position,
        "withdrawn": None,
    }
    tx.put(
        PUBLICATIONS,
        key,
        doc
        | {
            "jurisdiction_id": str(p.jurisdiction_id),
            "versions": [*doc["versions"], version],
            "version": p.version,
            "run_id": str(p.run_id),
            "published_at": version["published_at"],
            "withdrawn": None,
        },
    )


def on_withdrawn(tx: ViewTransaction, p: ResultsWithdrawn, m: IntegrationMessage) -> None:
    key = round_key(str(p.campaign_id), p.round)
    doc: dict[str, Any] | None = tx.get(PUBLICATIONS, key)
    if doc is None:
        return  # a withdrawal always follows its round's publication in the same log
    withdrawal = {
        "version": p.version,
        "run_id": str(p.run_id),
        "reason": p.reason,
        "withdrawn_by": p.withdrawn_by,
        "withdrawn_at": m.occurred_at.isoformat(),
        "position": m.position,
    }
    tx.put(
        PUBLICATIONS,
        key,
        doc
        | {
            "versions": [
                v if v.get("withdrawn") else v | {"withdrawn": withdrawal} for v in doc["versions"]
            ],
            "withdrawals": [*doc.get("withdrawals", []), withdrawal],
            "withdrawn": withdrawal,
        },
    )


PUBLICATIONS_VIEW = View(
    "publications",
    2,  # 2: withdrawals (撤回)
    (Collection(PUBLICATIONS, index=("jurisdiction_id", "campaign_id"), sort="published_at"),),
    {"reporting": {ResultsPublished: on_published, ResultsWithdrawn: on_withdrawn}},
    "Which run of each campaign round is published (发布), every version kept, and which "
    "were withdrawn (撤回).",
)
