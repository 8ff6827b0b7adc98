"""The read side of round results: rankings, shares, lists, dossiers and the published
snapshot, assembled from the `round_results` and `publications` views.

Everything shown is what scoring computed (scores, intervals, ranks, grades, shares rounded
as the scheme states); reporting only selects which run is shown and arranges it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from services.reporting.errors import (
    NO_SUCH_RUN,
    NO_SUCH_RUN_OF_ROUND,
    NO_SUCH_VERSION,
    ROUND_NOT_PUBLISHED,
    ROUND_NOT_SCORED,
    UNIT_NOT_SCORED,
    NotPublished,
    RoundNotScored,
    RoundRunNotFound,
)
from services.reporting.rounds.lists import grade_counts, listed_order, named_lists, scheme_lists
from services.reporting.rounds.shares import shares
from services.reporting.rounds.tallies import INSUFFICIENT_SAMPLE
from services.reporting.rounds.views import (
    PUBLICATIONS,
    ROUND_HEADS,
    ROUND_RUNS,
    ROUND_UNITS,
    round_key,
)
from services.reporting.rounds.withdrawn import withdrawn
from shared.campaign_view import CampaignView
from shared.canonical import digest
from shared.views import Document, ViewStore

__all__ = [  # re-exported: trends, exports, summaries and tests import them from here
    "INSUFFICIENT_SAMPLE",
    "listed_order",
    "named_lists",
    "scheme_lists",
]
RUN_FIELDS = (
    "run_id",
    "final",
    "reason",
    "replaces",
    "jurisdiction_id",
    "results_digest",
    "computed_at",
    "position",
)
PAYLOAD_FIELDS = (
    "campaign_id",
    "round",
    "pattern",
    "window",
    "scheme",
    "scheme_title",
    "grades",
    "list_names",
    "inputs_digest",
    "upstream_positions",
)
PAYLOAD_DEFAULTS: dict[str, Any] = {"upstream_positions": {}}
"""The contract's defaults of the payload fields a message may lack (`RoundScored`): a run's
row holds only what its message carried (`shared.messaging.inbox.as_carried`), so they
are read as defaults."""


def entry(result: Document) -> Document:
    """A unit's line in a ranking."""
    keys = (
        "rank",
        "rank_range",
        "unit_id",
        "unit_name",
        "category",
        "sub_unit",
        "status",
        "score",
        "interval",
        "grade",
        "grade_basis",
        "valid_sample",
        "flags",
        "lists",
        "result_digest",
    )
    return {key: result[key] for key in keys} | {
        "insufficient_sample": INSUFFICIENT_SAMPLE in result["flags"],
        "shares": shares(result),
        "component_names": {c["code"]: c["name"] for c in result.get("components", [])},
    }


