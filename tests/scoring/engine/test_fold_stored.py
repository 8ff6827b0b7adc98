"""A stored batch part read from its bytes (`stored.stored_columns`, the compiled
`read_part`) against the way every other message is read (`decode_stored`, then
`plain_columns` of the decoded payload): parts as survey stores them read to the same
columns; bodies mangled byte by byte are either refused by the bytes' reader (the caller
then decodes them as before) or read to the same columns, and never read where decoding
them fails; and a fold that takes parts from their bytes (`RoundFold.apply_part_body`)
folds generated logs to the same document as one that decodes every message."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.scoring.engine.fold import RoundFold, counting
from services.scoring.engine.fold.columns import Columns, plain_columns
from services.scoring.engine.fold.decode import decode_stored
from services.scoring.engine.fold.stored import stored_columns
from shared.canonical import canonical_json
from shared.contracts import IntegrationMessage, parse_payload
from shared.contracts.survey_batch import BatchRecorded
from shared.contracts.wire import encode_body

from .test_fold_batch import ANSWER, rendered, survey_log
from .test_fold_builders import CAMPAIGN, ROUND
from .test_fold_columns import v2_parts
from .test_fold_keep import with_registry

pytestmark = pytest.mark.skipif(
    not counting.COMPILED, reason="the compiled loops were not built (no C compiler)"
)
OCCURRED = datetime(2026, 7, 2, 1, 0, tzinfo=UTC)


def stored(model: BatchRecorded) -> bytes:
    """The body survey stores for a part (its outbox row's message column)."""
    return encode_body("survey", model, OCCURRED)


def same(fast: Columns, slow: Columns, defer: frozenset[str] = frozenset()) -> bool:
    """The columns alike, and what the bytes' reader adds right: no id twice, those in
    `defer`, each row's group and point index."""
    named = [i for i, response_id in enumerate(slow.response_ids) if response_id in defer]
    return (
        fast[:5] == slow[:5]
        and fast.flagged == slow.flagged
        and fast.codes.shape == slow.codes.shape
        and fast.codes.tolist() == slow.codes.tolist()
        and fast.distinct
        and len(set(slow.response_ids)) == len(slow.response_ids)
        and fast.in_defer == named
        and indexed(fast.group_index, slow.groups)
        and indexed(fast.point_index, slow.points)
    )


def indexed(index: tuple[bytes, list[str | None]] | None, names: list[str | None]) -> bool:
    if index is None:  # past 32 distinct values: the fold looks each name up
        return len(set(names)) > 32
    rows, distinct = index
    return [distinct[i] for i in rows] == names and len(set(distinct)) == len(distinct)


def decoded_columns(body: bytes) -> Columns | str | None:
    """What reading a decoded body gives: its columns, None (read by the model), or
    "undecodable"."""
    try:
        message = decode_stored("survey", 7, 6, body)
    except ValueError:
        return "undecodable"
    if message.event_type != BatchRecorded.event_type or message.schema_version != 2:
        return None
    return plain_columns(message.payload)


def _part(rows: list[str], **fields: Any) -> BatchRecorded:
    """A part of `rows`, one questionnaire each, the other columns plain unless given."""
    count = len(rows)
    return BatchRecorded.model_validate(
        {
            "wave_id": UUID(int=99),
            "batch_id": UUID(int=98),
            "agency_id": None,
            "part": 1,
            "parts": 1,
            "levels": ["满意", "基本满意", "不满意", "不了解"],
            "response_ids": [UUID(int=i + 1) for i in range(count)],
            "questionnaire_ids": [f"SN-{i}" for i in range(count)],
            "survey_points": ["源汇"] * count,
            "collected_at": ["2026-03-02T01:00:00Z"] * count,
            "channels": ["paper"] * count,
            "groups": ["群众"] * count,
            "rows": rows,
        }
        | fields
    )


def test_a_part_as_survey_stores_it_is_read_from_its_bytes() -> None:
    """Four levels, a flagged questionnaire, null points, groups and channels: read here,
    not sent on to decoding."""
    ids = [UUID(int=i + 1) for i in range(4)]
    model = _part(
        ["1234", "0000", "4321", "2222"],
        questionnaire_ids=["SN-1", "SN-2", "问卷三", "SN-4"],
        survey_points=["源汇", None, "源汇", "郾城"],
        collected_at=["2026-03-02T01:00:00Z", "2026-03-02T09:00:00.5+08:00"] * 2,
        channels=["survey_point", None, "paper", "survey_point"],
        groups=["群众", "群众", None, "服务对象"],
        extras=[{"index": 2, "flags": [{"code": "burst", "detail": "集中提交"}]}],
    )
    body = stored(model)
    fast = stored_columns(body, frozenset({str(ids[2]), str(uuid4())}))
    assert fast is not None
    slow = decoded_columns(body)
    assert isinstance(slow, Columns) and same(fast, slow, frozenset({str(ids[2])}))
    assert fast.in_defer == [2]
    # The reader keeps the last set it was given as a table of ids: another set, and one
    # holding a text that is no id (looked up in the set itself), are read afresh.
    for defer in ({str(ids[0]), str(ids[3])}, {str(ids[1]), "不是编号"}, {str(ids[1])}):
        found = stored_columns(body, frozenset(defer))
        assert found is not None
        assert found.in_defer == [i for i, r in enumerate(ids) if str(r) in defer]
    assert fast.flagged == frozenset({2})
    assert fast.groups[0] is fast.groups[1]  # one object per distinct name


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(model=v2_parts(), data=st.data())
def test_parts_read_from_their_bytes_give_the_decoded_columns(
    model: BatchRecorded, data: st.DataObject
) -> None:
    ids = [str(r) for r in model.response_ids]
    defer = frozenset([*data.draw(st.lists(st.sampled_from(ids))), str(uuid4())])
    body = stored(model)
    fast = stored_columns(body, defer)
    slow = decoded_columns(body)
    assert isinstance(slow, Columns)  # what survey publishes is read plainly either way
    if fast is not None:
        assert same(fast, slow, defer)


def test_a_part_naming_a_response_twice_is_left_to_decoding() -> None:
    """The fold's rule for a repeated id is the model's, one questionnaire at a time."""
    part = _part(["1234", "4321"])
    twice = part.model_copy(update={"response_ids": (part.response_ids[0],) * 2})
    assert stored_columns(stored(part)) is not None
    assert stored_columns(stored(twice)) is None
    assert isinstance(decoded_columns(stored(twice)), Columns)  # decoding reads it


def test_many_distinct_groups_are_read_without_indices() -> None:
    rows = ["12"] * 40
    part = _part(rows, groups=[f"组{i}" for i in range(40)], survey_points=["甲"] * 40)
    fast = stored_columns(stored(part))
    slow = decoded_columns(stored(part))
    assert fast is not None and isinstance(slow, Columns)
    assert fast.group_index is None and fast.point_index is not None
    assert same(fast, slow)


PIECES = [b'"', b"\\", b",", b"]", b"[", b"}", b"{", b"0", b"1", b"a", b"Z", b"-", b":"]
PIECES += [b"n", b" ", b"\x00", b"\x1f", b"\xff", b"\xc3", b"\xa9", b"\xc3\xa9", b"\xe4\xb8"]
PIECES += [b"null", b'""', b"1.0", b"e"]
MANGLES = st.sampled_from(PIECES)


@st.composite
def mangled(draw: st.DrawFn) -> bytes:
    body = bytearray(stored(draw(v2_parts())))
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(body) - 1))
        how = draw(st.sampled_from(["replace", "insert", "delete"]))
        if how == "delete":
            del body[at]
        else:
            piece = draw(MANGLES)
            body[at : at + (len(piece) if how == "replace" else 0)] = piece
    return bytes(body)


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=mangled())
def test_a_mangled_body_is_read_from_its_bytes_only_as_decoding_reads_it(body: bytes) -> None:
    fast = stored_columns(body)
    if fast is None:
        return
    slow = decoded_columns(body)
    assert slow != "undecodable", body
    assert isinstance(slow, Columns), body
    assert same(fast, slow)


