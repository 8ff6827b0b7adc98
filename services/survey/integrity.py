"""Integrity screening of survey questionnaires (拉票、买票、人为干扰问卷测评): pure functions.

Nothing here reads a clock, a store or the network. `screen` takes a batch of questionnaires,
the wave's rules and what the wave remembers (`WaveIntegrityState`) and returns the flags of
each questionnaire and the state to remember next; `point_departures` compares each survey
point's answer distribution with the rest of the wave. The same input always gives the same
flags in the same order, and screening a sequence in one call or split over several calls
(passing the state along) gives the same flags and the same state.

The rules, their thresholds, the memory bounds and the statistics are documented in
docs/survey-integrity.md.
"""

from __future__ import annotations

import bisect
import hashlib
import heapq
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

from shared.contracts.survey import Flag, IntegrityRules

IDENTICAL_ANSWERS = "identical_answers"
BURST = "burst"
STRAIGHT_LINING = "straight_lining"
OVER_QUOTA = "over_quota"
POINT_DEPARTURE = "point_departure"
FLAG_ORDER: tuple[str, ...] = (IDENTICAL_ANSWERS, BURST, STRAIGHT_LINING, OVER_QUOTA)
"""A questionnaire's flags always come in this order (at most one of each code)."""

PATTERNS_PER_KEY = 64
"""Identical-answer memory: distinct answer patterns kept per (point, device), least recently
seen dropped first."""
PATTERN_KEYS = 256
"""Identical-answer memory: (point, device) pairs kept, least recently seen dropped first."""
BURST_ENTRIES = 5_000
"""Burst memory: most timestamps kept in all; above it the oldest are dropped down to 90%."""

STATE_FORMAT = 1
_DIGEST_HEX = 16
_POINT = "point"
_DEVICE = "device"
_PERCENT_PLACES = 2
_CHI_PLACES = 4


@dataclass(frozen=True)
class Candidate:
    """One questionnaire being recorded.

    `pattern` is the caller's canonical digest of the answers: equal answers, equal pattern.
    `ratings` maps unit id to answer text (used for straight-lining only).
    """

    questionnaire_id: str
    collected_at: datetime
    survey_point: str | None
    device: str | None
    agency_id: str | None
    pattern: str
    ratings: Mapping[str, str]


BurstKey = tuple[str, str, str]
"""(`point` or `device`, the point code or device id, the pattern digest)."""
PatternKey = tuple[str | None, str | None]
"""(survey point, device); never both None."""


