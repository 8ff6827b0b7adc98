"""The stores' logs as `pingyi audit export --scheme` feeds them to the engine: each read
from its store again for every pass, up to the position the export fixed when it began
(logs only grow, so every reading gives the same messages), the stored bodies decoded the
engine's way. Read twice by `pingyi.audit_stream.engine`, so the fold keeps records only of
the questionnaires a decision names and the export's memory is flat in their number."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass

from pingyi.audit_bundle import InconsistentBundle, first_problem
from pingyi.audit_stream import Rereadable
from shared.contracts.envelope import IntegrationMessage
from shared.contracts.survey import ResponseRecorded
from shared.contracts.survey_batch import BatchRecorded
from shared.persistence.message_log import read_bodies
from shared.settings import CommonSettings

QUESTIONNAIRE_TYPES = frozenset({ResponseRecorded.event_type, BatchRecorded.event_type})
"""The bulk of a survey log, and no decision: left in the store by a pass that does not ask
for them (`read_bodies(leave_out=…)`)."""


@dataclass(frozen=True)
class StoredMessages(Rereadable):
    """Every published message of `origins`, origin by origin, each up to its `stops`."""

    common: CommonSettings
    origins: Sequence[str]
    stops: Mapping[str, int]

    def __iter__(self) -> Iterator[IntegrationMessage]:
        return self._read(frozenset())

    def of_types(self, event_types: Collection[str]) -> Iterator[IntegrationMessage]:
        wanted = frozenset(event_types)
        found = self._read(QUESTIONNAIRE_TYPES - wanted)
        return (message for message in found if message.event_type in wanted)

    def _read(self, leave_out: frozenset[str]) -> Iterator[IntegrationMessage]:
        from services.scoring.engine.fold.decode import decode_stored

        for origin in self.origins:
            rows = read_bodies(self.common, origin, stop=self.stops[origin], leave_out=leave_out)
            for position, previous, body in rows:
                try:
                    # The engine's decoding: the same messages, about half the cost.
                    message = decode_stored(origin, position, previous, body)
                except ValueError as error:  # a stored body edited: named, in one line
                    raise InconsistentBundle(
                        f"{origin} position {position} does not decode: {first_problem(error)}"
                    ) from None
                yield message
