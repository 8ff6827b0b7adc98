"""The stores' logs as `pingyi audit export --scheme` feeds them to the engine: each read
from its store again for every pass, up to the position the export fixed when it began
(logs only grow, so every reading gives the same messages), the stored bodies decoded the
engine's way. Read twice by `pingyi.audit_stream.engine`, so the fold keeps records only of
the questionnaires a decision names and the export's memory is flat in their number.

`WrittenAsRead`: the engine's second reading also writes each message to the bundle as it
goes (the bytes `shared.persistence.message_log.read_messages` gives, composed from the same
stored body), so the logs are read twice in all, not a third time to write them."""

from __future__ import annotations

from collections.abc import Collection, Generator, Iterator, Mapping, Sequence
from dataclasses import dataclass

from pingyi.audit_bundle import BundleWriter, InconsistentBundle, first_problem
from pingyi.audit_stream import Rereadable
from pingyi.audit_words import said
from shared.contracts.envelope import IntegrationMessage
from shared.contracts.survey import ResponseRecorded
from shared.contracts.survey_batch import BatchRecorded
from shared.contracts.wire import compose
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
        for origin in self.origins:
            for _, message in self.rows(origin, leave_out):
                yield message

    def rows(
        self, origin: str, leave_out: frozenset[str] = frozenset()
    ) -> Iterator[tuple[bytes, IntegrationMessage]]:
        """(the message's bytes as published, the message) of each of the origin's."""
        from services.scoring.engine.fold.decode import decode_stored

        rows = read_bodies(self.common, origin, stop=self.stops[origin], leave_out=leave_out)
        for position, previous, body in rows:
            try:
                # The engine's decoding: the same messages, about half the cost.
                message = decode_stored(origin, position, previous, body)
            except ValueError as error:  # a stored body edited: named, in one line
                undecodable = said(
                    f"{origin} 位置 {position} 的消息无法解码",
                    f"{origin} position {position} does not decode",
                )
                raise InconsistentBundle(f"{undecodable}: {first_problem(error)}") from None
            yield compose(origin, position, previous, body), message


class WrittenAsRead(Rereadable):
    """The stored messages, the first reading of every one of them also writing each to
    the bundle's log of its origin as it is read (`BundleWriter.log`); `written` once it
    read them all. A reading left before its end leaves the logs unwritten: the bundle
    is then not finished (nothing is left)."""

    def __init__(self, stored: StoredMessages, writer: BundleWriter) -> None:
        self.stored, self.writer = stored, writer
        self.reading: Iterator[IntegrationMessage] | None = None
        self.written = False

    def __iter__(self) -> Iterator[IntegrationMessage]:
        if self.reading is not None:
            return iter(self.stored)
        self.reading = self._writing()
        return self.reading

    def close(self) -> None:
        """Ends a writing reading left before its end, its log's entry with it: the archive
        cannot be closed (nor the bundle left) while an entry is being written."""
        if isinstance(self.reading, Generator):
            self.reading.close()

    def of_types(self, event_types: Collection[str]) -> Iterator[IntegrationMessage]:
        return self.stored.of_types(event_types)

    def _writing(self) -> Iterator[IntegrationMessage]:
        for origin in self.stored.origins:
            with self.writer.log(origin) as write:
                for data, message in self.stored.rows(origin):
                    write(data)
                    yield message
        self.written = True