@dataclass
class WaveIntegrityState:
    """What a wave remembers between batches. JSON round-trips with `to_json`/`from_json`.

    - `newest`: the latest `collected_at` screened; burst memory older than
      `newest - burst_seconds` is dropped.
    - `bursts`: per (point|device, pattern digest), the collection times inside the burst
      window, ascending, at most `burst_size` of them.
    - `patterns`: per (point, device), pattern digest -> the first two distinct questionnaire
      ids seen with it; both levels ordered least recently seen first, capped at
      `pattern_keys` keys and `patterns_per_key` patterns per key.
    - `agency_counts`, `point_counts`: questionnaires recorded so far (flagged ones included).

    Patterns are kept as the first 16 hex digits of their SHA-256 (64 bits), whatever the
    caller's pattern looks like.
    """

    newest: datetime | None = None
    bursts: dict[BurstKey, list[datetime]] = field(default_factory=dict)
    patterns: dict[PatternKey, dict[str, list[str]]] = field(default_factory=dict)
    agency_counts: dict[str, int] = field(default_factory=dict)
    point_counts: dict[str, int] = field(default_factory=dict)
    patterns_per_key: int = PATTERNS_PER_KEY
    pattern_keys: int = PATTERN_KEYS
    burst_entries: int = BURST_ENTRIES

    def copy(self) -> WaveIntegrityState:
        return WaveIntegrityState(
            newest=self.newest,
            bursts={key: list(times) for key, times in self.bursts.items()},
            patterns={
                key: {d: list(ids) for d, ids in seen.items()}
                for key, seen in self.patterns.items()
            },
            agency_counts=dict(self.agency_counts),
            point_counts=dict(self.point_counts),
            patterns_per_key=self.patterns_per_key,
            pattern_keys=self.pattern_keys,
            burst_entries=self.burst_entries,
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-compatible dict; orders that matter (least recently seen first) are lists."""
        return {
            "format": STATE_FORMAT,
            "newest": None if self.newest is None else _iso(self.newest),
            "bursts": [
                [kind, key, digest, [_iso(t) for t in times]]
                for (kind, key, digest), times in sorted(self.bursts.items())
            ],
            "patterns": [
                [point, device, [[digest, list(ids)] for digest, ids in seen.items()]]
                for (point, device), seen in self.patterns.items()
            ],
            "agency_counts": dict(sorted(self.agency_counts.items())),
            "point_counts": dict(sorted(self.point_counts.items())),
            "caps": {
                "patterns_per_key": self.patterns_per_key,
                "pattern_keys": self.pattern_keys,
                "burst_entries": self.burst_entries,
            },
        }

    def to_json(self) -> str:
        """Canonical text: equal states give equal text."""
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> WaveIntegrityState:
        if data.get("format") != STATE_FORMAT:
            raise ValueError(f"unknown integrity state format {data.get('format')!r}")
        try:
            caps = data["caps"]
            newest = data["newest"]
            return cls(
                newest=None if newest is None else _parse(newest),
                bursts={
                    (str(kind), str(key), str(digest)): sorted(_parse(t) for t in times)
                    for kind, key, digest, times in data["bursts"]
                },
                patterns={
                    (point, device): {str(digest): [str(i) for i in ids] for digest, ids in seen}
                    for point, device, seen in data["patterns"]
                },
                agency_counts={str(k): int(v) for k, v in data["agency_counts"].items()},
                point_counts={str(k): int(v) for k, v in data["point_counts"].items()},
                patterns_per_key=int(caps["patterns_per_key"]),
                pattern_keys=int(caps["pattern_keys"]),
                burst_entries=int(caps["burst_entries"]),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise ValueError(f"malformed integrity state: {error}") from error

    @classmethod
    def from_json(cls, text: str) -> WaveIntegrityState:
        loaded = json.loads(text)
        if not isinstance(loaded, dict):
            raise ValueError("malformed integrity state: not an object")
        return cls.from_dict(loaded)

    def burst_size(self) -> int:
        """How many timestamps the burst memory holds."""
        return sum(len(times) for times in self.bursts.values())


def screen(
    candidates: Sequence[Candidate],
    rules: IntegrityRules,
    state: WaveIntegrityState,
    agency_quota: int | None,
    point_quotas: Mapping[str, int | None],
) -> tuple[list[tuple[Flag, ...]], WaveIntegrityState]:
    """Flag each candidate, in the given order, as if every earlier one had been recorded.

    `agency_quota` is the quota of the agency whose batch this is: it applies to each
    candidate's own agency count (candidates without `agency_id` have no agency quota).
    `point_quotas` maps point code to its quota; a point not listed, or listed with None, has
    no cap. The given state is not modified; the returned one is new.
    """
    state = state.copy()
    flags: list[tuple[Flag, ...]] = []
    total = state.burst_size()
    for candidate in candidates:
        at = _aware(candidate.collected_at, candidate.questionnaire_id)
        found: list[Flag] = []
        digest = _digest(candidate.pattern)
        if rules.identical_across_ids:
            flag = _identical(state, candidate, digest)
            if flag is not None:
                found.append(flag)
        state.newest = at if state.newest is None else max(state.newest, at)
        if rules.burst_seconds > 0 and rules.burst_size > 0:
            flag, total = _burst(state, candidate, at, digest, rules, total)
            if flag is not None:
                found.append(flag)
        flag = _straight_lining(candidate, rules.straight_lining_min_units)
        if flag is not None:
            found.append(flag)
        flag = _count(state, candidate, rules.over_quota, agency_quota, point_quotas)
        if flag is not None:
            found.append(flag)
        flags.append(tuple(found))
    if rules.burst_seconds > 0 and rules.burst_size > 0:
        _sweep(state, state.newest, rules.burst_seconds)
    else:
        state.bursts.clear()
    return flags, state


# --- identical answers across questionnaire ids -------------------------------------------


def _identical(state: WaveIntegrityState, candidate: Candidate, digest: str) -> Flag | None:
    point, device = candidate.survey_point, candidate.device
    if point is None and device is None:
        return None
    key: PatternKey = (point, device)
    seen = state.patterns.pop(key, None)
    if seen is None:
        seen = {}
    state.patterns[key] = seen  # most recently seen key last
    ids = seen.pop(digest, None)
    flag = None
    if ids is None:
        ids = [candidate.questionnaire_id]
    else:
        other = next((i for i in ids if i != candidate.questionnaire_id), None)
        if other is not None:
            flag = Flag(
                code=IDENTICAL_ANSWERS,
                detail=f"与问卷“{other}”答案完全相同（{_where(point, device)}）",
            )
        if candidate.questionnaire_id not in ids and len(ids) < 2:
            ids.append(candidate.questionnaire_id)
    seen[digest] = ids  # most recently seen pattern last
    while len(seen) > max(state.patterns_per_key, 1):
        del seen[next(iter(seen))]
    while len(state.patterns) > max(state.pattern_keys, 1):
        del state.patterns[next(iter(state.patterns))]
    return flag


def _where(point: str | None, device: str | None) -> str:
    if point is not None and device is not None:
        return f"同一测评点“{point}”、同一设备“{device}”"
    if point is not None:
        return f"同一测评点“{point}”，未记录设备"
    return f"同一设备“{device}”，未记录测评点"


# --- bursts -------------------------------------------------------------------------------


def _burst(
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
    return Flag(
        code=BURST, detail=(f"{place}{rules.burst_seconds}秒内出现{count}份答案完全相同的问卷")
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


def _sweep(state: WaveIntegrityState, newest: datetime | None, seconds: int) -> int:
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
    total = _sweep(state, newest, seconds)
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


# --- straight-lining and quotas -----------------------------------------------------------


def _straight_lining(candidate: Candidate, min_units: int) -> Flag | None:
    if min_units <= 0 or len(candidate.ratings) < min_units:
        return None
    answers = set(candidate.ratings.values())
    if len(answers) != 1:
        return None
    (answer,) = answers
    return Flag(
        code=STRAIGHT_LINING, detail=f"对{len(candidate.ratings)}个单位的评价全部为“{answer}”"
    )


def _count(
    state: WaveIntegrityState,
    candidate: Candidate,
    enforce: bool,
    agency_quota: int | None,
    point_quotas: Mapping[str, int | None],
) -> Flag | None:
    reasons: list[str] = []
    agency, point = candidate.agency_id, candidate.survey_point
    if agency is not None:
        count = state.agency_counts.get(agency, 0) + 1
        state.agency_counts[agency] = count
        if enforce and agency_quota is not None and count > agency_quota:
            reasons.append(f"超出单位配额：配额{agency_quota}份，本份为第{count}份")
    if point is not None:
        count = state.point_counts.get(point, 0) + 1
        state.point_counts[point] = count
        quota = point_quotas.get(point)
        if enforce and quota is not None and count > quota:
            reasons.append(f"超出测评点“{point}”配额：配额{quota}份，本份为第{count}份")
    if not reasons:
        return None
    return Flag(code=OVER_QUOTA, detail="；".join(reasons))


# --- point departures ---------------------------------------------------------------------


@dataclass(frozen=True)
class PointDeparture:
    """A survey point whose answers depart from the rest of the wave's.

    `distance_percent`: total variation distance between the point's answer shares and the
    rest's, in percent, rounded half up to 2 places. `chi_square` (rounded half up to 4
    places), `degrees_of_freedom` and `p_value` (4 significant digits): Pearson's test of
    homogeneity on the 2 × k table point/rest × answer, for information only (answers of one
    questionnaire are not independent, so the p-value is too small).
    """

    point: str
    questionnaires: int
    answers: int
    rest_answers: int
    distance_percent: Decimal
    chi_square: Decimal
    degrees_of_freedom: int
    p_value: Decimal


def point_departures(
    counts_by_point: Mapping[str, Mapping[str, int]],
    rules: IntegrityRules,
    *,
    questionnaires_by_point: Mapping[str, int],
) -> list[PointDeparture]:
    """Points with at least `point_departure_min_sample` questionnaires whose answer
    distribution is at least `point_departure_percent` (total variation distance, in percent,
    as rounded) away from the rest of the wave's, largest first, then by point code.

    `counts_by_point[point][answer]` counts answers over every unit rating of the point's
    questionnaires; `questionnaires_by_point[point]` counts the questionnaires (a point
    missing from it has none). A zero `point_departure_percent` turns the check off; a zero
    `point_departure_min_sample` means no minimum. Points with no answers, or whose rest of
    the wave has none, are not compared.

    Worked example: point A answers 满意 10, 不满意 10; the rest (B) answers 满意 30, 不满意 10.
    Shares: A = (1/2, 1/2), rest = (3/4, 1/4); distance = ½(|1/2−3/4| + |1/2−1/4|) = 1/4,
    so 25.00%. Chi-square: totals 满意 40, 不满意 20, n = 60; expected for A (20 answers)
    40·20/60 = 13.33 and 6.67, for the rest (40) 26.67 and 13.33; χ² = 3.3333²·(1/13.3333 +
    1/6.6667 + 1/26.6667 + 1/13.3333) = 11.1111 × 0.3375 = 3.75, 1 degree of freedom,
    p = 0.05281.
    """
    if rules.point_departure_percent <= 0:
        return []
    threshold = Decimal(rules.point_departure_percent)
    totals: dict[str, int] = {}
    for counts in counts_by_point.values():
        for answer, n in counts.items():
            if n < 0:
                raise ValueError(f"negative count for answer {answer!r}")
            totals[answer] = totals.get(answer, 0) + n
    answers = sorted(answer for answer, n in totals.items() if n > 0)
    found: list[PointDeparture] = []
    for point in sorted(counts_by_point):
        questionnaires = questionnaires_by_point.get(point, 0)
        if questionnaires < rules.point_departure_min_sample:
            continue
        own = {a: counts_by_point[point].get(a, 0) for a in answers}
        rest = {a: totals[a] - own[a] for a in answers}
        n_own, n_rest = sum(own.values()), sum(rest.values())
        if n_own == 0 or n_rest == 0:
            continue
        distance = (
            sum(
                (abs(Fraction(own[a], n_own) - Fraction(rest[a], n_rest)) for a in answers),
                Fraction(0),
            )
            / 2
        )
        percent = _decimal(distance * 100, _PERCENT_PLACES)
        if percent < threshold:
            continue
        chi, dof = _chi_square(own, rest, answers)
        found.append(
            PointDeparture(
                point=point,
                questionnaires=questionnaires,
                answers=n_own,
                rest_answers=n_rest,
                distance_percent=percent,
                chi_square=_decimal(chi, _CHI_PLACES),
                degrees_of_freedom=dof,
                p_value=_p_value(chi, dof),
            )
        )
    found.sort(key=lambda d: (-d.distance_percent, d.point))
    return found


def departure_flag(departure: PointDeparture, rules: IntegrityRules) -> Flag:
    """The flag a wave-level check puts on a departing point's questionnaires
    (`ResponseQuarantined`)."""
    return Flag(
        code=POINT_DEPARTURE,
        detail=(
            f"测评点“{departure.point}”答案分布与其他测评点差异"
            f"{departure.distance_percent}%（阈值{rules.point_departure_percent}%，"
            f"样本{departure.questionnaires}份）"
        ),
    )


def _chi_square(
    own: Mapping[str, int], rest: Mapping[str, int], answers: Sequence[str]
) -> tuple[Fraction, int]:
    """Pearson's χ² on the 2 × k table, exact; k counts answers with a positive total."""
    n_own, n_rest = sum(own.values()), sum(rest.values())
    n = n_own + n_rest
    chi = Fraction(0)
    for a in answers:
        column = own[a] + rest[a]
        for observed, row in ((own[a], n_own), (rest[a], n_rest)):
            expected = Fraction(row * column, n)
            chi += (observed - expected) ** 2 / expected
    return chi, len(answers) - 1


