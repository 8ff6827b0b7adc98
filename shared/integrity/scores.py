"""Stored score records against their own digests.

A run's record holds its results and the digest taken when they were computed: for a
campaign-round run the results document carries `results_digest` over the rest of itself;
for a wave run of the first release (retired, still in old logs) it is the digest of the
results list. Recomputing it is cheap next to what
reading the record costs, so the API checks on every read (`digest_warning`), and a
`ScoreWatch` rechecks every stored record on a timer for /readyz — a record nobody reads
still shows when it was edited.

Digests alone do not stop an editor who rewrites results and digest together: the sealed
chain does (`pingyi audit verify-log`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from shared.canonical import digest
from shared.integrity.chain import Row

log = logging.getLogger(__name__)

DIGEST_KEY = "results_digest"
WARNING = "存储的计分结果与其摘要不符 the stored results no longer match their digest"


def results_match(results: Any, results_digest: str) -> bool:
    if isinstance(results, dict) and DIGEST_KEY in results:
        rest = {k: v for k, v in results.items() if k != DIGEST_KEY}
        return results[DIGEST_KEY] == results_digest and digest(rest) == results_digest
    return digest(results) == results_digest


def digest_warning(results: Any, results_digest: str, record: str) -> str | None:
    """The warning to serve with a score record, None when it matches its digest."""
    try:
        matches = results_match(results, results_digest)
    except (TypeError, ValueError):
        matches = False  # not even canonical any more
    if matches:
        return None
    log.warning("stored score record does not match its digest", extra={"record": record})
    return WARNING


Decode = Callable[[StoredEvent], Any]


@dataclass
class ScoreWatch:
    """Which positions hold score records, and which of them no longer match."""

    decode: Decode
    positions: set[int] = field(default_factory=set)
    mismatched: list[dict[str, Any]] = field(default_factory=list)
    checked: int = 0
    checked_at: float | None = None

    def note(self, rows: Iterable[Row]) -> None:
        self.positions.update(r.position for r in rows if b'"' + DIGEST_KEY.encode() in r.state)

    def check(self, rows: Iterable[Row]) -> None:
        bad: list[dict[str, Any]] = []
        seen = 0
        for row in rows:
            seen += 1
            problem = self._problem(row)
            if problem is not None:
                bad.append(
                    {
                        "position": row.position,
                        "originator_id": row.originator_id,
                        "problem": problem,
                    }
                )
        self.mismatched, self.checked, self.checked_at = bad, seen, time.time()
        missing = len(self.positions) - seen
        if missing > 0:
            self.mismatched.append({"problem": f"{missing} score records are gone from the log"})

    def _problem(self, row: Row) -> str | None:
        try:
            event = self.decode(
                StoredEvent(UUID(row.originator_id), row.version, row.topic, row.state)
            )
        except Exception as error:  # an edit that broke the record is a finding, not a crash
            return f"cannot be read: {type(error).__name__}"
        results = getattr(event, "results", None)
        stored = getattr(event, DIGEST_KEY, None)
        if results is None or not isinstance(stored, str):
            return None  # mentions the key without being a score record
        return digest_warning(results, stored, row.originator_id)

    def status(self) -> dict[str, Any]:
        return {
            "records": len(self.positions),
            "checked": self.checked,
            "mismatched": self.mismatched,
        }
