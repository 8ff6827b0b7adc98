"""Units under evaluation (参评单位), their sub-units, and their lifecycle.

Every change is a new event with its actor, its reason and the date it takes effect
(`effective_on`, an ISO date string: the event store has no date transcoding). A unit's
changes must be dated in the order they are recorded, so its event order is also the order
of its effective dates, and "the unit as of a date" is its state after the last change dated
on or before that day.

What the domain cannot see (the jurisdiction tree, which sub-units are still active) the
application hands in as plain values.

Sub-units: a sub-unit sits in its parent's jurisdiction or below it, and stays there when
moved. A unit with active sub-units cannot be dissolved, merged or split (409 naming the
field): its sub-units must be dissolved first, so no sub-unit is ever left hanging from a
unit that no longer exists. Moving a unit carries along the sub-units that sit in its own
jurisdiction (the application records a move for each).

Split by subject: what a unit records (events.py), the aggregate (unit.py), and what it
checks before recording: a new unit and its parent (registration.py), a dated change
(lifecycle.py), a corrected 生效日期 (effective_date.py). Events
stored under this module's topics (`services.registry.domain.units:Unit.Registered`, …)
still resolve through the re-export of `Unit`, so they load as they did.
"""

from __future__ import annotations

from services.registry.domain.unit_values import (
    UNIT_STATUSES,
    Change,
    UnitSpec,
    china_today,
    prefixed_errors,
)
from services.registry.domain.units.unit import Unit

# Re-exported: other parts of the registry take these from here.
__all__ = ["UNIT_STATUSES", "Change", "Unit", "UnitSpec", "china_today", "prefixed_errors"]
