"""The engine's round folds, kept in memory and brought up to date from scoring's own log.

A fold is built the first time a round is asked for, from every stored input batch, and
from then on reads only the batches committed since (by notification id). It never sees a
message the database has not committed, so a run computed from it names positions that a
replay of the upstream logs reaches exactly.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from eventsourcing.application import Application
from eventsourcing.utils import get_topic

from services.scoring.engine.fold import RoundFold
from services.scoring.integration import round_scored
from services.scoring.rounds.domain import InputBatch, RoundRun
from shared.contracts import IntegrationMessage
from shared.persistence.log_pages import notifications

INPUTS_TOPIC = get_topic(InputBatch.Received)
RUNS_TOPIC = get_topic(RoundRun.Computed)
ORIGIN = "scoring"


class RoundFolds:
    """At most `capacity` rounds' folds (least recently used dropped: each holds one small
    record per questionnaire of its round)."""

    def __init__(self, app: Application[Any], capacity: int = 8) -> None:
        self._app = app
        self._capacity = capacity
        self._folds: OrderedDict[tuple[str, int], tuple[RoundFold, int]] = OrderedDict()
        self._lock = threading.Lock()

    @contextmanager
    def current(self, campaign_id: str, round_number: int) -> Iterator[RoundFold]:
        """The round's fold as of the last committed input batch, held for the block (no
        other caller moves it meanwhile)."""
        key = (campaign_id, round_number)
        with self._lock:
            cached = self._folds.pop(key, None)
            fold, read_to = cached or (RoundFold(campaign_id, round_number), 0)
            read_to = self._catch_up(fold, read_to)
            self._folds[key] = (fold, read_to)
            while len(self._folds) > self._capacity:
                self._folds.popitem(last=False)
            yield fold

    def _catch_up(self, fold: RoundFold, read_to: int) -> int:
        topics = [INPUTS_TOPIC, RUNS_TOPIC]
        for notification in notifications(self._app.recorder, after=read_to, topics=topics):
            stored = self._app.mapper.to_domain_event(notification)
            if isinstance(stored, InputBatch.Received):
                for message in stored.messages:
                    fold.apply(IntegrationMessage.model_validate(message))
            elif isinstance(stored, RoundRun.Computed) and _history_for(fold, stored):
                fold.apply(_published(stored, notification.id))
            read_to = notification.id
        return read_to


def _history_for(fold: RoundFold, computed: RoundRun.Computed) -> bool:
    """Scoring's own final results of other rounds are what multi-cycle rules read. A
    round's own runs never feed its fold: requesting the same run twice must find the same
    positions."""
    own = (str(computed.campaign_id), computed.round_number) == (
        str(fold.campaign_id),
        fold.round,
    )
    return computed.final and not own


def _published(computed: RoundRun.Computed, position: int) -> IntegrationMessage:
    """The run as scoring publishes it (`scoring.round.scored`), at its place in scoring's log."""
    payload = round_scored(computed)
    return IntegrationMessage(
        event_id=IntegrationMessage.event_id_for(ORIGIN, position),
        event_type=payload.event_type,
        schema_version=payload.schema_version,
        origin=ORIGIN,
        position=position,
        previous_position=None,
        occurred_at=computed.timestamp,
        payload=payload.model_dump(mode="json"),
    )
