"""A wave's progress broken down by one more key: per county (what a county office reads of
a wider wave, `parts`) and per agency (what an agency reads of its wave, `agencies`).

The whole wave's breakdowns cannot be cut by a county or an agency after the fact, so the
progress document also counts some of them per key, under one field (`by_county_breakdown`,
`by_agency_breakdown`: key -> breakdown -> bucket -> questionnaires, and `by_status`),
moved as the whole wave's are. The two differ only in the field, the breakdowns kept, and
whether the key's own `collected` is kept too; `KeyedBreakdowns` says each once."""

from __future__ import annotations

from dataclasses import dataclass

from services.survey.views.names import STATUSES
from shared.views.base import Document


@dataclass(frozen=True)
class KeyedBreakdowns:
    field: str
    """The progress document's field holding them, key -> counts."""
    breakdowns: tuple[str, ...]
    """The whole wave's breakdowns also counted per key."""
    collected: bool = False
    """Whether each key counts its own `collected` (the questionnaires that stand)."""

    def collect(self, progress: Document, key: str, places: dict[str, str], n: int) -> None:
        """`n` questionnaires of `key` at one place (`places`: breakdown -> bucket) added to
        what it collected (in place; -1: one that stopped standing: voided, rejected or
        withdrawn)."""
        found = self._entry(progress, key)
        if self.collected:
            found["collected"] += n
        for breakdown in self.breakdowns:
            counts = found[breakdown]
            counts[places[breakdown]] = counts.get(places[breakdown], 0) + n

    def restate(
        self, progress: Document, key: str, before: str | None, after: str, n: int = 1
    ) -> None:
        """`n` questionnaires of `key` moved from status `before` (None: newly recorded) to
        `after` (in place)."""
        by_status = self._entry(progress, key)["by_status"]
        if before is not None:
            by_status[before] -= n
        by_status[after] += n

    def of(self, progress: Document, key: str) -> Document:
        """What `key` counted, or nothing counted (without writing the document)."""
        found: Document | None = progress.get(self.field, {}).get(key)
        return found or self.empty()

    def empty(self) -> Document:
        found: Document = {"collected": 0} if self.collected else {}
        found["by_status"] = dict.fromkeys(STATUSES, 0)
        return found | {name: {} for name in self.breakdowns}

    def _entry(self, progress: Document, key: str) -> Document:
        # A document written before the breakdowns were kept has none (its view is rebuilt).
        keyed: dict[str, Document] = progress.setdefault(self.field, {})
        found: Document | None = keyed.get(key)
        if found is None:
            found = keyed[key] = self.empty()
        return found


BY_COUNTY = KeyedBreakdowns("by_county_breakdown", ("by_channel", "by_group", "by_agency"))
"""Per county (a questionnaire's is its survey point's, `parts.county_of`)."""
BY_AGENCY = KeyedBreakdowns(
    "by_agency_breakdown", ("by_point", "by_county", "by_channel", "by_group"), collected=True
)
"""Per agency (a questionnaire that names none is under `unspecified`, which no agency
reads)."""
