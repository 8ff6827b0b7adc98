"""Withdrawal (撤回) in reporting's log and on the wire: a publication stored before
withdrawals existed (its `Started` and `Published` as the earlier code wrote them) still
loads, in force, and can be withdrawn and published again; the new `Withdrawn` event maps to
the explicit `reporting.results.withdrawn` v1 contract; and a `reporting.results.published`
v1 payload as already on the streams still decodes, unchanged, beside it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import pytest

from services.reporting.application import ReportingApplication
from services.reporting.domain import (
    AlreadyWithdrawn,
    NothingToWithdraw,
    Publication,
    ReasonRequired,
    publication_id,
)
from services.reporting.integration import to_payload
from shared.contracts import IntegrationMessage, latest_version, parse_payload
from shared.contracts.reporting import ResultsPublished, ResultsWithdrawn
from shared.principals import Principal
from tests.harness import IN_MEMORY
from tests.reporting.reasons import chinese_first
from tests.stored_events import created, following, store

CAMPAIGN, JURISDICTION, RUN = uuid4(), uuid4(), uuid4()
OFFICE = Principal(uuid4(), "县纠风办", "office", JURISDICTION)
SCHEME = {"scheme_id": "s", "version": 1, "scheme_hash": "sha256:" + "ab" * 32}


def _stored_before_withdrawals(app: ReportingApplication) -> None:
    """Version 1 of round 1, stored as the code before withdrawals wrote it."""
    started = created(
        Publication,
        Publication.Started,
        publication_id(CAMPAIGN, 1),
        campaign_id=CAMPAIGN,
        round_number=1,
        jurisdiction_id=JURISDICTION,
    )
    published = following(
        started,
        Publication.Published,
        campaign_id=CAMPAIGN,
        round_number=1,
        jurisdiction_id=JURISDICTION,
        version=1,
        run_id=RUN,
        results_digest="sha256:" + "cd" * 32,
        snapshot_digest="sha256:" + "ef" * 32,
        scheme=SCHEME,
        supersedes=None,
        reason="经县纠风办审定",
        actor="office:县纠风办",
    )
    store(app, started, published)


def _run() -> dict[str, Any]:
    return {
        "run_id": str(RUN),
        "campaign_id": str(CAMPAIGN),
        "round": 1,
        "jurisdiction_id": str(JURISDICTION),
        "final": True,
        "results_digest": "sha256:" + "cd" * 32,
        "scheme": SCHEME,
    }


def test_a_publication_stored_before_withdrawals_loads_and_is_withdrawn() -> None:
    app = ReportingApplication(IN_MEMORY)
    _stored_before_withdrawals(app)
    loaded = app.publication(CAMPAIGN, 1)
    assert loaded is not None and loaded.version == 2
    assert loaded.withdrawn is None and loaded.withdrawals == []
    assert loaded.in_force is not None and loaded.in_force["run_id"] == str(RUN)

    answer = app.withdraw(OFFICE, CAMPAIGN, 1, "误将未经审定的结果发布")
    assert answer["status_code"] == 201
    assert answer["body"] | {"withdrawn_at": None} == {
        "campaign_id": str(CAMPAIGN),
        "round": 1,
        "version": 1,
        "run_id": str(RUN),
        "reason": "误将未经审定的结果发布",
        "withdrawn_by": OFFICE.actor,
        "withdrawn_at": None,
        "status": "withdrawn",
    }
    again = app.publication(CAMPAIGN, 1)
    assert again is not None and again.in_force is None
    assert [v["version"] for v in again.versions] == [1]  # nothing changed in place
    with pytest.raises(AlreadyWithdrawn):
        app.withdraw(OFFICE, CAMPAIGN, 1, "再次撤回")

    # The same run published again: a new publication, no reason needed, superseding none.
    republished = app.publish(
        OFFICE, CAMPAIGN, 1, lambda: (_run(), "sha256:" + "ef" * 32, str(RUN)), None
    )
    assert republished["status_code"] == 201
    assert (republished["body"]["version"], republished["body"]["supersedes"]) == (2, None)
    final = app.publication(CAMPAIGN, 1)
    assert final is not None and final.withdrawn is None and len(final.withdrawals) == 1


def test_nothing_published_or_no_reason_is_refused() -> None:
    app = ReportingApplication(IN_MEMORY)
    with pytest.raises(NothingToWithdraw) as nothing:
        app.withdraw(OFFICE, uuid4(), 1, "误发")
    assert nothing.value.status_code == 409 and nothing.value.field == "path.round_number"
    assert chinese_first(nothing.value.reason)
    _stored_before_withdrawals(app)
    with pytest.raises(ReasonRequired) as blank:
        app.withdraw(OFFICE, CAMPAIGN, 1, "  ")
    assert chinese_first(blank.value.reason)


def test_a_withdrawal_is_published_as_its_own_contract() -> None:
    app = ReportingApplication(IN_MEMORY)
    _stored_before_withdrawals(app)
    app.withdraw(OFFICE, CAMPAIGN, 1, "发布时间早于约定的解禁时间")
    stored = app.recorder.select_notifications(start=1, limit=10)
    payloads = [to_payload(app.mapper.to_domain_event(n)) for n in stored]
    withdrawn = [p for p in payloads if isinstance(p, ResultsWithdrawn)]
    assert [type(p) for p in payloads if p is not None] == [ResultsPublished, ResultsWithdrawn]
    [payload] = withdrawn
    assert payload.model_dump(mode="json") == {
        "campaign_id": str(CAMPAIGN),
        "round": 1,
        "jurisdiction_id": str(JURISDICTION),
        "version": 1,
        "run_id": str(RUN),
        "reason": "发布时间早于约定的解禁时间",
        "withdrawn_by": OFFICE.actor,
    }
    message = _message(2, payload.model_dump(mode="json"), "reporting.results.withdrawn")
    assert message.subject("pingyi") == "pingyi.reporting.results.withdrawn"
    assert parse_payload(message) == payload
    assert latest_version("reporting.results.withdrawn") == 1


def test_a_published_message_as_already_on_the_streams_still_decodes() -> None:
    v1 = {
        "campaign_id": str(CAMPAIGN),
        "round": 1,
        "jurisdiction_id": str(JURISDICTION),
        "version": 1,
        "run_id": str(RUN),
        "results_digest": "sha256:" + "cd" * 32,
        "snapshot_digest": "sha256:" + "ef" * 32,
        "scheme": SCHEME,
        "supersedes": None,
        "reason": "经县纠风办审定",
        "published_by": "office:县纠风办",
    }
    decoded = parse_payload(_message(1, v1, "reporting.results.published"))
    assert isinstance(decoded, ResultsPublished) and decoded.schema_version == 1
    assert decoded.model_dump(mode="json") == v1
    assert latest_version("reporting.results.published") == 1


def _message(position: int, payload: dict[str, Any], event_type: str) -> IntegrationMessage:
    return IntegrationMessage(
        event_id=IntegrationMessage.event_id_for("reporting", position),
        event_type=event_type,
        schema_version=1,
        origin="reporting",
        position=position,
        previous_position=position - 1 if position > 1 else None,
        occurred_at=datetime(2026, 5, 1, 2, 0, tzinfo=UTC),
        payload=payload,
    )
