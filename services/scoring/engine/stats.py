"""Honest statistics for survey-based scores: Wilson intervals for rates, a normal
interval for weighted scores, rank ranges from overlapping intervals, and
post-stratification weights.

Every function works on Decimal under its own explicit context (`STATS`), never the
calling thread's, so the same counts give the same digits on every machine.

- A rate's interval is the Wilson score interval (Wilson 1927), which, unlike the
  textbook p ± z·sqrt(p(1-p)/n), stays inside [0, 1] and is sensible for small samples and
  for rates of 0 or 1.
- A weighted score's interval is the normal approximation on the per-questionnaire score:
  each valid questionnaire scores the weight of its level; the mean m is the unit's score,
  the variance is Σ p_l (w_l - m)² over the levels' shares p_l, and the interval is
  m ± z·sqrt(variance / n), cut to the range of the level weights. With post-stratification
  n is Kish's effective sample size (Σw)² / Σw². When every answer is at one level the
  variance is 0 and this interval is a point whatever n is: dishonest for small samples,
  so a scheme may choose instead
- the bounded interval for a weighted score: t = (m - floor) / (ceiling - floor) over the
  level weights' range, the Wilson interval of t with the same n, mapped back. A variable
  on [0, 1] with mean t has variance at most t(1 - t), so this is the Wilson interval of
  the most spread-out answers that could give the mean: conservative, never a point
  unless the weights are all equal. Each method's formula is fixed under its name
  (`SCORE_INTERVALS`): stored runs replay under the method their scheme names.
- Rank ranges: a unit certainly ranks below every peer whose interval lies wholly above its
  own and above every peer whose interval lies wholly below; the rest could be either side.
"""

from __future__ import annotations

import decimal
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import NamedTuple

STATS = decimal.Context(
    prec=40,
    rounding=decimal.ROUND_HALF_EVEN,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)
"""Forty significant digits: far beyond any published place, so the one rounding that
matters is the caller's, done once on the final figure."""

Z_95 = Decimal("1.96")
"""The two-sided 95% normal quantile, as offices quote it."""

ZERO = Decimal(0)
ONE = Decimal(1)


class Interval(NamedTuple):
    lo: Decimal
    hi: Decimal


def wilson(successes: Decimal | int, n: Decimal | int, z: Decimal = Z_95) -> Interval | None:
    """The Wilson score interval for the rate successes / n, as proportions in [0, 1].

    `successes` and `n` may be weighted (Decimal) counts: with post-stratification pass the
    weighted successes scaled to the effective sample size. None when n is 0 (no rate).
    """
    n_ = Decimal(n)
    if n_ <= 0:
        return None
    return _wilson_of_proportion(STATS.divide(Decimal(successes), n_), n_, z)


def _wilson_of_proportion(p: Decimal, n_: Decimal, z: Decimal) -> Interval:
    c = STATS
    z2 = c.multiply(z, z)
    denominator = c.add(ONE, c.divide(z2, n_))
    centre = c.divide(c.add(p, c.divide(z2, c.multiply(2, n_))), denominator)
    spread_sq = c.add(
        c.divide(c.multiply(p, c.subtract(ONE, p)), n_),
        c.divide(z2, c.multiply(4, c.multiply(n_, n_))),
    )
    half = c.divide(c.multiply(z, c.sqrt(spread_sq)), denominator)
    # At p = 0 and p = 1 the bound is exactly 0 or 1; forty digits would leave 0.99…9.
    lo = ZERO if p == 0 else max(ZERO, c.subtract(centre, half))
    hi = ONE if p == 1 else min(ONE, c.add(centre, half))
    return Interval(lo, hi)


def weighted_mean_interval(
    level_weights: Mapping[str, Decimal],
    counts: Mapping[str, Decimal],
    n_effective: Decimal,
    z: Decimal = Z_95,
) -> tuple[Decimal, Interval] | None:
    """The mean level weight over `counts` (valid levels only) and its normal interval.

    `counts` may be post-stratified (Decimal); `n_effective` is the sample size the spread
    is divided by (the raw valid count without weighting, Kish's n_eff with it). None when
    there is nothing to average.
    """
    c = STATS
    averaged = _mean(level_weights, counts, n_effective)
    if averaged is None:
        return None
    shares, mean = averaged
    variance = sum(
        (
            c.multiply(shares[lv], c.power(c.subtract(w, mean), 2))
            for lv, w in level_weights.items()
        ),
        ZERO,
    )
    half = c.multiply(z, c.sqrt(c.divide(variance, n_effective)))
    floor, ceiling = min(level_weights.values()), max(level_weights.values())
    return mean, Interval(max(floor, c.subtract(mean, half)), min(ceiling, c.add(mean, half)))


