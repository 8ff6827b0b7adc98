"""The rankings read model, built from scoring's ScoreComputed messages.

Each run's category rankings are stored under the run's id and never overwritten by a
later run, so a superseded ranking can still be shown to whoever asks how it changed; the
wave document says which run is current. A final run supersedes provisional ones; a
provisional run arriving after a final one is recorded in the wave's run history but does
not replace what was published.
"""

from __future__ import annotations

from typing import Any

from services.reporting.ranking import by_category
from shared.contracts import IntegrationMessage
from shared.contracts.scoring import ScoreComputed
from shared.views import Collection, Document, ViewStore, ViewTransaction
from shared.views.model import View

WAVES = "waves"
RANKINGS = "rankings"


def ranking_key(wave_id: str, run_id: str, category: str) -> str:
    return f"{wave_id}/{run_id}/{category}"


def run_meta(p: ScoreComputed, m: IntegrationMessage) -> Document:
    """What a published ranking was computed from, so anyone can check it against the log."""
    return {
        "wave_id": str(p.wave_id),
        "wave_name": p.wave_name,
        "jurisdiction_id": str(p.jurisdiction_id),
        "run_id": str(p.run_id),
        "final": p.final,
        "scheme": p.scheme.model_dump(mode="json"),
        "upstream_positions": dict(p.upstream_positions),
        "inputs_digest": p.inputs_digest,
        "results_digest": p.results_digest,
        "computed_at": m.occurred_at.isoformat(),
        "position": m.position,
    }


def _history_entry(p: ScoreComputed, m: IntegrationMessage, published: bool) -> Document:
    return {
        "run_id": str(p.run_id),
        "final": p.final,
        "position": m.position,
        "computed_at": m.occurred_at.isoformat(),
        "inputs_digest": p.inputs_digest,
        "results_digest": p.results_digest,
        "published": published,
    }


def on_score_computed(tx: ViewTransaction, p: ScoreComputed, m: IntegrationMessage) -> None:
    wave_id = str(p.wave_id)
    current = tx.get(WAVES, wave_id)
    runs: list[Document] = [] if current is None else list(current.get("runs", []))
    if current is not None and current["final"] and not p.final:
        tx.put(WAVES, wave_id, current | {"runs": [*runs, _history_entry(p, m, False)]})
        return
    meta = run_meta(p, m)
    rankings = by_category(p.results)
    for category, entries in rankings.items():
        doc = meta | {"category": category, "entries": entries}
        tx.put(RANKINGS, ranking_key(wave_id, meta["run_id"], category), doc)
    runs.append(_history_entry(p, m, True))
    tx.put(WAVES, wave_id, meta | {"categories": list(rankings), "runs": runs})


RANKINGS_VIEW = View(
    "rankings",
    1,
    (
        Collection(WAVES, index=("jurisdiction_id",), sort="wave_name"),
        Collection(RANKINGS, index=("wave_id", "run_id")),
    ),
    {"scoring": {ScoreComputed: on_score_computed}},
    "Category rankings of every score run, and which run each wave currently shows.",
)


class RankingsView:
    """Read side of the rankings model."""

    def __init__(self, views: ViewStore) -> None:
        self._views = views

    def wave(self, wave_id: str) -> Document | None:
        return self._views.get(WAVES, wave_id)

    def waves(self) -> list[Document]:
        return [doc for _, doc in self._views.scan(WAVES)]

    def category(self, wave: Document, category: str) -> Document | None:
        if category not in wave["categories"]:
            return None
        return self._views.get(RANKINGS, ranking_key(wave["wave_id"], wave["run_id"], category))

    def categories(self, wave: Document) -> list[Document]:
        found = (self.category(wave, name) for name in wave["categories"])
        return [doc for doc in found if doc is not None]


def public_meta(doc: Document) -> dict[str, Any]:
    keys = (
        "wave_id",
        "wave_name",
        "jurisdiction_id",
        "run_id",
        "final",
        "scheme",
        "upstream_positions",
        "inputs_digest",
        "results_digest",
        "computed_at",
        "position",
    )
    return {key: doc[key] for key in keys}
