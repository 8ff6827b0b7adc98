"""Rebuild, from the registry and survey logs alone, the roster and wave tallies a score run
was computed from. The folding rules are the ones the aggregates use (`counting.py`).

A run records from which registry position its roster followed unit lifecycle facts
(`lifecycle_after`, None for runs whose roster never did), so the registry log is folded
once per distinct value, each fold capturing the roster at the positions its runs need."""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from services.scoring.counting import (
    LIFECYCLE_FACTS,
    SURVEY_FACTS,
    Counts,
    ResponseRecord,
    RosterEntry,
    apply_change,
    changed_entry,
    decisions_of,
    empty_counts,
    fold_decisions,
    follows_lifecycle,
    lifecycle_changes,
    list_unit,
    roster_entry,
    unscored_scale,
)
from shared.contracts import IntegrationMessage, parse_payload
from shared.contracts.registry import UnitRegistered
from shared.contracts.survey import WaveClosed, WaveOpened
from shared.messaging.outbox import Outbox

T = TypeVar("T")
REGISTRY_FACTS = LIFECYCLE_FACTS | {UnitRegistered.event_type}


@dataclass
class WaveState:
    wave_id: str
    jurisdiction_id: str
    name: str
    unit_ids: list[str]
    position: int
    counts: Counts = field(default_factory=dict)
    counted: dict[str, str] = field(default_factory=dict)
    records: dict[str, ResponseRecord] = field(default_factory=dict)
    scored: bool = True
    ignored_late: int = 0
    closed: bool = False

    def describe(self) -> dict[str, Any]:
        return {
            "wave_id": self.wave_id,
            "jurisdiction_id": self.jurisdiction_id,
            "name": self.name,
            "unit_ids": self.unit_ids,
        }


class SurveyFold:
    def __init__(self) -> None:
        self.waves: dict[str, WaveState] = {}

    def apply(self, message: IntegrationMessage) -> None:
        if message.event_type not in SURVEY_FACTS:
            return
        payload = parse_payload(message)
        if isinstance(payload, WaveOpened):
            wave_id = str(payload.wave_id)
            if wave_id not in self.waves:
                unit_ids = [str(unit_id) for unit_id in payload.unit_ids]
                self.waves[wave_id] = WaveState(
                    wave_id,
                    str(payload.jurisdiction_id),
                    payload.name,
                    unit_ids,
                    message.position,
                    counts=empty_counts(unit_ids),
                    scored=unscored_scale(payload) is None,
                )
        elif isinstance(payload, WaveClosed):
            wave = self.waves.get(str(payload.wave_id))
            if wave is not None and not wave.closed:
                wave.closed = True
                wave.position = message.position
        elif (decided := decisions_of(payload, self._units_of)) is not None:
            wave_id, decisions = decided
            wave = self.waves.get(wave_id)
            if wave is None or not wave.scored:
                return
            outcome = fold_decisions(
                wave.records, wave.closed, [(d, message.position) for d in decisions]
            )
            for change in outcome.changes:
                apply_change(wave.counts, wave.counted, wave.records, change)
            if outcome.position is not None:
                wave.position = outcome.position

    def _units_of(self, wave_id: str) -> list[str] | None:
        wave = self.waves.get(wave_id)
        return None if wave is None else wave.unit_ids

    def capture(self, wave_ids: set[str]) -> dict[str, WaveState]:
        return {w: copy.deepcopy(self.waves[w]) for w in wave_ids if w in self.waves}


RosterCapture = tuple[int | None, dict[str, RosterEntry]]
"""(registry position of the roster's last change, entries of the wanted units)."""


class RegistryFold:
    def __init__(self, lifecycle_after: int | None) -> None:
        self.lifecycle_after = lifecycle_after
        self.units: dict[str, RosterEntry] = {}
        self.position: int | None = None

    def apply(self, message: IntegrationMessage) -> None:
        if message.event_type not in REGISTRY_FACTS:
            return
        payload = parse_payload(message)
        if isinstance(payload, UnitRegistered):
            entry = roster_entry(payload.name, payload.category, str(payload.jurisdiction_id))
            if list_unit(self.units, str(payload.unit_id), entry):
                self.position = message.position
        elif follows_lifecycle(self.lifecycle_after, message.position):
            for change in lifecycle_changes(payload):
                changed = changed_entry(self.units, change)
                if changed is not None:
                    self.units[change.unit_id] = changed
                    self.position = message.position

    def capture(self, unit_ids: set[str]) -> RosterCapture:
        # A change replaces an entry rather than editing it, so captures can share entries.
        return self.position, {u: self.units[u] for u in unit_ids if u in self.units}


class RegistryFolds:
    """One fold per `lifecycle_after` some run recorded, fed the registry log together."""

    def __init__(self, bases: set[int | None]) -> None:
        self.folds = {basis: RegistryFold(basis) for basis in bases}

    def apply(self, message: IntegrationMessage) -> None:
        for fold in self.folds.values():
            fold.apply(message)

    def capture(self, wanted: Mapping[int | None, set[str]]) -> dict[int | None, RosterCapture]:
        return {basis: self.folds[basis].capture(units) for basis, units in wanted.items()}


@dataclass
class FoldedLog:
    captures: dict[int, Any]
    last_position: int | None
    """The last message read (the log may end before a recorded position)."""


LogOpener = Callable[[str], Outbox]
"""Opens a service's published log by name; given by the composition root, because scoring
never loads another service's code."""


def fold_log(
    service: str,
    open_outbox: LogOpener,
    apply: Callable[[IntegrationMessage], None],
    wanted: Mapping[int, T],
    capture: Callable[[T], Any],
) -> FoldedLog:
    """Read `service`'s log once, up to the highest wanted position, calling
    `capture(wanted[p])` at each wanted position p (state after every message up to p)."""
    todo = sorted(wanted)
    captures: dict[int, Any] = {}
    last: int | None = None
    if not todo:
        return FoldedLog(captures, last)
    index = 0
    if todo[-1] > 0:
        outbox = open_outbox(service)
        try:
            for message in outbox.iterate(stop=todo[-1]):
                while index < len(todo) and todo[index] < message.position:
                    captures[todo[index]] = capture(wanted[todo[index]])
                    index += 1
                apply(message)
                last = message.position
        finally:
            _close(outbox)
    for position in todo[index:]:
        captures[position] = capture(wanted[position])
    return FoldedLog(captures, last)


def _close(outbox: Outbox) -> None:
    outbox.close()
