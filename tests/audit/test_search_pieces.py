"""The search's candidates read from a re-readable source (`Pieces`, `Edited`) are the ones
listed from the messages held in a list (`pieces`, `without`): every range of candidates
left out gives the same messages, with parts of either version, a part too malformed to take
apart (a candidate whole) and an empty part among single messages. So a search reading the
bundle again names what one holding the messages named."""

from __future__ import annotations

from pathlib import Path

from pingyi.audit_bundle import read_bundle, write_bundle
from pingyi.audit_pieces import Edited, Pieces, message_at, pieces, without
from pingyi.audit_stream import Listed, StreamedMessages
from services.scoring.engine import score_round
from shared.contracts import IntegrationMessage
from tests.audit.test_batch_bundle import SCHEME, _part
from tests.scoring.engine.test_fold_builders import (
    CAMPAIGN,
    ROUND,
    Feed,
    closed,
    corrected,
    recorded,
)
from tests.scoring.engine.test_fold_world import build_registry

WAVE = "测评"


def _log(malformed: bool = True) -> list[IntegrationMessage]:
    registry, survey = Feed("registry"), Feed("survey")
    build_registry(registry)
    survey(_part(0, 4, 1, 3, 1))
    survey(recorded(WAVE, "Q-single", ["满意", "满意", "满意"]))
    survey(_part(4, 7, 2, 3, 2))
    survey(_part(7, 9, 3, 3, 2))
    if malformed:
        broken = dict(survey.messages[-1].payload)
        broken["rows"] = broken["rows"][:1]  # columns of unequal length: not taken apart
        survey.raw("survey.batch.recorded", 2, broken)
        empty = {**survey.messages[0].payload, "questionnaires": []}
        survey.raw("survey.batch.recorded", 1, empty)
    survey(_part(9, 11, 3, 3, 1))
    survey(corrected(WAVE, "Q-single", {"市公安局": "不满意"}))
    survey(closed(WAVE))
    return registry.messages + survey.messages


def test_every_range_left_out_reads_as_the_listed_pieces_less_it(tmp_path: Path) -> None:
    messages = _log()
    listed = pieces(messages)
    held = Listed(messages)
    numbered = Pieces(held)
    assert numbered.total == len(listed)
    assert [numbered.piece(k) for k in range(len(listed))] == listed
    for i in range(len(messages)):
        mine = [k for k, piece in enumerate(listed) if piece[0] == i]
        first, count, part = numbered.span(i)
        assert list(range(first, first + count)) == mine or (not mine and part and not count)
    for start in range(len(listed) + 1):
        for stop in range(start, len(listed) + 1):
            expected = [m.encode() for m in without(messages, set(listed[start:stop]))]
            edited = Edited(held, numbered, left=range(start, stop))
            assert [m.encode() for m in edited] == expected, (start, stop)
            decisions = [m.encode() for m in edited.of_types({"survey.response.corrected"})]
            assert decisions == [e for e in expected if b"survey.response.corrected" in e]


def test_the_bundles_stream_is_numbered_as_its_messages_listed(tmp_path: Path) -> None:
    messages = _log(malformed=False)
    by_origin: dict[str, list[bytes]] = {}
    for message in messages:
        by_origin.setdefault(message.origin, []).append(message.encode())
    about = {
        "campaign_id": str(CAMPAIGN),
        "round": ROUND,
        "read_to": {m.origin: m.position for m in messages},
    }
    path = tmp_path / "b.zip"
    encoded = {origin: iter(lines) for origin, lines in by_origin.items()}
    results = score_round(SCHEME, messages, campaign_id=str(CAMPAIGN), round=ROUND)
    write_bundle(path, scheme=SCHEME, messages=encoded, results=results, about=about)
    streamed = StreamedMessages(read_bundle(path))
    assert [(i, m.encode()) for i, m in streamed.numbered()] == [
        (i, m.encode()) for i, m in enumerate(messages)
    ]
    parts = [i for i, m in enumerate(messages) if m.event_type == "survey.batch.recorded"]
    asked = {parts[0] - 1, parts[0], parts[2]}  # the first part's neighbour is no part
    found = streamed.numbered({"survey.batch.recorded"}, indices=asked)
    assert [i for i, _ in found] == [parts[0], parts[2]]
    assert message_at(streamed, 5).encode() == messages[5].encode()
    assert Pieces(streamed).total == len(pieces(messages))