def bounded_mean_interval(
    level_weights: Mapping[str, Decimal],
    counts: Mapping[str, Decimal],
    n_effective: Decimal,
    z: Decimal = Z_95,
) -> tuple[Decimal, Interval] | None:
    """The mean level weight and its bounded interval: the Wilson interval of the mean
    scaled to [0, 1] by the weights' range, with the same `n_effective`, mapped back.

    Arguments and None as `weighted_mean_interval`. Weights all equal leave no range to
    scale by and nothing any answer could change: the interval is the mean itself.
    """
    c = STATS
    averaged = _mean(level_weights, counts, n_effective)
    if averaged is None:
        return None
    mean = averaged[1]
    floor, ceiling = min(level_weights.values()), max(level_weights.values())
    span = c.subtract(ceiling, floor)
    if span == 0:
        return mean, Interval(mean, mean)
    # A mean of shares rounded to forty digits may stray past the range by the last digit.
    t = min(ONE, max(ZERO, c.divide(c.subtract(mean, floor), span)))
    unit = _wilson_of_proportion(t, Decimal(n_effective), z)
    lo = c.add(floor, c.multiply(unit.lo, span))
    hi = c.add(floor, c.multiply(unit.hi, span))
    return mean, Interval(lo, hi)


def _mean(
    level_weights: Mapping[str, Decimal], counts: Mapping[str, Decimal], n_effective: Decimal
) -> tuple[dict[str, Decimal], Decimal] | None:
    """Each level's share of the counts and the mean level weight; None with nothing to
    average."""
    c = STATS
    total = sum((Decimal(counts.get(level, 0)) for level in level_weights), ZERO)
    if total <= 0 or n_effective <= 0:
        return None
    shares = {level: c.divide(Decimal(counts.get(level, 0)), total) for level in level_weights}
    mean = sum((c.multiply(shares[lv], w) for lv, w in level_weights.items()), ZERO)
    return shares, mean


ScoreInterval = Callable[
    [Mapping[str, Decimal], Mapping[str, Decimal], Decimal, Decimal],
    tuple[Decimal, Interval] | None,
]

SCORE_INTERVALS: dict[str, ScoreInterval] = {
    "normal": weighted_mean_interval,
    "bounded": bounded_mean_interval,
}
"""A weighted score's interval by the name a scheme gives it (`statistics.score_interval`).
A name's formula never changes, since stored runs replay under it: a new formula is a
new name."""


def kish_effective_size(weighted_strata: Sequence[tuple[int, Decimal]]) -> Decimal:
    """(Σ w_i)² / Σ w_i² over questionnaires, from (questionnaires, weight) per stratum."""
    c = STATS
    total = sum((c.multiply(n, w) for n, w in weighted_strata), ZERO)
    squares = sum((c.multiply(n, c.multiply(w, w)) for n, w in weighted_strata), ZERO)
    if squares == 0:
        return ZERO
    return c.divide(c.multiply(total, total), squares)


def post_stratification_weights(
    achieved: Mapping[str, int], targets: Mapping[str, Decimal]
) -> dict[str, Decimal]:
    """A weight per stratum (respondent group or survey point) so that the weighted shares
    match the targets, keeping the total number of questionnaires.

    Only strata that have a target and at least one questionnaire are reweighted: their
    targets are renormalised over themselves (a targeted stratum nobody answered in cannot
    be made up by the others, and says so by its absence), and together they keep the
    questionnaires they had. Strata without a target (questionnaires naming no group) keep
    weight 1. w_s = (target_s / Σ targets) · (Σ achieved) / achieved_s over the reweighted.
    """
    c = STATS
    reweighted = [s for s, n in achieved.items() if n > 0 and targets.get(s, ZERO) > 0]
    achieved_total = sum((achieved[s] for s in reweighted), 0)
    target_total = sum((Decimal(targets[s]) for s in reweighted), ZERO)
    weights = {s: ONE for s, n in achieved.items() if n > 0}
    for s in reweighted:
        share = c.divide(Decimal(targets[s]), target_total)
        weights[s] = c.divide(c.multiply(share, achieved_total), Decimal(achieved[s]))
    return weights


class Ranked(NamedTuple):
    unit_id: str
    interval: Interval


def rank_ranges(ranked: Sequence[Ranked]) -> dict[str, tuple[int, int]]:
    """(best, worst) possible rank of each unit among its peers, from their intervals.

    Best: one more than the peers whose interval lies wholly above this one's. Worst: the
    number of peers minus those whose interval lies wholly below. Equal scores with no
    interval (point intervals) share a range exactly as they share a rank.
    """
    ranges: dict[str, tuple[int, int]] = {}
    for me in ranked:
        above = sum(1 for o in ranked if o.unit_id != me.unit_id and o.interval.lo > me.interval.hi)
        below = sum(1 for o in ranked if o.unit_id != me.unit_id and o.interval.hi < me.interval.lo)
        ranges[me.unit_id] = (above + 1, len(ranked) - below)
    return ranges


def overlaps(a: Interval, b: Interval) -> bool:
    return a.lo <= b.hi and b.lo <= a.hi
