"""The bundle's input messages as `pingyi audit verify` feeds them to the engine: read from
the archive line by line each time they are iterated, never held all at once, so that
verifying a round takes memory flat in its number of questionnaires (docs/audit.md).

Each reading hashes its part again (`Bundle.message_lines`): a file changed since
`read_bundle` checked it is refused at the end of the reading, as it was when the messages
were read into a list.

Depends on the bundle reader and the contract envelope only.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass

from pingyi.audit_bundle import Bundle
from shared.contracts.envelope import IntegrationMessage


class ReadFailed(Exception):
    """Reading the bundle failed while the engine was folding it: the bundle's error (a
    part changed since it was checked, a body that no longer decodes), to be reported as
    such and not as the engine refusing its inputs."""

    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


@dataclass(frozen=True)
class StreamedMessages:
    """Every input message of the bundle, origin by origin in the manifest's order, each
    origin's in position order; iterable any number of times."""

    bundle: Bundle

    def __iter__(self) -> Iterator[IntegrationMessage]:
        return self._read(None)

    def of_types(self, event_types: Collection[str]) -> Iterator[IntegrationMessage]:
        """Only the messages of these event types, in the same order. A line that does not
        hold any of the names is not decoded: a canonical message holds its event type as
        written, so none is missed (a payload that happens to mention one is decoded and
        passed over by its type)."""
        names = [name.encode() for name in event_types]
        return (m for m in self._read(names) if m.event_type in event_types)

    def _read(self, names: list[bytes] | None) -> Iterator[IntegrationMessage]:
        try:
            for origin in self.bundle.origins:
                for line in self.bundle.message_lines(origin):
                    if names is None or any(name in line for name in names):
                        yield IntegrationMessage.decode(line)
        except Exception as error:  # raised through the engine's loop, told apart after it
            raise ReadFailed(error) from error
