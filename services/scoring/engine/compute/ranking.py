"""Ranks within a category (sub-units apart from units), rank ranges from the units'
intervals, and the flag where neighbours cannot be told apart."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from services.scoring.engine import stats
from services.scoring.engine.compute.unit import UnitScore
from services.scoring.engine.scheme import Scheme
from services.scoring.engine.stats import Interval

INDISTINGUISHABLE = "indistinguishable_from_neighbours"
LOWEST = Decimal("-Infinity")


@dataclass(frozen=True)
class Placing:
    rank: int
    rank_range: tuple[int, int]
    group_size: int
    indistinguishable: bool


def rank_group(
    scores: Mapping[str, UnitScore], ids: list[str], scheme: Scheme, revision: int
) -> dict[str, Placing]:
    """Ranks `ids` (one category's comparable units) by score, highest first."""
    ordered = sorted(ids, key=lambda u: (_sort_key(scores[u], scheme), u))
    ranks: dict[str, int] = {}
    for position, unit_id in enumerate(ordered, start=1):
        previous = ordered[position - 2] if position > 1 else None
        same = (
            previous is not None
            and scheme.ranking.equal == "shared"
            and (_sort_key(scores[previous], scheme) == _sort_key(scores[unit_id], scheme))
        )
        ranks[unit_id] = ranks[previous] if same and previous else position
    intervals = {u: _interval(scores[u]) for u in ordered}
    ranges = stats.rank_ranges([stats.Ranked(u, intervals[u]) for u in ordered])
    placings = {}
    for i, unit_id in enumerate(ordered):
        if revision >= 2:
            neighbours = _next_ranked(ordered, ranks, i)
        else:  # the adjacent places, ties among them: tied units could differ
            neighbours = ordered[max(0, i - 1) : i] + ordered[i + 1 : i + 2]
        blurred = any(
            stats.overlaps(intervals[unit_id], intervals[n])
            and ranks[n] != ranks[unit_id]
            and scores[n].interval is not None
            and scores[unit_id].interval is not None
            for n in neighbours
        )
        placings[unit_id] = Placing(ranks[unit_id], ranges[unit_id], len(ordered), blurred)
    return placings


def _next_ranked(ordered: list[str], ranks: dict[str, int], i: int) -> list[str]:
    """The units of the nearest rank above and of the nearest rank below the unit at `i`
    (`ordered` by rank): the same for every unit of a tie."""
    mine = ranks[ordered[i]]
    above = [u for u in ordered[:i] if ranks[u] != mine]
    below = [u for u in ordered[i + 1 :] if ranks[u] != mine]
    nearest_above = [u for u in above if ranks[u] == ranks[above[-1]]] if above else []
    nearest_below = [u for u in below if ranks[u] == ranks[below[0]]] if below else []
    return nearest_above + nearest_below


def _sort_key(s: UnitScore, scheme: Scheme) -> tuple[Decimal, ...]:
    assert s.score is not None
    ties = []
    for code in scheme.ranking.ties:
        v = s.values.get(code)
        ties.append(-(v.value if v is not None and v.value is not None else LOWEST))
    return (-s.score, *ties)


def _interval(s: UnitScore) -> Interval:
    assert s.score is not None
    return s.interval if s.interval is not None else Interval(s.score, s.score)
