"""The questionnaires a replay must keep records of: those some later survey message names.

A recorded questionnaire that nothing later names only adds to the tallies when recorded
(or, flagged, never counts); its record is needed only by a correction, a quarantine, a
release, a rejection, a void or its batch's withdrawal. A replay knows the whole prefix it
folds, so a first pass over just those decision messages (a handful per thousand
questionnaires; `DECISION_TYPES` lets a store select them by type) names every record the
fold will need, and `RoundFold(..., keep_records=named_responses(...))` keeps no other.

A questionnaire recorded with flags and never decided about needs no record either: it
stays in quarantine, uncounted, whatever the fold keeps.
"""

from __future__ import annotations

from collections.abc import Iterable

from shared.contracts import IntegrationMessage, parse_payload
from shared.contracts.survey import (
    BatchWithdrawn,
    ResponseCorrected,
    ResponseQuarantined,
    ResponseRejected,
    ResponseReleased,
    ResponseVoided,
)

_NAMING_ONE = (
    ResponseCorrected,
    ResponseQuarantined,
    ResponseReleased,
    ResponseRejected,
    ResponseVoided,
)
DECISION_TYPES = frozenset(cls.event_type for cls in (*_NAMING_ONE, BatchWithdrawn))
"""Every survey event type that names a questionnaire recorded before it."""


def named_responses(messages: Iterable[IntegrationMessage]) -> frozenset[str]:
    """The response ids (canonical UUID text) that the decision messages among `messages`
    name; other messages are passed over unread. Malformed decisions raise, as the fold
    would stall on them."""
    named: set[str] = set()
    for message in messages:
        if message.event_type not in DECISION_TYPES:
            continue
        payload = parse_payload(message)
        if isinstance(payload, BatchWithdrawn):
            named.update(str(response_id) for response_id in payload.response_ids)
        elif isinstance(payload, _NAMING_ONE):
            named.add(str(payload.response_id))
    return frozenset(named)
