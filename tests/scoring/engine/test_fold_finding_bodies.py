"""Findings folded from their stored bodies (`RoundFold.apply_finding_body`, the replay's way
for the inspection log) fold exactly as the decoded messages do (`decode_stored`, then
`apply`): bodies as inspection stores them, and bodies whose envelope or payload is broken
in generated ways, redeliveries included. Where the body path cannot say it answers None with
nothing folded, and decoding then reads the body or raises as it always did."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.scoring.engine.fold import RoundFold
from services.scoring.engine.fold.decode import decode_stored, plain_envelope
from shared.canonical import message_json
from shared.contracts import UnknownContractError
from shared.contracts.inspection import FindingRecorded

from .test_fold_columns import mutated
from .test_fold_findings import BASE, ODD_VALUES, findings

CAMPAIGN = "2b1f3e5c-0d6a-4c1e-9b7a-3f2d1c0b9a81"
ENVELOPE_ODDITIES = st.sampled_from(
    [
        ("schema_version", 1),
        ("schema_version", "2"),
        ("schema_version", True),
        ("schema_version", 2.0),
        ("origin", "survey"),
        ("event_type", "inspection.finding.corrected"),
        ("occurred_at", "2026-13-02T01:00:00Z"),
        ("occurred_at", "2026-03-02T01:00:00"),
        ("occurred_at", "2026-03-02 01:00:00Z"),
        ("occurred_at", 20260302),
        ("payload", []),
        ("event_id", "not an id"),
        ("position", 9),
        ("unknown", None),
    ]
)


def envelope(content: Any, **changed: Any) -> dict[str, Any]:
    return {
        "event_type": FindingRecorded.event_type,
        "occurred_at": "2026-03-02T01:00:00Z",
        "origin": "inspection",
        "payload": content,
        "schema_version": FindingRecorded.schema_version,
    } | changed


def body(content: Any, **changed: Any) -> bytes:
    return message_json(envelope(content, **changed))


def by_body(bodies: list[tuple[int, bytes]]) -> tuple[Any, list[bool | str]]:
    fold, answers = RoundFold(CAMPAIGN, 1), list[bool | str]()
    for position, stored in bodies:
        done = fold.apply_finding_body(position, stored)
        if done is None:
            done = _decoded_apply(fold, position, stored)
        answers.append(done)
    return _state(fold), answers


def by_decoding(bodies: list[tuple[int, bytes]]) -> tuple[Any, list[bool | str]]:
    fold = RoundFold(CAMPAIGN, 1)
    answers = [_decoded_apply(fold, position, stored) for position, stored in bodies]
    return _state(fold), answers


def _decoded_apply(fold: RoundFold, position: int, stored: bytes) -> bool | str:
    """As the replay folds a body it cannot read plainly; a refusal (decoding's, or the
    contract's when applied) as the name of what was raised."""
    try:
        return fold.apply(decode_stored("inspection", position, position - 1 or None, stored))
    except (ValueError, UnknownContractError) as error:
        return type(error).__name__


def _state(fold: RoundFold) -> Any:
    findings = {key: (r.unit_id, r.fact) for key, r in fold._inspection.findings.items()}
    return findings, fold.positions()


def test_a_finding_as_inspection_stores_it_is_folded_from_its_body() -> None:
    stored = body(BASE)
    fold = RoundFold(CAMPAIGN, 1)
    assert fold.apply_finding_body(1, stored) is True
    assert fold.apply_finding_body(1, stored) is False  # a redelivery changes nothing
    assert by_body([(1, stored), (1, stored)]) == by_decoding([(1, stored), (1, stored)])
    assert fold.positions() == {"inspection": 1}


def test_what_the_body_path_leaves_to_decoding_is_left_with_nothing_folded() -> None:
    fold = RoundFold(CAMPAIGN, 1)
    for odd in (
        body(BASE, schema_version=1),
        body(BASE, origin="survey"),
        body(BASE | {"method": "夜访"}),
        body(BASE, extra=1),
        b"[1]",
        b"{",
    ):
        assert fold.apply_finding_body(1, odd) is None
    assert fold.positions() == {} and not fold._inspection.findings


def test_plain_envelopes_are_those_decoding_reads() -> None:
    assert plain_envelope("inspection", body(BASE)) == envelope(BASE)
    assert plain_envelope("registry", body(BASE)) is None
    assert plain_envelope("inspection", body(BASE, occurred_at="2026-02-30T00:00:00Z")) is None


@st.composite
def stored_bodies(draw: st.DrawFn) -> list[tuple[int, bytes]]:
    """Findings at rising positions, some published twice, some redelivered, some broken
    in the envelope or the payload."""
    bodies: list[tuple[int, bytes]] = []
    position = 0
    for model in draw(st.lists(findings, min_size=1, max_size=6)):
        payload = model.model_dump(mode="json")
        changed: dict[str, Any] = {}
        how = draw(st.sampled_from(["plain", "plain", "envelope", "payload", "odd_value"]))
        if how == "envelope":
            name, value = draw(ENVELOPE_ODDITIES)
            changed[name] = value
        elif how == "payload":
            payload = mutated(draw, payload)
        elif how == "odd_value":
            payload = payload | {draw(st.sampled_from(sorted(payload))): draw(ODD_VALUES)}
        position += draw(st.integers(1, 3))
        stored = body(payload, **changed)
        bodies.append((position, stored))
        if draw(st.booleans()):  # a redelivery, or the same finding published again
            again = position if draw(st.booleans()) else position + 1
            position = again
            bodies.append((again, stored))
    return bodies


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bodies=stored_bodies())
def test_findings_fold_from_their_bodies_as_decoded(bodies: list[tuple[int, bytes]]) -> None:
    assert by_body(bodies) == by_decoding(bodies)


def test_the_generated_bodies_reach_both_paths() -> None:
    """The body path reads the plain ones and leaves the broken ones: a check that the
    comparison above compares something."""
    fold = RoundFold(CAMPAIGN, 1)
    assert fold.apply_finding_body(1, body(BASE)) is True
    assert fold.apply_finding_body(2, body(BASE, occurred_at="2026-03-02T01:00:00")) is None
    at = datetime(2026, 3, 2, 1, 0, tzinfo=UTC).isoformat()
    assert fold.apply_finding_body(3, body(BASE, occurred_at=at)) is True
