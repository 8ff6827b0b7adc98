"""Bursts: many questionnaires with one answer pattern from one survey point or one device
inside a short window, and the bounded memory of collection times that detects them."""

from __future__ import annotations

import bisect
import heapq
from datetime import datetime, timedelta

from services.survey.integrity.flags import BURST
from services.survey.integrity.state import BurstKey, Candidate, WaveIntegrityState
from shared.contracts.survey import Flag, IntegrityRules

_POINT = "point"
_DEVICE = "device"


def burst_flag(
    state: WaveIntegrityState,
    candidate: Candidate,
    at: datetime,
    digest: str,
    rules: IntegrityRules,
    total: int,
) -> tuple[Flag | None, int]:
    """Flag the candidate when a window of `burst_seconds` (ends included) containing its
    time holds at least `burst_size` questionnaires with its pattern from its point, or from
    its device, counting itself and those screened before it."""
    window = timedelta(seconds=rules.burst_seconds)
    assert state.newest is not None
    cutoff = state.newest - window
    worst: tuple[int, str, str] | None = None
    for kind, name in ((_POINT, candidate.survey_point), (_DEVICE, candidate.device)):
        if name is None:
            continue
        key: BurstKey = (kind, name, digest)
        times = state.bursts.get(key, [])
        stale = bisect.bisect_left(times, cutoff)
        if stale:
            del times[:stale]
            total -= stale
        count = _densest(times, at, window)
        if count >= rules.burst_size and (worst is None or count > worst[0]):
            worst = (count, kind, name)
        if at >= cutoff:
            bisect.insort(times, at)
            total += 1
            if len(times) > rules.burst_size:
                del times[0]
                total -= 1
        if times:
            state.bursts[key] = times
        else:
            state.bursts.pop(key, None)
    if total > state.burst_entries:
        total = _evict(state, state.newest, rules.burst_seconds)
    if worst is None:
        return None, total
    count, kind, name = worst
    place = f"同一测评点“{name}”" if kind == _POINT else f"同一设备“{name}”"
    # The memory keeps `burst_size` times a pattern: past that, the count is a lower bound.
    how_many = f"至少{count}" if count > rules.burst_size else str(count)
    return Flag(
        code=BURST, detail=f"{place}{rules.burst_seconds}秒内出现{how_many}份答案完全相同的问卷"
    ), total


def _densest(times: list[datetime], at: datetime, window: timedelta) -> int:
    """The most questionnaires (the candidate at `at` included) in any closed interval of
    length `window` that contains `at`; `times` are the others, ascending."""
    low = bisect.bisect_left(times, at - window)
    high = bisect.bisect_right(times, at + window)
    merged = times[low:high]
    bisect.insort(merged, at)
    best = 0
    for start, begin in enumerate(merged):
        if begin > at:
            break
        end = bisect.bisect_right(merged, begin + window)
        if merged[end - 1] >= at:
            best = max(best, end - start)
    return best


def sweep(state: WaveIntegrityState, newest: datetime | None, seconds: int) -> int:
    if newest is None:
        state.bursts.clear()
        return 0
    cutoff = newest - timedelta(seconds=seconds)
    for key in list(state.bursts):
        times = state.bursts[key]
        stale = bisect.bisect_left(times, cutoff)
        if stale:
            del times[:stale]
        if not times:
            del state.bursts[key]
    return state.burst_size()


def _evict(state: WaveIntegrityState, newest: datetime | None, seconds: int) -> int:
    """Over the cap: drop stale entries, then the oldest (ties by key) down to 90% of it."""
    total = sweep(state, newest, seconds)
    if total <= state.burst_entries:
        return total
    keep = state.burst_entries * 9 // 10
    oldest = heapq.nsmallest(
        total - keep, ((t, key) for key, times in state.bursts.items() for t in times)
    )
    for _, key in oldest:
        times = state.bursts[key]
        del times[0]
        if not times:
            del state.bursts[key]
    return keep
