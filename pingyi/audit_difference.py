"""How far a recomputed component is from the bundle's (`pingyi audit verify`): whether
leaving a message out brings it closer. Depends on the standard library only."""

from __future__ import annotations

from decimal import Context, Decimal, InvalidOperation
from typing import Any


def moves_toward(without: Any, recomputed: Any, stored: Any) -> bool:
    """Whether removing a message moves the component back toward the bundle's value: over
    the values where recomputed and stored differ, more get closer than get farther. Only
    those values count: a removal also changes what it must (sample sizes …), and those say
    nothing about which message is behind the difference."""
    before, target, after = flat(recomputed), flat(stored), flat(without)
    closer = farther = 0
    for path in before.keys() | target.keys():
        if before.get(path) == target.get(path):
            continue
        gap, new_gap = (
            _gap(before.get(path), target.get(path)),
            _gap(after.get(path), target.get(path)),
        )
        closer += new_gap < gap
        farther += new_gap > gap
    return closer > farther


def flat(value: Any, path: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        return {k: v for key, item in value.items() for k, v in flat(item, f"{path}.{key}").items()}
    if isinstance(value, list):
        return {k: v for i, item in enumerate(value) for k, v in flat(item, f"{path}[{i}]").items()}
    return {path: value}


_EXACT = Context(prec=50, traps=[InvalidOperation])
_FAR = Decimal("Infinity")


def _gap(value: Any, target: Any) -> Decimal:
    """How far apart two leaf values are: numerically when both are numbers (or decimal
    text), else 0 when equal and infinitely far otherwise."""
    if value == target:
        return Decimal(0)
    a, b = _number(value), _number(target)
    if a is None or b is None:
        return _FAR
    return abs(_EXACT.subtract(a, b))


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | str):
        return None
    try:
        return _EXACT.create_decimal(value)
    except InvalidOperation:
        return None
