"""Point departures: survey points whose answer distribution departs from the rest of the
wave's (total variation distance, with Pearson's chi-square for information)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from services.survey.integrity.flags import POINT_DEPARTURE
from shared.contracts.survey import Flag, IntegrityRules

_PERCENT_PLACES = 2
_CHI_PLACES = 4


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


def _decimal(value: Fraction, places: int) -> Decimal:
    """`value` (not negative) rounded half up to `places` decimals, exactly (no float, no
    intermediate rounding)."""
    quotient, remainder = divmod(value.numerator * 10**places, value.denominator)
    if 2 * remainder >= value.denominator:
        quotient += 1
    return Decimal(quotient).scaleb(-places)
