"""What a running consumer reports: metrics, `/positions`, `/operations/consumers` and the
readiness probes read it."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any


@dataclass
class StalledAt:
    position: int
    event_id: str
    event_type: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "position": self.position,
            "event_id": self.event_id,
            "event_type": self.event_type,
            "reason": self.reason,
        }


@dataclass
class ConsumerStatus:
    consumer: str
    upstream: str
    last_position: int | None = None
    applied: int = 0
    duplicates: int = 0
    skipped: int = 0
    consecutive_failures: int = 0
    stalled_reason: str | None = None
    stalled_at: StalledAt | None = None
    leading: bool = False
    caught_up_at: float | None = None
    """time.monotonic() when the consumer last found nothing more to read upstream."""
    pending: int | None = None
    """Upstream messages after the last batch applied, as the source last told (None: not
    known yet); 0 once caught up."""
    last_activity: float = field(default_factory=time.monotonic)

    @property
    def stalled(self) -> bool:
        return self.stalled_reason is not None

    def as_dict(self) -> dict[str, Any]:
        behind = None if self.caught_up_at is None else time.monotonic() - self.caught_up_at
        return {
            "consumer": self.consumer,
            "upstream": self.upstream,
            "last_position": self.last_position,
            "applied": self.applied,
            "duplicates": self.duplicates,
            "skipped": self.skipped,
            "stalled": self.stalled,
            "stalled_reason": self.stalled_reason,
            "stalled_at": None if self.stalled_at is None else self.stalled_at.as_dict(),
            "leading": self.leading,
            "seconds_since_caught_up": None if behind is None else round(behind, 3),
            "pending": self.pending,
        }
