"""Scoring: keep every consumed message the engine folds (`InputBatch`), in the same
transaction as the upstream position that delivered it, and score campaign rounds from them
(`services.scoring.rounds.application`)."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any, ClassVar

from eventsourcing.application import ProcessingEvent

import services.scoring.retired  # noqa: F401  (registers the first release's stored topics)
from services.scoring.rounds.application import RoundScoring
from shared.contracts import IntegrationMessage
from shared.messaging.process import ProcessingApplication


class ScoringApplication(ProcessingApplication, RoundScoring):
    name = "scoring"
    # Runs and their indexes are read again on every request of a round's runs.
    env: ClassVar[dict[str, str]] = {"AGGREGATE_CACHE_MAXSIZE": "1000"}

    def __init__(self, env: dict[str, str] | None = None) -> None:
        super().__init__(env)
        self.lock = threading.Lock()
        """Held around every write, so requested runs and registered schemes never
        interleave their reads and writes of the same aggregates."""

    def process_batch(
        self,
        processing_event: ProcessingEvent[Any],
        upstream: str,
        messages: Sequence[IntegrationMessage],
    ) -> None:
        """The inbox policy for every upstream: the batch's messages the engine folds, kept
        as received. Nothing is folded here: a round's fold follows the committed batches
        (`rounds.folds`), so the hot path folds each message once."""
        inputs = self.inputs_of(upstream, messages)
        if inputs is not None:
            processing_event.collect_events(inputs)
