"""A round's survey log folded in ranges side by side, then joined: how a replay spreads the
bulk of a round, counting its questionnaires, over processes, to the same document as one
fold of the whole log.

Why it is the same. Counting a questionnaire only adds to its wave's tallies, and sums do
not depend on order. What does depend on order is whether a recording counts at all (its
wave opened before it and not closed before it, its id not recorded before) and what later
decisions do to it. So:

- `count_range` folds one range of the survey log, starting from the wave openings and
  closes before it, reading its questionnaires (decisions are not its business). A
  questionnaire that no decision names counts there exactly as the whole fold would count
  it (a replay keeps no record of it either: `fold.keep`). One that a decision names is
  listed instead, with its position (`WaveState.defer`).
- `join_ranges` folds, in the one fold that keeps records, the log's skeleton (every survey
  message but the questionnaires, in order) with the listed recordings placed at their
  positions, and adds the ranges' tallies.

A range that meets an answer outside its wave's scale cannot know which level that answer
takes in the whole log (the order of first sightings decides it): it answers None, and the
caller folds the log in one piece. tests/scoring/engine/test_fold_split.py holds the joined
document equal to the whole fold's, for any cut of generated logs.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from shared.contracts import IntegrationMessage
from shared.contracts.survey import WaveClosed, WaveOpened

from .keep import DECISION_TYPES
from .records import Deferred
from .tally import Tally

if TYPE_CHECKING:
    from . import RoundFold

WAVE_TYPES = frozenset({WaveOpened.event_type, WaveClosed.event_type})
"""What a range needs of the log before it: which waves are open."""


@dataclass
class RangeCounts:
    """What the fold of one range of the survey log hands back."""

    tallies: dict[str, Tally]
    """wave id -> the counts of the range's questionnaires that no decision names."""
    deferred: list[Deferred]
    """The recordings of the questionnaires some decision names, in log order."""
    last_position: int | None
    """The last position folded in the range."""


def count_range(
    campaign_id: str,
    round: int,
    before: Iterable[IntegrationMessage],
    messages: Iterable[IntegrationMessage],
    named: frozenset[str],
) -> RangeCounts | None:
    """The counts of one range (`messages`: the survey log's, in order, decisions may be
    left out), given the survey messages `before` it (only the wave openings and closes are
    read) and the questionnaires decisions name (`keep.named_responses` of the whole
    prefix). None where the range met an answer outside a wave's scale."""
    fold = range_fold(campaign_id, round, before, named)
    for message in messages:
        if message.event_type not in DECISION_TYPES:
            fold.apply(message)
    return fold.range_counts()


def range_fold(
    campaign_id: str, round: int, before: Iterable[IntegrationMessage], named: frozenset[str]
) -> RoundFold:
    """The fold a range is counted in (`count_range`), ready for the range's messages:
    whoever folds them (a replay's range, from stored bodies: `RoundFold.apply_part_body`)
    leaves the decisions out and ends with `range_counts()`."""
    from . import RoundFold  # the fold's package imports this module

    fold = RoundFold(campaign_id, round, keep_records=frozenset(), defer=named)
    for message in before:
        if message.event_type in WAVE_TYPES:
            fold.apply(message)
    return fold


def join_ranges(
    fold: RoundFold, skeleton: Iterable[IntegrationMessage], ranges: Sequence[RangeCounts]
) -> None:
    """Fold into `fold` (which keeps the named questionnaires' records) the survey log's
    `skeleton`, every message but the questionnaires in order, with the ranges' listed
    recordings at their positions, then add the ranges' counts."""
    deferred = heapq.merge(*(found.deferred for found in ranges), key=_position)
    steps: Iterable[IntegrationMessage | Deferred] = heapq.merge(skeleton, deferred, key=_position)
    for item in steps:
        if isinstance(item, Deferred):
            fold.record_deferred(item)
        else:
            fold.apply(item)
    for found in ranges:
        fold.absorb_range(found)


def _position(item: IntegrationMessage | Deferred) -> int:
    return item.position