def _bodies(messages: list[IntegrationMessage]) -> list[tuple[IntegrationMessage, bytes]]:
    return [(m, encode_body(m.origin, parse_payload(m), m.occurred_at)) for m in messages]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(entries=survey_log(ANSWER), form=st.sampled_from(["v2", "mixed"]), again=st.booleans())
def test_a_fold_taking_parts_from_their_bytes_gives_the_same_document(
    entries: list[tuple[str, object]], form: str, again: bool
) -> None:
    """Generated logs (parts, singles, every decision, answers outside the scale); with
    `again`, every survey message delivered twice (the second a redelivery)."""
    messages = with_registry(rendered(entries, form))
    decoding = RoundFold(str(CAMPAIGN), ROUND)
    from_bytes = RoundFold(str(CAMPAIGN), ROUND)
    read: list[Any] = []
    for message, body in _bodies(messages):
        for _ in range(2 if again else 1):
            decoding.apply(message)
            done = None
            if message.origin == "survey":
                done = from_bytes.apply_part_body(message.position, body)
                read.append(done is not None)
            if done is None:
                from_bytes.apply(message)
    assert canonical_json(from_bytes.inputs()) == canonical_json(decoding.inputs())
    assert from_bytes.positions() == decoding.positions()


def test_response_ids_are_read_only_in_their_canonical_spelling() -> None:
    """Every character of an id changed to what a UUID's text must not hold there (a
    capital, a letter past f, a dash out of place, a digit where a dash is): the bytes'
    reader leaves the part to decoding, which reads or refuses it as it always did."""
    part = _part(["12", "21"])
    body = stored(part)
    text = str(part.response_ids[1]).encode()
    at = body.index(text)
    assert stored_columns(body) is not None
    for offset in range(36):
        for odd in (b"A", b"g", b"-", b"0", b"F"):
            if body[at + offset : at + offset + 1] == odd:
                continue
            changed = body[: at + offset] + odd + body[at + offset + 1 :]
            fast = stored_columns(changed)
            if fast is not None:  # a digit for a digit: still an id, read as decoding reads it
                assert odd == b"0" and offset not in (8, 13, 18, 23)
                slow = decoded_columns(changed)
                assert isinstance(slow, Columns) and same(fast, slow)


