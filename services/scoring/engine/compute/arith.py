"""Decimal arithmetic for the computation: one explicit context, and the one rounding
every published figure goes through."""

from __future__ import annotations

import decimal
from decimal import Decimal

from services.scoring.engine.scheme.parts import Arithmetic

EXACT = decimal.Context(
    prec=60,
    rounding=decimal.ROUND_HALF_EVEN,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)
"""Wide enough that sums and products of published figures are exact and a quotient is
exact far beyond any place shown before its one rounding; the computation runs entirely
under it (`decimal.localcontext(EXACT)`), whatever the calling thread's context is."""

ZERO = Decimal(0)
HUNDRED = Decimal(100)

_MODES = {
    "ROUND_HALF_UP": decimal.ROUND_HALF_UP,
    "ROUND_HALF_EVEN": decimal.ROUND_HALF_EVEN,
    "ROUND_DOWN": decimal.ROUND_DOWN,
}


def rounded(value: Decimal, arithmetic: Arithmetic, places: int | None = None) -> Decimal:
    quantum = Decimal(1).scaleb(-(arithmetic.places if places is None else places))
    return value.quantize(quantum, rounding=_MODES[arithmetic.rounding], context=EXACT)


def outward(lo: Decimal, hi: Decimal, places: int) -> tuple[Decimal, Decimal]:
    """An interval rounded outwards, so the published interval contains the exact one."""
    quantum = Decimal(1).scaleb(-places)
    return (
        lo.quantize(quantum, rounding=decimal.ROUND_FLOOR, context=EXACT),
        hi.quantize(quantum, rounding=decimal.ROUND_CEILING, context=EXACT),
    )


def text(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def clamp(value: Decimal, lo: Decimal, hi: Decimal) -> Decimal:
    """Within [lo, hi]; keeps the value's own digits when it is inside (min/max would
    return whichever of two equal decimals came first: 100 for 100.00)."""
    if value < lo:
        return lo
    return hi if value > hi else value
