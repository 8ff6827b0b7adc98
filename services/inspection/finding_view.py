"""Index of findings per unit, built from our own published FindingRecorded messages.

It answers "which findings does this unit have"; the findings' current state (after any
correction, which is not published) comes from the event store.
"""

from __future__ import annotations

from shared.contracts import IntegrationMessage
from shared.contracts.inspection import FindingRecorded
from shared.views import Collection, Document, ViewStore, ViewTransaction
from shared.views.model import View

FINDINGS = "findings"


def _recorded(tx: ViewTransaction, p: FindingRecorded, m: IntegrationMessage) -> None:
    doc = p.model_dump(mode="json") | {"position": m.position}
    tx.put(FINDINGS, f"{p.unit_id}/{p.finding_id}", doc)


FINDINGS_VIEW = View(
    "findings",
    1,
    (Collection(FINDINGS, index=("unit_id",), sort="found_at"),),
    {"inspection": {FindingRecorded: _recorded}},
    "Which findings each unit has, from inspection's own published log.",
)


class FindingIndex:
    def __init__(self, views: ViewStore) -> None:
        self._views = views

    def findings(self, unit_id: str | None = None) -> list[Document]:
        prefix = "" if unit_id is None else f"{unit_id}/"
        return [doc for _, doc in self._views.scan(FINDINGS, prefix)]