class RoundResults:
    """Round results as the views hold them."""

    def __init__(self, views: ViewStore) -> None:
        self._views = views
        self._campaigns = CampaignView(views)

    # --- runs ------------------------------------------------------------------------------

    def head(self, campaign_id: str, round_number: int) -> Document:
        found = self._views.get(ROUND_HEADS, round_key(campaign_id, round_number))
        if found is None:
            raise RoundNotScored(ROUND_NOT_SCORED, field="path.round_number")
        return found

    def run(self, run_id: str, field: str = "run_id") -> Document:
        found = self._views.get(ROUND_RUNS, run_id)
        if found is None:
            raise RoundRunNotFound(NO_SUCH_RUN, field=field)
        return found

    def round_final(self, run: Document) -> str | None:
        """The latest final run of the run's round that this view has seen (None: none, or
        the run's round not in the view): the one a publication may release."""
        head = self._views.get(ROUND_HEADS, round_key(run["campaign_id"], run["round"]))
        return None if head is None else head["final_run_id"]

    def units(self, run_id: str) -> Iterator[Document]:
        """The run's unit results in the engine's order, a page (one query) at a time."""
        for page in self._views.pages(ROUND_UNITS, where={"run_id": run_id}):
            yield from (doc["result"] for doc in page)

    def snapshot(self, run_id: str) -> Document:
        """Exactly what scoring published for the run (its `scoring.round.scored` payload):
        what a publication releases and digests."""
        payload: Document = self.run(run_id)["payload"]
        return payload | {"units": list(self.units(run_id))}

    def snapshot_digest(self, run_id: str) -> str:
        return digest(self.snapshot(run_id))

    def office_run(self, campaign_id: str, round_number: int, run_id: str | None) -> Document:
        """The run an office reads: the one named, else the round's current one."""
        head = self.head(campaign_id, round_number)
        chosen = run_id or head["current_run_id"]
        if chosen not in {r["run_id"] for r in head["runs"]}:
            raise RoundRunNotFound(NO_SUCH_RUN_OF_ROUND, field="query.run_id")
        return self.run(chosen)

    # --- publications ----------------------------------------------------------------------

    def publication(self, campaign_id: str, round_number: int) -> Document | None:
        return self._views.get(PUBLICATIONS, round_key(campaign_id, round_number))

    def published(
        self, campaign_id: str, round_number: int, version: int | None = None
    ) -> tuple[Document, Document]:
        """(publication, the version asked for, default the one in force); NotPublished
        while the round is embargoed, PublicationWithdrawn (410) for a withdrawn version."""
        found = self.publication(campaign_id, round_number)
        if found is None:
            raise NotPublished(ROUND_NOT_PUBLISHED, field="path.round_number")
        wanted = version or found["version"]
        for item in found["versions"]:
            if item["version"] == wanted:
                if item.get("withdrawn"):
                    field = "path.round_number" if version is None else "query.version"
                    raise withdrawn(found, item["withdrawn"], field)
                return found, item
        raise NotPublished(NO_SUCH_VERSION, field="query.version")

    # --- documents -------------------------------------------------------------------------

    def campaign_name(self, campaign_id: str) -> str | None:
        campaign = self._campaigns.campaign(campaign_id)
        return None if campaign is None else str(campaign["name"])

    def campaign_jurisdiction(self, campaign_id: str) -> str | None:
        campaign = self._campaigns.campaign(campaign_id)
        return None if campaign is None else str(campaign["jurisdiction_id"])

    def results(self, run: Document) -> Document:
        """The run's rankings per category, lists and grade counts, with its provenance."""
        payload = run["payload"]
        categories: dict[str, list[Document]] = {name: [] for name in run["categories"]}
        by_unit: dict[str, Document] = {}
        for result in self.units(run["run_id"]):
            line = entry(result)
            categories.setdefault(result["category"], []).append(line)
            by_unit[result["unit_id"]] = line
        return {
            **{key: run[key] for key in RUN_FIELDS},
            **{key: _carried(payload, key) for key in PAYLOAD_FIELDS},
            "list_names": scheme_lists(payload),
            "campaign_name": self.campaign_name(run["campaign_id"]),
            "categories": [
                {"category": name, "entries": lines} for name, lines in categories.items()
            ],
            "lists": named_lists(payload, by_unit, list(categories)),
            "grade_counts": grade_counts(payload["grades"], by_unit.values()),
        }

    def dossier(self, campaign_id: str, unit_id: str, run_ids: dict[int, str]) -> Document:
        """A unit's full results in the given runs (round → run id), oldest round first,
        with its trend across them."""
        where = {"unit_id": unit_id, "run_id": set(run_ids.values())}
        found = {
            doc["run_id"]: doc["result"] for doc in self._views.everything(ROUND_UNITS, where=where)
        }
        rounds = [
            {"round": number, "run_id": run_id, "result": found[run_id]}
            for number, run_id in sorted(run_ids.items())
            if run_id in found
        ]
        if not rounds:
            raise RoundNotScored(UNIT_NOT_SCORED, field="path.unit_id")
        latest = rounds[-1]["result"]
        return {
            "campaign_id": campaign_id,
            "campaign_name": self.campaign_name(campaign_id),
            "unit_id": unit_id,
            "unit_name": latest["unit_name"],
            "category": latest["category"],
            "rounds": rounds,
            "trend": [trend_point(item["round"], item["result"]) for item in rounds],
        }

    def heads(self, campaign_id: str) -> list[Document]:
        return self._views.everything(ROUND_HEADS, where={"campaign_id": campaign_id})

    def publications(self, campaign_id: str) -> list[Document]:
        """The campaign's published rounds, those withdrawn (撤回) included."""
        return self._views.everything(PUBLICATIONS, where={"campaign_id": campaign_id})

    def in_force(self, campaign_id: str) -> list[Document]:
        """The campaign's rounds the public reads: published and not withdrawn."""
        return [doc for doc in self.publications(campaign_id) if not doc.get("withdrawn")]


def _carried(payload: Document, key: str) -> Any:
    return payload.get(key, PAYLOAD_DEFAULTS[key]) if key in PAYLOAD_DEFAULTS else payload[key]


def trend_point(number: int, result: Document) -> Document:
    keys = ("score", "interval", "rank", "rank_range", "grade", "lists", "flags")
    return {"round": number} | {key: result[key] for key in keys}