def test_a_large_defer_set_names_exactly_its_members() -> None:
    """A range's defer set holds thousands of ids, looked up through a bit table first: its
    false alarms name nothing, and ids one digit away from a member are not members."""
    count = 300
    part = _part(["12"] * count, response_ids=[uuid4() for _ in range(count)])
    ids = [str(r) for r in part.response_ids]
    near = [r[:-1] + ("1" if r[-1] != "1" else "2") for r in ids[::3]]
    members = frozenset([*ids[::7], *near, *(str(uuid4()) for _ in range(20_000))])
    fast = stored_columns(stored(part), members)
    assert fast is not None
    assert fast.in_defer == [i for i, r in enumerate(ids) if r in members]
    assert fast.in_defer == list(range(0, count, 7))


def test_rows_of_more_than_ten_codes_are_read_through_the_table() -> None:
    """Codes past 9 are capitals: such rows are read (the digits' quick pass refuses them
    and the table reads them); a code past the part's levels leaves the part to decoding."""
    levels = [f"等级{i}" for i in range(12)]
    part = _part(["1AB0", "C99A", "0000"], levels=levels)
    fast = stored_columns(stored(part))
    slow = decoded_columns(stored(part))
    assert fast is not None and isinstance(slow, Columns) and same(fast, slow)
    assert fast.codes.tolist()[1] == [12, 9, 9, 10]
    # Bodies the model would refuse (survey never stores them), made from stored ones.
    beyond = stored(_part(["1C"], levels=levels)).replace(b'"1C"', b'"1D"')  # D: code 13
    assert stored_columns(beyond) is None
    four = stored(_part(["14"])).replace(b'"14"', b'"15"')  # 5 is past four levels
    assert stored_columns(four) is None
    assert decoded_columns(four) is None  # read by the model, which refuses it


def test_names_of_one_length_are_told_apart() -> None:
    """Thirty-one points of one length and null, rows in no order: each row's index names
    its own point (the reader finds names by a hash of their bytes)."""
    points = [f"P{i:02d}" for i in range(31)]
    order = [points[(i * 7) % 31] for i in range(93)] + [None, "P00"]
    part = _part(["1"] * len(order), survey_points=order, groups=[None] * len(order))
    fast = stored_columns(stored(part))
    slow = decoded_columns(stored(part))
    assert fast is not None and isinstance(slow, Columns) and same(fast, slow)
    assert fast.point_index is not None and len(fast.point_index[1]) == 32


def test_the_readers_columns_read_as_the_lists_they_stand_for() -> None:
    """Response ids kept as bytes and names kept as indices answer every reading a fold
    makes (length, index from either end, slices, iteration, membership, `index`) as the
    decoded lists do, and refuse an index past the end alike."""
    part = _part(
        ["12", "21", "11"],
        groups=["群众", None, "群众"],
        survey_points=["源汇", "郾城", "源汇"],
    )
    fast = stored_columns(stored(part))
    slow = decoded_columns(stored(part))
    assert fast is not None and isinstance(slow, Columns)
    assert not isinstance(fast.response_ids, list) and not isinstance(fast.groups, list)
    for lazy, listed in (
        (fast.response_ids, slow.response_ids),
        (fast.groups, slow.groups),
        (fast.points, slow.points),
    ):
        assert len(lazy) == len(listed) and list(lazy) == listed and lazy == listed
        assert [lazy[i] for i in range(-3, 3)] == [listed[i] for i in range(-3, 3)]
        assert lazy[1:] == listed[1:] and lazy[::-1] == listed[::-1]
        assert all(value in lazy for value in listed)
        assert [lazy.index(value) for value in listed] == [listed.index(v) for v in listed]
        with pytest.raises(IndexError):
            lazy[3]
        with pytest.raises(IndexError):
            lazy[-4]
    assert str(uuid4()) not in fast.response_ids
    assert fast.response_ids != slow.response_ids[:2]
