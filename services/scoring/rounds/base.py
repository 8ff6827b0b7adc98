"""The base of campaign-round scoring, mixed into `ScoringApplication` through
`rounds.application.RoundScoring`: the round's fold and its results computed once per
(round, scheme, positions), the batches the engine folds, the scheme in force."""

from __future__ import annotations

import copy
import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from services.scoring.engine.compute import compute_round
from services.scoring.engine.fold import relevant
from services.scoring.engine.scheme import Scheme
from services.scoring.rounds.domain import (
    CampaignScheme,
    InputBatch,
    SchemeNotAssigned,
    campaign_scheme_id,
)
from services.scoring.rounds.folds import RoundFolds
from services.scoring.rounds.schemes import SchemeCatalog
from shared.contracts import IntegrationMessage

COMPUTED_KEPT = 32
"""Round results kept per process, by what determines them (see `_computed`)."""

ComputedKey = tuple[str, int, str, tuple[tuple[str, int], ...]]
_CREATING = threading.Lock()


class RoundBase(SchemeCatalog):
    """Needs the eventsourcing `Application` it is mixed into (repository, save, lock)."""

    def _computed(self, campaign_id: UUID, round_number: int, scheme: Scheme, fold: Any) -> Any:
        """`compute_round` of the fold under `scheme`, computed once per (round, scheme
        hash, positions): the fold is a pure function of the messages up to its positions,
        so the same key is the same results. An office polling the standings while nothing
        arrives, and a run requested right after them, cost a lookup instead of the round's
        computation. Each caller gets its own copy."""
        key: ComputedKey = (
            str(campaign_id),
            round_number,
            scheme.scheme_hash,
            tuple(fold.positions().items()),
        )
        with self._computed_lock():
            kept: OrderedDict[ComputedKey, Any] | None = getattr(self, "_computed_cache", None)
            if kept is None:
                kept = OrderedDict()
                self._computed_cache = kept
            found = kept.get(key)
            if found is not None:
                kept.move_to_end(key)
                return copy.deepcopy(found)
        results = compute_round(scheme, fold.inputs())
        with self._computed_lock():
            kept[key] = copy.deepcopy(results)
            while len(kept) > COMPUTED_KEPT:
                kept.popitem(last=False)
        return results

    def _computed_lock(self) -> threading.Lock:
        found: threading.Lock | None = getattr(self, "_computed_cache_lock", None)
        if found is None:
            # Not the application's lock: a fold may be held under it while this runs.
            with _CREATING:
                found = getattr(self, "_computed_cache_lock", None)
                if found is None:
                    found = self._computed_cache_lock = threading.Lock()
        return found

    def _round_folds(self) -> RoundFolds:
        folds: RoundFolds | None = getattr(self, "_folds_cache", None)
        if folds is None:
            folds = RoundFolds(self)  # type: ignore[arg-type]
            self._folds_cache = folds
        return folds

    # --- consuming -------------------------------------------------------------------------

    @staticmethod
    def inputs_of(upstream: str, messages: Sequence[IntegrationMessage]) -> InputBatch | None:
        """The batch's messages the engine folds, kept as received; None when none are."""
        kept = [message.model_dump(mode="json") for message in messages if relevant(message)]
        return InputBatch(upstream, kept) if kept else None

    def campaign_scheme(self, campaign_id: UUID) -> CampaignScheme:
        assigned = self._get(campaign_scheme_id(campaign_id), CampaignScheme)
        if assigned is None:
            raise SchemeNotAssigned(
                "该评议活动尚未指定计分方案, 请先指定 (PUT /campaigns/{id}/scheme) "
                "(no scheme is assigned to this campaign: assign one with "
                "PUT /campaigns/{id}/scheme)",
                field="campaign_id",
            )
        return assigned  # type: ignore[no-any-return]

    def scheme_in_force(self, campaign_id: UUID) -> Scheme:
        current = self.campaign_scheme(campaign_id).current
        return self.scheme(current["scheme_id"], current["version"])
