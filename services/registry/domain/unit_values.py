"""Values the Unit aggregate works with: the specification of a new unit, a dated change,
the China calendar day, and error prefixes for items of a batch."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from services.registry.domain.common import required_text
from services.registry.domain.errors import RegistryError
from shared.contracts.registry import CHINA, UNIT_STATUSES

# Re-exported: the registry's unit vocabulary is its contract's.
__all__ = [
    "CHINA",
    "UNIT_STATUSES",
    "Change",
    "UnitSpec",
    "change_fields",
    "china_today",
    "optional_text",
    "prefixed_errors",
]


def china_today() -> date:
    return datetime.now(CHINA).date()


def optional_text(value: str | None) -> str | None:
    cleaned = (value or "").strip()
    return cleaned or None


@contextmanager
def prefixed_errors(prefix: str) -> Iterator[None]:
    """Re-raise registry errors with `prefix` before the field, so an error about one item of
    a batch names the item (e.g. `units.3.credit_code`)."""
    try:
        yield
    except RegistryError as error:
        field = f"{prefix}{error.field}" if error.field else prefix.rstrip(".")
        raise type(error)(error.reason, field=field, **error.context) from None


@dataclass(frozen=True)
class UnitSpec:
    """What a new unit is registered with (by registration, merger or split)."""

    jurisdiction_id: UUID
    name: str
    kind: str
    category: str
    short_name: str | None = None
    vertical_superior: str | None = None
    credit_code: str | None = None


@dataclass(frozen=True)
class Change:
    """Who changes a unit, why, and from which day the change holds."""

    effective_on: date
    reason: str
    actor: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "reason", required_text(self.reason, "reason"))


def change_fields(change: Change) -> dict[str, str]:
    return {
        "effective_on": change.effective_on.isoformat(),
        "reason": change.reason,
        "actor": change.actor,
    }
