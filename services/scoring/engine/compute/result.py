"""What one component of one unit came to, before it is written into the results."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from services.scoring.engine.stats import Interval


@dataclass(frozen=True)
class ComponentValue:
    value: Decimal | None
    """Rounded to the scheme's places: the figure published and weighted."""
    inputs: dict[str, Any]
    """The facts and intermediate figures behind the value (JSON-able, decimals as text)."""
    interval: Interval | None = None
    """Exact (unrounded) sampling interval on the value's 0–100 scale, surveys only."""
    sample: int | None = None
    counts: dict[str, int] = field(default_factory=dict)
    """Raw answers per level (surveys), what vote majorities count."""
    panel: int = 0
    exact: Decimal | None = None
    """The value before its one rounding, where it had more places (None: `value` is
    exact): what a weighted part is worked out from (engine revision 2 on)."""
