"""Input messages streamed into the scoring engine by `pingyi audit verify` (the bundle's,
`StreamedMessages`) and `pingyi audit export --scheme` (the stores' logs,
`pingyi.audit_stored`): read anew each time they are iterated, never held all at once, so
that a round takes memory flat in its number of questionnaires (docs/audit.md). `engine()`
reads such messages twice: a first pass over the decisions only, to learn which
questionnaires' records the fold must keep (`Rereadable.named`), then every message. A
difference's search reads the bundle's by number (`Numbered`), once per recomputation
(`pingyi.audit_pieces`): the bundle's first pass is made once, remembered by
`StreamedMessages`, and serves every recomputation of the search (`Edited.named`).

Each reading of the bundle hashes its parts again (`Bundle.lines`): a file changed
since `read_bundle` checked it is refused at the end of the reading, as it was when the
messages were read into a list.

Depends on the bundle reader and the contract envelope only; the engine is imported when
`engine()` is called, so that reading a bundle needs nothing else.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Collection, Container, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pingyi.audit_bundle import Bundle
from shared.contracts.envelope import IntegrationMessage

Compute = Callable[
    [Mapping[str, Any], Iterable[IntegrationMessage], str, int, int | None], dict[str, Any]
]
"""(scheme document, messages, campaign id, round, engine revision: a stored run's own, or
None for the current one) -> the round's results document."""
Names = Callable[[Iterable[IntegrationMessage]], frozenset[str]]
"""Messages -> what they name (the engine's `named_responses`: the questionnaires whose
records the fold must keep)."""


class ReadFailed(Exception):
    """Reading the bundle failed while the engine was folding it: the bundle's error (a
    part changed since it was checked, a body that no longer decodes), to be reported as
    such and not as the engine refusing its inputs."""

    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


class Rereadable(ABC):
    """Messages that give the same messages, in the same order, each time they are read: the
    engine may read them twice (`engine()`)."""

    @abstractmethod
    def __iter__(self) -> Iterator[IntegrationMessage]: ...

    @abstractmethod
    def of_types(self, event_types: Collection[str]) -> Iterator[IntegrationMessage]:
        """Only the messages of these event types, in the same order, read as cheaply as the
        source allows (the bulk, the questionnaires, left undecoded)."""

    def named(self, names: Names, event_types: Collection[str]) -> frozenset[str]:
        """What `names` says of the messages of these types: the engine's first pass. Read
        each time here; a source that already knows the answer gives it without reading."""
        return names(self.of_types(event_types))


class Numbered(Rereadable):
    """Re-readable messages that can also be read by number, as a difference's search reads
    them each time it recomputes (`pingyi.audit_search`), instead of holding them."""

    @abstractmethod
    def numbered(
        self, event_types: Collection[str] | None = None, indices: Container[int] | None = None
    ) -> Iterator[tuple[int, IntegrationMessage]]:
        """(number, message) for every message, or only those of these event types and at
        these numbers, the others left undecoded where the source allows. The number counts
        every message from 0, asked for or not, so it names one message in every reading."""

    def __iter__(self) -> Iterator[IntegrationMessage]:
        return (message for _, message in self.numbered())

    def of_types(self, event_types: Collection[str]) -> Iterator[IntegrationMessage]:
        return (message for _, message in self.numbered(event_types))


@dataclass(frozen=True)
class StreamedMessages(Numbered):
    """Every input message of the bundle, origin by origin in the manifest's order, each
    origin's in position order; iterable any number of times."""

    bundle: Bundle
    _named: dict[tuple[Names, frozenset[str]], frozenset[str]] = field(
        default_factory=dict, compare=False, repr=False
    )
    """The first passes made: the bundle's messages are the same at every reading (each is
    hashed again), so the first pass is made once whatever reads them again."""

    def named(self, names: Names, event_types: Collection[str]) -> frozenset[str]:
        key = (names, frozenset(event_types))
        if key not in self._named:
            self._named[key] = names(self.of_types(event_types))
        return self._named[key]

    def numbered(
        self, event_types: Collection[str] | None = None, indices: Container[int] | None = None
    ) -> Iterator[tuple[int, IntegrationMessage]]:
        """A line that does not hold any of the names is not decoded: a canonical message
        holds its event type as written, so none is missed (a payload that happens to
        mention one is decoded and passed over by its type)."""
        names = None if event_types is None else [name.encode() for name in event_types]
        try:
            for number, (_, line) in enumerate(self.bundle.lines()):
                if (indices is None or number in indices) and (
                    names is None or any(name in line for name in names)
                ):
                    message = IntegrationMessage.decode(line)
                    if event_types is None or message.event_type in event_types:
                        yield number, message
        except Exception as error:  # raised through the engine's loop, told apart after it
            raise ReadFailed(error) from error


@dataclass(frozen=True)
class Listed(Numbered):
    """Messages held in a list, read as a stream is (a caller that has them all already)."""

    messages: Sequence[IntegrationMessage]

    def numbered(
        self, event_types: Collection[str] | None = None, indices: Container[int] | None = None
    ) -> Iterator[tuple[int, IntegrationMessage]]:
        for number, message in enumerate(self.messages):
            if (indices is None or number in indices) and (
                event_types is None or message.event_type in event_types
            ):
                yield number, message


def engine() -> Compute:
    """The scoring engine's `score_round`, as the verifier and the export call it (imported
    only here, so that reading a bundle needs nothing but the standard library and the
    contracts)."""
    from services.scoring.engine import score_round
    from services.scoring.engine.compute.revision import CURRENT
    from services.scoring.engine.fold import named_responses
    from services.scoring.engine.fold.keep import DECISION_TYPES

    def compute(
        scheme: Mapping[str, Any],
        messages: Iterable[IntegrationMessage],
        campaign: str,
        round_: int,
        revision: int | None,
    ) -> dict[str, Any]:
        # Messages that can be read twice (streamed from a bundle or the stores, a search's
        # edited reading of them, or a list): the fold then keeps records only of
        # questionnaires a decision names, so its memory is flat in the number of
        # questionnaires, and the results are the same as with every record kept.
        keep = None
        if isinstance(messages, Rereadable):
            keep = messages.named(named_responses, DECISION_TYPES)
        elif isinstance(messages, Sequence):
            keep = named_responses(messages)
        return score_round(
            scheme,
            messages,
            campaign_id=campaign,
            round=round_,
            keep_records=keep,
            revision=CURRENT if revision is None else revision,
        )

    return compute
