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
from services.scoring.rounds.domain import InputBatch
from shared.contracts import IntegrationMessage

INPUTS_TOPIC = get_topic(InputBatch.Received)
PAGE = 500


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
        recorder = self._app.recorder
        while True:
            page = recorder.select_notifications(
                read_to, PAGE, topics=[INPUTS_TOPIC], inclusive_of_start=False
            )
            for notification in page:
                received = self._app.mapper.to_domain_event(notification)
                assert isinstance(received, InputBatch.Received)
                for message in received.messages:
                    fold.apply(IntegrationMessage.model_validate(message))
                read_to = notification.id
            if len(page) < PAGE:
                return read_to
