"""`scoring.round.scored` carries the run's `reason` and the final it `replaces`
(`RoundRun.Computed` v2), taken from the stored event; both are optional fields of v2, so
messages published before them, and v1 messages, still decode (to "" and None)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

from services.scoring.engine.compute import compute_round
from services.scoring.engine.scheme import builtin_schemes
from services.scoring.integration import to_payload
from services.scoring.rounds.domain import RoundRun
from shared.contracts import IntegrationMessage, parse_payload
from shared.contracts.scoring import RoundScored
from tests.scoring.engine.test_scheme_luohe import luohe_round

LUOHE = ("luohe-2yr-zhengfeng", 1)
RESULTS = compute_round(builtin_schemes()[LUOHE], luohe_round())


def _computed(final: bool, reason: str, replaces: str | None) -> RoundRun.Computed:
    scheme = builtin_schemes()[LUOHE]
    run = RoundRun.computed(
        uuid4(),
        campaign_id=uuid4(),
        round_number=1,
        jurisdiction_id=uuid4(),
        final=final,
        scheme=scheme.ref(),
        upstream_positions={"registry": 3, "survey": 9, "inspection": 2},
        inputs_digest=RESULTS["inputs_digest"],
        results=RESULTS,
        results_digest=RESULTS["results_digest"],
        trigger="requested",
        actor="office:舞阳县纠风办",
        reason=reason,
        replaces=replaces,
    )
    [event] = run.collect_events()
    assert isinstance(event, RoundRun.Computed)
    return event


def _wire(payload: dict[str, Any], version: int) -> RoundScored:
    message = IntegrationMessage(
        event_id=IntegrationMessage.event_id_for("scoring", 4),
        event_type="scoring.round.scored",
        schema_version=version,
        origin="scoring",
        position=4,
        previous_position=None,
        occurred_at=datetime(2026, 7, 1, tzinfo=UTC),
        payload=payload,
    )
    decoded = parse_payload(IntegrationMessage.decode(message.encode()))
    assert isinstance(decoded, RoundScored)
    return decoded


def test_a_replacing_final_publishes_its_reason_and_the_final_it_replaced() -> None:
    earlier = uuid4()
    event = _computed(True, "补录问卷后重新计分", str(earlier))
    payload = to_payload(event)
    assert isinstance(payload, RoundScored)
    assert (payload.run_id, payload.final) == (event.originator_id, True)
    assert (payload.reason, payload.replaces) == ("补录问卷后重新计分", earlier)
    assert payload.json_payload()["replaces"] == str(earlier)
    assert _wire(payload.json_payload(), 2) == payload


def test_a_first_final_or_a_provisional_run_replaces_nothing() -> None:
    for final, reason in ((True, ""), (False, "月中试算")):
        payload = to_payload(_computed(final, reason, None))
        assert isinstance(payload, RoundScored)
        assert (payload.reason, payload.replaces) == (reason, None)


def test_messages_published_before_the_fields_still_decode() -> None:
    published = to_payload(_computed(True, "补录问卷后重新计分", str(uuid4())))
    assert isinstance(published, RoundScored)
    before = {k: v for k, v in published.json_payload().items() if k not in ("reason", "replaces")}
    decoded = _wire(before, 2)
    assert (decoded.reason, decoded.replaces) == ("", None)
    assert decoded == published.model_copy(update={"reason": "", "replaces": None})
    v1 = {k: v for k, v in before.items() if k != "engine_revision"}
    older = _wire(v1, 1)
    assert (older.reason, older.replaces, older.engine_revision) == ("", None, 1)