def _p_value(chi: Fraction, dof: int) -> Decimal:
    """P(χ²_dof ≥ chi) = Q(dof/2, chi/2), 4 significant digits."""
    if dof <= 0:
        return Decimal(1)
    p = _upper_gamma_q(dof / 2, float(chi) / 2)
    return Decimal(f"{p:.4g}")


def _upper_gamma_q(a: float, x: float) -> float:
    """The regularized upper incomplete gamma Q(a, x): the series for x < a + 1, Lentz's
    continued fraction otherwise (Numerical Recipes 6.2), to relative precision 1e-15."""
    if x <= 0:
        return 1.0
    log_prefix = a * math.log(x) - x - math.lgamma(a)
    if x < a + 1:
        term = total = 1.0 / a
        denominator = a
        for _ in range(10_000):
            denominator += 1
            term *= x / denominator
            total += term
            if abs(term) < abs(total) * 1e-15:
                break
        return max(0.0, 1.0 - total * math.exp(log_prefix))
    tiny = 1e-300
    b = x + 1 - a
    c = 1 / tiny
    d = 1 / b
    h = d
    for i in range(1, 10_000):
        an = -i * (i - a)
        b += 2
        d = an * d + b
        d = tiny if abs(d) < tiny else d
        c = b + an / c
        c = tiny if abs(c) < tiny else c
        d = 1 / d
        delta = d * c
        h *= delta
        if abs(delta - 1) < 1e-15:
            break
    return min(1.0, math.exp(log_prefix) * h)


# --- helpers ------------------------------------------------------------------------------


def _digest(pattern: str) -> str:
    raw = pattern.encode("utf-8", "surrogatepass")
    return hashlib.sha256(raw).hexdigest()[:_DIGEST_HEX]


def _aware(moment: datetime, questionnaire_id: str) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"questionnaire {questionnaire_id!r}: collected_at has no time zone")
    return moment.astimezone(UTC)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _parse(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"time without zone: {text!r}")
    return moment.astimezone(UTC)


def _decimal(value: Fraction, places: int) -> Decimal:
    """`value` (not negative) rounded half up to `places` decimals, exactly (no float, no
    intermediate rounding)."""
    quotient, remainder = divmod(value.numerator * 10**places, value.denominator)
    if 2 * remainder >= value.denominator:
        quotient += 1
    return Decimal(quotient).scaleb(-places)
