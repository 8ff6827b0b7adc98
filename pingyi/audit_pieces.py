"""The candidates of a difference's search (`pingyi audit verify`, `pingyi.audit_search`):
every input message, a `survey.batch.recorded` part as each of its questionnaires, numbered
in order; and the messages less some of them, or with one message changed, read again from
the bundle each time the round is recomputed (`Edited`), never held all at once.

A part holds hundreds of questionnaires, each meaning what a `survey.response.recorded` of
its own would: each is a candidate of its own (the part recomputed without it), so a changed
answer is named by its questionnaire, at its part's position, as in a log of single
recordings.

Depends on the contract envelope, `pingyi.audit_stream` and the standard library only.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Collection, Container, Iterable, Iterator, Mapping, Sequence
from typing import Any

from pingyi.audit_stream import Names, Numbered
from shared.contracts.envelope import IntegrationMessage

BATCH_RECORDED = "survey.batch.recorded"
"""The messages whose questionnaires are candidates one by one: v1 (one object each in
`questionnaires`) and v2 (in columns: each list of `COLUMNS` holds one entry each, `extras`
name theirs by index)."""
COLUMNS = (
    "response_ids",
    "questionnaire_ids",
    "survey_points",
    "collected_at",
    "channels",
    "groups",
    "rows",
)

Piece = tuple[int, int | None]
"""A candidate: (message number, questionnaire index in a batch part, or None: the message)."""


def questionnaires(message: IntegrationMessage) -> int | None:
    """How many questionnaires a batch part holds; None for any other message (or a part
    too malformed to take apart: it is a candidate whole)."""
    if message.event_type != BATCH_RECORDED:
        return None
    payload = message.payload
    if message.schema_version == 1:
        inside = payload.get("questionnaires")
        return len(inside) if isinstance(inside, list) else None
    columns = [c for c in (payload.get(name) for name in COLUMNS) if isinstance(c, list)]
    if message.schema_version != 2 or len(columns) != len(COLUMNS):
        return None
    extras = payload.get("extras", [])
    if not isinstance(extras, list) or not all(isinstance(e, dict) for e in extras):
        return None
    return len(columns[0]) if len({len(c) for c in columns}) == 1 else None


def pieces(messages: Iterable[IntegrationMessage]) -> list[Piece]:
    """Every message, a batch part as each of its questionnaires (`Pieces` numbers them
    without listing them)."""
    found: list[Piece] = []
    for i, message in enumerate(messages):
        inside = questionnaires(message)
        if inside is None:
            found.append((i, None))
        else:
            found.extend((i, j) for j in range(inside))
    return found


def less(message: IntegrationMessage, left: Collection[int]) -> IntegrationMessage:
    """A part less the questionnaires at the indices in `left`: the same part (same
    position) holding the others."""
    payload = message.payload
    if message.schema_version == 1:
        inside = payload["questionnaires"]
        payload = {**payload, "questionnaires": [q for j, q in enumerate(inside) if j not in left]}
        return message.model_copy(update={"payload": payload})
    kept = [j for j in range(len(payload["response_ids"])) if j not in left]
    moved = {old: new for new, old in enumerate(kept)}
    extras = [
        {**extra, "index": moved[extra.get("index")]}
        for extra in payload.get("extras", [])
        if extra.get("index") in moved
    ]
    columns = {name: [payload[name][j] for j in kept] for name in COLUMNS}
    return message.model_copy(update={"payload": {**payload, **columns, "extras": extras}})


def without(
    messages: Sequence[IntegrationMessage], left: set[Piece]
) -> Iterator[IntegrationMessage]:
    """The messages less the pieces in `left`: a part less some questionnaires is the same
    part holding the others; a part less all of them is left out (a part holds at least
    one)."""
    whole = {i for i, j in left if j is None}
    inside: dict[int, set[int]] = {}
    for i, j in left:
        if j is not None:
            inside.setdefault(i, set()).add(j)
    for i, message in enumerate(messages):
        if i in whole:
            continue
        if i in inside:
            if len(inside[i]) >= (questionnaires(message) or 0):
                continue
            message = less(message, inside[i])
        yield message


class Pieces:
    """The candidates of messages by number (`k`), as `pieces` lists them, held as the
    batch parts only: memory in the number of parts, not of messages."""

    def __init__(self, source: Numbered) -> None:
        self._parts: list[tuple[int, int, int]] = []
        """(first candidate, message number, questionnaires) of each batch part, in order."""
        k = 0
        for i, message in source.numbered():
            inside = questionnaires(message)
            if inside is None:
                k += 1
            else:
                self._parts.append((k, i, inside))
                k += inside
        self.total = k
        self._firsts = [first for first, _, _ in self._parts]
        self._numbers = [i for _, i, _ in self._parts]

    def piece(self, k: int) -> Piece:
        """Candidate `k` as (message number, questionnaire index or None)."""
        p = bisect_right(self._firsts, k) - 1
        if p < 0:
            return k, None
        first, i, inside = self._parts[p]
        if k < first + inside:
            return i, k - first
        return i + 1 + k - first - inside, None

    def span(self, i: int) -> tuple[int, int, bool]:
        """Message `i`'s candidates: (the first's number, how many, whether it is a part)."""
        p = bisect_right(self._numbers, i) - 1
        if p < 0:
            return i, 1, False
        first, at, inside = self._parts[p]
        if at == i:
            return first, inside, True
        return first + inside + i - at - 1, 1, False


class Edited(Numbered):
    """The source's messages less the candidates numbered in `left` (as `without` leaves
    them out), or with message `replaced[0]` read as `replaced[1]`; under the source's
    numbers."""

    def __init__(
        self,
        source: Numbered,
        pieces: Pieces,
        left: range = range(0),
        replaced: tuple[int, IntegrationMessage] | None = None,
    ) -> None:
        self.source, self.pieces, self.left, self.replaced = source, pieces, left, replaced

    def named(self, names: Names, event_types: Collection[str]) -> frozenset[str]:
        """The source's first pass, made once for every recomputation (the source remembers
        it), and the replaced message's names: leaving messages out only takes names away,
        and a record kept that no decision names changes no result (the engine's
        `keep_records`: the results are those of every record kept). So each recomputation
        reads the bundle once, not twice."""
        found = self.source.named(names, event_types)
        if self.replaced is not None and self.replaced[1].event_type in event_types:
            found = found | names([self.replaced[1]])
        return found

    def numbered(
        self, event_types: Collection[str] | None = None, indices: Container[int] | None = None
    ) -> Iterator[tuple[int, IntegrationMessage]]:
        if self.left:  # a message left out whole is not even decoded
            indices = _Kept(self, indices)
        for i, message in self.source.numbered(event_types, indices):
            if self.replaced is not None and i == self.replaced[0]:
                message = self.replaced[1]
            inside = self.left_inside(i)
            if inside is not None:
                if len(inside) >= self.pieces.span(i)[1]:
                    continue
                message = less(message, inside)
            yield i, message

    def left_inside(self, i: int) -> range | None:
        """The questionnaires of message `i` left out: None when none is, and all of them
        (`range(1)` for a message that is not a part) when it is left out whole."""
        first, count, part = self.pieces.span(i)
        low, high = max(first, self.left.start), min(first + count, self.left.stop)
        if high <= low:
            return None
        return range(low - first, high - first) if part else range(1)


class _Kept:
    """The message numbers an `Edited` reads: those asked for, less any left out whole."""

    def __init__(self, edited: Edited, indices: Container[int] | None) -> None:
        self.edited, self.indices = edited, indices

    def __contains__(self, i: object) -> bool:
        if not isinstance(i, int) or (self.indices is not None and i not in self.indices):
            return False
        left = self.edited.left_inside(i)
        return left is None or len(left) < self.edited.pieces.span(i)[1]


def message_at(source: Numbered, i: int) -> IntegrationMessage:
    return next(message for _, message in source.numbered(indices=(i,)))


SUBJECT_KEYS = (
    "questionnaire_id",
    "response_id",
    "finding_id",
    "complaint_id",
    "order_id",
    "task_id",
    "vote_id",
    "batch_id",
    "wave_id",
    "unit_id",
    "campaign_id",
)


def subject(message: IntegrationMessage, j: int | None) -> str:
    """What in the payload says which fact it is (questionnaire `j` of a part)."""
    if j is None:
        return _subject(message.payload)
    if message.schema_version == 1:
        questionnaire = message.payload["questionnaires"][j]
        return _subject(questionnaire) if isinstance(questionnaire, dict) else ""
    return _subject({"questionnaire_id": message.payload["questionnaire_ids"][j]})


def _subject(payload: Mapping[str, Any]) -> str:
    return next((f"{key}={payload[key]}" for key in SUBJECT_KEYS if key in payload), "")
